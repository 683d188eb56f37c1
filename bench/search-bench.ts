// bench:search — full-text search of the register through searchDocuments (the register's API path:
// query, exact-tone ranking of the page, passages), on PostgreSQL with 1,000,000 documents and on
// the embedded database (PGlite) with 100,000, each with ~200 words of Vietnamese text. Per kind of
// query (tone-less words rare / mid / common, phrases, a notation) p50/p95/p99 over ≥ 50 queries,
// next to a plain indexed lookup (a document by id) in the same run, with the ratio of the p95s.
//
//   npm run bench:search           BENCH_DATABASE_URL (admin; postgres@127.0.0.1), BENCH_DOCS (1000000),
//                                  BENCH_EMBEDDED_DOCS (100000; 0 skips), BENCH_QUERIES (50)
// The seeded databases are kept by name (documents count + a hash of the migrations and of this
// seed): a second run skips seeding, and an interrupted seeding resumes where it stopped.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  applyMigrations,
  directSql,
  openDatabase,
  postgresClient,
  readMigrationFiles,
  type DirectSql,
  type PrismaClient,
} from '../src/db/index.ts';
import { searchDocuments, type DocumentFilter } from '../src/registry/index.ts';
import { searchVector, wordsOf } from '../src/registry/domain/full-text.ts';
import { createSilentLogger, type Actor } from '../src/shared/index.ts';
import { ms, percentile } from './latency-stats.ts';
import { AGENCIES, DOC_TYPES, PERIODS, PLACES, RARE, SENDERS, TOPICS } from './registry-seed.ts';
import { seededRandom } from '../test/support/seeded-random.ts';
import { paragraphPool, vocabulary } from './search-vocabulary.ts';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DOCS = Number(process.env.BENCH_DOCS ?? 1_000_000);
const EMBEDDED_DOCS = Number(process.env.BENCH_EMBEDDED_DOCS ?? 100_000);
const QUERIES = Math.max(50, Number(process.env.BENCH_QUERIES ?? 50));
const SEED_VERSION = 'search-seed-3';
const POOL = 20_000;
const PARAGRAPH_WORDS = 40;
const PARAGRAPHS_PER_DOC = 5;
const CHUNK = 20_000;

const hash = (() => {
  const h = createHash('sha256').update(SEED_VERSION);
  for (const f of readMigrationFiles()) h.update(`${f.name}:${f.checksum};`);
  return h.digest('hex').slice(0, 10);
})();

const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const arr = (values: readonly string[]) => `ARRAY[${values.map(lit).join(',')}]::text[]`;
const foldedWords = (s: string) =>
  wordsOf(s)
    .map((w) => w.word)
    .join(' ');
/** The words with tone marks (or đ) as written, lower case: what searchVector() adds once more. */
const markedWords = (s: string) =>
  [
    ...new Set(
      wordsOf(s).flatMap((w) => {
        const asWritten = s.slice(w.start, w.end).toLowerCase().normalize('NFC');
        return asWritten === w.word ? [] : [asWritten];
      }),
    ),
  ].join(' ');

const random = seededRandom(20261204);
const WORDS = vocabulary(random);
const PARAGRAPHS = paragraphPool(WORDS, POOL, PARAGRAPH_WORDS, random);

/** How many documents already hold each word (estimated from the pool: each takes 6 paragraphs). */
function documentShare(): Map<string, number> {
  const inParagraphs = new Map<string, number>();
  for (const p of PARAGRAPHS)
    for (const w of new Set(wordsOf(p).map((x) => x.word)))
      inParagraphs.set(w, (inParagraphs.get(w) ?? 0) + 1);
  return new Map([...inParagraphs].map(([w, n]) => [w, 1 - (1 - n / POOL) ** PARAGRAPHS_PER_DOC]));
}

