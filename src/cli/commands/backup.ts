import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { inspectBackup, restoreBackup, writeBackup } from '../../backup/index.ts';
import { loadConfig, type HubConfig } from '../../config/index.ts';
import { openDatabase, readLockHolder, type Database } from '../../db/index.ts';
import { HubError, createSilentLogger } from '../../shared/index.ts';
import { writeLine, type CliCommand, type CliContext } from '../cli-command.ts';

/**
 * Backup and restore open the database themselves, without migrating it. On the embedded database
 * they refuse while a hub runs: a consistent copy needs the database to itself, and the running hub
 * offers no backup endpoint. On PostgreSQL a backup runs beside the hub in one read-only snapshot.
 */
async function withOwnDatabase<T>(
  config: HubConfig,
  purpose: 'backup' | 'restore',
  work: (database: Database) => Promise<T>,
): Promise<T> {
  if (!config.database.url) {
    // Opening a missing embedded database would create an empty one just to report it empty.
    if (purpose === 'backup' && !fs.existsSync(path.join(config.dataDir, 'pglite')))
      throw new HubError(
        'DB_BACKUP_FAILED',
        `there is no embedded database in ${config.dataDir} to back up (set LIENTHONG_DATA_DIR, or DATABASE_URL for PostgreSQL)`,
      );
    const holder = readLockHolder(config.dataDir);
    if (holder)
      throw new HubError(
        'DB_EMBEDDED_IN_USE',
        `the embedded database in ${config.dataDir} is in use by process ${holder.pid} (${holder.purpose}); ` +
          `lienthong ${purpose} needs it to itself: stop the hub, run lienthong ${purpose}, then start the hub again. ` +
          'On PostgreSQL (DATABASE_URL) a backup runs while the hub keeps working.',
        { details: { holder } },
      );
  }
  const database = await openDatabase(
    config.database.url
      ? { kind: 'postgres', url: config.database.url }
      : { kind: 'embedded', dir: config.dataDir },
    { log: createSilentLogger(), purpose: `lienthong ${purpose}`, migrate: false },
  );
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

const tableList = (tables: Record<string, number>): string =>
  Object.entries(tables)
    .map(([name, rows]) => `${name} ${rows}`)
    .join(', ');

async function backup(context: CliContext): Promise<number> {
  const { positionals } = parseArgs({ args: [...context.argv], allowPositionals: true, strict: true });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    writeLine(context.stderr, 'usage: lienthong backup FILE');
    return 2;
  }
  const config = loadConfig(context.env);
  const outcome = await withOwnDatabase(config, 'backup', (database) =>
    writeBackup({ database, dataDir: config.dataDir, file: path.resolve(file) }),
  );
  writeLine(context.stdout, `backup written to ${file} (${outcome.bytes} bytes)`);
  writeLine(context.stdout, `migrations: ${outcome.migrations.join(', ')}`);
  writeLine(context.stdout, `tables: ${tableList(outcome.tables)}`);
  writeLine(context.stdout, `data files: ${outcome.files.length === 0 ? 'none' : outcome.files.join(', ')}`);
  writeLine(
    context.stdout,
    'the archive holds the hub’s private keys: keep it as safe as the keys themselves',
  );
  return 0;
}

async function restore(context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...context.argv],
    allowPositionals: true,
    options: { force: { type: 'boolean', default: false }, check: { type: 'boolean', default: false } },
    strict: true,
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    writeLine(context.stderr, 'usage: lienthong restore FILE [--check] [--force]');
    return 2;
  }
  if (values.check) {
    const summary = await inspectBackup(file);
    writeLine(context.stdout, `archive intact: ${file}`);
    writeLine(
      context.stdout,
      `taken ${summary.header.createdAt} from the ${summary.header.source} database, format version ${summary.header.version}`,
    );
    writeLine(context.stdout, `migrations: ${summary.header.migrations.map((m) => m.name).join(', ')}`);
    writeLine(context.stdout, `tables: ${tableList(summary.trailer.tables)}`);
    writeLine(context.stdout, `data files: ${summary.files.map((f) => f.path).join(', ') || 'none'}`);
    return 0;
  }
  const config = loadConfig(context.env);
  const outcome = await withOwnDatabase(config, 'restore', (database) =>
    restoreBackup({ database, dataDir: config.dataDir, file, force: values.force }),
  );
  const where = config.database.url ? 'PostgreSQL' : `the embedded database in ${config.dataDir}`;
  if (outcome.erased) writeLine(context.stdout, 'the target database was erased first (--force)');
  writeLine(context.stdout, `restored ${file} into ${where}`);
  writeLine(context.stdout, `tables: ${tableList(outcome.tables)}`);
  writeLine(context.stdout, `data files: ${outcome.files.length === 0 ? 'none' : outcome.files.join(', ')}`);
  if (outcome.migratedAfterwards.length > 0)
    writeLine(context.stdout, `then applied newer migrations: ${outcome.migratedAfterwards.join(', ')}`);
  for (const name of outcome.changedMigrations)
    writeLine(context.stderr, `warning: migration ${name} differs from the file the backed-up hub applied`);
  return 0;
}

export const commands: readonly CliCommand[] = [
  {
    words: ['backup'],
    usage:
      'backup FILE                  the whole hub (tables, blobs, audit trail, keys, trust store) into one archive; embedded: stop the hub first',
    run: backup,
  },
  {
    words: ['restore'],
    usage:
      'restore FILE [--check] [--force]   into the configured database (DATABASE_URL or embedded) and data directory, which must be empty; --check verifies only; --force erases the target first',
    run: restore,
  },
];
