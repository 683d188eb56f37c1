import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import type { PrismaClient } from '../db/index.ts';
import { zipFiles } from '../edxml/index.ts';
import { prismaOutboundMailLog } from '../outbound-mail/index.ts';
import { failDeliveryOnBounce } from '../exchange/index.ts';
import { uniqueSeed } from './test-support/build-mail.ts';
import {
  HUB_AGENCY,
  MAIL_DOMAIN,
  SENDER_AGENCY,
  seedAgencies,
  startTestListener,
  type TestListener,
} from './test-support/listener-harness.ts';
import { RawSmtp, dotStuff } from './test-support/raw-smtp.ts';

// Bounces (RFC 3464) and read receipts (RFC 8098) over real SMTP, linked to the mail the hub
// recorded in outbound_mail; ZIP attachments listed within limits, bombs and zip-slip refused.
const HUB_ADDRESS = `${HUB_AGENCY}@${MAIL_DOMAIN}`;
const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures');
let db: TestDatabase;
let prisma: PrismaClient;
let listener: TestListener;
const record = () => prismaOutboundMailLog(prisma, pino({ level: 'silent' }));

beforeAll(async () => {
  db = await createTestDatabase('mailreports');
  prisma = prismaFor(db.url, 5);
  await seedAgencies(prisma);
  // As main.ts wires it: a bounced relay delivery by e-mail fails the delivery through the relay.
  listener = await startTestListener(
    prisma,
    { maxMessageBytes: 4 * 1024 * 1024 },
    { relayMailBounced: failDeliveryOnBounce(pino({ level: 'silent' })) },
  );
});

afterAll(async () => {
  await listener.close();
  await prisma.$disconnect();
  await db.drop();
});

/** Sends over SMTP (null sender, as bounces come) and returns the stored item of that Message-ID. */
async function deliver(raw: string | Buffer, messageId: string, from = '') {
  const { client } = await RawSmtp.connect(listener.port);
  await client.command('EHLO mta.example.vn');
  const replies = await client.send(from, [HUB_ADDRESS], dotStuff(raw));
  client.close();
  expect(replies.at(-1)?.code).toBe(250);
  await listener.drained();
  const item = await prisma.intakeItem.findFirst({ where: { messageId }, include: { attachments: true } });
  if (!item) throw new Error(`no item for ${messageId}`);
  return item;
}

/** A DSN per RFC 3464: text part, delivery-status (per-message + per-recipient), returned headers. */
function dsn(options: { id: string; original: string; statusPart: string }): string {
  const b = `dsn-${options.id}`;
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.vn>',
    `To: ${HUB_ADDRESS}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${options.id}@mx.example.vn>`,
    'Date: Thu, 26 Nov 2026 09:00:00 +0700',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Your message could not be delivered to one or more recipients.',
    `--${b}`,
    'Content-Type: message/delivery-status',
    '',
    options.statusPart,
    `--${b}`,
    'Content-Type: text/rfc822-headers',
    '',
    `From: ${HUB_ADDRESS}`,
    'To: vanthu@khongton.example.vn',
    'Subject: [Liên thông] V/v kế hoạch',
    `Message-ID: ${options.original}`,
    '',
    `--${b}--`,
    '',
  ].join('\r\n');
}

const FAILED_STATUS = [
  'Reporting-MTA: dns; mx.example.vn',
  'Arrival-Date: Thu, 26 Nov 2026 08:59:58 +0700',
  '',
  'Final-Recipient: rfc822; vanthu@khongton.example.vn',
  'Original-Recipient: rfc822; vanthu@khongton.example.vn',
  'Action: failed',
  'Status: 5.1.1',
  'Remote-MTA: dns; mail.khongton.example.vn',
  'Diagnostic-Code: smtp; 550 5.1.1 <vanthu@khongton.example.vn>:',
  ' Recipient address rejected: User unknown',
  '',
].join('\r\n');

function mailWithAttachment(id: string, name: string, content: Buffer): string {
  const b = `zip-${id}`;
  return [
    'From: Van thu <vanthu@stc.example.vn>',
    `To: ${HUB_ADDRESS}`,
    `Subject: Số ${id}/UBND-VP: V/v hồ sơ nén`,
    `Message-ID: <${id}@stc.example.vn>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hồ sơ đính kèm.',
    `--${b}`,
    `Content-Type: application/zip; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    ...(content.toString('base64').match(/.{1,76}/g) ?? []),
    `--${b}--`,
    '',
  ].join('\r\n');
}

