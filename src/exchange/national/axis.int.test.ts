import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAxisSimulator, type AxisSimulator } from '../../../test/support/axis-simulator.ts';
import {
  connectPartner,
  documentPackage,
  statusPackage,
  type Partner,
} from '../../../test/support/relay-fixtures.ts';
import { prismaFor } from '../../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { createTestVhost, type TestVhost } from '../../../test/support/test-broker.ts';
import { testServices } from '../../../test/support/test-services.ts';
import type { PrismaClient } from '../../db/index.ts';
import { createPrismaAgencyDirectory } from '../../directory/index.ts';
import { createSilentLogger, systemClock } from '../../shared/index.ts';
import { memoryTrustStore } from '../../signing/index.ts';
import { createBrokerConnection, type BrokerConnection } from '../broker-connection.ts';
import { issuePartnerBrokerAccess } from '../broker-users.ts';
import type { RelayDeps } from '../relay-deps.ts';
import { relayOverview } from '../relay-admin.ts';
import { createRelayService, type RelayService } from '../relay-service.ts';
import { submitPackage } from '../submit-package.ts';
import { createAxisService, type AxisService } from './axis-service.ts';
import { pollUntil } from '../../../test/support/wait-until.ts';

/**
 * The connector against the axis simulator (test/support/axis-simulator.ts) over loopback HTTP,
 * with real PostgreSQL and RabbitMQ: nothing of ours is faked, faults are the simulator's.
 */
const HUB = '000.00.00.H53'; // hosted by the hub
const A = '000.00.11.H53'; // a partner of the hub, registered on the axis under the hub's system
const B = '000.00.12.H53'; // a partner the axis does not know under the hub's system
const G22 = '000.00.00.G22'; // Văn phòng Chính phủ, reached through the axis
const G12 = '000.00.00.G12';
const SYSTEM = { systemId: 'vxp.h53.01', secret: 'bi-mat-cua-tinh' };

let db: TestDatabase;
let vhost: TestVhost;
let prisma: PrismaClient;
let broker: BrokerConnection;
let relay: RelayService;
let axis: AxisService;
let sim: AxisSimulator;
let deps: RelayDeps;
let partnerA: Partner;
let partnerB: Partner;
let serial = 0;

const waitUntil = pollUntil({ timeoutMs: 15_000, intervalMs: 50 });

/** A document with a code and subject of its own (the axis lists sent documents by both). */
function uniqueDocument(from: string, to: string[]) {
  serial++;
  const documentId = `${from},2026/12/03,${serial}/VPCP-TTĐT`;
  const body = documentPackage({ from, to, documentId, subject: `Công văn số ${serial} về chuyển đổi số` });
  return {
    documentId,
    body: Buffer.from(
      body.toString('utf8').replaceAll('<edXML:CodeNumber>123<', `<edXML:CodeNumber>${serial}<`),
    ),
  };
}

const receiptOf = (docId: string) => sim.receipts().get(docId);

beforeAll(async () => {
  [db, vhost] = await Promise.all([createTestDatabase('axis'), createTestVhost('axis')]);
  prisma = prismaFor(db.url);
  const directory = createPrismaAgencyDirectory(prisma);
  const agency = (organId: string, channel: 'hosted' | 'partner' | 'national') => ({
    organId,
    name: `Cơ quan ${organId}`,
    channel,
    signaturePolicy: 'record_only' as const,
    emails: [],
    aliases: [],
  });
  await directory.upsertAll([
    agency(HUB, 'hosted'),
    agency(A, 'partner'),
    agency(B, 'partner'),
    agency(G22, 'national'),
    agency(G12, 'national'),
  ]);
  sim = await startAxisSimulator({
    systems: [
      { ...SYSTEM, organIds: [HUB, A] },
      { systemId: 'vxp.vpcp', secret: 'vpcp', organIds: [G22, G12] },
    ],
  });
  const log = createSilentLogger();
  broker = createBrokerConnection({ url: vhost.amqpUrl, log });
  const trust = memoryTrustStore({ anchors: [], intermediates: [], crls: [], pins: new Map() });
  deps = {
    prisma,
    directory,
    trust: () => trust.load(),
    clock: systemClock,
    log,
    ownOrganId: HUB,
    maxMessageBytes: 5_000_000,
    outboxChanged: () => {
      relay.wake();
    },
  };
  relay = createRelayService(deps, broker, { worker: { idleDelayMs: 50 } });
  axis = createAxisService(deps, {
    endpoint: sim.endpoint,
    ...SYSTEM,
    pollIntervalMs: 100,
    timeoutMs: 1000,
    receiver: { pageSize: 20, maxUnreadable: 3 },
    sender: { retryBaseMs: 20, lateMarginMs: 300 },
  });
  broker.start();
  relay.start();
  await waitUntil(() => Promise.resolve(broker.state().kind === 'up'));
  const access = { api: { url: testServices.amqpManagementUrl }, amqpUrl: vhost.amqpUrl, prisma };
  partnerA = await connectPartner(vhost.amqpUrl, A, await issuePartnerBrokerAccess(access, A));
  partnerB = await connectPartner(vhost.amqpUrl, B, await issuePartnerBrokerAccess(access, B));
});

