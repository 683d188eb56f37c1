import type { Database, MigrationSession } from '../db/index.ts';
import { applyMigrations, readMigrationFiles } from '../db/index.ts';
import { ownAgencyName } from '../directory/index.ts';
import { HubError } from '../shared/index.ts';
import type { ArchiveMigration } from './archive-format.ts';
import { readArchive, type ArchiveSummary } from './archive-reader.ts';
import { conflictingDataFiles, createFileStager } from './data-dir-files.ts';
import { createTableLoader, restoreSequences } from './table-loader.ts';
import {
  appliedMigrations,
  describeTablesInForeignKeyOrder,
  nonEmptyTables,
  quoteIdent,
  secondaryIndexes,
} from './table-catalog.ts';
import { EXACT_TEXT_SETTINGS } from './write-backup.ts';

type MigrationFile = ReturnType<typeof readMigrationFiles>[number];

export type RestoreOptions = {
  /** Opened without migrating: the restore migrates to the archive's point itself. */
  database: Database;
  dataDir: string;
  file: string;
  /** Erase a non-empty or further-migrated target, and overwrite differing data files. */
  force: boolean;
  migrationFiles?: MigrationFile[];
};

export type RestoreOutcome = {
  tables: Record<string, number>;
  files: string[];
  /** Migrations applied after the data, because this lienthong is newer than the archive. */
  migratedAfterwards: string[];
  /** Archived migrations whose file differs here (edited after the backup's hub applied them). */
  changedMigrations: string[];
  erased: boolean;
};

/** Checks a whole archive without writing anything: what `restore --check` prints. */
export function inspectBackup(file: string): Promise<ArchiveSummary> {
  return readArchive(file);
}

/**
 * The archive's migrations must be the first migrations this lienthong knows, in order: then the
 * target is migrated exactly as the source was, the rows fit, and newer migrations run afterwards
 * over the restored rows as they would have on the source.
 */
function migrationsUpToArchive(archived: ArchiveMigration[], known: MigrationFile[]): MigrationFile[] {
  const prefix = known.slice(0, archived.length);
  const fits = archived.every((m, i) => prefix[i]?.name === m.name);
  if (!fits) {
    const unknown = archived.filter((m) => !known.some((k) => k.name === m.name)).map((m) => m.name);
    throw new HubError(
      'DB_BACKUP_INCOMPATIBLE',
      unknown.length > 0
        ? `the archive was taken by a newer lienthong (migrations ${unknown.join(', ')} are unknown here); restore it with that version or later`
        : 'the archive was taken at migrations that do not match the order of this lienthong’s migrations',
      { details: { archived: archived.map((m) => m.name), known: known.map((k) => k.name) } },
    );
  }
  return prefix;
}

async function eraseSchema(session: MigrationSession): Promise<void> {
  await session.exec('BEGIN');
  try {
    await session.exec(
      'DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO PUBLIC',
    );
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function holdsOnlySeededOwnAgency(session: MigrationSession): Promise<boolean> {
  const { rows } = await session.query<{ organ_id: string; name: string; channel: string; policy: string }>(
    'SELECT organ_id, name, channel::text AS channel, signature_policy::text AS policy FROM public.agency LIMIT 2',
  );
  const [only] = rows;
  return (
    rows.length === 1 &&
    only !== undefined &&
    only.name === ownAgencyName(only.organ_id) &&
    only.channel === 'hosted' &&
    only.policy === 'record_only'
  );
}

function failed(step: string, error: unknown): HubError {
  if (error instanceof HubError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HubError('DB_RESTORE_FAILED', `restore failed while ${step}, and was rolled back: ${message}`, {
    cause: error,
  });
}

function refuse(reasons: string[]): HubError {
  return new HubError(
    'DB_RESTORE_TARGET_NOT_EMPTY',
    `nothing was restored: ${reasons.join('; ')}. Restore into an empty database and data directory, ` +
      'or pass --force to erase the target first (every hub table and the differing data files are replaced).',
    { details: { reasons } },
  );
}

async function loadArchive(
  session: MigrationSession,
  options: RestoreOptions,
  stager: ReturnType<typeof createFileStager>,
): Promise<void> {
  const targetTables = new Map((await describeTablesInForeignKeyOrder(session)).map((t) => [t.name, t]));
  const indexes = await secondaryIndexes(session);
  for (const index of indexes) await session.exec(`DROP INDEX public.${quoteIdent(index.name)}`);
  const loader = createTableLoader(session, targetTables);
  await readArchive(options.file, {
    tableStart: (table) => {
      loader.start(table);
    },
    row: (_table, values) => loader.add(values),
    tableEnd: (end) => loader.finish(end.rows),
    fileStart: (file) => {
      stager.begin(file.path, file.mode);
    },
    fileChunk: (_file, bytes) => {
      stager.write(bytes);
    },
    fileEnd: () => {
      stager.end();
    },
    sequences: (values) => restoreSequences(session, values),
  });
  // Same transaction: a unique index that no longer holds fails here and rolls the load back.
  for (const index of indexes) await session.exec(index.definition);
}

/**
 * Restores an archive into the configured database and data directory. The archive is read twice:
 * once to check every checksum (nothing is written if it is damaged), then to load the rows in one
 * transaction; data files are staged and moved into place only after that transaction commits.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreOutcome> {
  const summary = await readArchive(options.file);
  const known = options.migrationFiles ?? readMigrationFiles();
  const toArchivePoint = migrationsUpToArchive(summary.header.migrations, known);
  const changedMigrations = summary.header.migrations
    .filter((m, i) => toArchivePoint[i]?.checksum !== m.checksum)
    .map((m) => m.name);

  return options.database.withSession(async (session) => {
    const rows = await nonEmptyTables(session);
    // `lienthong db migrate` (and the first start) add the hub's own agency; that row alone, as it
    // was added, is nothing to lose: the archive brings its own directory.
    const onlyOwnAgency =
      rows.length === 1 && rows[0] === 'agency' && (await holdsOnlySeededOwnAgency(session));
    const occupied = onlyOwnAgency ? [] : rows;
    const applied = (await appliedMigrations(session)).map((m) => m.name);
    const ahead = applied.some((name, i) => toArchivePoint[i]?.name !== name);
    const conflicts = conflictingDataFiles(options.dataDir, summary.files);
    const reasons = [
      ...(occupied.length > 0 ? [`the target database holds rows (tables ${occupied.join(', ')})`] : []),
      ...(conflicts.length > 0 ? [`data files differ from the archive's: ${conflicts.join(', ')}`] : []),
    ];
    if (reasons.length > 0 && !options.force) throw refuse(reasons);
    // A target migrated past the archive but holding no rows loses nothing by being erased: the
    // archive's rows must meet the schema they were taken from, then newer migrations run over them.
    const erase = rows.length > 0 || ahead;
    if (erase)
      await eraseSchema(session).catch((error: unknown) =>
        Promise.reject(failed('erasing the target', error)),
      );

    await applyMigrations(session, toArchivePoint);
    const stager = createFileStager(options.dataDir);
    await session.exec('BEGIN');
    try {
      for (const setting of EXACT_TEXT_SETTINGS) await session.exec(setting);
      await loadArchive(session, options, stager);
      await session.exec('COMMIT');
    } catch (error) {
      await session.exec('ROLLBACK').catch(() => undefined);
      stager.discard();
      throw failed('loading the archive', error);
    }
    const files = stager.commit();
    const later = await applyMigrations(session, known);
    return {
      tables: summary.trailer.tables,
      files,
      migratedAfterwards: later.applied,
      changedMigrations,
      erased: erase,
    };
  });
}
