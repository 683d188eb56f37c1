import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectPartner,
  documentPackage,
  nestedZipBomb,
  statusPackage,
  type Partner,
} from '../../test/support/relay-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { startCaptureRelay, type CaptureRelay } from '../../test/support/capture-relay.ts';
import { createTestVhost, type TestVhost } from '../../test/support/test-broker.ts';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import { testServices } from '../../test/support/test-services.ts';
import type { PrismaClient } from '../db/index.ts';
import { createPrismaAgencyDirectory } from '../directory/index.ts';
import { systemClock, createSilentLogger } from '../shared/index.ts';
import { memoryTrustStore } from '../signing/index.ts';
import { createMailTransport } from '../outbound-mail/index.ts';
import { createBrokerConnection, type BrokerConnection } from './broker-connection.ts';
import { createDeadLetters } from './dead-letters.ts';
import { requeueDeadLetter } from './relay-admin.ts';
import { brokerUserOf, issuePartnerBrokerAccess, organIdOfBrokerUser } from './broker-users.ts';
import { inboxQueueOf } from './inbox-names.ts';
import { createRelayService, type RelayService } from './relay-service.ts';
import { pollUntil } from '../../test/support/wait-until.ts';

const HUB = '000.00.00.H53';
const A = '000.00.11.H53';
const B = '000.00.12.H53';
const E = '000.00.13.H53'; // reached only by e-mail

let smtp: CaptureRelay;
const mails = () => smtp.mails;

let db: TestDatabase;
let vhost: TestVhost;
let prisma: PrismaClient;
let broker: BrokerConnection;
let relay: RelayService;
let partnerA: Partner;
let partnerB: Partner;

const waitUntil = pollUntil({ timeoutMs: 15_000, intervalMs: 100 });

/** The package with `marker` (a text of the template) replaced by raw XML text, bytes as they come. */
function withText(body: Buffer, marker: string, xmlText: string): Buffer {
  const text = body.toString('utf8');
  if (!text.includes(marker)) throw new Error(`no ${marker} in the package`);
  return Buffer.from(text.replace(marker, xmlText), 'utf8');
}
const withSubjectText = (body: Buffer, xmlText: string) => withText(body, 'MARK', xmlText);

const errorBody = (m: { content: Buffer }) =>
  JSON.parse(m.content.toString()) as { reasons: string[]; documentId?: string };