async function seedPool(sql: DirectSql): Promise<void> {
  await sql.query(
    'CREATE TABLE IF NOT EXISTS bench_paragraph (n int PRIMARY KEY, toned text NOT NULL, folded text NOT NULL, marked text NOT NULL)',
    [],
  );
  const [row] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_paragraph', []);
  if ((row?.n ?? 0) === POOL) return;
  await sql.query('TRUNCATE bench_paragraph', []);
  for (let at = 0; at < POOL; at += 2000) {
    const slice = PARAGRAPHS.slice(at, at + 2000);
    await sql.query(
      `INSERT INTO bench_paragraph SELECT ${at} + o, t, f, m FROM unnest(${arr(slice)}, ${arr(slice.map(foldedWords))}, ${arr(slice.map(markedWords))}) WITH ORDINALITY AS u(t, f, m, o)`,
      [],
    );
  }
}

async function seedAgencies(sql: DirectSql): Promise<string[]> {
  for (const a of AGENCIES)
    await sql.query(
      `INSERT INTO agency (id, organ_id, name, channel, updated_at) VALUES (gen_random_uuid(), $1, $2, 'hosted', now())
       ON CONFLICT (organ_id) DO NOTHING`,
      [a.organId, a.name],
    );
  const rows = await sql.query<{ id: string; organ_id: string }>(
    'SELECT id::text AS id, organ_id FROM agency',
    [],
  );
  return AGENCIES.map((a) => rows.find((r) => r.organ_id === a.organId)?.id ?? '');
}

/**
 * One chunk of documents [from, to], each with its intake item and its text, in one statement
 * (data-modifying CTEs over one materialized draw). Numbers are the running index: unique per book.
 * The tsvector is PostgreSQL's to_tsvector('simple') of the already folded words, which gives the
 * words searchVector() gives (checked on a sample), the pairs of neighbours, here also across
 * fields, and the words with tone marks as written (markedWords, made here).
 */
