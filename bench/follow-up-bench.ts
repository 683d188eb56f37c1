// bench:follow-up — the leader's follow-up with 100,000 registered documents in one agency: the
// server time of GET /api/v1/follow-up (first page, next page, overdue only, due soon only) and of
// the counts per department, measured with inject() on the real app and PostgreSQL.
//
//   npm run bench:follow-up      BENCH_DOCUMENTS (100000), BENCH_ROUNDS (100)
import { performance } from 'node:perf_hooks';
import { addAgency, addPerson, signInAs, startTestWebApp, type TestWebApp } from '../test/support/web-app.ts';
import { ms, percentile } from './latency-stats.ts';

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const A = '000.00.71.H53';
const B = '000.00.72.H53';

/**
 * Set-based seed of a large backlog: one in five outgoing, a third without a due date, due dates
 * spread from 300 days ago to 300 days ahead, half finished (06), eight departments and unassigned.
 */
async function seed(web: TestWebApp, agencyId: string, count: number): Promise<void> {
  for (let i = 0; i < 8; i += 1)
    await web.prisma.department.create({ data: { agencyId, name: `Phòng ${i + 1}` } });
  await web.prisma.$executeRawUnsafe(
    `INSERT INTO document (id, agency_id, direction, year, number, registered_by, subject, search_text,
       due_on, status_code, department_id)
     SELECT gen_random_uuid(), $1::uuid,
       (CASE WHEN g % 5 = 0 THEN 'outgoing' ELSE 'incoming' END)::"Direction", 2026, g, 'bench',
       'Công văn số ' || g, 'cong van so ' || g,
       CASE WHEN g % 3 = 0 THEN NULL ELSE current_date - 300 + (g % 600) END,
       (ARRAY['03', '04', '05', '06', '06', '06'])[1 + g % 6],
       (SELECT id FROM department WHERE agency_id = $1::uuid ORDER BY name OFFSET (g % 9) LIMIT 1)
     FROM generate_series(1, $2::int) AS g`,
    agencyId,
    count,
  );
}

const web = await startTestWebApp('bench-follow-up');
try {
  const t0 = performance.now();
  await seed(web, await addAgency(web.prisma, A), DOCUMENTS);
  await seed(web, await addAgency(web.prisma, B), DOCUMENTS / 10);
  await web.prisma.$executeRawUnsafe('ANALYZE document');
  process.stdout.write(
    `seeded ${DOCUMENTS} + ${DOCUMENTS / 10} documents in ${ms(performance.now() - t0)}\n`,
  );
  await addPerson(web.prisma, { username: 'lanhdao.a', role: 'leader', agency: A });
  const { headers } = await signInAs(web.app, 'lanhdao.a');
  const first = await web.app.inject({ method: 'GET', url: '/api/v1/follow-up?limit=50', headers });
  const cursor = first.json<{ nextCursor: string }>().nextCursor;
  const mix: [string, string][] = [
    ['overdue + due soon, first page', '/api/v1/follow-up?limit=50'],
    ['next page (cursor)', `/api/v1/follow-up?limit=50&cursor=${encodeURIComponent(cursor)}`],
    ['overdue only', '/api/v1/follow-up?due=overdue&limit=50'],
    ['due soon only (3 days)', '/api/v1/follow-up?due=due-soon&limit=50'],
    ['counts per department', '/api/v1/follow-up/departments'],
  ];
  process.stdout.write(`${'query'.padEnd(34)} ${'p50'.padStart(10)} ${'p95'.padStart(10)}\n`);
  for (const [label, url] of mix) {
    const samples: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = performance.now();
      const response = await web.app.inject({ method: 'GET', url, headers });
      samples.push(performance.now() - started);
      if (response.statusCode !== 200) throw new TypeError(`${url}: HTTP ${response.statusCode}`);
    }
    process.stdout.write(
      `${label.padEnd(34)} ${ms(percentile(samples, 50)).padStart(10)} ${ms(percentile(samples, 95)).padStart(10)}\n`,
    );
  }
} finally {
  await web.close();
}
