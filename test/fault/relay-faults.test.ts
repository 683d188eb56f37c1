import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/index.ts';
import { createPrismaAgencyDirectory } from '../../src/directory/index.ts';
import { issuePartnerBrokerAccess } from '../../src/exchange/index.ts';
import { faultSettings } from '../support/fault-settings.ts';
import { hubEnv, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { startPrivateRabbitmq, type PrivateRabbitmq } from '../support/private-rabbitmq.ts';
import { prismaFor } from '../support/registry-fixtures.ts';
import { documentPackage, statusPackage } from '../support/relay-fixtures.ts';
import { startResilientPartner, type ResilientPartner } from '../support/resilient-partner.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { seededRandom } from '../support/seeded-random.ts';

// Acceptance 1 of the relay: packages between three agencies — partners A and B over AMQP with
// their own broker users, and H, the agency the hub hosts — while the hub (a real `lienthong
// start`, on PostgreSQL) is killed with SIGKILL at random moments and the broker, a private node,
// is restarted once. Afterwards every package reached every recipient, nothing is registered
// twice, every status reached the document's sender, and the relay's delivery rows agree.
const H = '000.00.00.H53';
const A = '000.00.11.H53';
const B = '000.00.12.H53';
const { packages: TOTAL, kills: KILLS, rate: RATE, seed: SEED } = faultSettings;

type Sent = { documentId: string; from: string; to: string[] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Recipients cycle through: the other partner, the hosted agency, both. */
function recipientsOf(i: number, from: string): string[] {
  const other = from === A ? B : A;
  switch (i % 3) {
    case 0:
      return [other];
    case 1:
      return [H];
    default:
      return [other, H];
  }
}

let rabbit: PrivateRabbitmq;
let db: TestDatabase;
let dataDir: string;
let prisma: PrismaClient;
let partners: ResilientPartner[] = [];
let hub: HubProcess | undefined;
const hubOutputs: string[] = [];

beforeAll(async () => {
  [rabbit, db] = await Promise.all([startPrivateRabbitmq('fault'), createTestDatabase('relayfault')]);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-relay-fault-'));
  prisma = prismaFor(db.url, 4);
  await createPrismaAgencyDirectory(prisma).upsertAll(
    [
      [H, 'UBND tỉnh', 'hosted'],
      [A, 'Sở Tài chính', 'partner'],
      [B, 'Sở Y tế', 'partner'],
    ].map(([organId, name, channel]) => ({
      organId: organId!,
      name: name!,
      channel: channel as 'hosted' | 'partner',
      signaturePolicy: 'record_only' as const,
      emails: [],
      aliases: [],
    })),
  );
});

afterAll(async () => {
  await Promise.all(partners.map((p) => p.close()));
  if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
    hubOutputs.push(hub.output());
    await hub.terminate();
  }
  // Every hub generation's log, kept outside the data dir for a failure's post-mortem.
  fs.writeFileSync(path.join(os.tmpdir(), `lienthong-relay-fault-${SEED}.log`), hubOutputs.join('\n'));
  await prisma.$disconnect();
  await rabbit.destroy();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function killHub(running: HubProcess): Promise<void> {
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGKILL');
  await exited;
  hubOutputs.push(running.output());
}

async function queueDepth(name: string): Promise<number> {
  const base = new URL(rabbit.managementUrl);
  const response = await fetch(`http://${base.host}/api/queues/%2F/${encodeURIComponent(name)}`, {
    headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
  });
  const body = (await response.json()) as { messages?: number };
  return body.messages ?? 0;
}

// Alone in its file and never concurrent: it kills processes and restarts a broker.
describe('relay under faults: hub killed with SIGKILL, broker restarted', { concurrent: false }, () => {
  it(
    `${TOTAL} packages between three agencies reach every recipient once, with every status`,
    { timeout: Math.max(900_000, TOTAL * 400) },
    async ({ annotate }) => {
      const random = seededRandom(SEED);
      const env = hubEnv({
        DATABASE_URL: db.url,
        LIENTHONG_DATA_DIR: dataDir,
        AMQP_URL: rabbit.amqpUrl,
        LIENTHONG_AMQP_MANAGEMENT_URL: rabbit.managementUrl,
        LIENTHONG_ORGAN_ID: H,
        LIENTHONG_LOG_LEVEL: 'warn',
      });
      hub = await startHubProcess(env, 60_000);
      const started = Date.now();

      // Partner systems answer every document with status 03 (accepted), as a partner would.
      const connectPartner = async (organId: string) => {
        // As `lienthong agency credentials` does: a user, and the inbox under a name only it is told.
        const creds = await issuePartnerBrokerAccess(
          { api: { url: rabbit.managementUrl }, amqpUrl: rabbit.amqpUrl, prisma },
          organId,
        );
        for (let tries = 0; ; tries += 1) {
          try {
            return await startResilientPartner({
              amqpUrl: rabbit.amqpUrl,
              organId,
              ...creds,
              onMessage: (message, self) => {
                if (message.type !== 'edoc' || !message.documentId) return;
                self.submit(
                  statusPackage({
                    from: organId,
                    answering: message.from,
                    documentId: message.documentId,
                    code: '03',
                    description: 'Đã tiếp nhận, chuyển xử lý',
                  }),
                );
              },
            });
          } catch (error) {
            if (tries > 120) throw error;
            await sleep(500);
          }
        }
      };
      partners = [await connectPartner(A), await connectPartner(B)];
      const partnerOf = (organId: string) => partners.find((p) => p.organId === organId)!;

      const sent: Sent[] = Array.from({ length: TOTAL }, (_, i) => {
        const from = i % 2 === 0 ? A : B;
        return { documentId: `${from},2026/11/25,fault-${i}/VP`, from, to: recipientsOf(i, from) };
      });

      // Chaos, concurrently with the submissions: SIGKILL the hub at random moments spread over the
      // time the submissions take (at least 1 s of life each), restart it at once; the broker is
      // restarted (stop, start on the same data) once, before a kill other than the first.
      const submitSeconds = TOTAL / RATE;
      const brokerRestartBefore = KILLS > 1 ? 1 + Math.floor(random() * (KILLS - 1)) : 0;
      const events: string[] = [];
      let submittedAll = false;
      const chaos = async () => {
        for (let k = 0; k < KILLS; k += 1) {
          await sleep(Math.max(1000, (submitSeconds / (KILLS + 1)) * (0.5 + random()) * 1000));
          if (k === brokerRestartBefore) {
            const t0 = Date.now();
            await rabbit.restart();
            events.push(
              `broker restarted at +${((t0 - started) / 1000).toFixed(1)} s (${Date.now() - t0} ms)`,
            );
            await sleep(random() * 3000);
          }
          const at = Date.now() - started;
          const phase = submittedAll ? 'after' : 'during';
          await killHub(hub!);
          hub = await startHubProcess(env, 60_000);
          events.push(
            `hub killed at +${(at / 1000).toFixed(1)} s (${phase} submissions), back in ${Date.now() - started - at} ms`,
          );
        }
      };
      const submissions = async () => {
        for (const [i, pkg] of sent.entries()) {
          partnerOf(pkg.from).submit(
            documentPackage({
              from: pkg.from,
              to: pkg.to,
              documentId: pkg.documentId,
              subject: `Báo cáo số ${i} về tình hình thực hiện nhiệm vụ`,
            }),
          );
          await sleep(1000 / RATE);
        }
        submittedAll = true;
      };
      await Promise.all([chaos(), submissions()]);
      const chaosEndedAt = Date.now();

      // Converge: the relay's lease of rows a killed hub had claimed runs out after 60 s.
      const hostedAgency = await prisma.agency.findUniqueOrThrow({ where: { organId: H } });
      const missing = async () => {
        const intake = new Set(
          (
            await prisma.intakeItem.findMany({
              where: { agencyId: hostedAgency.id },
              select: { documentKey: true },
            })
          ).map((r) => r.documentKey),
        );
        const seenBy = new Map(
          partners.map((p) => [
            p.organId,
            {
              docs: new Set(p.received.filter((m) => m.type === 'edoc').map((m) => m.documentId)),
              statuses: new Set(
                p.received.filter((m) => m.type === 'status').map((m) => `${m.documentId}|${m.from}`),
              ),
            },
          ]),
        );
        const gaps: string[] = [];
        for (const pkg of sent) {
          for (const to of pkg.to) {
            const arrived = to === H ? intake.has(pkg.documentId) : seenBy.get(to)!.docs.has(pkg.documentId);
            if (!arrived) gaps.push(`${pkg.documentId} never reached ${to}`);
            if (!seenBy.get(pkg.from)!.statuses.has(`${pkg.documentId}|${to}`))
              gaps.push(`${pkg.documentId}: no status from ${to} reached ${pkg.from}`);
          }
        }
        // A row whose copy went out just before a kill is published again once its lease runs out.
        const unsettled = await prisma.outboxMessage.findMany({
          where: { state: { not: 'done' } },
          select: { kind: true, targetOrganId: true, state: true, attempts: true, lastError: true },
        });
        for (const row of unsettled)
          gaps.push(
            `outbox ${row.kind} → ${row.targetOrganId} still ${row.state} after ${row.attempts} attempts (${row.lastError ?? 'no error'})`,
          );
        return gaps;
      };
      let gaps = await missing();
      // A backlog may remain after the last submission on a loaded machine: allow for it by size.
      const convergeDeadline = Date.now() + Math.max(240_000, TOTAL * 60);
      while (gaps.length > 0 && Date.now() < convergeDeadline) {
        await sleep(1000);
        gaps = await missing();
      }
      const convergedAt = Date.now();
      // Let late copies (republished after a lease ran out) arrive before counting duplicates.
      await sleep(3000);
      expect(gaps.slice(0, 20), `${gaps.length} gaps; ${events.join('; ')}`).toEqual([]);

      // Nothing held twice: one relay_package per document and per status, one intake item each.
      const doubleRelay = await prisma.$queryRaw<{ key: string; n: bigint }[]>`
        SELECT kind || ' ' || from_organ_id || ' ' || coalesce(document_key, '') || ' ' || coalesce(status_code, '') AS key, count(*) AS n
        FROM relay_package GROUP BY kind, from_organ_id, document_key, status_code HAVING count(*) > 1`;
      expect(doubleRelay).toEqual([]);
      const doubleIntake = await prisma.$queryRaw<{ key: string; n: bigint }[]>`
        SELECT document_key AS key, count(*) AS n FROM intake_item GROUP BY agency_id, document_key HAVING count(*) > 1`;
      expect(doubleIntake).toEqual([]);
      const hostedCount = sent.filter((p) => p.to.includes(H)).length;
      expect(await prisma.intakeItem.count({ where: { agencyId: hostedAgency.id } })).toBe(hostedCount);
      expect(await prisma.document.count()).toBe(0); // the relay registers nothing on its own

      const edocs = await prisma.relayPackage.count({ where: { kind: 'edoc' } });
      const statuses = await prisma.relayPackage.count({ where: { kind: 'status' } });
      const deliveriesExpected = sent.reduce((n, p) => n + p.to.length, 0);
      expect(edocs).toBe(TOTAL);
      // Partners' 03s are relay packages; the hosted agency's 01s are built by the hub, not submitted.
      expect(statuses).toBe(sent.reduce((n, p) => n + p.to.filter((t) => t !== H).length, 0));

      // The relay's own book agrees: each delivery moved to the recipient's answer.
      const deliveries = await prisma.relayDelivery.findMany({
        where: { package: { kind: 'edoc' } },
        select: { toOrganId: true, state: true, package: { select: { documentKey: true } } },
      });
      expect(deliveries).toHaveLength(deliveriesExpected);
      const wrongState = deliveries.filter((d) => d.state !== (d.toOrganId === H ? 'received' : 'accepted'));
      expect(
        wrongState.slice(0, 10).map((d) => `${d.package.documentKey} → ${d.toOrganId}: ${d.state}`),
      ).toEqual([]);
      const outbox = await prisma.outboxMessage.groupBy({ by: ['state'], _count: { _all: true } });
      expect(outbox.filter((r) => r.state !== 'done')).toEqual([]);

      // No refusals reached a sender, nothing dead-lettered, nothing left unconsumed.
      for (const p of partners) expect(p.received.filter((m) => m.type === 'error')).toEqual([]);
      expect(await queueDepth('lienthong.dead')).toBe(0);
      expect(partners.map((p) => p.unconfirmed())).toEqual([0, 0]);

      hubOutputs.push(hub.output());
      const finalHub = await hub.terminate();
      const logs = hubOutputs.join('\n');
      const count = (pattern: RegExp) => logs.match(new RegExp(pattern, 'g'))?.length ?? 0;
      await annotate(
        [
          `seed ${SEED}: ${TOTAL} packages (${deliveriesExpected} deliveries, ${statuses} partner statuses, ${hostedCount} hosted) at ${RATE}/s`,
          ...events,
          `chaos over after ${((chaosEndedAt - started) / 1000).toFixed(1)} s; converged ${((convergedAt - chaosEndedAt) / 1000).toFixed(1)} s later`,
          `partner copies seen again (deduplicated by message_id): ${partners.map((p) => `${p.organId} ${p.redeliveries}`).join(', ')}`,
          `hub logs: ${count(/delivery transition refused/)} refused transitions, ${count(/could not be (recorded|stored)/)} store retries, ${count(/relay gave up/)} give-ups; last exit ${finalHub.code ?? finalHub.signal}`,
        ].join('\n'),
      );
    },
  );
});