function chunkSql(agencyIds: string[], from: number, to: number): string {
  const types = DOC_TYPES.map(([name]) => name);
  const abbr = DOC_TYPES.map(([, a]) => a);
  const pick = (n: number) => `1 + floor(random() * ${n})::int`;
  return `
WITH g AS MATERIALIZED (
  SELECT i, gen_random_uuid() AS item_id, gen_random_uuid() AS doc_id,
         timestamptz '2022-01-01 00:00:00+07' + (random() * (now() - timestamptz '2022-01-01 00:00:00+07')) AS at,
         CASE WHEN random() < 0.4 THEN 1 ELSE 2 + floor(random() * ${agencyIds.length - 1})::int END AS ag,
         ${pick(types.length)} AS t, ${pick(TOPICS.length)} AS tp, ${pick(PLACES.length)} AS pl, ${pick(PERIODS.length)} AS pe,
         ${pick(SENDERS.length)} AS snd, 1 + floor(power(random(), 2) * 2000)::int AS num,
         CASE WHEN random() < 0.0015 THEN ${pick(RARE.length)} ELSE 0 END AS rare,
         ARRAY[${Array.from({ length: PARAGRAPHS_PER_DOC }, () => pick(POOL)).join(', ')}] AS ps,
         true AS incoming
    FROM generate_series(${from}, ${to}) AS i
),
d AS MATERIALIZED (
  SELECT g.*, (${arr(agencyIds)})[g.ag]::uuid AS agency_id,
         (${arr(types)})[g.t] || ' về việc ' || (${arr(TOPICS)})[g.tp] || ' tại ' || (${arr(PLACES)})[g.pl] || ' ' || (${arr(PERIODS)})[g.pe] AS subject,
         (${arr(types.map(foldedWords))})[g.t] || ' ve viec ' || (${arr(TOPICS.map(foldedWords))})[g.tp] || ' tai ' || (${arr(PLACES.map(foldedWords))})[g.pl] || ' ' || (${arr(PERIODS.map(foldedWords))})[g.pe] AS subject_f,
         g.num || '/' || CASE WHEN (${arr(abbr)})[g.t] = '' THEN '' ELSE (${arr(abbr)})[g.t] || '-' END || (${arr(SENDERS.map((s) => s.abbr))})[g.snd] AS notation,
         g.num || ' ' || (${arr(abbr.map(foldedWords))})[g.t] || ' ' || (${arr(SENDERS.map((s) => foldedWords(s.abbr)))})[g.snd] AS notation_f,
         (${arr(SENDERS.map((s) => s.organId))})[g.snd] AS organ_id,
         (${arr(SENDERS.map((s) => s.name))})[g.snd] AS sender_name,
         (${arr(SENDERS.map((s) => `${foldedWords(s.name)} ${foldedWords(s.organId)}`))})[g.snd] AS sender_f,
         (SELECT string_agg(b.toned, ' ' ORDER BY u.o) FROM unnest(g.ps) WITH ORDINALITY AS u(p, o) JOIN bench_paragraph b ON b.n = u.p)
           || CASE WHEN g.rare > 0 THEN ' Có ' || (${arr(RARE)})[g.rare] || '.' ELSE '' END AS body,
         (SELECT string_agg(b.folded, ' ' ORDER BY u.o) FROM unnest(g.ps) WITH ORDINALITY AS u(p, o) JOIN bench_paragraph b ON b.n = u.p)
           || CASE WHEN g.rare > 0 THEN ' co ' || (${arr(RARE.map(foldedWords))})[g.rare] ELSE '' END AS body_f,
         concat_ws(' ', (${arr(types.map(markedWords))})[g.t], 'về việc tại', (${arr(TOPICS.map(markedWords))})[g.tp],
           (${arr(PLACES.map(markedWords))})[g.pl], (${arr(PERIODS.map(markedWords))})[g.pe], (${arr(abbr.map(markedWords))})[g.t],
           (${arr(SENDERS.map((s) => `${markedWords(s.abbr)} ${markedWords(s.name)}`))})[g.snd],
           (SELECT string_agg(b.marked, ' ') FROM unnest(g.ps) AS u(p) JOIN bench_paragraph b ON b.n = u.p),
           CASE WHEN g.rare > 0 THEN 'có ' || (${arr(RARE.map(markedWords))})[g.rare] END) AS marked
    FROM g
),
items AS (
  INSERT INTO intake_item (id, agency_id, source, state, raw_sha256, dedup_key, sender_organ_id, subject, sender_name, received_at, decided_at, decided_by)
  SELECT item_id, agency_id, 'amqp', 'registered', lpad(to_hex(i), 64, '0'), 'bench:' || i, organ_id, subject, sender_name, at, at, 'user:vanthu'
    FROM d WHERE incoming
  RETURNING id
),
texts AS (
  INSERT INTO item_text (intake_item_id, file_key, text, recorded_at)
  SELECT item_id, 'body', body, at FROM d WHERE incoming
)
INSERT INTO document (id, agency_id, direction, year, number, registered_at, registered_by, intake_item_id, notation, document_type,
                      subject, sender_organ_id, sender_name, promulgated_on, signer, priority, search_text, search_vector)
SELECT doc_id, agency_id, CASE WHEN incoming THEN 'incoming' ELSE 'outgoing' END::"Direction",
       extract(year FROM at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int, i, at, 'user:vanthu',
       CASE WHEN incoming THEN item_id END, notation, (${arr(types)})[t], subject, organ_id, sender_name,
       (at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - (i % 9), 'Nguyễn Văn An', (i % 5)::int,
       subject_f || ' ' || notation_f || ' ' || sender_f,
       to_tsvector('simple', w) || array_to_tsvector(ARRAY(
         SELECT p FROM (SELECT word || '_' || lead(word) OVER (ORDER BY o) AS p FROM unnest(string_to_array(w, ' ')) WITH ORDINALITY AS u(word, o)) AS pairs
          WHERE p IS NOT NULL))
         || array_to_tsvector(array_remove(string_to_array(marked, ' '), ''))
  FROM (SELECT d.*, subject_f || ' ' || notation_f || ' ' || sender_f || ' ' || body_f AS w FROM d) AS d`;
}

