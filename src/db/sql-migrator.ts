import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HubError } from '../shared/index.ts';

/**
 * Applies prisma/migrations with the bookkeeping of Prisma's `migrate deploy` (the same
 * `_prisma_migrations` table, checksums and failure rules), so the Prisma CLI and this migrator can
 * take turns on one database. The Prisma CLI itself cannot migrate offline (docs/database.md).
 *
 * Each migration runs in one transaction together with its bookkeeping row: a migration that fails
 * half-way leaves the schema as it was, and a row marked failed that blocks every later run until an
 * operator resolves it (`lienthong db migrate --resolve-rolled-back NAME`), as Prisma does.
 */

/** One database session: a pg.Client, or a PGlite instance (which is a single session by nature). */
export interface MigrationSession {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a multi-statement script (simple query protocol). */
  exec(sql: string): Promise<unknown>;
}

export type MigrationFile = { name: string; sql: string; checksum: string };

export type MigrationOutcome = {
  applied: string[];
  alreadyApplied: number;
  /** Applied migrations whose file changed afterwards: reported, never re-run. */
  modifiedAfterApply: string[];
};

/** Same number as Prisma's engine uses, so the two never migrate one database at once. */
const MIGRATION_LOCK_KEY = 72707369;

const CREATE_BOOKKEEPING_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations');

export function readMigrationFiles(dir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = fs.readFileSync(path.join(dir, name, 'migration.sql'));
      return {
        name,
        sql: bytes.toString('utf8'),
        checksum: createHash('sha256').update(bytes).digest('hex'),
      };
    });
}

type BookkeepingRow = {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
};

async function withMigrationLock<T>(session: MigrationSession, work: () => Promise<T>): Promise<T> {
  await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    return await work();
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}

async function readBookkeeping(session: MigrationSession): Promise<BookkeepingRow[]> {
  await session.exec(CREATE_BOOKKEEPING_TABLE);
  const { rows } = await session.query<BookkeepingRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at',
  );
  return rows;
}

function refuseWhileFailed(rows: BookkeepingRow[]): void {
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length === 0) return;
  const names = failed.map((row) => row.migration_name);
  const firstLog = (failed[0]?.logs ?? '').split('\n')[0];
  throw new HubError(
    'DB_MIGRATION_UNRESOLVED',
    `migration ${names.join(', ')} failed earlier (${firstLog}); no further migration runs until it is resolved. ` +
      `Fix the database or the migration, then run: lienthong db migrate --resolve-rolled-back ${names[0] ?? ''}`,
    { details: { failedMigrations: names } },
  );
}

export async function applyMigrations(
  session: MigrationSession,
  files: MigrationFile[] = readMigrationFiles(),
): Promise<MigrationOutcome> {
  return withMigrationLock(session, async () => {
    const rows = await readBookkeeping(session);
    refuseWhileFailed(rows);
    const finished = new Map(
      rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]),
    );
    const modifiedAfterApply = files
      .filter((f) => finished.has(f.name) && finished.get(f.name) !== f.checksum)
      .map((f) => f.name);
    const applied: string[] = [];
    for (const file of files.filter((f) => !finished.has(f.name))) {
      await applyOne(session, file);
      applied.push(file.name);
    }
    return { applied, alreadyApplied: finished.size, modifiedAfterApply };
  });
}

async function applyOne(session: MigrationSession, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  await session.exec('BEGIN');
  try {
    await session.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
      [id, file.checksum, file.name],
    );
    await session.exec(file.sql);
    await session.query(
      'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
      [id],
    );
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK');
    const message = error instanceof Error ? error.message : String(error);
    // Booked outside the rolled-back transaction, so the failure stays visible.
    await session.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at) VALUES ($1, $2, $3, $4, now())',
      [
        id,
        file.checksum,
        file.name,
        `${message}\n\nThe migration was rolled back; the database is as it was before it.`,
      ],
    );
    throw new HubError(
      'DB_MIGRATION_FAILED',
      `migration ${file.name} failed and was rolled back: ${message}`,
      {
        cause: error,
        details: { migration: file.name },
      },
    );
  }
}

/** `prisma migrate resolve --rolled-back NAME`: the operator says the failed attempt left nothing behind. */
export async function markRolledBack(session: MigrationSession, name: string): Promise<void> {
  await withMigrationLock(session, async () => {
    await readBookkeeping(session);
    const { rows } = await session.query<{ id: string }>(
      'UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL RETURNING id',
      [name],
    );
    if (rows.length === 0) {
      throw new HubError('DB_MIGRATION_NOT_FAILED', `migration ${name} has no failed attempt to resolve`);
    }
  });
}

export type MigrationStatus = { applied: string[]; pending: string[]; failed: string[] };

export async function migrationStatus(
  session: MigrationSession,
  files: MigrationFile[] = readMigrationFiles(),
): Promise<MigrationStatus> {
  const rows = await readBookkeeping(session);
  const done = new Set(rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
  return {
    applied: files.filter((f) => done.has(f.name)).map((f) => f.name),
    pending: files.filter((f) => !done.has(f.name)).map((f) => f.name),
    failed: rows
      .filter((r) => r.finished_at === null && r.rolled_back_at === null)
      .map((r) => r.migration_name),
  };
}
