// The search mix: notation prefix, sender + date range, two or three uncommon words, the first page
// of a broad word — each through searchDocuments as a clerk of the biggest agency, then the very SQL
// Prisma sent (captured from its query events) through `pg` directly, interleaved so machine noise
// hits both alike.
import type pg from 'pg';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { searchDocuments, type DocumentFilter } from '../src/registry/index.ts';
import { ms, percentile } from './latency-stats.ts';
import { SENDERS } from './registry-seed.ts';
import { type Actor } from '../src/shared/index.ts';

export type SearchCase = { kind: string; label: string; filter: DocumentFilter };

export function buildSearchMix(): SearchCase[] {
  const prefixes = [
    '123/QĐ',
    '45/KH',
    '7/TB',
    '1024/',
    '88/CT',
    '12/QĐ-UBND',
    '301/BC',
    '15/GM',
    '999/TTr',
    '560/HD',
  ];
  const ranges: [string, string][] = [
    ['2024-01-01', '2024-03-31'],
    ['2025-06-01', '2025-12-31'],
    ['2023-01-01', '2023-12-31'],
    ['2026-01-01', '2026-11-30'],
    ['2022-04-01', '2022-04-30'],
  ];
  const rare = [
    'nuôi chim yến',
    'nam bao ngu',
    'cầu Gò Chai',
    'kenh tan hung',
    'lễ hội Núi Bà Đen',
    'hồ Dầu Tiếng',
    'banh trang phoi suong',
    'muối tôm',
    'cao su tiểu điền',
    'mãng cầu Bà Đen',
  ];
  const broad = [
    'quyết định',
    'ngân sách',
    'kế hoạch',
    'tây ninh',
    'huyện',
    'công tác',
    'đất',
    'giáo dục',
    'thực phẩm',
    'hội nghị',
  ];
  return [
    ...prefixes.map((p) => ({ kind: 'notation prefix', label: p, filter: { notationPrefix: p } })),
    ...Array.from({ length: 10 }, (_, i) => {
      const sender = SENDERS[(i * 7) % SENDERS.length]?.organId ?? '';
      const [from, to] = ranges[i % ranges.length] ?? ['2024-01-01', '2024-12-31'];
      return {
        kind: 'sender + date range',
        label: `${sender} ${from}…${to}`,
        filter: { senderOrganId: sender, promulgatedFrom: from, promulgatedTo: to },
      };
    }),
    ...rare.map((q) => ({ kind: 'uncommon words', label: q, filter: { q } })),
    ...broad.map((q) => ({ kind: 'broad word, page 1', label: q, filter: { q } })),
  ];
}

type Captured = { sql: string; params: unknown[] };
type Sample = { kind: string; label: string; prisma: number; raw: number; hits: number; captured: Captured };

/** Prisma's query events, subscribed where the client was built with `log: [{ emit: 'event', level: 'query' }]`. */
export type QueryEvents = (listener: (event: { query: string; params: string }) => void) => void;

export async function measureSearches(
  prisma: PrismaClient,
  onQuery: QueryEvents,
  pool: pg.Pool,
  clerk: Actor,
  mix: SearchCase[],
  explain: boolean,
  passes = 3,
): Promise<void> {
  let last: Captured | undefined;
  onQuery((event) => {
    last = { sql: event.query, params: JSON.parse(event.params) as unknown[] };
  });
  const runOnce = async (c: SearchCase): Promise<Sample> => {
    last = undefined;
    const t0 = performance.now();
    const result = await searchDocuments(prisma, clerk, c.filter);
    const prismaMs = performance.now() - t0;
    const captured = last as Captured | undefined;
    if (!captured || 'kind' in result) throw new TypeError(`search ${c.label} failed or was not captured`);
    const t1 = performance.now();
    await pool.query(captured.sql, captured.params);
    const rawMs = performance.now() - t1;
    return {
      kind: c.kind,
      label: c.label,
      prisma: prismaMs,
      raw: rawMs,
      hits: result.documents.length,
      captured,
    };
  };
  for (const c of mix) await runOnce(c); // warm-up: plans cached, pages in memory
  const samples: Sample[] = [];
  for (let pass = 0; pass < passes; pass += 1) for (const c of mix) samples.push(await runOnce(c));

  console.log(
    `\nsearch mix as a clerk of the biggest agency, ${mix.length} queries × ${passes} passes, one at a time:`,
  );
  console.log(
    '  kind                  searchDocuments p50 / p95     raw pg p50 / p95       ratio p50   hits/page',
  );
  const kinds = [...new Set(mix.map((c) => c.kind))];
  for (const kind of [...kinds, 'whole mix']) {
    const of = samples.filter((s) => kind === 'whole mix' || s.kind === kind);
    const p = of.map((s) => s.prisma);
    const r = of.map((s) => s.raw);
    const hits = of.reduce((sum, s) => sum + s.hits, 0) / of.length;
    console.log(
      `  ${kind.padEnd(20)}  ${ms(percentile(p, 50)).padStart(9)} / ${ms(percentile(p, 95)).padEnd(12)}  ${ms(percentile(r, 50)).padStart(9)} / ${ms(percentile(r, 95)).padEnd(10)}  ${(percentile(p, 50) / percentile(r, 50)).toFixed(2).padStart(8)}   ${hits.toFixed(1)}`,
    );
  }
  const p95 = percentile(
    samples.map((s) => s.prisma),
    95,
  );
  console.log(`  target: p95 of the mix < 100 ms → ${p95 < 100 ? 'met' : 'NOT met'} (${ms(p95)})`);

  const byLabel = new Map<string, Sample[]>();
  for (const s of samples) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s]);
  const medians = [...byLabel.entries()]
    .map(([label, of]) => ({
      label,
      kind: of[0]?.kind ?? '',
      p50: percentile(
        of.map((s) => s.prisma),
        50,
      ),
    }))
    .sort((a, b) => b.p50 - a.p50)
    .slice(0, 8);
  console.log('  slowest queries (median of passes):');
  for (const m of medians) console.log(`    ${ms(m.p50).padStart(9)}  ${m.kind}: ${m.label}`);
  if (!explain) return;

  const slowest = new Map<string, Sample>();
  for (const s of [...samples].sort((a, b) => b.prisma - a.prisma))
    if (!slowest.has(s.label)) slowest.set(s.label, s);
  for (const s of [...slowest.values()].slice(0, 3)) {
    console.log(`\nslow: ${s.kind} "${s.label}" ${ms(s.prisma)} (raw ${ms(s.raw)})`);
    console.log(`  ${s.captured.sql}`);
    console.log(`  params ${JSON.stringify(s.captured.params)}`);
    const plan = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${s.captured.sql}`,
      s.captured.params,
    );
    for (const row of plan.rows) console.log(`  ${row['QUERY PLAN']}`);
  }
}