/** Seeds up to `count` documents, resuming after the last complete chunk; GIN indexes are built after the load. */
async function seed(sql: DirectSql, count: number, label: string): Promise<void> {
  await seedPool(sql);
  const [done] = await sql.query<{ n: number }>(
    "SELECT coalesce(max(number), 0)::int AS n FROM document WHERE registered_by = 'user:vanthu'",
    [],
  );
  await sql.query('CREATE TABLE IF NOT EXISTS bench_indexes (name text PRIMARY KEY, def text NOT NULL)', []);
  const [ready] = await sql.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'document_search_vector_idx'",
    [],
  );
  if ((done?.n ?? 0) >= count && (ready?.n ?? 0) > 0) {
    console.log(`${label}: ${count.toLocaleString('en')} documents already seeded`);
    return;
  }
  const agencyIds = await seedAgencies(sql);
  // Secondary indexes of the loaded tables are dropped (remembered) and built once at the end.
  const indexes = await sql.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
      WHERE tablename IN ('document', 'intake_item', 'item_text') AND indexname NOT LIKE '%_pkey'
        AND indexdef NOT LIKE 'CREATE UNIQUE%'`,
    [],
  );
  for (const index of indexes) {
    await sql.query('INSERT INTO bench_indexes VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      index.name,
      index.def,
    ]);
    await sql.query(`DROP INDEX IF EXISTS "${index.name}"`, []);
  }
  const started = performance.now();
  for (let from = (done?.n ?? 0) + 1; from <= count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK - 1);
    await sql.query(chunkSql(agencyIds, from, to), []);
    const rate = (to - (done?.n ?? 0)) / ((performance.now() - started) / 1000);
    process.stdout.write(
      `\r${label}: seeded ${to.toLocaleString('en')} documents (${Math.round(rate)}/s)   `,
    );
  }
  process.stdout.write('\n');
  const t0 = performance.now();
  for (const index of await sql.query<{ name: string; def: string }>(
    'SELECT name, def FROM bench_indexes',
    [],
  )) {
    await sql.query(index.def.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '), []);
  }
  await sql.query('DELETE FROM bench_indexes', []);
  await sql.query(
    `INSERT INTO register_counter (agency_id, direction, year, last_number)
     SELECT agency_id, direction, year, max(number) FROM document GROUP BY 1, 2, 3
     ON CONFLICT (agency_id, direction, year) DO UPDATE SET last_number = EXCLUDED.last_number`,
    [],
  );
  await sql.query('VACUUM ANALYZE document', []);
  await sql.query('VACUUM ANALYZE intake_item', []);
  await sql.query('VACUUM ANALYZE item_text', []);
  console.log(
    `${label}: seeded in ${seconds(t0 - started)}, indexes and ANALYZE in ${seconds(performance.now() - t0)}`,
  );
}

/** The stored words of a sample equal what the registry's searchVector() gives for those fields. */
async function checkVectors(sql: DirectSql): Promise<string> {
  const rows = await sql.query<{
    subject: string;
    notation: string;
    sender_name: string;
    sender_organ_id: string;
    text: string | null;
    v: string;
  }>(
    `SELECT d.subject, d.notation, d.sender_name, d.sender_organ_id, t.text, d.search_vector::text AS v
       FROM document d LEFT JOIN item_text t ON t.intake_item_id = d.intake_item_id
      WHERE d.registered_by = 'user:vanthu' ORDER BY d.number LIMIT 200`,
    [],
  );
  // words only: the seed's pairs also join neighbours across fields, which searchVector() does not
  const lexemes = (v: string) =>
    [...v.matchAll(/'((?:[^']|'')*)'/g)]
      .map((m) => m[1] ?? '')
      .filter((w) => !w.includes('_'))
      .sort()
      .join(' ');
  const same = rows.filter(
    (r) =>
      lexemes(searchVector([r.subject, r.notation, r.sender_name, r.sender_organ_id, r.text])) ===
      lexemes(r.v),
  ).length;
  return `${same}/${rows.length}`;
}

type Kind = { kind: string; queries: DocumentFilter[] };

async function queryMix(sql: DirectSql): Promise<{ kinds: Kind[]; ids: string[] }> {
  const share = documentShare();
  const byShare = (lo: number, hi: number) =>
    [...share].filter(([w, s]) => s >= lo && s < hi && w.length >= 2).map(([w]) => w);
  const pickN = <T>(list: readonly T[], n: number): T[] => {
    const r = seededRandom(99);
    return Array.from({ length: n }, () => list[Math.floor(r() * list.length)] as T);
  };
  const rare = [...RARE.map(foldedWords), ...byShare(0, 0.0005)];
  const mid = byShare(0.005, 0.05);
  const common = byShare(0.3, 1.01);
  const phrases = pickN(PARAGRAPHS, QUERIES).map((p, i) => {
    const words = wordsOf(p).map((w) => w.word);
    const at = (i * 7) % (words.length - 3);
    return `"${words.slice(at, at + 2 + (i % 2)).join(' ')}"`;
  });
  const toned = pickN(PARAGRAPHS, QUERIES).map((p, i) => {
    const words = wordsOf(p);
    const at = (i * 5) % (words.length - 2);
    return words
      .slice(at, at + 2)
      .map((w) => p.slice(w.start, w.end))
      .join(' ');
  });
  const notations = await sql.query<{ notation: string }>(
    `SELECT notation FROM document TABLESAMPLE SYSTEM (1) WHERE notation LIKE '%/Q%' LIMIT ${QUERIES}`,
    [],
  );
  const ids = await sql.query<{ id: string }>(
    `SELECT id::text AS id FROM document TABLESAMPLE SYSTEM (1) LIMIT ${QUERIES}`,
    [],
  );
  const q = (list: string[]) => list.map((text) => ({ q: text }));
  console.log(
    `query words: rare ${rare.length} (< 0.05% of documents), mid ${mid.length} (0.5–5%), common ${common.length} (≥ 30%)`,
  );
  return {
    ids: ids.map((r) => r.id),
    kinds: [
      { kind: 'tone-less word, rare', queries: q(pickN(rare, QUERIES)) },
      { kind: 'tone-less word, mid', queries: q(pickN(mid, QUERIES)) },
      { kind: 'tone-less word, common', queries: q(pickN(common, QUERIES)) },
      {
        kind: 'two tone-less words',
        queries: q(pickN(mid, QUERIES).map((w, i) => `${w} ${common[i % common.length] ?? ''}`)),
      },
      { kind: 'phrase', queries: q(phrases) },
      // typed with their marks: the rows holding them as written are listed first
      { kind: 'two words with tone marks', queries: q(toned) },
      { kind: 'notation (số/ký hiệu)', queries: q(notations.map((r) => r.notation)) },
    ],
  };
}

async function measure(label: string, prisma: PrismaClient, sql: DirectSql, agencyId: string): Promise<void> {
  const actor: Actor = {
    kind: 'user',
    userId: '00000000-0000-4000-8000-000000000001',
    username: 'vanthu',
    role: 'clerk',
    agencyId,
    departmentId: null,
  };
  const { kinds, ids } = await queryMix(sql);
  const lookup: number[] = [];
  const samples = new Map<string, { t: number; hits: number; q: string }[]>();
  // warm-up: one of each
  for (const k of kinds) await searchDocuments(prisma, actor, k.queries[0] ?? {});
  // interleaved so that machine noise hits every kind alike
  for (let i = 0; i < QUERIES; i += 1) {
    const id = ids[i % ids.length] ?? '';
    const t0 = performance.now();
    await prisma.document.findUnique({ where: { id }, select: { id: true, subject: true, notation: true } });
    lookup.push(performance.now() - t0);
    for (const k of kinds) {
      const filter = k.queries[i] ?? {};
      const t1 = performance.now();
      const page = await searchDocuments(prisma, actor, filter);
      const t = performance.now() - t1;
      const hits = 'documents' in page ? page.documents.length : -1;
      samples.set(k.kind, [...(samples.get(k.kind) ?? []), { t, hits, q: filter.q ?? '' }]);
    }
  }
  const base = percentile(lookup, 95);
  console.log(
    `\n${label}: ${QUERIES} queries each, as a clerk of the largest agency (≈40% of the documents), first page of 20`,
  );
  console.log('kind                        p50        p95        p99     p95 / lookup  full pages');
  const row = (kind: string, t: number[], full: string) =>
    console.log(
      `${kind.padEnd(26)}${ms(percentile(t, 50)).padStart(9)}  ${ms(percentile(t, 95)).padStart(9)}  ${ms(percentile(t, 99)).padStart(9)}  ${`${(percentile(t, 95) / base).toFixed(1)}×`.padStart(12)}  ${full}`,
    );
  row('lookup by id (PK)', lookup, '');
  const slowest: { kind: string; q: string; t: number }[] = [];
  for (const k of kinds) {
    const s = samples.get(k.kind) ?? [];
    row(
      k.kind,
      s.map((x) => x.t),
      `${s.filter((x) => x.hits === 20).length}/${s.length}`,
    );
    const worst = [...s].sort((a, b) => b.t - a.t)[0];
    if (worst) slowest.push({ kind: k.kind, q: worst.q, t: worst.t });
  }
  console.log('\nslowest query of each kind:');
  for (const w of slowest) console.log(`  ${w.kind}: ${JSON.stringify(w.q)} ${ms(w.t)}`);
}

async function explain(sql: DirectSql, agencyId: string, tsquery: string): Promise<void> {
  const rows = await sql.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM document WHERE search_vector @@ $1::tsquery AND agency_id = $2::uuid
      ORDER BY registered_at DESC, id DESC LIMIT 21`,
    [tsquery, agencyId],
  );
  console.log(`\nEXPLAIN ANALYZE ${tsquery}:\n${rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
}

async function onPostgres(): Promise<void> {
  const name = `lienthong_bench_search_${DOCS}_${hash}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0;
  if (!exists) await admin.query(`CREATE DATABASE "${name}"`);
  const { rows: load } = await admin.query<{ l: string }>(
    'SELECT pg_size_pretty(pg_database_size($1)) AS l',
    [name],
  );
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const session = new pg.Client({ connectionString: url.toString() });
  await session.connect();
  await applyMigrations({
    query: async <T>(text: string, params?: unknown[]) => ({
      rows: (await session.query(text, params)).rows as T[],
    }),
    exec: (text) => session.query(text),
  });
  await session.query("SET maintenance_work_mem = '1GB'");
  const sessionSql: DirectSql = {
    query: async <R>(text: string, params: readonly unknown[]) =>
      (await session.query(text, [...params])).rows as R[],
  };
  await seed(sessionSql, DOCS, `PostgreSQL ${name}`);
  console.log(
    `stored words = searchVector() on ${await checkVectors(sessionSql)} sampled documents; database ${load[0]?.l ?? '?'} before this run`,
  );
  await session.end();
  const prisma = postgresClient(url.toString(), { max: 4 });
  const sql = directSql(prisma);
  const [agency] = await sql.query<{ id: string }>(`SELECT id::text AS id FROM agency WHERE organ_id = $1`, [
    AGENCIES[0]?.organId,
  ]);
  const [size] = await sql.query<{ t: string; i: string }>(
    "SELECT pg_size_pretty(pg_total_relation_size('document')) AS t, pg_size_pretty(pg_relation_size('document_search_vector_idx')) AS i",
    [],
  );
  console.log(`document table ${size?.t ?? '?'} with indexes; its search_vector GIN index ${size?.i ?? '?'}`);
  await measure(`PostgreSQL, ${DOCS.toLocaleString('en')} documents`, prisma, sql, agency?.id ?? '');
  await explain(sql, agency?.id ?? '', "'cua'");
  await explain(sql, agency?.id ?? '', "'nuoi_chim' & 'chim_yen'");
  await prisma.$disconnect();
}

async function onPglite(): Promise<void> {
  const dir = path.join(os.tmpdir(), `lienthong-bench-search-pglite-${EMBEDDED_DOCS}-${hash}`);
  fs.mkdirSync(dir, { recursive: true });
  const db = await openDatabase(
    { kind: 'embedded', dir },
    { log: createSilentLogger(), purpose: 'bench:search', migrate: true },
  );
  try {
    const sql = directSql(db.prisma);
    await seed(sql, EMBEDDED_DOCS, `PGlite ${dir}`);
    console.log(`stored words = searchVector() on ${await checkVectors(sql)} sampled documents`);
    const [agency] = await sql.query<{ id: string }>(
      `SELECT id::text AS id FROM agency WHERE organ_id = $1`,
      [AGENCIES[0]?.organId],
    );
    await measure(
      `embedded PGlite, ${EMBEDDED_DOCS.toLocaleString('en')} documents`,
      db.prisma,
      sql,
      agency?.id ?? '',
    );
    await explain(sql, agency?.id ?? '', "'cua'");
  } finally {
    await db.close();
  }
}

console.log(
  `bench:search on ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
if (DOCS > 0) await onPostgres();
if (EMBEDDED_DOCS > 0) await onPglite();
console.log(
  `\nload average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