afterAll(async () => {
  await partnerA.close();
  await partnerB.close();
  await relay.stop();
  await broker.stop();
  await sim.close();
  await prisma.$disconnect();
  await Promise.all([db.drop(), vhost.drop()]);
});

beforeEach(() => {
  sim.clearFaults();
});

/** Sends what waits for the axis until nothing is due (back-off is short in these tests). */
async function sendAll(timeoutMs = 15_000): Promise<void> {
  await waitUntil(async () => {
    await axis.sendOnce();
    const waiting = await prisma.outboxMessage.count({
      where: { state: 'pending', targetOrganId: { in: [G22, G12] } },
    });
    return waiting === 0;
  }, timeoutMs);
}

async function submitFromPartnerA(to: string[]) {
  const { documentId, body } = uniqueDocument(A, to);
  const outcome = await submitPackage(deps, { via: 'amqp', organId: A, label: 'test:A' }, body);
  expect(outcome.kind).toBe('accepted');
  return { documentId, body, packageId: outcome.kind === 'accepted' ? outcome.packageId : '' };
}

describe('from the hub to the national axis', () => {
  it('hands a partner’s document to the axis once, from its own OrganId, and keeps the axis’s DocId', async () => {
    const { body, packageId } = await submitFromPartnerA([G22]);
    await sendAll();
    const sent = sim.accepted().filter((a) => a.body.equals(body));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      systemId: SYSTEM.systemId,
      from: A,
      to: [G22],
      messageType: 'edoc',
      acceptedCount: 1,
    });
    const kept = await prisma.axisSent.findFirstOrThrow({ where: { packageId } });
    expect(kept.axisDocId).toBe(sent[0]?.docId);
    const delivery = await prisma.relayDelivery.findUniqueOrThrow({
      where: { packageId_toOrganId: { packageId, toOrganId: G22 } },
    });
    expect(delivery.state).toBe('published');
    expect(JSON.stringify(delivery.history)).toContain(sent[0]?.docId ?? 'none');
  });

  it('sends one copy per recipient of the axis, each addressed to that recipient only', async () => {
    const { body } = await submitFromPartnerA([G22, G12]);
    await sendAll();
    const sent = sim.accepted().filter((a) => a.body.equals(body));
    expect(sent.map((s) => s.to).sort()).toEqual([[G12], [G22]]);
  });

  it('applies the status the recipient sends back through the axis to the document’s delivery', async () => {
    const { documentId, packageId } = await submitFromPartnerA([G22]);
    await sendAll();
    sim.enqueue({
      from: G22,
      to: [A],
      edxml: statusPackage({ from: G22, answering: A, documentId, code: '03' }),
      messageType: 'status',
    });
    await axis.pollOnce();
    await waitUntil(() =>
      prisma.relayDelivery.findFirst({ where: { packageId, toOrganId: G22, state: 'accepted' } }),
    );
    // and the status itself reaches A's inbox, as any status does
    await partnerA.waitFor(
      (m) =>
        m.properties.type === 'status' && m.properties.headers?.['x-lienthong-document-id'] === documentId,
    );
  });

  it('gives the axis’s refusal, in its own words, to the sender and to the admin’s relay view', async () => {
    const { documentId, body } = uniqueDocument(B, [G22]);
    const outcome = await submitPackage(deps, { via: 'amqp', organId: B, label: 'test:B' }, body);
    if (outcome.kind !== 'accepted') throw new Error(outcome.kind);
    await sendAll();
    const delivery = await prisma.relayDelivery.findUniqueOrThrow({
      where: { packageId_toOrganId: { packageId: outcome.packageId, toOrganId: G22 } },
    });
    expect(delivery.state).toBe('failed');
    expect(delivery.lastError).toContain(`Don vi gui ${B} khong dung voi ma da dang ky: ${SYSTEM.systemId}`);
    const error = await partnerB.waitFor((m) => m.properties.type === 'error');
    const reasons = JSON.parse(error.content.toString()) as { reasons: string[]; documentId: string };
    expect(reasons.documentId).toBe(documentId);
    expect(reasons.reasons.join()).toContain(`Don vi gui ${B} khong dung voi ma da dang ky`);
    const overview = await relayOverview(prisma, undefined, () => axis.state());
    expect(overview.nationalAxis?.refusals).toContainEqual(
      expect.objectContaining({
        direction: 'out',
        from: B,
        to: G22,
        reason: expect.stringContaining('khong dung voi ma da dang ky') as string,
      }),
    );
    expect(sim.accepted().some((a) => a.body.equals(body))).toBe(false);
  });

  it('retries through HTTP 500s and a timeout before the axis took the package', async () => {
    sim.inject({ kind: 'http-500', call: 'sendEdoc', times: 2 });
    sim.inject({ kind: 'timeout', call: 'sendEdoc', times: 1 });
    const { body } = await submitFromPartnerA([G22]);
    await sendAll();
    const sent = sim.accepted().filter((a) => a.body.equals(body));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.acceptedCount).toBe(1);
  });

  it('does not send twice when the axis accepted and then never answered', async () => {
    sim.inject({ kind: 'timeout', call: 'sendEdoc', times: 1, afterAccept: true });
    const { body, packageId } = await submitFromPartnerA([G22]);
    await sendAll(20_000);
    const sent = sim.accepted().filter((a) => a.body.equals(body));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.acceptedCount).toBe(1);
    const kept = await prisma.axisSent.findFirstOrThrow({ where: { packageId } });
    expect(kept).toMatchObject({ axisDocId: sent[0]?.docId, learnt: 'reconciled' });
  });

  it('does not send twice when the axis acted on a request after the hub had stopped waiting', async () => {
    // the gateway answers after the hub's 1 s deadline, and still accepts: within the late margin
    sim.inject({ kind: 'slow', call: 'sendEdoc', delayMs: 1200, times: 1 });
    const { body } = await submitFromPartnerA([G22]);
    await sendAll();
    const sent = sim.accepted().filter((a) => a.body.equals(body));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.acceptedCount).toBe(1);
  });

  it('takes a slow answer within its deadline', async () => {
    sim.inject({ kind: 'slow', call: 'sendEdoc', delayMs: 600, times: 1 });
    const { body } = await submitFromPartnerA([G22]);
    await sendAll();
    expect(sim.accepted().filter((a) => a.body.equals(body))).toHaveLength(1);
  });
});

