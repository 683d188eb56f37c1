import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/index.ts';
import { createPrismaAgencyDirectory } from '../../src/directory/index.ts';
import { issuePartnerBrokerAccess } from '../../src/exchange/index.ts';
import { findUnsafeCharacter } from '../../src/text/index.ts';
import { freePort, hubEnv, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { connectPartner, documentPackage, nestedZipBomb, type Partner } from '../support/relay-fixtures.ts';
import { prismaFor } from '../support/registry-fixtures.ts';
import { dovecotAvailable, startTestDovecot, type TestDovecot } from '../support/test-dovecot.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';
import { testServices } from '../support/test-services.ts';
import { pollUntil } from '../support/wait-until.ts';

// Issue 13, acceptance 2 — the doors of a running hub: SMTP, IMAP (a real Dovecot) and AMQP submit.
// Each text field gets NUL, a control character, a lone surrogate, a noncharacter, a bidi override
// and 1 MB; each file field the archive bombs. Mail, already answered 250, must end as a stored item
// (quarantined when its archive is unsafe) whose text holds none of those characters; a package is
// refused with a reason the partner reads; and the inboxes keep flowing afterwards.
// (The web doors — every JSON route, uploads, POST /packages — are src/web/hostile-input.int.test.ts.)

const HUB = '000.00.00.H53';
const A = '000.00.11.H53';
const archive = (name: string) =>
  fs.readFileSync(new URL(`../fixtures/edxml/archives/${name}`, import.meta.url));

/** Text fields as a hostile mail client writes them: the UTF-8 bytes, invalid ones included. */
const HOSTILE_MAIL_TEXT: readonly (readonly [string, Buffer])[] = [
  ['nul', Buffer.from('V/v h\u0000p giao ban')],
  ['control', Buffer.from('V/v \u001b[2J\u0007 họp')],
  ['surrogate', Buffer.concat([Buffer.from('V/v họp '), Buffer.from([0xed, 0xa0, 0x80])])],
  ['noncharacter', Buffer.from('V/v \uFFFE họp')],
  ['bidi', Buffer.from('hoadon\u202Efdp.exe')],
  ['megabyte', Buffer.from('x'.repeat(1_000_000))],
];

const HOSTILE_ARCHIVES: readonly (readonly [string, () => Buffer])[] = [
  ['nested-bomb', nestedZipBomb],
  ['zbsm', () => archive('zbsm.zip')],
  ['zip-slip', () => archive('zip-slip.zip')],
  ['zip-slip-win', () => archive('zip-slip-win.zip')],
];

/** RFC 2047 encoded words (base64, under 76 characters a line), folded. */
function encodedWords(bytes: Buffer): string {
  const words: string[] = [];
  for (let at = 0; at < bytes.length; at += 45)
    words.push(`=?UTF-8?B?${bytes.subarray(at, at + 45).toString('base64')}?=`);
  return words.join('\r\n ');
}

/** The SHA-256 of each mail sent, by Message-ID: a mail too hostile to read is stored by its bytes alone. */
const rawHashes = new Map<string, string>();

function hostileMail(options: { messageId: string; text: Buffer; attachment?: Buffer }): Buffer {
  const raw = hostileMailBytes(options);
  rawHashes.set(options.messageId, createHash('sha256').update(raw).digest('hex'));
  return raw;
}

function hostileMailBytes(options: { messageId: string; text: Buffer; attachment?: Buffer }): Buffer {
  const name = `ho-so-${options.text.subarray(0, 40).toString('latin1').replace(/[^\w]/g, '')}.zip`;
  const file = options.attachment ?? Buffer.from('%PDF-1.4 hostile\n%%EOF\n');
  // The file name carries the hostile text too (RFC 2231), and so does the sender's display name.
  const filename = `UTF-8''${[...options.text.subarray(0, 200)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}${options.attachment ? '.zip' : '.pdf'}`;
  const head = [
    `From: ${encodedWords(options.text.subarray(0, 200))} <a@b.example>`,
    `To: ${HUB}@lienthong.local`,
    `Subject: ${encodedWords(options.text)}`,
    `Message-ID: <${options.messageId}>`,
    'Date: Wed, 02 Dec 2026 09:00:00 +0700',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="ranh-gioi"',
    '',
    '--ranh-gioi',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.concat([Buffer.from('Nội dung: '), options.text.subarray(0, 2000)]).toString('base64'),
    '--ranh-gioi',
    `Content-Type: ${options.attachment ? 'application/zip' : 'application/pdf'}; name="${name}"`,
    `Content-Disposition: attachment; filename*=${filename}`,
    'Content-Transfer-Encoding: base64',
    '',
    (file.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n'),
    '--ranh-gioi--',
    '',
  ];
  return Buffer.from(head.join('\r\n'), 'latin1');
}

let db: TestDatabase;
let vhost: TestVhost;
let dovecot: TestDovecot;
let hub: HubProcess;
let prisma: PrismaClient;
let partner: Partner | undefined;
let dataDir: string;
let smtpPort = 0;

const waitUntil = pollUntil({ timeoutMs: 60_000, intervalMs: 250 });

/** The items of these mails, once every one is stored (or, after the timeout, those that are). */
async function storedMails(messageIds: string[]) {
  const hashes = messageIds.map((id) => rawHashes.get(id) ?? '');
  const find = () =>
    prisma.intakeItem.findMany({
      where: {
        OR: [{ messageId: { in: messageIds.map((id) => `<${id}>`) } }, { rawSha256: { in: hashes } }],
      },
      include: { attachments: true },
    });
  const isStored = (found: Awaited<ReturnType<typeof find>>, id: string, i: number) =>
    found.some((item) => item.messageId === `<${id}>` || item.rawSha256 === hashes[i]);
  const items = await waitUntil(async () => {
    const found = await find();
    return messageIds.every((id, i) => isStored(found, id, i)) ? found : null;
  }).catch(find);
  expect(messageIds.filter((id, i) => !isStored(items, id, i))).toEqual([]);
  return items;
}

/** What a clerk would read of a stored mail: nothing of it may hold a character the rule refuses. */
async function expectStoredSafely(messageIds: string[]): Promise<void> {
  for (const item of await storedMails(messageIds)) {
    expect(findUnsafeCharacter(item.subject ?? ''), `${item.messageId} subject`).toBeUndefined();
    for (const file of item.attachments)
      expect(findUnsafeCharacter(file.name), `${item.messageId} ${file.name}`).toBeUndefined();
    expect(findUnsafeCharacter(JSON.stringify(item.metadata), { bidi: false })).toBeUndefined();
  }
}

async function expectQuarantinedForArchives(messageIds: string[]): Promise<void> {
  for (const item of await storedMails(messageIds)) {
    expect(item.state, `${item.messageId}`).toBe('quarantined');
    expect(item.reason ?? '', `${item.messageId}`).toMatch(/zip/i);
  }
}

describe('the doors of a running hub, with hostile input', () => {
  // A missing service fails here, loudly: a skipped check would pass CI without checking anything.
  beforeAll(() => {
    expect(dovecotAvailable(), 'Dovecot is missing: `node scripts/ensure-test-services.mjs`').toBe(true);
  });
  beforeAll(async () => {
    [db, vhost, dovecot] = await Promise.all([
      createTestDatabase('hostile'),
      createTestVhost('hostile'),
      startTestDovecot(),
    ]);
    prisma = prismaFor(db.url, 3);
    await createPrismaAgencyDirectory(prisma).upsertAll([
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
    ]);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-hostile-'));
    const passwordFile = path.join(dataDir, 'imap-secret');
    fs.writeFileSync(passwordFile, `${dovecot.password}\n`);
    smtpPort = await freePort();
    hub = await startHubProcess(
      hubEnv({
        DATABASE_URL: db.url,
        LIENTHONG_DATA_DIR: dataDir,
        LIENTHONG_SMTP_PORT: String(smtpPort),
        LIENTHONG_SMTP_SENDER_AUTH: 'off',
        AMQP_URL: vhost.amqpUrl,
        LIENTHONG_AMQP_MANAGEMENT_URL: testServices.amqpManagementUrl,
        LIENTHONG_IMAP_MAILBOXES: JSON.stringify([
          {
            name: 'hopthu',
            host: '127.0.0.1',
            port: dovecot.port,
            secure: false,
            user: dovecot.user,
            passwordFile,
            agency: HUB,
          },
        ]),
      }),
    );
    // The hub makes the inboxes once its broker connection is up (after HTTP is).
    await waitUntil(() => prisma.brokerInbox.findUnique({ where: { organId: A } }), 30_000);
    const credentials = await issuePartnerBrokerAccess(
      { api: { url: testServices.amqpManagementUrl }, amqpUrl: vhost.amqpUrl, prisma },
      A,
    );
    partner = await connectPartner(vhost.amqpUrl, A, credentials);
  });

  afterAll(async () => {
    await partner?.close();
    await hub.terminate();
    await prisma.$disconnect();
    await dovecot.destroy();
    await Promise.all([db.drop(), vhost.drop()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('SMTP: answers 250 and stores hostile text cleaned, and quarantines every archive bomb', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true });
    const send = async (raw: Buffer) =>
      (await transport.sendMail({ envelope: { from: 'a@b.example', to: [`${HUB}@lienthong.local`] }, raw }))
        .response;
    const texts: string[] = [];
    for (const [name, text] of HOSTILE_MAIL_TEXT) {
      const messageId = `smtp-${name}-${randomUUID()}@b.example`;
      expect(await send(hostileMail({ messageId, text })), name).toMatch(/^250/);
      texts.push(messageId);
    }
    const bombs: string[] = [];
    for (const [name, bytes] of HOSTILE_ARCHIVES) {
      const messageId = `smtp-${name}-${randomUUID()}@b.example`;
      expect(
        await send(hostileMail({ messageId, text: Buffer.from(name), attachment: bytes() })),
        name,
      ).toMatch(/^250/);
      bombs.push(messageId);
    }
    transport.close();
    await expectStoredSafely([...texts, ...bombs]);
    await expectQuarantinedForArchives(bombs);
  });

  it('IMAP: collects the same mails from a real mailbox, stored cleaned or quarantined, and marks them seen', async () => {
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
    const texts: string[] = [];
    const bombs: string[] = [];
    for (const [name, text] of HOSTILE_MAIL_TEXT) {
      const messageId = `imap-${name}-${randomUUID()}@b.example`;
      await imap.append('INBOX', hostileMail({ messageId, text }));
      texts.push(messageId);
    }
    for (const [name, bytes] of HOSTILE_ARCHIVES) {
      const messageId = `imap-${name}-${randomUUID()}@b.example`;
      await imap.append('INBOX', hostileMail({ messageId, text: Buffer.from(name), attachment: bytes() }));
      bombs.push(messageId);
    }
    await expectStoredSafely([...texts, ...bombs]);
    await expectQuarantinedForArchives(bombs);
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const unseen = await imap.search({ seen: false });
      expect(unseen === false ? [] : unseen).toEqual([]);
    } finally {
      lock.release();
    }
    await imap.logout();
  });

  it('AMQP submit: refuses each hostile package with a reason for the partner, and the hosted inbox still flows', async () => {
    const withSubject = (xmlText: string) =>
      Buffer.from(
        documentPackage({ from: A, to: [HUB], subject: 'MARK' })
          .toString('utf8')
          .replace('MARK', xmlText),
      );
    const refused: readonly (readonly [string, Buffer, RegExp])[] = [
      ['a raw NUL', withSubject('V/v\u0000'), /NUL character \(U\+0000\)/],
      ['&#0;', withSubject('V/v&#0;'), /NUL character \(U\+0000\)/],
      ['a control character', withSubject('V/v&#7;'), /control character U\+0007/],
      ['a lone surrogate', withSubject('V/v&#xDC00;'), /lone UTF-16 surrogate/],
      ['a noncharacter', withSubject('V/v&#xFDD0;'), /noncharacter U\+FDD0/],
      ['a 1 MB subject', withSubject('x'.repeat(1_000_000)), /Subject/],
      ...HOSTILE_ARCHIVES.map(
        ([name, bytes]) =>
          [
            `the ${name} archive`,
            documentPackage({
              from: A,
              to: [HUB],
              attachments: [{ name: 'ho-so.zip', bytes: bytes(), contentType: 'application/zip' }],
            }),
            /ZIP attachment refused/,
          ] as const,
      ),
    ];
    if (!partner) throw new Error('no partner connection');
    const { inbox } = partner;
    const errorsBefore = inbox.filter((m) => m.properties.type === 'error').length;
    for (const [, body] of refused) partner.submit(body);
    // A bidi override is text: accepted, and dropped from the subject the clerk reads.
    const bidiDocument = `${A},2026/11/25,bidi/STC`;
    partner.submit(
      Buffer.from(
        documentPackage({ from: A, to: [HUB], subject: 'MARK', documentId: bidiDocument })
          .toString('utf8')
          .replace('MARK', 'hoadon\u202Efdp.exe')
          .replace(`Cơ quan ${A}`, `Cơ quan\u202E ${A}`),
      ),
    );
    const good = `${A},2026/11/25,good/STC`;
    partner.submit(
      documentPackage({ from: A, to: [HUB], documentId: good, subject: 'V/v sau các gói độc hại' }),
    );

    await waitUntil(() => prisma.intakeItem.findFirst({ where: { documentKey: good } }), 60_000);
    const bidi = await waitUntil(
      () => prisma.intakeItem.findFirst({ where: { documentKey: bidiDocument } }),
      60_000,
    );
    expect(bidi.subject).toBe('hoadonfdp.exe');
    // The sender's name a clerk reads, and registers from (the form would refuse the override).
    expect(findUnsafeCharacter(JSON.stringify(bidi.metadata))).toBeUndefined();
    await waitUntil(() =>
      Promise.resolve(
        inbox.filter((m) => m.properties.type === 'error').length >= errorsBefore + refused.length,
      ),
    );
    const reasons = inbox
      .filter((m) => m.properties.type === 'error')
      .slice(errorsBefore)
      .map((m) => (JSON.parse(m.content.toString()) as { reasons: string[] }).reasons.join(' '));
    for (const [name, , reason] of refused)
      expect(
        reasons.some((text) => reason.test(text)),
        `${name}: ${reasons.join(' | ').slice(0, 500)}`,
      ).toBe(true);
    // Nothing half-stored: no package recorded for a refused submission, nothing left in the dead letters.
    expect(await prisma.relayPackage.count({ where: { fromOrganId: A } })).toBe(2);
  });
});
