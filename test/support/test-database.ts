import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, readMigrationFiles } from '../../src/db/index.ts';
import { databaseUrlFor, testServices } from './test-services.ts';

/**
 * Every test file gets its own PostgreSQL database, cloned from a template that our migrator
 * brought up to date, so the tests run migrations exactly as production does. The template's
 * name carries a hash of the migrations: concurrent runs share it, a changed migration makes a new one.
 */
export function templateName(): string {
  const hash = createHash('sha256');
  for (const file of readMigrationFiles()) hash.update(`${file.name}:${file.checksum};`);
  return `lienthong_tpl_${hash.digest('hex').slice(0, 12)}`;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServices.databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates (once) and migrates the template database. Safe to call from concurrent runs. */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = templateName();
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(4242001)');
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        await admin.query(`CREATE DATABASE "${name}"`);
        const client = new pg.Client({ connectionString: databaseUrlFor(name) });
        await client.connect();
        try {
          await applyMigrations({
            query: async <T>(sql: string, params?: unknown[]) => ({
              rows: (await client.query(sql, params)).rows as T[],
            }),
            exec: (sql) => client.query(sql),
          });
        } finally {
          await client.end();
        }
        await admin.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true`);
      }
    } finally {
      await admin.query('SELECT pg_advisory_unlock(4242001)');
    }
  });
  return name;
}

export type TestDatabase = { name: string; url: string; drop(): Promise<void> };

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase();
  const name = `lienthong_t_${label.replace(/\W/g, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    name,
    url: databaseUrlFor(name),
    drop: () =>
      withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** An empty database (no migrations), for tests of the migrator itself. */
export async function createEmptyDatabase(label = 'empty'): Promise<TestDatabase> {
  const name = `lienthong_t_${label.replace(/\W/g, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: databaseUrlFor(name),
    drop: () =>
      withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}