beforeAll(async () => {
  [db, vhost] = await Promise.all([createTestDatabase('relay'), createTestVhost('relay')]);
  prisma = prismaFor(db.url);
  const directory = createPrismaAgencyDirectory(prisma);
  await directory.upsertAll([
    {
      organId: HUB,
      name: 'UBND tỉnh',
      channel: 'hosted',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
    {
      organId: A,
      name: 'Sở Tài chính',
      channel: 'partner',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
    {
      organId: B,
      name: 'Sở Y tế',
      channel: 'partner',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
    {
      organId: E,
      name: 'UBND xã',
      channel: 'email',
      signaturePolicy: 'record_only',
      emails: ['vanthu@xa.gov.vn'],
      aliases: [],
    },
  ]);
  // A real SMTP server as the outbound relay, keeping what it receives.
  smtp = await startCaptureRelay();
  const log = createSilentLogger();
  broker = createBrokerConnection({ url: vhost.amqpUrl, log });
  const trust = memoryTrustStore({ anchors: [], intermediates: [], crls: [], pins: new Map() });
  relay = createRelayService(
    {
      prisma,
      directory,
      trust: () => trust.load(),
      clock: systemClock,
      log,
      ownOrganId: HUB,
      maxMessageBytes: 5_000_000,
    },
    broker,
    {
      worker: { idleDelayMs: 50 },
      mailTransport: createMailTransport(smtp.url),
      mailFrom: 'lienthong@lienthong.local',
    },
  );
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
  await smtp.close();
  await prisma.$disconnect();
  await Promise.all([db.drop(), vhost.drop()]);
});

describe('relay between partner agencies', () => {
  it('delivers A’s package to B’s inbox byte for byte, with the contract’s properties', async () => {
    const body = documentPackage({ from: A, to: [B], documentId: `${A},2026/11/25,1/STC-VP` });
    partnerA.submit(body);
    const received = await partnerB.waitFor((m) => m.properties.type === 'edoc');
    expect(received.content.equals(body)).toBe(true);
    expect(received.properties).toMatchObject({ deliveryMode: 2, contentType: 'application/xml' });
    expect(received.properties.headers).toMatchObject({
      'x-lienthong-from': A,
      'x-lienthong-document-id': `${A},2026/11/25,1/STC-VP`,
    });
    const packageId = received.properties.messageId as string;
    const delivery = await waitUntil(() =>
      prisma.relayDelivery.findFirst({ where: { packageId, toOrganId: B, state: 'published' } }),
    );
    expect(delivery.state).toBe('published');
  });

  it('routes B’s status 03 back to A and moves A’s delivery to accepted', async () => {
    const documentId = `${A},2026/11/25,2/STC-VP`;
    partnerA.submit(documentPackage({ from: A, to: [B], documentId }));
    await partnerB.waitFor((m) => m.properties.headers?.['x-lienthong-document-id'] === documentId);
    partnerB.submit(statusPackage({ from: B, answering: A, documentId, code: '03' }));
    const status = await partnerA.waitFor(
      (m) =>
        m.properties.type === 'status' && m.properties.headers?.['x-lienthong-document-id'] === documentId,
    );
    expect(status.content.toString()).toContain('<edXML:StatusCode>03</edXML:StatusCode>');
    await waitUntil(() =>
      prisma.relayDelivery.findFirst({
        where: { toOrganId: B, state: 'accepted', package: { documentKey: documentId } },
      }),
    );
  });

  // Issue 13, defect 6: a status package's own delivery (B → A) stayed `queued` on the relay view
  // after the broker confirmed it into A's inbox: only document and mail rows moved their delivery.
  it('moves a relayed status’s own delivery to published once the broker confirmed it', async () => {
    const documentId = `${A},2026/11/25,6/STC-VP`;
    partnerA.submit(documentPackage({ from: A, to: [B], documentId }));
    await partnerB.waitFor((m) => m.properties.headers?.['x-lienthong-document-id'] === documentId);
    partnerB.submit(statusPackage({ from: B, answering: A, documentId, code: '01' }));
    await partnerA.waitFor(
      (m) =>
        m.properties.type === 'status' && m.properties.headers?.['x-lienthong-document-id'] === documentId,
    );
    const statusDelivery = () =>
      prisma.relayDelivery.findFirstOrThrow({
        where: { toOrganId: A, package: { kind: 'status', documentKey: documentId } },
      });
    const { packageId } = await statusDelivery();
    // The broker confirmed it: its outbox row is done (A already holds the status).
    await waitUntil(() =>
      prisma.outboxMessage.findFirst({
        where: { kind: 'status', state: 'done', headers: { path: ['packageId'], equals: packageId } },
      }),
    );
    expect((await statusDelivery()).state).toBe('published');
  });
});

describe('isolation on the broker', () => {
  it('A’s user cannot consume B’s inbox', async () => {
    const probe = await partnerA.probe();
    const inboxB = await inboxQueueOf(prisma, B);
    await expect(probe.consume(inboxB, () => undefined)).rejects.toThrow(/ACCESS_REFUSED/);
  });

  // RabbitMQ answers a passive declare without checking permissions: a name A can work out from
  // B's OrganId would tell A how many documents wait for B and whether B's system is connected.
  it('A cannot learn B’s inbox depth or whether B is online from a name it can guess', async () => {
    const inboxB = await inboxQueueOf(prisma, B);
    expect(inboxB).not.toBe(`lienthong.inbox.${B}`);
    expect(inboxB.slice(`lienthong.inbox.${B}.`.length)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const guessed = await partnerA.probe();
    await expect(guessed.checkQueue(`lienthong.inbox.${B}`)).rejects.toThrow(/NOT_FOUND/);
    // The control: the same passive declare does answer for a name that exists (A's own), so the
    // refusal above is the name, not the method.
    const own = await partnerA.probe();
    const counts = await own.checkQueue(await inboxQueueOf(prisma, A));
    expect(counts.consumerCount).toBe(1);
  });

  it('names each partner’s user with the hub’s vhost', () => {
    expect(brokerUserOf(A, vhost.name)).toBe(`lienthong-${vhost.name}-${A}`);
    expect(organIdOfBrokerUser(`lienthong-${vhost.name}-${A}`, vhost.name)).toBe(A);
    expect(organIdOfBrokerUser(`lienthong-${A}`, vhost.name)).toBeNull();
    expect(organIdOfBrokerUser(`lienthong-other-${A}`, vhost.name)).toBeNull();
  });

  it('A’s user cannot publish to lienthong.deliver', async () => {
    const probe = await partnerA.probe();
    const closed = new Promise<Error>((resolve) => probe.once('error', resolve));
    probe.publish('lienthong.deliver', B, Buffer.from('<x/>'), { userId: brokerUserOf(A, vhost.name) });
    expect((await closed).message).toMatch(/ACCESS_REFUSED/);
  });

  it('refuses A submitting a package whose From is B, and tells A why', async () => {
    const documentId = `${B},2026/11/25,forged/SYT`;
    partnerA.submit(documentPackage({ from: B, to: [HUB], documentId }));
    const error = await partnerA.waitFor(
      (m) => m.properties.type === 'error' && errorBody(m).documentId === documentId,
    );
    expect(errorBody(error).reasons[0]).toContain(
      `you may submit only for your own agency ${A}; this package says From ${B}`,
    );
    expect(await prisma.relayPackage.count({ where: { documentKey: documentId } })).toBe(0);
  });

  it('dead-letters a submission without user_id', async () => {
    const documentId = `${A},2026/11/25,anonymous/STC`;
    partnerA.submit(documentPackage({ from: A, to: [B], documentId }), { userId: null });
    const inspector = await partnerA.connection.createChannel().catch(() => null);
    expect(inspector).not.toBeNull();
    await waitUntil(async () => {
      const { messageCount } = await (await broker.current()!.createChannel()).checkQueue('lienthong.dead');
      return messageCount > 0;
    });
    expect(await prisma.relayPackage.count({ where: { documentKey: documentId } })).toBe(0);
  });
});

describe('refusals the sender hears about', () => {
  it.each([
    [
      'an unknown recipient',
      () => documentPackage({ from: A, to: ['000.00.99.H99'], documentId: `${A},2026/11/25,unknown/STC` }),
      /unknown recipient 000\.00\.99\.H99/,
    ],
    [
      'a malformed package',
      () => Buffer.from('<edXMLEnvelope><not-closed>'),
      /not a readable edXML package|line/,
    ],
    // Issue 13, defect 1: accepted, then never storable for the hosted recipient (PostgreSQL 22021).
    [
      'a raw NUL in the subject (issue 13)',
      () => withSubjectText(documentPackage({ from: A, to: [HUB], subject: 'MARK' }), 'V/v h\u0000p'),
      /Subject.*NUL character \(U\+0000\) at character 6; remove it/,
    ],
    [
      'a NUL written as &#0; in the sender’s name (issue 13)',
      () => withText(documentPackage({ from: A, to: [HUB] }), `Cơ quan ${A}`, 'Sở&#0;Tài chính'),
      /From\/OrganName.*NUL character \(U\+0000\)/,
    ],
    [
      'a lone surrogate written as &#xD800; (issue 13)',
      () => withSubjectText(documentPackage({ from: A, to: [HUB], subject: 'MARK' }), 'a&#xD800;b'),
      /lone UTF-16 surrogate \(U\+D800\)/,
    ],
    // Issue 13, defect 4: by mail the same file is quarantined; as a package it became an intake item.
    [
      'a nested ZIP bomb as an attachment (issue 13)',
      () =>
        documentPackage({
          from: A,
          to: [HUB],
          attachments: [{ name: 'ho-so.zip', bytes: nestedZipBomb(), contentType: 'application/zip' }],
        }),
      /ZIP attachment refused: .*phan-1\.zip/,
    ],
  ])('refuses %s with a reason in A’s inbox', async (_name, make, reason) => {
    const before = partnerA.inbox.filter((m) => m.properties.type === 'error').length;
    partnerA.submit(make());
    await waitUntil(() =>
      Promise.resolve(partnerA.inbox.filter((m) => m.properties.type === 'error').length > before),
    );
    const error = partnerA.inbox.filter((m) => m.properties.type === 'error').at(-1)!;
    expect(errorBody(error).reasons.join(' ')).toMatch(reason);
  });

  it('holds a confidential package, never relays it, and tells the sender', async () => {
    const documentId = `${A},2026/11/25,secret/STC`;
    partnerA.submit(
      documentPackage({ from: A, to: [B], documentId, subject: 'Kế hoạch bảo vệ mục tiêu (TỐI MẬT)' }),
    );
    const notice = await partnerA.waitFor(
      (m) => m.properties.type === 'error' && errorBody(m).documentId === documentId,
    );
    expect(errorBody(notice).reasons[0]).toMatch(/Tối mật.*held for a clerk, never relayed automatically/);
    const held = await prisma.relayPackage.findFirst({
      where: { documentKey: documentId },
      include: { deliveries: true },
    });
    expect(held?.heldReason).toMatch(/Tối mật/);
    expect(held?.deliveries).toEqual([]);
    expect(partnerB.inbox.some((m) => m.properties.headers?.['x-lienthong-document-id'] === documentId)).toBe(
      false,
    );
  });

  it('relays one copy of the same bytes submitted twice', async () => {
    const documentId = `${A},2026/11/25,twice/STC`;
    const body = documentPackage({ from: A, to: [B], documentId });
    partnerA.submit(body);
    partnerA.submit(body);
    await partnerB.waitFor((m) => m.properties.headers?.['x-lienthong-document-id'] === documentId);
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      partnerB.inbox.filter((m) => m.properties.headers?.['x-lienthong-document-id'] === documentId),
    ).toHaveLength(1);
    expect(await prisma.relayPackage.count({ where: { documentKey: documentId } })).toBe(1);
  });
});

describe('agencies the hub hosts', () => {
  it('turns A’s package for the hub into an intake item and answers status 01 to A', async () => {
    const documentId = `${A},2026/11/25,hosted/STC`;
    partnerA.submit(
      documentPackage({ from: A, to: [HUB], documentId, subject: 'Báo cáo tình hình thu ngân sách' }),
    );
    const item = await waitUntil(() => prisma.intakeItem.findFirst({ where: { documentKey: documentId } }));
    expect(item).toMatchObject({
      source: 'amqp',
      state: 'new',
      senderOrganId: A,
      subject: 'Báo cáo tình hình thu ngân sách',
    });
    // the package's file is the item's attachment, its bytes a blob; the metadata keeps no bytes
    const files = await prisma.attachment.findMany({ where: { intakeItemId: item.id } });
    expect(files.map((f) => [f.name, f.size])).toEqual([['congvan.pdf', '%PDF-1.4 test'.length]]);
    const blob = await prisma.blob.findUniqueOrThrow({ where: { sha256: files[0]?.sha256 ?? '' } });
    expect(Buffer.from(blob.content).toString()).toBe('%PDF-1.4 test');
    expect(JSON.stringify(item.metadata)).not.toContain('"content"');
    const received = await partnerA.waitFor(
      (m) =>
        m.properties.type === 'status' && m.properties.headers?.['x-lienthong-document-id'] === documentId,
    );
    expect(received.content.toString()).toContain('<edXML:StatusCode>01</edXML:StatusCode>');
    await waitUntil(() =>
      prisma.relayDelivery.findFirst({
        where: { toOrganId: HUB, state: 'received', package: { documentKey: documentId } },
      }),
    );
  });
});

describe('agencies reached only by e-mail', () => {
  it('receive the package as an attachment, byte for byte, through the outbound mail server', async () => {
    const documentId = `${A},2026/11/25,bymail/STC`;
    const body = documentPackage({ from: A, to: [E], documentId, subject: 'Thông báo lịch tiếp công dân' });
    partnerA.submit(body);
    const mail = await waitUntil(() =>
      Promise.resolve(mails().find((m) => m.raw.toString().includes('bymail'))),
    );
    expect(mail.to).toEqual(['vanthu@xa.gov.vn']);
    const { parsed } = mail;
    expect(parsed.subject).toBe('[Liên thông] Thông báo lịch tiếp công dân');
    expect(parsed.attachments[0]?.content.equals(body)).toBe(true);
    const delivery = await waitUntil(() =>
      prisma.relayDelivery.findFirst({
        where: { toOrganId: E, state: 'published', package: { documentKey: documentId } },
      }),
    );
    // Recorded before sending, under the Message-ID that went out, so a bounce can fail it.
    const sent = await prisma.outboundMail.findUniqueOrThrow({
      where: { messageId: parsed.messageId ?? '' },
    });
    expect(sent).toMatchObject({
      kind: 'relay_delivery',
      packageId: delivery.packageId,
      toOrganId: E,
      recipients: ['vanthu@xa.gov.vn'],
    });
  });
});

describe('dead letters for admins', () => {
  it('lists a dead letter with why it died, and publishes it back to where it was going', async () => {
    const dead = createDeadLetters(broker);
    const channel = await broker.current()!.createConfirmChannel();
    const body = documentPackage({ from: A, to: [B], documentId: `${A},2026/11/25,dead/STC` });
    // As the broker writes it when an inbox's delivery limit is reached.
    await new Promise<void>((resolve, reject) => {
      channel.publish(
        'lienthong.dead',
        '',
        body,
        {
          messageId: 'dead-letter-1',
          type: 'edoc',
          persistent: true,
          headers: {
            'x-lienthong-from': A,
            'x-death': [
              {
                reason: 'delivery_limit',
                queue: `lienthong.inbox.${B}`,
                exchange: 'lienthong.deliver',
                'routing-keys': [B],
                count: 1,
              },
            ],
          },
        },
        (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
      );
    });
    await channel.close();
    const listed = await dead.list(500);
    expect(listed.find((letter) => letter.messageId === 'dead-letter-1')).toMatchObject({
      reason: 'delivery_limit',
      exchange: 'lienthong.deliver',
      routingKeys: [B],
      from: A,
      type: 'edoc',
    });
    const admin = { kind: 'system', component: 'test-admin' } as const;
    expect(await requeueDeadLetter({ prisma, deadLetters: dead }, admin, 'dead-letter-1')).toBe('requeued');
    const audit = await prisma.auditEntry.findFirstOrThrow({
      where: { action: 'relay.dead-letter-requeued' },
    });
    expect(audit).toMatchObject({ actor: 'system:test-admin', subject: 'message:dead-letter-1' });
    expect(audit.data).toMatchObject({
      from: A,
      type: 'edoc',
      exchange: 'lienthong.deliver',
      routingKeys: [B],
    });
    const again = await partnerB.waitFor((m) => m.properties.messageId === 'dead-letter-1');
    expect(again.content.equals(body)).toBe(true);
    expect((await dead.list(500)).some((letter) => letter.messageId === 'dead-letter-1')).toBe(false);
    expect(await requeueDeadLetter({ prisma, deadLetters: dead }, admin, 'no-such-letter')).toBe('not-found');
    expect(await prisma.auditEntry.count({ where: { action: 'relay.dead-letter-requeued' } })).toBe(1);
  });
});