describe('from the national axis into the hub', () => {
  it('registers a document for a hosted agency once, answers done, and sends its status 01 back', async () => {
    const { documentId, body } = uniqueDocument(G22, [HUB]);
    const docId = sim.enqueue({ from: G22, to: [HUB], edxml: body });
    await axis.pollOnce();
    const item = await waitUntil(() => prisma.intakeItem.findFirst({ where: { documentKey: documentId } }));
    expect(item.senderOrganId).toBe(G22);
    expect(receiptOf(docId)).toMatchObject({ done: 1, fail: 0 });
    const received = await prisma.axisReceived.findUniqueOrThrow({ where: { docId } });
    expect(received).toMatchObject({ outcome: 'accepted', acknowledge: 'done' });
    expect(received.acknowledgedAt).not.toBeNull();
    // the 01 the hosted agency owes goes back through the axis as a status package
    await waitUntil(async () => {
      await axis.sendOnce();
      return sim
        .accepted()
        .find((a) => a.messageType === 'status' && a.from === HUB && a.body.toString().includes(documentId));
    });
    expect(await prisma.intakeItem.count({ where: { documentKey: documentId } })).toBe(1);
  });

  it('answers fail, with the reason kept for the admin, for a package the hub can never accept', async () => {
    // signed for an agency the axis may not speak for: the hub's own
    const { body } = uniqueDocument(HUB, [A]);
    const docId = sim.enqueue({ from: G22, to: [A], edxml: body });
    await axis.pollOnce();
    expect(receiptOf(docId)).toMatchObject({ done: 0, fail: 1 });
    const received = await prisma.axisReceived.findUniqueOrThrow({ where: { docId } });
    expect(received.outcome).toBe('refused');
    expect(received.reason).toContain('không liên thông qua trục quốc gia');
    const overview = await relayOverview(prisma, undefined, () => axis.state());
    expect(overview.nationalAxis?.refusals).toContainEqual(
      expect.objectContaining({ direction: 'in', axisDocId: docId }),
    );
  });

  it('takes a document listed twice in one answer once', async () => {
    sim.inject({ kind: 'list-twice', times: 1 });
    const { documentId, body } = uniqueDocument(G22, [HUB]);
    const docId = sim.enqueue({ from: G22, to: [HUB], edxml: body });
    await axis.pollOnce();
    expect(receiptOf(docId)).toMatchObject({ fetched: 1, done: 1 });
    await waitUntil(() => prisma.intakeItem.findFirst({ where: { documentKey: documentId } }));
    expect(await prisma.relayPackage.count({ where: { documentKey: documentId } })).toBe(1);
  });

  it('only acknowledges a document it already stored when the axis lists it again', async () => {
    const { documentId, body } = uniqueDocument(G22, [A]);
    // the acknowledgement is taken by the axis but never answered: the hub cannot know it arrived
    sim.inject({ kind: 'timeout', call: 'updateStatus', times: 1 });
    const docId = sim.enqueue({ from: G22, to: [A], edxml: body });
    await axis.pollOnce();
    expect(receiptOf(docId)).toMatchObject({ fetched: 1, done: 0 });
    expect((await prisma.axisReceived.findUniqueOrThrow({ where: { docId } })).acknowledgedAt).toBeNull();
    await axis.pollOnce();
    expect(receiptOf(docId)).toMatchObject({ fetched: 1, done: 1 });
    expect(await prisma.relayPackage.count({ where: { documentKey: documentId } })).toBe(1);
  });

  it('reads a corrupt body again on the next poll and takes the document once it is readable', async () => {
    sim.inject({ kind: 'corrupt-body', times: 2 });
    const { documentId, body } = uniqueDocument(G22, [A]);
    const docId = sim.enqueue({ from: G22, to: [A], edxml: body });
    await axis.pollOnce();
    await axis.pollOnce();
    expect(receiptOf(docId)).toMatchObject({ fetched: 2, done: 0, fail: 0 });
    await axis.pollOnce();
    expect(receiptOf(docId)).toMatchObject({ fetched: 3, done: 1, fail: 0 });
    expect(await prisma.relayPackage.count({ where: { documentKey: documentId } })).toBe(1);
  });

  it('answers fail with the reason after a body stayed unreadable for every read', async () => {
    sim.inject({ kind: 'corrupt-body', times: 3 });
    const { body } = uniqueDocument(G22, [A]);
    const docId = sim.enqueue({ from: G22, to: [A], edxml: body });
    for (let i = 0; i < 3; i++) await axis.pollOnce();
    expect(receiptOf(docId)).toMatchObject({ fetched: 3, done: 0, fail: 1 });
    const received = await prisma.axisReceived.findUniqueOrThrow({ where: { docId } });
    expect(received).toMatchObject({ outcome: 'given-up', acknowledge: 'fail' });
    expect(received.reason).toContain('không phải base64');
  });

  it('survives 500s and timeouts on every call and still takes each document once', async () => {
    const docs = Array.from({ length: 30 }, () => uniqueDocument(G22, [A]));
    const ids = docs.map((d) => sim.enqueue({ from: G22, to: [A], edxml: d.body }));
    sim.inject({ kind: 'http-500', probability: 0.15 });
    sim.inject({ kind: 'timeout', probability: 0.05, afterAccept: true });
    sim.inject({ kind: 'timeout', probability: 0.05 });
    await waitUntil(async () => {
      await axis.pollOnce().catch(() => undefined);
      return ids.every((id) => (receiptOf(id)?.done ?? 0) >= 1);
    }, 60_000);
    for (const d of docs)
      expect(await prisma.relayPackage.count({ where: { documentKey: d.documentId } })).toBe(1);
  });
});