describe('bounces and read receipts linked to the mail the hub sent', () => {
  it('a DSN for a relay delivery by e-mail fails the delivery and stays out of the clerks’ queue', async () => {
    const pkg = await prisma.relayPackage.create({
      data: {
        kind: 'edoc',
        fromOrganId: HUB_AGENCY,
        sha256: 'a'.repeat(64),
        submittedVia: 'cli',
        submittedBy: 'test',
        deliveries: { create: [{ toOrganId: SENDER_AGENCY, state: 'published' }] },
      },
    });
    const original = `<${pkg.id}.${SENDER_AGENCY}@lienthong>`;
    await record().sending({
      messageId: original,
      kind: 'relay_delivery',
      recipients: ['vanthu@khongton.example.vn'],
      packageId: pkg.id,
      toOrganId: SENDER_AGENCY,
    });
    const id = uniqueSeed();
    const item = await deliver(dsn({ id, original, statusPart: FAILED_STATUS }), `<${id}@mx.example.vn>`);

    expect(item.state).toBe('quarantined');
    expect(item.reason).toContain(`delivery report for ${original}: failed 5.1.1 smtp; 550 5.1.1`);
    expect(item.reason).toContain('User unknown');
    const outbound = await prisma.outboundMail.findUniqueOrThrow({ where: { messageId: original } });
    expect(outbound).toMatchObject({
      outcome: 'failed',
      outcomeStatus: '5.1.1',
      reportItemId: item.id,
    });
    expect(outbound.outcomeDiagnostic).toContain('Recipient address rejected: User unknown');
    const report = (item.metadata as { report: Record<string, unknown> }).report;
    expect(report).toMatchObject({
      kind: 'delivery-status',
      outboundId: outbound.id,
      outboundKind: 'relay_delivery',
      outcome: 'failed',
      status: '5.1.1',
    });
    const delivery = await prisma.relayDelivery.findUniqueOrThrow({
      where: { packageId_toOrganId: { packageId: pkg.id, toOrganId: SENDER_AGENCY } },
    });
    expect(delivery.state).toBe('failed');
    expect(delivery.lastError).toContain('bounced by e-mail: 5.1.1');
  });

  it('a delayed DSN after the failure does not overwrite it', async () => {
    const original = `<delayed-${uniqueSeed()}@${MAIL_DOMAIN}>`;
    await record().sending({ messageId: original, kind: 'receipt', recipients: ['a@b.example.vn'] });
    const first = uniqueSeed();
    await deliver(dsn({ id: first, original, statusPart: FAILED_STATUS }), `<${first}@mx.example.vn>`);
    const later = uniqueSeed();
    const delayed = FAILED_STATUS.replace('Action: failed', 'Action: delayed').replace('5.1.1', '4.4.1');
    const item = await deliver(dsn({ id: later, original, statusPart: delayed }), `<${later}@mx.example.vn>`);
    expect(item.reason).toContain(`delivery report for ${original}: delayed 4.4.1`);
    const outbound = await prisma.outboundMail.findUniqueOrThrow({ where: { messageId: original } });
    expect(outbound.outcome).toBe('failed');
  });

  it('an MDN (RFC 8098) for a receipt records the disposition', async () => {
    const original = `<mdn-${uniqueSeed()}@${MAIL_DOMAIN}>`;
    await record().sending({ messageId: original, kind: 'receipt', recipients: ['vanthu@stc.example.vn'] });
    const id = uniqueSeed();
    const b = `mdn-${id}`;
    const raw = [
      'From: Van thu <vanthu@stc.example.vn>',
      `To: ${HUB_ADDRESS}`,
      'Subject: Đã đọc: Đã nhận / Received',
      `Message-ID: <${id}@stc.example.vn>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=disposition-notification; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Thư đã được hiển thị.',
      `--${b}`,
      'Content-Type: message/disposition-notification',
      '',
      'Reporting-UA: mail.stc.example.vn; Thunderbird',
      'Final-Recipient: rfc822; vanthu@stc.example.vn',
      `Original-Message-ID: ${original}`,
      'Disposition: manual-action/MDN-sent-manually; displayed',
      '',
      `--${b}--`,
      '',
    ].join('\r\n');
    const item = await deliver(raw, `<${id}@stc.example.vn>`, 'vanthu@stc.example.vn');
    expect(item.state).toBe('quarantined');
    expect(item.reason).toBe(`read receipt for ${original}: displayed`);
    const outbound = await prisma.outboundMail.findUniqueOrThrow({ where: { messageId: original } });
    expect(outbound).toMatchObject({ outcome: 'displayed', reportItemId: item.id });
    expect(outbound.outcomeStatus).toBe('manual-action/MDN-sent-manually; displayed');
  });

  it('a DSN for mail the hub did not send stays quarantined and unlinked (mailparser fixture)', async () => {
    const raw = fs.readFileSync(path.join(FIXTURES, 'mail/mailparser/delivery-status.eml'));
    const item = await deliver(raw, '<xxxxxxxxxxx@email.amazonses.com>');
    expect(item.state).toBe('quarantined');
    expect(item.reason).toMatch(
      /^delivery report for a message the hub did not send \(<xxxxx@email\.amazonses\.com>\), not linked: failed 5\.1\.1 Amazon SES/,
    );
    expect((item.metadata as { report: unknown }).report).toMatchObject({
      outboundId: null,
      outcome: 'failed',
    });
    expect(await prisma.outboundMail.count({ where: { messageId: '<xxxxx@email.amazonses.com>' } })).toBe(0);
  });

  it('a malformed delivery-status part is stored quarantined with a reason that says so', async () => {
    const original = `<bad-${uniqueSeed()}@${MAIL_DOMAIN}>`;
    await record().sending({ messageId: original, kind: 'alert', recipients: ['admin@lienthong.local'] });
    const id = uniqueSeed();
    const garbage = 'Reporting-MTA dns mx\r\n\r\nAction: exploded\r\nStatus: soon\r\n\u0000\u0001\r\n';
    const item = await deliver(dsn({ id, original, statusPart: garbage }), `<${id}@mx.example.vn>`);
    expect(item.state).toBe('quarantined');
    expect(item.reason).toBe(
      `delivery report for ${original}: delivery-status part unreadable: unknown Action "exploded"`,
    );
    const outbound = await prisma.outboundMail.findUniqueOrThrow({ where: { messageId: original } });
    expect(outbound.outcome).toBeNull();
  });
});

describe('ZIP attachments listed within limits', () => {
  type ZipVerdict = { check: string; kind: string; flag?: string; reason?: string; entries?: unknown[] };
  const zipVerdict = (verdicts: unknown) => (verdicts as ZipVerdict[]).find((v) => v.check === 'zip');

  it('lists the members (name, size, compressed size) of a normal ZIP, nested ZIPs included, and queues it', async () => {
    const inner = zipFiles([{ name: 'phu-luc.txt', content: Buffer.from('Phụ lục '.repeat(50)) }]);
    const zip = zipFiles([
      { name: 'quyết định.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') },
      { name: 'kem-theo.zip', content: inner },
    ]);
    const id = uniqueSeed();
    const item = await deliver(
      mailWithAttachment(id, 'ho-so.zip', zip),
      `<${id}@stc.example.vn>`,
      'vanthu@stc.example.vn',
    );
    expect(item.state).toBe('new');
    const verdict = zipVerdict(item.attachments[0]?.verdicts);
    expect(verdict?.kind).toBe('listed');
    const entries = (verdict?.entries ?? []) as {
      name: string;
      size: number;
      compressed: number;
      path: string;
    }[];
    expect(entries.map((e) => [e.path, e.name, e.size])).toEqual([
      ['quyết định.pdf', 'quyết định.pdf', 15],
      ['kem-theo.zip', 'kem-theo.zip', inner.length],
      ['kem-theo.zip/phu-luc.txt', 'phu-luc.txt', Buffer.byteLength('Phụ lục '.repeat(50))],
    ]);
    // the repeated text deflates well: the compressed size is the stored one, not the size
    const text = entries[2];
    expect(text && text.compressed > 0 && text.compressed < text.size).toBe(true);
  });

  it('refuses a zip-slip archive: quarantined, flagged zip-path-traversal, not opened', async () => {
    const id = uniqueSeed();
    const zip = fs.readFileSync(path.join(FIXTURES, 'edxml/archives/zip-slip.zip'));
    const item = await deliver(
      mailWithAttachment(id, 'hoso.zip', zip),
      `<${id}@stc.example.vn>`,
      'vanthu@stc.example.vn',
    );
    expect(item.state).toBe('quarantined');
    expect(item.reason).toMatch(
      /^unsafe ZIP attachment, not opened: hoso\.zip: .*escapes the extraction folder/,
    );
    expect((item.metadata as { flags: string[] }).flags).toContain('zip-path-traversal');
    expect(zipVerdict(item.attachments[0]?.verdicts)).toMatchObject({
      kind: 'unsafe',
      flag: 'zip-path-traversal',
    });
  });

  it('refuses a zip bomb (zbsm.zip, 5.4 GB declared) without expanding it', async () => {
    const id = uniqueSeed();
    const zip = fs.readFileSync(path.join(FIXTURES, 'edxml/archives/zbsm.zip'));
    const started = Date.now();
    const item = await deliver(
      mailWithAttachment(id, 'bomb.zip', zip),
      `<${id}@stc.example.vn>`,
      'vanthu@stc.example.vn',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(item.state).toBe('quarantined');
    expect(item.reason).toContain('unsafe ZIP attachment, not opened: bomb.zip');
    expect((item.metadata as { flags: string[] }).flags).toContain('zip-bomb');
  });

  it('refuses ZIPs nested deeper than the limit', async () => {
    let zip = zipFiles([{ name: 'a.txt', content: Buffer.from('a') }]);
    for (let level = 0; level < 4; level += 1) zip = zipFiles([{ name: `level${level}.zip`, content: zip }]);
    const id = uniqueSeed();
    const item = await deliver(
      mailWithAttachment(id, 'nested.zip', zip),
      `<${id}@stc.example.vn>`,
      'vanthu@stc.example.vn',
    );
    expect(item.state).toBe('quarantined');
    expect(item.reason).toContain('archives nested deeper than 3');
    expect((item.metadata as { flags: string[] }).flags).toContain('zip-nested');
  });
});
