/**
 * How fast the hub drains the national axis: documents waiting on the axis simulator for a hosted
 * agency, a real `lienthong start` (PostgreSQL, RabbitMQ) polling it, counted until each is an
 * intake item for the agency's clerks — getReceivedEdocList, getEdoc, the submit path (read,
 * signature, routing, commit with the DocId), updateStatus done, the relay to the hosted inbox and
 * the intake item. Beside it, in the same run: the simulator's raw serving rate (a bare keep-alive
 * client doing only list + getEdoc + updateStatus, bench/axis-simulator-raw.ts), and the ratio.
 *
 * Run: npm run bench:axis
 *   BENCH_AXIS_DOCUMENTS=2000   documents waiting on the axis
 * Uses the shared PostgreSQL and RabbitMQ of the tests (a fresh database and vhost, dropped after).
 */
import fs from 'node:fs';
import { runDirectoryLookupBench } from './directory-bench.ts';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HubError } from '../src/shared/index.ts';
import { startAxisSimulator } from '../test/support/axis-simulator.ts';
import { hubEnv, startHubProcess } from '../test/support/hub-process.ts';
import { documentPackage } from '../test/support/relay-fixtures.ts';
import { prismaFor } from '../test/support/registry-fixtures.ts';
import { createTestDatabase } from '../test/support/test-database.ts';
import { createTestVhost } from '../test/support/test-broker.ts';
import { measureAxisRawRate } from './axis-simulator-raw.ts';

const HUB = '000.00.00.H53';
const G22 = '000.00.00.G22';
const SYSTEM = { systemId: 'vxp.h53.bench', secret: 'bench-secret' };
const DOCUMENTS = Number(process.env.BENCH_AXIS_DOCUMENTS ?? '2000');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const [db, vhost] = await Promise.all([createTestDatabase('axisbench'), createTestVhost('axisbench')]);
const dataDir = fs.mkdtempSync(path.join(tmpdir(), 'lienthong-axisbench-'));
const sim = await startAxisSimulator({
  systems: [
    { ...SYSTEM, organIds: [HUB] },
    { systemId: 'vxp.vpcp', secret: 'vpcp', organIds: [G22] },
  ],
});
const prisma = prismaFor(db.url, 2);
try {
  await prisma.agency.create({ data: { organId: G22, name: 'Văn phòng Chính phủ', channel: 'national' } });
  fs.writeFileSync(path.join(dataDir, 'axis-secret'), SYSTEM.secret);
  for (let i = 0; i < DOCUMENTS; i++) {
    const documentId = `${G22},2026/12/03,${i + 1}/VPCP-TTĐT`;
    sim.enqueue({
      from: G22,
      to: [HUB],
      edxml: documentPackage({ from: G22, to: [HUB], documentId, subject: `Công văn số ${i + 1}` }),
    });
  }
  const hub = await startHubProcess(
    hubEnv({
      DATABASE_URL: db.url,
      AMQP_URL: vhost.amqpUrl,
      LIENTHONG_DATA_DIR: dataDir,
      LIENTHONG_LOG_LEVEL: 'error',
      LIENTHONG_AXIS_ENDPOINT: sim.endpoint,
      LIENTHONG_AXIS_SYSTEM_ID: SYSTEM.systemId,
      LIENTHONG_AXIS_SECRET_FILE: path.join(dataDir, 'axis-secret'),
      LIENTHONG_AXIS_POLL_SECONDS: '0.1',
    }),
  );
  // The clock starts at the hub's first getReceivedEdocList, not at its start-up.
  while ((sim.counts().byCall.getReceivedEdocList ?? 0) === 0) await sleep(5);
  const started = performance.now();
  let registered = 0;
  let acknowledgedAllAt: number | undefined;
  const deadline = Date.now() + 15 * 60_000;
  while (registered < DOCUMENTS) {
    if (Date.now() > deadline)
      throw new HubError('BENCH_FAILED', `only ${registered} of ${DOCUMENTS} registered`);
    await sleep(50);
    registered = await prisma.intakeItem.count({ where: { senderOrganId: G22 } });
    const done = [...sim.receipts().values()].filter((r) => r.done > 0).length;
    if (acknowledgedAllAt === undefined && done >= DOCUMENTS) acknowledgedAllAt = performance.now();
  }
  const seconds = (performance.now() - started) / 1000;
  const acknowledged = [...sim.receipts().values()].filter((r) => r.done > 0).length;
  await hub.terminate();
  const hubRate = DOCUMENTS / seconds;

  const raw = await measureAxisRawRate({ documents: DOCUMENTS });
  const lines = [
    `national axis drain, ${DOCUMENTS} documents (load ${loadavg()[0]?.toFixed(1) ?? '?'}):`,
    `  hub: ${hubRate.toFixed(1)} documents/s into registered intake items (${seconds.toFixed(1)} s; ${acknowledged} acknowledged done, all of them after ${(((acknowledgedAllAt ?? performance.now()) - started) / 1000).toFixed(1)} s)`,
    `  simulator raw: ${raw.documentsPerSecond.toFixed(1)} documents/s (list + getEdoc + updateStatus, ${raw.concurrency} in flight, ${raw.requestsPerSecond.toFixed(0)} requests/s)`,
    `  ratio hub / raw: ${(hubRate / raw.documentsPerSecond).toFixed(3)}`,
  ];
  // Every document's From and To are looked up in the agency directory (any code form, former codes
  // of merged provinces): at the axis's size (111,339 agencies in Oct 2025) and a little more.
  const lookup = await runDirectoryLookupBench({ agencies: Number(process.env.BENCH_AGENCIES ?? 120_000) });
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  lines.push(
    `directory look-up at ${lookup.agencies.toLocaleString('en')} agencies, ${lookup.formerCodes.toLocaleString('en')} former codes (p50 / p99):`,
    `  raw indexed SELECT: ${ms(lookup.raw.p50)} / ${ms(lookup.raw.p99)}`,
    ...(['current', 'former', 'equivalent'] as const).map(
      (kind) =>
        `  ${kind} code: cached ${ms(lookup.cached[kind].p50)} / ${ms(lookup.cached[kind].p99)}, database ${ms(lookup.database[kind].p50)} / ${ms(lookup.database[kind].p99)}`,
    ),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await sim.close();
  await prisma.$disconnect();
  await Promise.all([db.drop(), vhost.drop()]);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
