import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import { HubError } from '../shared/index.ts';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type ArchiveHeader,
  type ArchiveRecord,
  type ArchiveSequence,
  type ArchiveTrailer,
  type FileEnd,
  type FileStart,
  type RowValues,
  type TableEnd,
  type TableStart,
} from './archive-format.ts';

/** What a reader hands on, record by record, only after checking each record's place in the archive. */
export type ArchiveVisitor = {
  header?(header: ArchiveHeader): Promise<void> | void;
  tableStart?(table: TableStart): Promise<void> | void;
  row?(table: TableStart, values: RowValues): Promise<void> | void;
  /** Called after the section's hash and row count were checked. */
  tableEnd?(end: TableEnd): Promise<void> | void;
  fileStart?(file: FileStart): Promise<void> | void;
  fileChunk?(file: FileStart, bytes: Buffer): Promise<void> | void;
  fileEnd?(end: FileEnd): Promise<void> | void;
  sequences?(values: ArchiveSequence[]): Promise<void> | void;
};

export type ArchiveSummary = {
  header: ArchiveHeader;
  tables: TableStart[];
  files: (FileStart & { contentSha256: string })[];
  sequences: ArchiveSequence[];
  trailer: ArchiveTrailer;
};

function damaged(file: string, reason: string): HubError {
  return new HubError('DB_BACKUP_CORRUPT', `backup archive ${file} is damaged or incomplete: ${reason}`, {
    details: { file, reason },
  });
}

/** Splits a byte stream into lines without decoding, so hashes cover the exact bytes. */
async function* lines(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  for await (const chunk of source) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, nl + 1));
      yield pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
      pending = [];
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) yield Buffer.concat(pending);
}

type Section =
  | { kind: 'table'; start: TableStart; hash: Hash; rows: number }
  | { kind: 'file'; start: FileStart; hash: Hash; content: Hash; bytes: number };

/**
 * Reads and checks a whole archive, calling the visitor as it goes. Throws DB_BACKUP_CORRUPT at the
 * first inconsistency; a caller that writes while visiting must do so in a transaction it can roll back.
 */
