import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaAgencyDirectory } from '../../src/directory/index.ts';
import { parseEdxml } from '../../src/edxml/index.ts';
import { submitPackage } from '../../src/exchange/index.ts';
import { createSilentLogger, systemClock } from '../../src/shared/index.ts';
import { memoryTrustStore } from '../../src/signing/index.ts';
import { axisDrillSettings } from '../support/axis-drill-settings.ts';
import { startAxisSimulator, type AxisSimulator } from '../support/axis-simulator.ts';
import { hubEnv, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { documentPackage, statusPackage } from '../support/relay-fixtures.ts';
import { prismaFor } from '../support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';
import { seededRandom } from '../support/seeded-random.ts';

// Acceptance drills of the national-axis connector (issue 14), the hub as a child process as an
// operator runs it, the axis simulator in this process:
// (a) documents waiting on the axis, the hub SIGKILLed at random moments during the drain: every
//     document registered exactly once, each acknowledged done, each answered with one status 01;
// (b) packages going out while the axis answers 500 or not at all (also after accepting), with two
//     kills: each accepted by the axis exactly once, and the statuses it sends back applied.
const HUB = '000.00.00.H53';
const G22 = '000.00.00.G22';
const SYSTEM = { systemId: 'vxp.h53.01', secret: 'bi-mat-cua-tinh' };
const { incoming: INCOMING, outgoing: OUTGOING, kills: KILLS, seed: SEED } = axisDrillSettings;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The figures of a run, as an annotation and on stdout (the reporter shows only failed tests' annotations). */
async function report(annotate: (message: string) => Promise<unknown>, line: string): Promise<void> {
  process.stdout.write(`${line}\n`);
  await annotate(line);
}

function documentNumbered(from: string, to: string, n: number) {
  const documentId = `${from},2026/12/03,${n}/VPCP-TTĐT`;
  const body = documentPackage({ from, to: [to], documentId, subject: `Công văn số ${n} về chuyển đổi số` })
    .toString('utf8')
    .replace('<edXML:CodeNumber>123<', `<edXML:CodeNumber>${n}<`);
  return { documentId, body: Buffer.from(body) };
}

let db: TestDatabase;
let vhost: TestVhost;
let dataDir: string;
let sim: AxisSimulator;

beforeAll(async () => {
  [db, vhost] = await Promise.all([createTestDatabase('axisdrill'), createTestVhost('axisdrill')]);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-axis-'));
  fs.writeFileSync(path.join(dataDir, 'axis-secret'), `${SYSTEM.secret}\n`);
  const prisma = prismaFor(db.url, 2);
  await prisma.agency.create({ data: { organId: G22, name: 'Văn phòng Chính phủ', channel: 'national' } });
  // the hub adds its own agency on first start; (b) alone submits for it before that
  await prisma.agency.create({ data: { organId: HUB, name: 'UBND tỉnh Tây Ninh', channel: 'hosted' } });
  await prisma.$disconnect();
  sim = await startAxisSimulator({
    systems: [
      { ...SYSTEM, organIds: [HUB] },
      { systemId: 'vxp.vpcp', secret: 'vpcp', organIds: [G22] },
    ],
  });
});

afterAll(async () => {
  await sim.close();
  await Promise.all([db.drop(), vhost.drop()]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const env = () =>
  hubEnv({
    DATABASE_URL: db.url,
    AMQP_URL: vhost.amqpUrl,
    LIENTHONG_DATA_DIR: dataDir,
    LIENTHONG_LOG_LEVEL: 'error',
    LIENTHONG_SMTP_SENDER_AUTH: 'off',
    LIENTHONG_AXIS_ENDPOINT: sim.endpoint,
    LIENTHONG_AXIS_SYSTEM_ID: SYSTEM.systemId,
    LIENTHONG_AXIS_SECRET_FILE: path.join(dataDir, 'axis-secret'),
    LIENTHONG_AXIS_POLL_SECONDS: '0.2',
    LIENTHONG_AXIS_TIMEOUT_SECONDS: '2',
  });

/** Kills the hub whenever `progress()` passes the next of `kills` random points before `total`. */
async function drainWithKills(
  total: number,
  kills: number,
  progress: () => Promise<number>,
  done: () => Promise<boolean>,
  timeoutMs: number,
  /** called once with the last hub, after the drain and before it stops */
  atEnd?: (hub: HubProcess) => Promise<void>,
  /** what has not drained, said when the drill gives up */
  stuck: () => Promise<string> = () => Promise.resolve(''),
): Promise<{ kills: number; killedAt: number[]; ms: number }> {
  const random = seededRandom(SEED);
  const points = Array.from({ length: kills }, () => Math.floor(total * (0.05 + 0.85 * random()))).sort(
    (a, b) => a - b,
  );
  const started = Date.now();
  const killedAt: number[] = [];
  let hub: HubProcess = await startHubProcess(env());
  try {
    while (!(await done())) {
      if (Date.now() - started > timeoutMs)
        throw new Error(
          `not drained in ${timeoutMs} ms (progress ${String(await progress())} of ${String(total)}, killed at ${killedAt.join(', ')}):\n${await stuck()}\n${hub.output().slice(-3000)}`,
        );
      const now = await progress();
      const next = points[killedAt.length];
      if (next !== undefined && now >= next) {
        // a random moment a little after the point: mid-poll, mid-commit or mid-acknowledgement
        await sleep(Math.floor(random() * 300));
        hub.child.kill('SIGKILL');
        killedAt.push(await progress());
        await new Promise((r) => hub.child.once('exit', r));
        hub = await startHubProcess(env());
      }
      await sleep(100);
    }
    await atEnd?.(hub);
  } finally {
    await hub.terminate();
  }
  return { kills: killedAt.length, killedAt, ms: Date.now() - started };
}

describe('national axis drills', { concurrent: false }, () => {
  it(
    `(a) drains ${INCOMING} documents from the axis through ${KILLS} kills, each registered once and acknowledged done`,
    { timeout: 600_000 },
    async ({ annotate }) => {
      const documents = Array.from({ length: INCOMING }, (_, i) => documentNumbered(G22, HUB, 100_000 + i));
      const docIds = documents.map((d) => sim.enqueue({ from: G22, to: [HUB], edxml: d.body }));
      const prisma = prismaFor(db.url, 2);
      try {
        const acknowledged = () => {
          const receipts = sim.receipts();
          return docIds.filter((id) => (receipts.get(id)?.done ?? 0) > 0).length;
        };
        const statusesBack = () =>
          sim.accepted().filter((a) => a.messageType === 'status' && a.from === HUB).length;
        const run = await drainWithKills(
          INCOMING,
          KILLS,
          () => Promise.resolve(acknowledged()),
          async () =>
            acknowledged() === INCOMING &&
            (await prisma.intakeItem.count({ where: { senderOrganId: G22 } })) >= INCOMING &&
            statusesBack() >= INCOMING,
          480_000,
          async (hub) => {
            // /readyz says the axis answers, when it was last polled, and (once the last answers
            // are recorded) that nothing waits
            type Ready = {
              nationalAxis?: {
                status: string;
                lastPollAt: string | null;
                waitingOutgoing: number;
                unacknowledged: number;
              };
            };
            let ready: Ready = {};
            for (let i = 0; i < 100; i++) {
              ready = (await (await fetch(`${hub.url}/readyz`)).json()) as Ready;
              if (ready.nationalAxis?.waitingOutgoing === 0 && ready.nationalAxis.unacknowledged === 0) break;
              await sleep(200);
            }
            expect(ready.nationalAxis).toMatchObject({ status: 'up', waitingOutgoing: 0, unacknowledged: 0 });
            expect(ready.nationalAxis?.lastPollAt).toEqual(expect.any(String));
          },
        );
        await report(
          annotate,
          `axis drill (a): ${INCOMING} documents, ${run.kills} kills at ${run.killedAt.join(', ')} acknowledged, ${run.ms} ms, seed ${SEED}`,
        );
        expect(run.kills).toBe(KILLS);
        const receipts = sim.receipts();
        for (const id of docIds) expect(receipts.get(id), id).toMatchObject({ fail: 0 });
        expect(docIds.every((id) => (receipts.get(id)?.done ?? 0) >= 1)).toBe(true);
        // registered exactly once: one relay package and one intake item per document
        const packages = await prisma.relayPackage.groupBy({
          by: ['documentKey'],
          where: { kind: 'edoc', fromOrganId: G22 },
          _count: { _all: true },
        });
        expect(packages).toHaveLength(INCOMING);
        expect(packages.filter((p) => p._count._all !== 1)).toEqual([]);
        const items = await prisma.intakeItem.groupBy({
          by: ['documentKey'],
          where: { senderOrganId: G22 },
          _count: { _all: true },
        });
        expect(items).toHaveLength(INCOMING);
        expect(items.filter((i) => i._count._all !== 1)).toEqual([]);
        expect(await prisma.axisReceived.count({ where: { acknowledgedAt: null } })).toBe(0);
        // one status 01 per document back through the axis, none twice
        const answered = new Map<string, number>();
        for (const a of sim.accepted().filter((x) => x.messageType === 'status' && x.from === HUB)) {
          const pkg = parseEdxml(a.body);
          const key = pkg.kind === 'status' ? (pkg.responseFor.documentId ?? '') : '';
          answered.set(key, (answered.get(key) ?? 0) + 1);
        }
        expect(answered.size).toBe(INCOMING);
        expect([...answered.values()].filter((n) => n !== 1)).toEqual([]);
      } finally {
        await prisma.$disconnect();
      }
    },
  );

  it(
    `(b) sends ${OUTGOING} packages through 500s, timeouts and 2 kills, each accepted by the axis exactly once, statuses back`,
    { timeout: 600_000 },
    async ({ annotate }) => {
      const prisma = prismaFor(db.url, 4);
      const trust = memoryTrustStore({ anchors: [], intermediates: [], crls: [], pins: new Map() });
      const deps = {
        prisma,
        directory: createPrismaAgencyDirectory(prisma),
        trust: () => trust.load(),
        clock: systemClock,
        log: createSilentLogger(),
        ownOrganId: HUB,
        maxMessageBytes: 5_000_000,
      };
      const documents = Array.from({ length: OUTGOING }, (_, i) => documentNumbered(HUB, G22, 500_000 + i));
      try {
        for (const d of documents) {
          const outcome = await submitPackage(deps, { via: 'cli', organId: HUB, label: 'drill' }, d.body);
          expect(outcome.kind).toBe('accepted');
        }
        sim.inject({ kind: 'http-500', call: 'sendEdoc', probability: 0.1 });
        sim.inject({ kind: 'timeout', call: 'sendEdoc', probability: 0.03, afterAccept: true });
        sim.inject({ kind: 'timeout', call: 'sendEdoc', probability: 0.03 });
        sim.inject({ kind: 'http-500', call: 'getSentEdocList', probability: 0.1 });
        // The recipient answers 03 to each document it got, through the axis.
        const answered = new Set<string>();
        const answer = () => {
          for (const a of sim.accepted()) {
            if (a.messageType !== 'edoc' || a.from !== HUB || answered.has(a.docId)) continue;
            answered.add(a.docId);
            const pkg = parseEdxml(a.body);
            if (pkg.kind !== 'edoc' || !pkg.documentId) continue;
            sim.enqueue({
              from: G22,
              to: [HUB],
              edxml: statusPackage({ from: G22, answering: HUB, documentId: pkg.documentId, code: '03' }),
              messageType: 'status',
            });
          }
        };
        const edocsAccepted = () => sim.accepted().filter((a) => a.messageType === 'edoc' && a.from === HUB);
        const run = await drainWithKills(
          OUTGOING,
          2,
          () => {
            answer();
            return Promise.resolve(edocsAccepted().length);
          },
          async () => {
            answer();
            return (
              (await prisma.relayDelivery.count({ where: { toOrganId: G22, state: 'accepted' } })) >= OUTGOING
            );
          },
          480_000,
          undefined,
          async () => {
            const waiting = await prisma.relayDelivery.findMany({
              where: { toOrganId: G22, state: { not: 'accepted' } },
              select: { packageId: true, state: true, lastError: true, history: true },
              take: 10,
            });
            const outbox = await prisma.outboxMessage.groupBy({ by: ['state'], _count: true });
            return [
              `deliveries not accepted (first 10): ${JSON.stringify(waiting.map((w) => ({ ...w, history: (w.history as unknown[] | null)?.slice(-4) })))}`,
              `outbox by state: ${JSON.stringify(outbox)}`,
              `axis accepted edocs from the hub: ${String(edocsAccepted().length)}, statuses answered: ${String(answered.size)}`,
            ].join('\n');
          },
        );
        await report(
          annotate,
          `axis drill (b): ${OUTGOING} packages, ${run.kills} kills, ${run.ms} ms, seed ${SEED}`,
        );
        const accepted = edocsAccepted();
        const perBody = new Map<string, number>();
        for (const a of accepted)
          perBody.set(a.body.toString('base64'), (perBody.get(a.body.toString('base64')) ?? 0) + 1);
        for (const d of documents) expect(perBody.get(d.body.toString('base64')), d.documentId).toBe(1);
        expect(accepted).toHaveLength(OUTGOING);
        expect(accepted.every((a) => a.acceptedCount === 1)).toBe(true);
        expect(
          await prisma.relayDelivery.count({ where: { toOrganId: G22, state: { not: 'accepted' } } }),
        ).toBe(0);
      } finally {
        sim.clearFaults();
        await prisma.$disconnect();
      }
    },
  );
});
