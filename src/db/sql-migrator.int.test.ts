import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { isHubError } from '../shared/index.ts';
import {
  applyMigrations,
  markRolledBack,
  migrationStatus,
  readMigrationFiles,
  type MigrationFile,
  type MigrationSession,
} from './sql-migrator.ts';

const file = (name: string, sql: string): MigrationFile => ({
  name,
  sql,
  checksum: createHash('sha256').update(sql).digest('hex'),
});

const CREATE_DOCS = file('20260101000000_docs', 'CREATE TABLE docs (id int PRIMARY KEY);');
// The second statement fails: the first must not survive.
const HALF_FAILING = file(
  '20260102000000_notes',
  'CREATE TABLE notes (id int PRIMARY KEY);\nINSERT INTO missing_table VALUES (1);',
);
const FIXED = file('20260102000000_notes', 'CREATE TABLE notes (id int PRIMARY KEY);');

type Harness = { session: MigrationSession; tables(): Promise<string[]>; close(): Promise<void> };

async function postgresHarness(): Promise<Harness & { db: TestDatabase }> {
  const db = await createEmptyDatabase('migrator');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const session: MigrationSession = {
    query: async <T>(sql: string, params?: unknown[]) => ({
      rows: (await client.query(sql, params)).rows as T[],
    }),
    exec: (sql) => client.query(sql),
  };
  return {
    db,
    session,
    tables: async () =>
      (
        await session.query<{ t: string }>(
          "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        )
      ).rows.map((r) => r.t),
    close: async () => {
      await client.end();
      await db.drop();
    },
  };
}

async function pgliteHarness(): Promise<Harness> {
  const db = await PGlite.create();
  const session: MigrationSession = {
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await db.query<T>(sql, params)).rows }),
    exec: (sql) => db.exec(sql),
  };
  return {
    session,
    tables: async () =>
      (
        await db.query<{ t: string }>(
          "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        )
      ).rows.map((r) => r.t),
    close: () => db.close(),
  };
}

describe.each([
  ['PostgreSQL', postgresHarness],
  ['embedded PGlite', pgliteHarness],
])('sql migrator on %s', (_label, makeHarness) => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness();
  }, 60_000);
  afterAll(() => h.close());

  it('applies migrations in order with Prisma-compatible bookkeeping', async () => {
    const outcome = await applyMigrations(h.session, [CREATE_DOCS]);
    expect(outcome.applied).toEqual([CREATE_DOCS.name]);
    const { rows } = await h.session.query<{
      migration_name: string;
      checksum: string;
      applied_steps_count: number;
      finished_at: Date | null;
    }>('SELECT migration_name, checksum, applied_steps_count, finished_at FROM "_prisma_migrations"');
    expect(rows).toEqual([
      {
        migration_name: CREATE_DOCS.name,
        checksum: CREATE_DOCS.checksum,
        applied_steps_count: 1,
        finished_at: expect.any(Date) as Date,
      },
    ]);
    expect(await applyMigrations(h.session, [CREATE_DOCS])).toEqual({
      applied: [],
      alreadyApplied: 1,
      modifiedAfterApply: [],
    });
  });

  it('rolls a half-failed migration back completely and books the failure', async () => {
    await expect(applyMigrations(h.session, [CREATE_DOCS, HALF_FAILING])).rejects.toSatisfy(
      (error) => isHubError(error, 'DB_MIGRATION_FAILED') && /missing_table/.test(error.message),
    );
    expect(await h.tables()).toEqual(['_prisma_migrations', 'docs']);
    expect(await migrationStatus(h.session, [CREATE_DOCS, HALF_FAILING])).toEqual({
      applied: [CREATE_DOCS.name],
      pending: [HALF_FAILING.name],
      failed: [HALF_FAILING.name],
    });
  });

  it('refuses every later run until the failure is resolved, even with a fixed file', async () => {
    await expect(applyMigrations(h.session, [CREATE_DOCS, FIXED])).rejects.toSatisfy(
      (error) =>
        isHubError(error, 'DB_MIGRATION_UNRESOLVED') &&
        error.message.includes(`--resolve-rolled-back ${FIXED.name}`),
    );
    expect(await h.tables()).toEqual(['_prisma_migrations', 'docs']);
  });

  it('applies the fixed migration once the failure is marked rolled back', async () => {
    await markRolledBack(h.session, FIXED.name);
    expect((await applyMigrations(h.session, [CREATE_DOCS, FIXED])).applied).toEqual([FIXED.name]);
    expect(await h.tables()).toEqual(['_prisma_migrations', 'docs', 'notes']);
    await expect(markRolledBack(h.session, FIXED.name)).rejects.toSatisfy((e) =>
      isHubError(e, 'DB_MIGRATION_NOT_FAILED'),
    );
  });

  it('reports an applied migration whose file was edited, without running it again', async () => {
    const edited = file(CREATE_DOCS.name, 'CREATE TABLE docs (id int PRIMARY KEY, extra text);');
    const outcome = await applyMigrations(h.session, [edited, FIXED]);
    expect(outcome).toEqual({ applied: [], alreadyApplied: 2, modifiedAfterApply: [CREATE_DOCS.name] });
  });
});

describe('the project migrations', () => {
  it('checksums are sha256 of the files, as Prisma computes them', () => {
    for (const migration of readMigrationFiles()) {
      expect(migration.checksum).toBe(createHash('sha256').update(migration.sql).digest('hex'));
    }
  });
});
