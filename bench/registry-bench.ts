// bench:registry — seeds 1,000,000 documents into a PostgreSQL database of its own, then measures
// registration throughput through the registry's real use cases (concurrent) and the latency of a
// fixed search mix through searchDocuments, against a raw ceiling: the very SQL Prisma sent, run
// through `pg` directly. Prints EXPLAIN (ANALYZE, BUFFERS) of the slowest searches.
//
//   npm run bench:registry [-- --reuse]      BENCH_DATABASE_URL (admin), BENCH_DOCUMENTS (1000000)
// --reuse keeps an already seeded lienthong_bench database (seeding takes a few minutes).
// --with-proposed-index runs the search mix a second time with two extra indexes (those two are now in
// the schema, migration 20261125222659_document_listing_indexes; the option remains for trying others)
// (newest first per agency, and per agency and sender), then drops them again.
// --searches-only skips the registration measurement.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { applyMigrations } from '../src/db/index.ts';
import { foldForSearch } from '../src/registry/index.ts';
import { AGENCIES, seedDocuments } from './registry-seed.ts';
import { measureRegistration } from './registry-bench-registration.ts';
import { buildSearchMix, measureSearches, type QueryEvents } from './registry-bench-search.ts';
import { type Actor } from '../src/shared/index.ts';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'lienthong_bench';
const COUNT = Number(process.env.BENCH_DOCUMENTS ?? 1_000_000);
const REUSE = process.argv.includes('--reuse');
const PROPOSED_INDEX = process.argv.includes('--with-proposed-index');
const SEARCHES_ONLY = process.argv.includes('--searches-only');
const url = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DB_NAME}`;
  return u.toString();
})();

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function withClient<T>(connectionString: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function seededCount(): Promise<number> {
  return withClient(ADMIN_URL, async (admin) => {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) return 0;
    return withClient(url, async (c) => {
      const r = await c.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM document WHERE registered_by = 'user:vanthu'",
      );
      return Number(r.rows[0]?.n ?? 0);
    }).catch(() => 0);
  });
}

async function createAndSeed(): Promise<void> {
  await withClient(ADMIN_URL, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
  });
  await withClient(url, async (c) => {
    await applyMigrations({
      query: async <T>(sql: string, params?: unknown[]) => ({
        rows: (await c.query(sql, params)).rows as T[],
      }),
      exec: (sql) => c.query(sql),
    });
    const agencyIds: string[] = [];
    for (const a of AGENCIES) {
      const r = await c.query<{ id: string }>(
        "INSERT INTO agency (id, organ_id, name, channel, updated_at) VALUES (gen_random_uuid(), $1, $2, 'hosted', now()) RETURNING id",
        [a.organId, a.name],
      );
      agencyIds.push(r.rows[0]?.id ?? '');
    }
    // Secondary indexes are built once after the load: far faster than maintaining GIN per row.
    const { rows: indexes } = await c.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
        WHERE tablename = 'document' AND indexname <> 'document_pkey'`,
    );
    for (const index of indexes) await c.query(`DROP INDEX "${index.name}"`);
    await c.query("SET work_mem = '256MB'");
    await c.query("SET maintenance_work_mem = '1GB'");
    let started = performance.now();
    await seedDocuments(c, agencyIds, COUNT);
    console.log(`seeded ${COUNT.toLocaleString('en')} documents in ${seconds(performance.now() - started)}`);
    started = performance.now();
    for (const index of indexes) await c.query(index.def);
    await c.query('VACUUM ANALYZE document');
    console.log(`built ${indexes.length} indexes and analyzed in ${seconds(performance.now() - started)}`);
  });
}

/** The stored search_text of a sample must equal what the registry's fold gives for those fields. */
async function checkFolding(): Promise<void> {
  await withClient(url, async (c) => {
    const { rows } = await c.query<{
      subject: string;
      notation: string;
      sender_name: string;
      sender_organ_id: string;
      search_text: string;
    }>(
      "SELECT subject, notation, sender_name, sender_organ_id, search_text FROM document WHERE registered_by = 'user:vanthu' ORDER BY random() LIMIT 2000",
    );
    const bad = rows.filter(
      (r) =>
        foldForSearch([r.subject, r.notation, r.sender_name, r.sender_organ_id].join(' ')) !== r.search_text,
    );
    console.log(
      `search_text = registry foldForSearch on ${rows.length - bad.length}/${rows.length} sampled rows`,
    );
    if (bad[0]) console.log('  first mismatch:', bad[0]);
  });
}

/**
 * The first page of a broad word wants the agency's newest documents, filtered, stopping at 21 rows;
 * the schema's (agency_id, direction, registered_at) index cannot give that order when no direction
 * is asked for, so PostgreSQL reads every match and sorts. This measures the indexes that would
 * (the second keeps sender + date range fast once the first exists).
 */
async function withProposedIndex(work: () => Promise<void>): Promise<void> {
  const indexes = {
    bench_proposed_newest_idx: '(agency_id, registered_at DESC, id DESC)',
    bench_proposed_sender_newest_idx: '(agency_id, sender_organ_id, registered_at DESC, id DESC)',
  };
  await withClient(url, async (c) => {
    for (const [name, columns] of Object.entries(indexes))
      await c.query(`CREATE INDEX IF NOT EXISTS ${name} ON document ${columns}`);
    await c.query('ANALYZE document');
  });
  console.log(`\nagain, WITH the proposed indexes on document ${Object.values(indexes).join(' and ')}:`);
  try {
    await work();
  } finally {
    await withClient(url, async (c) => {
      for (const name of Object.keys(indexes)) await c.query(`DROP INDEX IF EXISTS ${name}`);
    });
  }
}

async function main(): Promise<void> {
  console.log(
    `bench:registry — ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const have = REUSE ? await seededCount() : 0;
  if (have >= COUNT) console.log(`reusing ${DB_NAME} with ${have.toLocaleString('en')} seeded documents`);
  else await createAndSeed();
  await checkFolding();

  const prisma = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: 20 }),
    log: [{ emit: 'event', level: 'query' }],
  });
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  try {
    const big = await prisma.agency.findUniqueOrThrow({ where: { organId: AGENCIES[0]?.organId ?? '' } });
    const clerk: Actor = {
      kind: 'user',
      userId: '00000000-0000-4000-8000-00000000b001',
      username: 'vanthu-bench',
      role: 'clerk',
      agencyId: big.id,
      departmentId: null,
    };
    const total = await prisma.document.count();
    const own = await prisma.document.count({ where: { agencyId: big.id } });
    console.log(
      `register: ${total.toLocaleString('en')} documents, ${own.toLocaleString('en')} in ${big.name}'s books`,
    );
    if (!SEARCHES_ONLY)
      await measureRegistration(prisma, pool, clerk, Number(process.env.BENCH_REGISTRATIONS ?? 1000));
    const onQuery: QueryEvents = (listener) => {
      prisma.$on('query', listener);
    };
    await measureSearches(prisma, onQuery, pool, clerk, buildSearchMix(), true);
    if (PROPOSED_INDEX)
      await withProposedIndex(() => measureSearches(prisma, onQuery, pool, clerk, buildSearchMix(), false));
  } finally {
    await prisma.$disconnect();
    await pool.end();
  }
  console.log(
    `load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

await main();
