import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { HubError } from '../shared/index.ts';

/**
 * The backup archive: gzip over lines of JSON, so it can be written and read as a stream and
 * still be read by a person with `zcat | less`. Every line is one record:
 *
 *   {"kind":"header", format, version, createdAt, source, migrations}
 *   {"kind":"file", path, mode, size}          then "base64…" lines, then {"kind":"file-end", …, sha256}
 *   {"kind":"table", name, columns, rows}       then [text|null, …] rows, then {"kind":"table-end", …, sha256}
 *   {"kind":"sequences", values}
 *   {"kind":"end", tables, files, sha256}
 *
 * Column values are PostgreSQL's own text form (`col::text`), which reads back into the same type
 * exactly (bytea as hex, timestamptz with its offset, jsonb, enums); null stays null. Each section's
 * sha256 covers its content lines; the trailer's covers every byte before it, so an archive that
 * was altered, cut short or spliced is refused before anything is written.
 */
export const ARCHIVE_FORMAT = 'lienthong-backup';
export const ARCHIVE_VERSION = 1;

export type ArchiveMigration = { name: string; checksum: string };
export type ArchiveColumn = { name: string; type: string };
export type ArchiveSequence = {
  sequence: string;
  table: string;
  column: string;
  lastValue: string;
  isCalled: boolean;
};

export type ArchiveHeader = {
  kind: 'header';
  format: typeof ARCHIVE_FORMAT;
  version: number;
  createdAt: string;
  source: 'embedded' | 'postgres';
  migrations: ArchiveMigration[];
};
export type TableStart = { kind: 'table'; name: string; columns: ArchiveColumn[]; rows: number };
export type TableEnd = { kind: 'table-end'; name: string; rows: number; sha256: string };
export type FileStart = { kind: 'file'; path: string; mode: number; size: number };
export type FileEnd = {
  kind: 'file-end';
  path: string;
  bytes: number;
  contentSha256: string;
  sha256: string;
};
export type SequencesRecord = { kind: 'sequences'; values: ArchiveSequence[] };
export type ArchiveTrailer = {
  kind: 'end';
  tables: Record<string, number>;
  files: number;
  sha256: string;
};
export type ArchiveRecord =
  ArchiveHeader | TableStart | TableEnd | FileStart | FileEnd | SequencesRecord | ArchiveTrailer;

export type RowValues = (string | null)[];

/** Base64 lines of a file section carry this many raw bytes (a multiple of 3: no padding mid-file). */
export const FILE_CHUNK_BYTES = 48 * 1024;

type OpenSection = { kind: 'table' | 'file'; name: string; hash: Hash; lines: number; bytes: number };

/** Writes records in order, keeping the section and whole-archive hashes; respects back-pressure. */
export class ArchiveWriter {
  private readonly whole = createHash('sha256');
  private section: OpenSection | undefined;
  private readonly tableRows: Record<string, number> = {};
  private files = 0;

  constructor(private readonly out: Writable) {}

  private async put(line: string, sectionLine: boolean): Promise<void> {
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    this.whole.update(bytes);
    if (sectionLine && this.section) this.section.hash.update(bytes);
    if (!this.out.write(bytes)) await once(this.out, 'drain');
  }

  header(header: Omit<ArchiveHeader, 'kind' | 'format' | 'version'>): Promise<void> {
    const record: ArchiveHeader = {
      kind: 'header',
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      ...header,
    };
    return this.put(JSON.stringify(record), false);
  }

  async beginTable(start: Omit<TableStart, 'kind'>): Promise<void> {
    await this.put(JSON.stringify({ kind: 'table', ...start } satisfies TableStart), false);
    this.section = { kind: 'table', name: start.name, hash: createHash('sha256'), lines: 0, bytes: 0 };
  }

  async row(values: RowValues): Promise<void> {
    if (this.section?.kind !== 'table') throw new HubError('DB_BACKUP_FAILED', 'row outside a table section');
    this.section.lines += 1;
    await this.put(JSON.stringify(values), true);
  }

  async endTable(): Promise<number> {
    const section = this.closeSection('table');
    this.tableRows[section.name] = section.lines;
    const end: TableEnd = {
      kind: 'table-end',
      name: section.name,
      rows: section.lines,
      sha256: section.hash.digest('hex'),
    };
    await this.put(JSON.stringify(end), false);
    return section.lines;
  }

  async beginFile(start: Omit<FileStart, 'kind'>): Promise<void> {
    await this.put(JSON.stringify({ kind: 'file', ...start } satisfies FileStart), false);
    this.section = { kind: 'file', name: start.path, hash: createHash('sha256'), lines: 0, bytes: 0 };
  }

  async fileChunk(chunk: Buffer): Promise<void> {
    if (this.section?.kind !== 'file') throw new HubError('DB_BACKUP_FAILED', 'file chunk outside a file');
    this.section.bytes += chunk.length;
    await this.put(JSON.stringify(chunk.toString('base64')), true);
  }

  async endFile(contentSha256: string): Promise<number> {
    const section = this.closeSection('file');
    this.files += 1;
    const end: FileEnd = {
      kind: 'file-end',
      path: section.name,
      bytes: section.bytes,
      contentSha256,
      sha256: section.hash.digest('hex'),
    };
    await this.put(JSON.stringify(end), false);
    return section.bytes;
  }

  sequences(values: ArchiveSequence[]): Promise<void> {
    return this.put(JSON.stringify({ kind: 'sequences', values } satisfies SequencesRecord), false);
  }

  /** Writes the trailer; the caller ends the stream. */
  async finish(): Promise<ArchiveTrailer> {
    if (this.section) throw new HubError('DB_BACKUP_FAILED', `section ${this.section.name} left open`);
    const trailer: ArchiveTrailer = {
      kind: 'end',
      tables: this.tableRows,
      files: this.files,
      sha256: this.whole.digest('hex'),
    };
    const bytes = Buffer.from(`${JSON.stringify(trailer)}\n`, 'utf8');
    if (!this.out.write(bytes)) await once(this.out, 'drain');
    return trailer;
  }

  private closeSection(kind: OpenSection['kind']): OpenSection {
    const section = this.section;
    if (section?.kind !== kind) throw new HubError('DB_BACKUP_FAILED', `no open ${kind} section`);
    this.section = undefined;
    return section;
  }
}
