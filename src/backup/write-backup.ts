import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Database, MigrationSession } from '../db/index.ts';
import { HubError } from '../shared/index.ts';
import { ArchiveWriter, FILE_CHUNK_BYTES, type ArchiveMigration } from './archive-format.ts';
import { listDataFiles, type DataFile } from './data-dir-files.ts';
import {
  appliedMigrations,
  describeTablesInForeignKeyOrder,
  quoteIdent,
  readSequences,
  type CatalogTable,
} from './table-catalog.ts';

export type BackupOptions = {
  database: Database;
  dataDir: string;
  file: string;
  clock?: () => Date;
};

export type BackupOutcome = {
  file: string;
  bytes: number;
  tables: Record<string, number>;
  files: string[];
  migrations: string[];
};

/**
 * Session settings that make `::text` output exact and the same on every server: UTC offsets,
 * ISO dates, hex bytea, shortest-exact floats.
 */
export const EXACT_TEXT_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL IntervalStyle = 'postgres'",
  "SET LOCAL bytea_output = 'hex'",
  'SET LOCAL extra_float_digits = 3',
];

/** Rows per fetch are tuned so one fetch holds about this much text (blobs can be 50 MB each). */
const FETCH_BUDGET_CHARS = 8 * 1024 * 1024;

async function copyDataFile(writer: ArchiveWriter, file: DataFile): Promise<void> {
  const handle = await fs.promises.open(file.absolute, 'r');
  try {
    await writer.beginFile({ path: file.path, mode: file.mode, size: file.size });
    const content = createHash('sha256');
    const buffer = Buffer.alloc(FILE_CHUNK_BYTES);
    for (;;) {
      // Fill the whole chunk, so base64 lines never carry padding in the middle of a file.
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) break;
      const chunk = Buffer.from(buffer.subarray(0, filled));
      content.update(chunk);
      await writer.fileChunk(chunk);
      if (filled < buffer.length) break;
    }
    await writer.endFile(content.digest('hex'));
  } finally {
    await handle.close();
  }
}

async function copyTable(
  session: MigrationSession,
  writer: ArchiveWriter,
  table: CatalogTable,
): Promise<void> {
  const source = `public.${quoteIdent(table.name)}`;
  const { rows: counted } = await session.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${source}`);
  const expected = Number(counted[0]?.n ?? 0);
  await writer.beginTable({ name: table.name, columns: table.columns, rows: expected });
  const select = table.columns.map((c, i) => `${quoteIdent(c.name)}::text AS c${i}`).join(', ');
  const order = table.primaryKey.map(quoteIdent).join(', ');
  await session.exec(
    `DECLARE backup_rows NO SCROLL CURSOR FOR SELECT ${select} FROM ${source} ORDER BY ${order}`,
  );
  let fetchSize = table.columns.some((c) => c.type === 'bytea') ? 8 : 2000;
  for (;;) {
    const { rows } = await session.query<Record<string, string | null>>(
      `FETCH ${fetchSize} FROM backup_rows`,
    );
    let chars = 0;
    for (const row of rows) {
      const values = table.columns.map((_, i) => row[`c${i}`] ?? null);
      for (const v of values) chars += v?.length ?? 0;
      await writer.row(values);
    }
    if (rows.length < fetchSize) break;
    fetchSize = Math.max(
      1,
      Math.min(5000, Math.floor((rows.length * FETCH_BUDGET_CHARS) / Math.max(chars, 1))),
    );
  }
  await session.exec('CLOSE backup_rows');
  const written = await writer.endTable();
  // In one snapshot the count cannot change; a difference means the snapshot was not one.
  if (written !== expected)
    throw new HubError(
      'DB_BACKUP_FAILED',
      `table ${table.name} changed during the backup (${expected} → ${written})`,
    );
}

function sameMigrations(a: ArchiveMigration[], b: ArchiveMigration[]): boolean {
  return a.length === b.length && a.every((m, i) => m.name === b[i]?.name);
}

/**
 * Writes the whole hub into one archive: data-directory files first, then every table in one
 * read-only snapshot, then the sequences. Files come before the snapshot on purpose: an exported
 * audit anchor newer than the backed-up chain would make the restored trail look truncated.
 * The archive is written beside its target as FILE.partial and renamed when complete.
 */
export async function writeBackup(options: BackupOptions): Promise<BackupOutcome> {
  const { database, file } = options;
  const partial = `${file}.partial`;
  const gzip = createGzip({ level: 6 });
  const output = fs.createWriteStream(partial, { mode: 0o600 });
  const written = pipeline(gzip, output);
  written.catch(() => undefined); // awaited below; a failure before then is reported by the writes
  const writer = new ArchiveWriter(gzip);
  try {
    const outcome = await database.withSession(async (session) => {
      const migrations = await appliedMigrations(session);
      if (migrations.length === 0)
        throw new HubError(
          'DB_BACKUP_FAILED',
          'the database has no applied migrations: it is not a lienthong hub',
        );
      await writer.header({
        createdAt: (options.clock ?? (() => new Date()))().toISOString(),
        source: database.target.kind,
        migrations,
      });
      const files = listDataFiles(options.dataDir, [file, partial]);
      for (const dataFile of files) await copyDataFile(writer, dataFile);
      await session.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        for (const setting of EXACT_TEXT_SETTINGS) await session.exec(setting);
        if (!sameMigrations(migrations, await appliedMigrations(session)))
          throw new HubError(
            'DB_BACKUP_FAILED',
            'the database was migrated while the backup ran; run it again',
          );
        for (const table of await describeTablesInForeignKeyOrder(session))
          await copyTable(session, writer, table);
        await writer.sequences(await readSequences(session));
        await session.exec('COMMIT');
      } catch (error) {
        await session.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return { files: files.map((f) => f.path), migrations: migrations.map((m) => m.name) };
    });
    const trailer = await writer.finish();
    gzip.end();
    await written;
    const handle = await fs.promises.open(partial, 'r');
    await handle.sync();
    await handle.close();
    await fs.promises.rename(partial, file);
    const { size } = await fs.promises.stat(file);
    return { file, bytes: size, tables: trailer.tables, ...outcome };
  } catch (error) {
    gzip.destroy();
    await written.catch(() => undefined);
    await fs.promises.rm(partial, { force: true });
    if (error instanceof HubError) throw error;
    throw new HubError('DB_BACKUP_FAILED', `backup to ${file} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
