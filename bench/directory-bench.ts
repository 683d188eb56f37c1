// bench:directory — lookups of the agency directory by any code at the size of the national axis's
// directory (111,339 agencies in Oct 2025): seeds 120,000 agencies of mixed code forms and 20,000
// former codes into a PostgreSQL database of its own, then times `findAgency` (the one translation
// every door uses) by current, former and rule-equivalent code, on the database and through the
// directory cache, next to the raw ceiling: an indexed primary-key SELECT through `pg`, in the same
// run, interleaved so the machine's noise hits both alike.
//
// Then times `directory import-axis` of a generated 111,339-entry getAgenciesList answer.
//
//   npm run bench:directory      BENCH_DATABASE_URL (admin), BENCH_AGENCIES (120000), BENCH_LOOKUPS (5000),
//                                BENCH_AXIS_ENTRIES (111339)
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { applyMigrations, openDatabase } from '../src/db/index.ts';
import {
  attachDirectoryCache,
  findAgency,
  importAxisDirectory,
  parseAxisDirectory,
} from '../src/directory/index.ts';
import { createSilentLogger } from '../src/shared/index.ts';
import { percentile } from './latency-stats.ts';

export type LatencySummary = { p50: number; p99: number; max: number; count: number };
export type DirectoryLookupBench = {
  agencies: number;
  formerCodes: number;
  /** indexed primary-key SELECT through pg: the ceiling of any lookup on the database */
  raw: LatencySummary;
  /** findAgency on the database (no cache): current, former (alias) and rule-equivalent codes */
  database: { current: LatencySummary; former: LatencySummary; equivalent: LatencySummary };
  /** findAgency through the directory cache, every code looked up once before */
  cached: { current: LatencySummary; former: LatencySummary; equivalent: LatencySummary };
  seedMs: number;
};

const summary = (samples: number[]): LatencySummary => ({
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
  max: Math.max(...samples),
  count: samples.length,
});

const dbUrl = (admin: string, name: string) => {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
};

