import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import type { PrismaClient } from '../db/index.ts';
// Deep import: the relay's e-mail channel is not part of exchange's public surface.
import { sha256Hex } from '../registry/index.ts';
import { prismaOutboundMailLog } from './outbound-log.ts';
import { startCaptureRelay, type CaptureRelay } from '../../test/support/capture-relay.ts';
import { createMailTransport } from './mail-transport.ts';
import { smtpOutbound } from './notice-mail.ts';
import { createMailSender } from './relay-mail-channel.ts';

// Receipts and alerts through nodemailer to a real smtp-server standing in for the relay.
let relay: CaptureRelay;
const received = () => relay.mails.map((mail) => mail.parsed);
let port = 0;
let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('outbound');
  prisma = prismaFor(db.url, 2);
  relay = await startCaptureRelay();
  port = relay.port;
});

afterAll(async () => {
  await relay.close();
  await prisma.$disconnect();
  await db.drop();
});

describe('outbound mail', () => {
  it('sends a receipt threaded to the original message, and alerts to admins', async () => {
    const outbound = smtpOutbound({
      transport: createMailTransport(`smtp://127.0.0.1:${port}`),
      from: '000.00.00.H53@lienthong.local',
      alertTo: ['admin@lienthong.local'],
      log: pino({ level: 'silent' }),
    });
    await outbound.sendReceipt('vanthu@stc.example.vn', '<orig@stc.example.vn>', 'V/v kế hoạch', ['item-1']);
    await outbound.alert('mailbox down', 'imap so-tc unreachable');
    expect(received()).toHaveLength(2);
    const [receipt, alert] = received();
    expect(receipt?.inReplyTo).toBe('<orig@stc.example.vn>');
    expect(receipt?.subject).toBe('Đã nhận / Received: V/v kế hoạch');
    expect(receipt?.text).toContain('item-1');
    expect(alert?.subject).toBe('[lienthong] mailbox down');
  });

  it('records each mail in outbound_mail with the Message-ID that went out, before sending', async () => {
    relay.mails.length = 0;
    const outbound = smtpOutbound({
      transport: createMailTransport(`smtp://127.0.0.1:${port}`),
      from: '000.00.00.H53@lienthong.local',
      alertTo: ['admin@lienthong.local', 'ops@lienthong.local'],
      log: pino({ level: 'silent' }),
      record: prismaOutboundMailLog(prisma, pino({ level: 'silent' })),
    });
    const itemId = '11111111-2222-4333-8444-555555555555';
    await outbound.sendReceipt('vanthu@stc.example.vn', '<orig2@stc.example.vn>', 'V/v dự toán', [itemId]);
    await outbound.alert('spool backlog', '1200 messages waiting');
    const [receipt, alert] = received();
    expect(receipt?.messageId).toMatch(/^<[0-9a-f-]{36}@lienthong\.local>$/);
    const rows = await prisma.outboundMail.findMany({ orderBy: { sentAt: 'asc' } });
    expect(rows.map((r) => [r.messageId, r.kind])).toEqual([
      [receipt?.messageId, 'receipt'],
      [alert?.messageId, 'alert'],
    ]);
    expect(rows[0]).toMatchObject({
      recipients: ['vanthu@stc.example.vn'],
      intakeItemIds: [itemId],
      subject: 'Đã nhận / Received: V/v dự toán',
      outcome: null,
    });
    expect(rows[1]?.recipients).toEqual(['admin@lienthong.local', 'ops@lienthong.local']);
  });

  it('a record that cannot be written does not stop the mail', async () => {
    relay.mails.length = 0;
    const broken = prismaFor('postgresql://nobody@127.0.0.1:1/none', 1);
    const outbound = smtpOutbound({
      transport: createMailTransport(`smtp://127.0.0.1:${port}`),
      from: '000.00.00.H53@lienthong.local',
      alertTo: ['admin@lienthong.local'],
      log: pino({ level: 'silent' }),
      record: prismaOutboundMailLog(broken, pino({ level: 'silent' })),
    });
    await outbound.alert('db down', 'the record fails, the alert goes');
    await broken.$disconnect();
    expect(received().map((m) => m.subject)).toEqual(['[lienthong] db down']);
  });

  it('a relay that is down is logged, never thrown', async () => {
    const outbound = smtpOutbound({
      transport: createMailTransport('smtp://127.0.0.1:1'),
      from: 'a@b.example',
      alertTo: ['x@y.example'],
      log: pino({ level: 'silent' }),
    });
    await expect(outbound.alert('x', 'y')).resolves.toBeUndefined();
  });

  it('a send the relay cannot take is recorded on its row, not left looking like "sent, no report yet"', async () => {
    const silent = pino({ level: 'silent' });
    const outbound = smtpOutbound({
      // nothing listens on port 1: the connection is refused
      transport: createMailTransport('smtp://127.0.0.1:1'),
      from: '000.00.00.H53@lienthong.local',
      alertTo: [],
      log: silent,
      record: prismaOutboundMailLog(prisma, silent),
    });
    const before = new Date();
    await expect(
      outbound.sendReceipt('vanthu@stc.example.vn', null, 'V/v relay down', [
        '44444444-5555-4666-8777-888888888888',
      ]),
    ).resolves.toBeUndefined();
    const row = await prisma.outboundMail.findFirstOrThrow({
      where: { subject: 'Đã nhận / Received: V/v relay down' },
    });
    expect(row.outcome).toBeNull();
    expect(row.sendError).toMatch(/ECONNREFUSED/);
    expect(row.sendFailedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });

  it('a relay delivery that failed and is retried with the same Message-ID clears the failure once it goes through', async () => {
    relay.mails.length = 0;
    const silent = pino({ level: 'silent' });
    const record = prismaOutboundMailLog(prisma, silent);
    const edxml = Buffer.from('<edXMLEnvelope>gói tin</edXMLEnvelope>');
    const sha256 = sha256Hex(edxml);
    await prisma.blob.create({ data: { sha256, size: edxml.length, content: edxml } });
    const packageId = '22222222-3333-4444-8555-666666666666';
    const row = {
      id: '33333333-4444-4555-8666-777777777777',
      kind: 'mail',
      targetOrganId: '000.00.31.H53',
      bodySha256: sha256,
      headers: {
        packageId,
        from: '000.00.12.H53',
        subject: 'V/v thư mời họp',
        to: ['vanthu@sxd.example.vn'],
      },
    };
    const messageId = `<${packageId}.000.00.31.H53@lienthong>`;

    const down = createMailSender(
      prisma,
      createMailTransport('smtp://127.0.0.1:1'),
      'lienthong@hub.example.vn',
      record,
    );
    // thrown on, so the outbox retries it
    await expect(down(row)).rejects.toThrow(/ECONNREFUSED/);
    const failed = await prisma.outboundMail.findUniqueOrThrow({ where: { messageId } });
    expect(failed).toMatchObject({ kind: 'relay_delivery', packageId, toOrganId: '000.00.31.H53' });
    expect(failed.sendError).toMatch(/ECONNREFUSED/);
    expect(failed.sendFailedAt).not.toBeNull();

    const up = createMailSender(
      prisma,
      createMailTransport(`smtp://127.0.0.1:${port}`),
      'lienthong@hub.example.vn',
      record,
    );
    await up(row);
    expect(received().map((m) => m.messageId)).toEqual([messageId]);
    const rows = await prisma.outboundMail.findMany({ where: { messageId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sendError: null, sendFailedAt: null, outcome: null });
    expect(rows[0]!.sentAt.getTime()).toBeGreaterThan(failed.sentAt.getTime());
  });

  it('the failure of a send whose row could not be written is only logged', async () => {
    const broken = prismaFor('postgresql://nobody@127.0.0.1:1/none', 1);
    const warnings: string[] = [];
    const log = pino(
      { level: 'warn' },
      { write: (line: string) => warnings.push((JSON.parse(line) as { msg: string }).msg) },
    );
    const outbound = smtpOutbound({
      transport: createMailTransport('smtp://127.0.0.1:1'),
      from: 'a@b.example',
      alertTo: ['x@y.example'],
      log,
      record: prismaOutboundMailLog(broken, log),
    });
    await expect(outbound.alert('both down', 'relay and database')).resolves.toBeUndefined();
    await broken.$disconnect();
    expect(warnings).toEqual([
      'outbound mail not recorded',
      'outcome of an outbound mail send not recorded',
      'outbound mail failed',
    ]);
  });
});