export async function readArchive(file: string, visitor: ArchiveVisitor = {}): Promise<ArchiveSummary> {
  let input: fs.ReadStream;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  } catch (error) {
    throw new HubError(
      'DB_BACKUP_UNREADABLE',
      `cannot read backup archive ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const gunzip = createGunzip();
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);

  const whole = createHash('sha256');
  let header: ArchiveHeader | undefined;
  let trailer: ArchiveTrailer | undefined;
  let section: Section | undefined;
  const tables: TableStart[] = [];
  const files: ArchiveSummary['files'] = [];
  let sequences: ArchiveSequence[] = [];
  let lineNo = 0;
  try {
    for await (const bytes of lines(gunzip as AsyncIterable<Buffer>)) {
      lineNo += 1;
      if (trailer) throw damaged(file, `data after the end record (line ${lineNo})`);
      if (bytes[bytes.length - 1] !== 10) throw damaged(file, `the last line is cut off (line ${lineNo})`);
      let value: unknown;
      try {
        value = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw damaged(file, `line ${lineNo} is not valid JSON`);
      }
      if (section?.kind === 'table' && Array.isArray(value)) {
        checkRow(file, lineNo, section.start, value);
        section.hash.update(bytes);
        section.rows += 1;
        whole.update(bytes);
        await visitor.row?.(section.start, value as RowValues);
        continue;
      }
      if (section?.kind === 'file' && typeof value === 'string') {
        const chunk = Buffer.from(value, 'base64');
        section.hash.update(bytes);
        section.content.update(chunk);
        section.bytes += chunk.length;
        whole.update(bytes);
        await visitor.fileChunk?.(section.start, chunk);
        continue;
      }
      const record = value as ArchiveRecord;
      if (
        typeof value !== 'object' ||
        value === null ||
        Array.isArray(value) ||
        typeof record.kind !== 'string'
      )
        throw damaged(file, `line ${lineNo} is not a record`);
      if (record.kind === 'end') {
        if (section) throw damaged(file, `the ${section.kind} section of ${nameOf(section)} is not closed`);
        if (!header) throw damaged(file, 'no header');
        if (record.sha256 !== whole.digest('hex')) throw damaged(file, 'the archive checksum does not match');
        trailer = record;
        continue;
      }
      whole.update(bytes);
      if (!header) {
        header = checkHeader(file, record);
        await visitor.header?.(header);
        continue;
      }
      switch (record.kind) {
        case 'table':
          if (section) throw damaged(file, `line ${lineNo}: ${nameOf(section)} is not closed`);
          section = { kind: 'table', start: record, hash: createHash('sha256'), rows: 0 };
          tables.push(record);
          await visitor.tableStart?.(record);
          break;
        case 'table-end':
          if (section?.kind !== 'table' || section.start.name !== record.name)
            throw damaged(file, `line ${lineNo}: unexpected end of table ${record.name}`);
          if (section.hash.digest('hex') !== record.sha256)
            throw damaged(file, `the rows of table ${record.name} do not match their checksum`);
          if (section.rows !== record.rows || section.rows !== section.start.rows)
            throw damaged(
              file,
              `table ${record.name} has ${section.rows} rows, expected ${section.start.rows}`,
            );
          section = undefined;
          await visitor.tableEnd?.(record);
          break;
        case 'file':
          if (section) throw damaged(file, `line ${lineNo}: ${nameOf(section)} is not closed`);
          section = {
            kind: 'file',
            start: record,
            hash: createHash('sha256'),
            content: createHash('sha256'),
            bytes: 0,
          };
          await visitor.fileStart?.(record);
          break;
        case 'file-end': {
          if (section?.kind !== 'file' || section.start.path !== record.path)
            throw damaged(file, `line ${lineNo}: unexpected end of file ${record.path}`);
          if (
            section.hash.digest('hex') !== record.sha256 ||
            section.content.digest('hex') !== record.contentSha256
          )
            throw damaged(file, `the content of data file ${record.path} does not match its checksum`);
          if (section.bytes !== record.bytes)
            throw damaged(file, `data file ${record.path} has the wrong size`);
          files.push({ ...section.start, contentSha256: record.contentSha256 });
          section = undefined;
          await visitor.fileEnd?.(record);
          break;
        }
        case 'sequences':
          if (section) throw damaged(file, `line ${lineNo}: ${nameOf(section)} is not closed`);
          sequences = record.values;
          await visitor.sequences?.(record.values);
          break;
        case 'header':
          throw damaged(file, `a second header at line ${lineNo}`);
        default:
          throw damaged(file, `line ${lineNo} has an unknown record kind`);
      }
    }
  } catch (error) {
    input.destroy();
    // Only the stream's own failures say the archive is bad; a visitor's (an INSERT refused by the
    // target, a full disk) pass through unchanged for the caller to report.
    if (error instanceof HubError || !isGzipError(error)) throw error;
    throw damaged(file, gzipReason(error));
  }
  if (!header) throw damaged(file, 'it is empty or not a lienthong backup');
  if (!trailer) throw damaged(file, 'it ends early (truncated): the end record is missing');
  const counted = Object.fromEntries(tables.map((t) => [t.name, t.rows]));
  if (JSON.stringify(counted) !== JSON.stringify(trailer.tables) || trailer.files !== files.length)
    throw damaged(file, 'the table and file list does not match the end record');
  return { header, tables, files, sequences, trailer };
}

function nameOf(section: Section): string {
  return section.kind === 'table' ? `table ${section.start.name}` : `data file ${section.start.path}`;
}

function checkHeader(file: string, record: ArchiveRecord): ArchiveHeader {
  if (record.kind !== 'header' || (record as { format?: unknown }).format !== ARCHIVE_FORMAT)
    throw new HubError('DB_BACKUP_CORRUPT', `${file} is not a lienthong backup archive`);
  if (record.version > ARCHIVE_VERSION)
    throw new HubError(
      'DB_BACKUP_INCOMPATIBLE',
      `${file} is a version ${record.version} backup; this lienthong reads version ${ARCHIVE_VERSION} and older. Restore it with a newer lienthong.`,
    );
  return record;
}

function checkRow(file: string, lineNo: number, table: TableStart, value: unknown[]): void {
  if (value.length !== table.columns.length || !value.every((v) => v === null || typeof v === 'string'))
    throw damaged(file, `line ${lineNo} is not a row of table ${table.name}`);
}

function isGzipError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function gzipReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) return 'it ends early (truncated)';
  if (/incorrect header check/i.test(message)) return 'it is not a gzip-compressed lienthong backup';
  return `the compressed data is corrupt (${message})`;
}