async function withClient<T>(connectionString: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The mix: 2,000 bare level-one codes (G00…, QĐ 09/2025), 10,000 enterprises (02 + tax code), 5,000
 * legacy 3-group codes, 500 axis system ids, the rest four-group codes; former codes closed by a
 * merger point at random agencies.
 */
async function seed(c: pg.Client, agencies: number, formerCodes: number): Promise<void> {
  await c.query(
    `
    INSERT INTO agency (id, organ_id, name, channel, updated_at)
    SELECT gen_random_uuid(),
           CASE
             WHEN i < 2000 THEN chr(65 + i / 100 % 26) || lpad((i % 100)::text, 2, '0')
             WHEN i < 12000 THEN '02' || lpad((100000000 + i)::text, 10, '0')
             WHEN i < 17000 THEN lpad((i % 100)::text, 2, '0') || '.' || lpad((i / 100 % 100)::text, 2, '0') || '.W' || lpad((i / 10000)::text, 2, '0')
             WHEN i < 17500 THEN 'VXP.SAAS.' || i
             ELSE lpad((i % 1000)::text, 3, '0') || '.' || lpad((i / 1000 % 100)::text, 2, '0') || '.' || lpad((i / 100000)::text, 2, '0') || '.H' || lpad((i % 97)::text, 2, '0')
           END,
           'Cơ quan số ' || i, 'national', now()
      FROM generate_series(0, $1::int - 1) AS i
    ON CONFLICT (organ_id) DO NOTHING`,
    [agencies],
  );
  await c.query(
    `
    WITH numbered AS (SELECT id, row_number() OVER (ORDER BY organ_id) - 1 AS n FROM agency)
    INSERT INTO agency_alias (organ_id, agency_id, closed_on, reason)
    SELECT lpad((i % 1000)::text, 3, '0') || '.' || lpad((i / 1000 % 100)::text, 2, '0') || '.9' || (i / 100000) || '.H' || lpad((i % 89)::text, 2, '0'),
           numbered.id, DATE '2025-07-01', 'merger'
      FROM generate_series(0, $1::int - 1) AS i
      JOIN numbered ON numbered.n = (i::bigint * 7919) % (SELECT count(*) FROM agency)
    ON CONFLICT (organ_id) DO NOTHING`,
    [formerCodes],
  );
  await c.query('ANALYZE agency; ANALYZE agency_alias');
}

function pick<T>(from: readonly T[], n: number): T[] {
  return Array.from({ length: n }, (_, i) => from[(i * 104_729) % from.length] as T);
}

export async function runDirectoryLookupBench(
  options: { agencies?: number; formerCodes?: number; lookups?: number; adminUrl?: string } = {},
): Promise<DirectoryLookupBench> {
  const agencies = options.agencies ?? 120_000;
  const formerCodes = options.formerCodes ?? 20_000;
  const lookups = options.lookups ?? 5000;
  const admin = options.adminUrl ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `lienthong_bench_directory_${process.pid}`;
  const url = dbUrl(admin, name);
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  try {
    const t0 = performance.now();
    const codes = await withClient(url, async (c) => {
      await applyMigrations({
        query: async <T>(sql: string, params?: unknown[]) => ({
          rows: (await c.query(sql, params)).rows as T[],
        }),
        exec: (sql) => c.query(sql),
      });
      await seed(c, agencies, formerCodes);
      const current = (await c.query<{ organ_id: string }>('SELECT organ_id FROM agency')).rows.map(
        (r) => r.organ_id,
      );
      const former = (await c.query<{ organ_id: string }>('SELECT organ_id FROM agency_alias')).rows.map(
        (r) => r.organ_id,
      );
      return { current, former };
    });
    const seedMs = performance.now() - t0;
    const equivalent = codes.current
      .filter((code) => /^[A-Z]\d{2}$/.test(code))
      .map((code) => `000.00.00.${code}`);
    const sets = {
      current: pick(codes.current, lookups),
      former: pick(codes.former, lookups),
      equivalent: pick(equivalent, lookups),
    };

    const database = await openDatabase(
      { kind: 'postgres', url },
      { log: createSilentLogger(), purpose: 'bench:directory', migrate: false },
    );
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      const time = async (work: () => Promise<unknown>) => {
        const start = performance.now();
        await work();
        return performance.now() - start;
      };
      // Warm both paths (plans, connections) before measuring.
      for (const code of sets.current.slice(0, 500)) {
        await findAgency(database.prisma, code);
        await raw.query('SELECT id, organ_id, name, channel FROM agency WHERE organ_id = $1', [code]);
      }
      const rawSamples: number[] = [];
      const onDb = { current: [] as number[], former: [] as number[], equivalent: [] as number[] };
      for (const kind of ['current', 'former', 'equivalent'] as const) {
        for (const code of sets[kind]) {
          onDb[kind].push(await time(() => findAgency(database.prisma, code)));
          if (kind === 'current')
            rawSamples.push(
              await time(() =>
                raw.query('SELECT id, organ_id, name, channel FROM agency WHERE organ_id = $1', [code]),
              ),
            );
        }
      }
      const cache = await attachDirectoryCache(database, { log: createSilentLogger() });
      const cached = { current: [] as number[], former: [] as number[], equivalent: [] as number[] };
      try {
        for (const kind of ['current', 'former', 'equivalent'] as const)
          for (const code of sets[kind]) await findAgency(database.prisma, code);
        for (const kind of ['current', 'former', 'equivalent'] as const)
          for (const code of sets[kind])
            cached[kind].push(await time(() => findAgency(database.prisma, code)));
      } finally {
        await cache.stop();
      }
      return {
        agencies: codes.current.length,
        formerCodes: codes.former.length,
        raw: summary(rawSamples),
        database: {
          current: summary(onDb.current),
          former: summary(onDb.former),
          equivalent: summary(onDb.equivalent),
        },
        cached: {
          current: summary(cached.current),
          former: summary(cached.former),
          equivalent: summary(cached.equivalent),
        },
        seedMs,
      };
    } finally {
      await raw.end();
      await database.close();
    }
  } finally {
    await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

export type AxisImportBench = {
  entries: number;
  bytes: number;
  parseMs: number;
  importMs: number;
  added: number;
  problems: number;
};

/**
 * `lienthong directory import-axis` at the size of the axis's list (111,339 entries in Oct 2025):
 * a generated getAgenciesList answer with every code form, 1% duplicates, 5% empty mails, NFD names
 * and extra fields, parsed and loaded into an empty directory of its own database.
 */
export async function runAxisImportBench(
  options: { entries?: number; adminUrl?: string } = {},
): Promise<AxisImportBench> {
  const count = options.entries ?? 111_339;
  const admin = options.adminUrl ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `lienthong_bench_axis_${process.pid}`;
  const url = dbUrl(admin, name);
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  try {
    await withClient(url, (c) =>
      applyMigrations({
        query: async <T>(sql: string, params?: unknown[]) => ({
          rows: (await c.query(sql, params)).rows as T[],
        }),
        exec: (sql) => c.query(sql),
      }),
    );
    const code = (i: number) =>
      i % 50 === 0
        ? `02${String(100_000_000 + i).padStart(10, '0')}`
        : `${String(i % 1000).padStart(3, '0')}.${String(Math.floor(i / 1000) % 100).padStart(2, '0')}.${String(Math.floor(i / 100_000)).padStart(2, '0')}.H${String(i % 63).padStart(2, '0')}`;
    const list = Array.from({ length: count }, (_, i) => {
      const n = i % 100 === 99 ? i - 1 : i; // 1% duplicates of the entry before
      return {
        code: code(n),
        name: `Ủy ban nhân dân xã Phước Vĩnh số ${n}`.normalize('NFD'),
        mail: n % 20 === 0 ? '' : `vanthu${n}@xa.gov.vn`,
        id: n,
        parentCode: '000.00.00.H53',
      };
    });
    const text = JSON.stringify(list, null, 1);
    const database = await openDatabase(
      { kind: 'postgres', url },
      { log: createSilentLogger(), purpose: 'bench:directory', migrate: false },
    );
    try {
      const t0 = performance.now();
      const parsed = parseAxisDirectory(text);
      const parseMs = performance.now() - t0;
      if (parsed.kind !== 'ok') throw new TypeError('the generated list did not parse');
      const t1 = performance.now();
      const outcome = await importAxisDirectory(
        database.prisma,
        { kind: 'system', component: 'bench' },
        parsed.entries,
        'bench',
      );
      return {
        entries: count,
        bytes: Buffer.byteLength(text),
        parseMs,
        importMs: performance.now() - t1,
        added: outcome.added,
        problems: parsed.problems.length + outcome.skipped.length,
      };
    } finally {
      await database.close();
    }
  } finally {
    await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

function line(label: string, s: LatencySummary): string {
  const f = (v: number) => `${v.toFixed(3)} ms`;
  return `${label.padEnd(34)} p50 ${f(s.p50).padStart(10)}   p99 ${f(s.p99).padStart(10)}   max ${f(s.max).padStart(10)}   (${s.count})`;
}

async function main(): Promise<void> {
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(`bench:directory — ${os.cpus().length} cores, load average ${load()}`);
  const result = await runDirectoryLookupBench({
    agencies: Number(process.env.BENCH_AGENCIES ?? 120_000),
    lookups: Number(process.env.BENCH_LOOKUPS ?? 5000),
    ...(process.env.BENCH_DATABASE_URL ? { adminUrl: process.env.BENCH_DATABASE_URL } : {}),
  });
  console.log(
    `${result.agencies.toLocaleString('en')} agencies, ${result.formerCodes.toLocaleString('en')} former codes, seeded in ${(result.seedMs / 1000).toFixed(1)} s`,
  );
  console.log(line('raw indexed SELECT (pg)', result.raw));
  for (const kind of ['current', 'former', 'equivalent'] as const)
    console.log(line(`findAgency, database, ${kind}`, result.database[kind]));
  for (const kind of ['current', 'former', 'equivalent'] as const)
    console.log(line(`findAgency, cached, ${kind}`, result.cached[kind]));
  const axis = await runAxisImportBench({
    entries: Number(process.env.BENCH_AXIS_ENTRIES ?? 111_339),
    ...(process.env.BENCH_DATABASE_URL ? { adminUrl: process.env.BENCH_DATABASE_URL } : {}),
  });
  console.log(
    `import-axis: ${axis.entries.toLocaleString('en')} entries (${(axis.bytes / 1_048_576).toFixed(1)} MB): parsed in ${(axis.parseMs / 1000).toFixed(2)} s, loaded in ${(axis.importMs / 1000).toFixed(2)} s (${axis.added.toLocaleString('en')} added, ${axis.problems.toLocaleString('en')} rows reported)`,
  );
  console.log(`load average at the end ${load()}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
