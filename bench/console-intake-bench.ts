// bench:console — the web console's intake queue with 100,000 items in one agency's queue: the
// server time of GET /api/v1/intake (session auth, query, JSON) for the filters the console offers,
// measured with inject() on the real app and PostgreSQL (issue 8: p95 < 200 ms); then the page itself
// in headless Chromium, from navigation until 50 rows are drawn (issue 8: usable in under 1 s).
//
//   npm run bench:console      BENCH_INTAKE_ITEMS (100000), BENCH_ROUNDS (200)
import { performance } from 'node:perf_hooks';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  TEST_PASSWORD,
  type TestWebApp,
} from '../test/support/web-app.ts';
import { openBrowser, signInThroughConsole } from '../test/support/browser.ts';
import { ms, percentile } from './latency-stats.ts';

const ITEMS = Number(process.env.BENCH_INTAKE_ITEMS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const A = '000.00.51.H53';
const B = '000.00.52.H53';

/** Set-based seed: sources, states and senders spread as a busy agency's queue would be. */
async function seed(web: TestWebApp, agencyId: string, count: number, offset: number): Promise<void> {
  await web.prisma.$executeRawUnsafe(
    `INSERT INTO intake_item (id, agency_id, source, state, raw_sha256, dedup_key, sender_organ_id,
       sender_address, subject, received_at)
     SELECT gen_random_uuid(), $1::uuid,
       (ARRAY['smtp','imap','amqp','http','upload'])[1 + i % 5]::"IntakeSource",
       (CASE WHEN i % 10 < 6 THEN 'new' WHEN i % 10 < 8 THEN 'registered' WHEN i % 10 < 9 THEN 'rejected'
             ELSE 'duplicate' END)::"IntakeState",
       repeat('a', 64), 'bench:' || $2::int + i,
       CASE WHEN i % 5 IN (2, 3) THEN '000.00.' || lpad((i % 90)::text, 2, '0') || '.H53' END,
       CASE WHEN i % 5 IN (0, 1) THEN 'vanthu' || (i % 500) || '@so' || (i % 60) || '.hanoi.gov.vn' END,
       'Công văn số ' || i || ' về việc triển khai kế hoạch năm 2027',
       now() - make_interval(secs => i * 30)
     FROM generate_series(1, $3::int) AS i`,
    agencyId,
    offset,
    count,
  );
}

const web = await startTestWebApp('bench-console');
try {
  const agencyA = await addAgency(web.prisma, A);
  const agencyB = await addAgency(web.prisma, B);
  const t0 = performance.now();
  await seed(web, agencyA, ITEMS, 0);
  await seed(web, agencyB, ITEMS / 10, ITEMS);
  await web.prisma.$executeRawUnsafe('ANALYZE intake_item');
  process.stdout.write(`seeded ${ITEMS} + ${ITEMS / 10} items in ${ms(performance.now() - t0)}\n`);
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  const { headers } = await signInAs(web.app, 'vanthu.a');
  const first = await web.app.inject({ method: 'GET', url: '/api/v1/intake?state=new&limit=50', headers });
  const cursor = first.json<{ nextCursor: string }>().nextCursor;
  const mix: [string, string][] = [
    ['queue, first page (state=new)', '/api/v1/intake?state=new&limit=50'],
    ['queue, next page (cursor)', `/api/v1/intake?state=new&limit=50&cursor=${encodeURIComponent(cursor)}`],
    ['all states', '/api/v1/intake?limit=50'],
    ['source=smtp', '/api/v1/intake?state=new&source=smtp&limit=50'],
    ['sender OrganId', '/api/v1/intake?state=new&sender=000.00.12.H53&limit=50'],
    ['sender address part', '/api/v1/intake?state=new&sender=so15.hanoi&limit=50'],
    ['subject words', `/api/v1/intake?q=${encodeURIComponent('số 4242')}&limit=50`],
    ['rare state (duplicate)', '/api/v1/intake?state=duplicate&limit=50'],
  ];
  process.stdout.write(
    `${'query'.padEnd(34)} ${'rows'.padStart(5)} ${'p50'.padStart(10)} ${'p95'.padStart(10)}\n`,
  );
  for (const [label, url] of mix) {
    const samples: number[] = [];
    let rows = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = performance.now();
      const response = await web.app.inject({ method: 'GET', url, headers });
      samples.push(performance.now() - started);
      if (response.statusCode !== 200) throw new TypeError(`${url}: HTTP ${response.statusCode}`);
      rows = response.json<{ items: unknown[] }>().items.length;
    }
    const p50 = ms(percentile(samples, 50));
    const p95 = ms(percentile(samples, 95));
    process.stdout.write(
      `${label.padEnd(34)} ${String(rows).padStart(5)} ${p50.padStart(10)} ${p95.padStart(10)}\n`,
    );
  }
  // The page as a clerk sees it: from navigation to the first 50 rows drawn, in Debian's Chromium.
  const baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await openBrowser();
  try {
    await signInThroughConsole(browser.page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    const loads: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      const started = performance.now();
      await browser.page.goto(`${baseUrl}/#/intake?state=new`);
      await browser.page.reload();
      await browser.page.locator('#intake-list tbody tr').nth(49).waitFor();
      loads.push(performance.now() - started);
    }
    process.stdout.write(
      `page load to 50 rows drawn (Chromium): p50 ${ms(percentile(loads, 50))}, p95 ${ms(percentile(loads, 95))}\n`,
    );
  } finally {
    await browser.close();
  }
} finally {
  await web.close();
}
