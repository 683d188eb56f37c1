import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { prismaFor } from '../../../test/support/registry-fixtures.ts';
import type { PrismaClient } from '../../db/index.ts';
import { pino } from 'pino';
import { prismaRecipientDirectory } from '../recipient-directory.ts';
import { createApiToken, LoginThrottle, revokeApiToken } from '../../access/index.ts';
import { agencyTokenAuthenticator } from './agency-credentials.ts';
import { startSmtpListener } from './smtp-listener.ts';
import { buildMail, uniqueSeed } from '../test-support/build-mail.ts';
import { RawSmtp, dotStuff } from '../test-support/raw-smtp.ts';
import {
  HUB_AGENCY,
  KNOWN_SENDER,
  SECOND_ADDRESS,
  SECOND_AGENCY,
  SENDER_AGENCY,
  MAIL_DOMAIN,
  seedAgencies,
  startTestListener,
  startTestSpool,
  TEST_TIME_LIMITS,
  type TestListener,
} from '../test-support/listener-harness.ts';

const HUB_ADDRESS = `${HUB_AGENCY}@${MAIL_DOMAIN}`;
let db: TestDatabase;
let prisma: PrismaClient;
let listener: TestListener;

beforeAll(async () => {
  db = await createTestDatabase('smtp');
  prisma = prismaFor(db.url, 5);
  await seedAgencies(prisma);
  listener = await startTestListener(prisma, { maxMessageBytes: 64 * 1024 });
});

afterAll(async () => {
  await listener.close();
  await prisma.$disconnect();
  await db.drop();
});

const transport = () =>
  nodemailer.createTransport({
    host: '127.0.0.1',
    port: listener.port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 5_000,
  });

const counts = async () => ({ items: await prisma.intakeItem.count(), blobs: await prisma.blob.count() });

describe('SMTP listener', () => {
  it('answers 250 only with the raw message committed, then reads it into one item per agency', async () => {
    const seed = uniqueSeed();
    const raw = buildMail({
      seed,
      from: KNOWN_SENDER,
      to: [HUB_ADDRESS, SECOND_ADDRESS],
      subject: 'Fw: Số 123/UBND-VP: V/v triển khai kế hoạch',
    });
    const info = await transport().sendMail({
      envelope: { from: KNOWN_SENDER, to: [HUB_ADDRESS, SECOND_ADDRESS] },
      raw,
    });
    expect(info.response).toMatch(/^250 OK queued as \d+/);
    // Durable at the 250: in the spool, or already read into items (the processor may be quick).
    const spoolId = BigInt(/queued as (\d+)/.exec(info.response)?.[1] ?? '0');
    const spooled = await prisma.mailSpool.findUnique({ where: { id: spoolId } });
    const early = await prisma.intakeItem.count({ where: { messageId: `<${seed}@stc.example.vn>` } });
    expect(spooled !== null || early === 2).toBe(true);
    if (spooled) expect(Buffer.from(spooled.raw).toString()).toBe(raw);
    await listener.drained();
    expect(await prisma.mailSpool.findUnique({ where: { id: spoolId } })).toBeNull();
    const items = await prisma.intakeItem.findMany({
      where: { messageId: `<${seed}@stc.example.vn>` },
      include: { attachments: true, agency: true },
    });
    expect(items.map((i) => i.agency.organId).sort()).toEqual([HUB_AGENCY, '000.00.11.H53']);
    for (const item of items) {
      expect(item.state).toBe('new');
      expect(item.senderOrganId).toBe('000.00.22.H53');
      expect(item.attachments.map((a) => a.name)).toEqual([`vanban-${seed}.pdf`]);
      expect(item.subject).toBe('V/v triển khai kế hoạch');
      expect((item.metadata as { code?: unknown }).code).toEqual({ number: '123', notation: 'UBND-VP' });
    }
  });

  it('the same message delivered twice makes one item per agency', async () => {
    const seed = uniqueSeed();
    const raw = buildMail({ seed, to: [HUB_ADDRESS] });
    for (let i = 0; i < 2; i += 1)
      expect(
        (await transport().sendMail({ envelope: { from: 'a@b.example', to: [HUB_ADDRESS] }, raw })).response,
      ).toMatch(/^250/);
    await listener.drained();
    expect(await prisma.intakeItem.count({ where: { messageId: `<${seed}@stc.example.vn>` } })).toBe(1);
  });

  it('answers 550 at RCPT for an unknown recipient and keeps the known one', async () => {
    const { client } = await RawSmtp.connect(listener.port);
    await client.command('EHLO test.example');
    expect((await client.command('MAIL FROM:<a@b.example>')).code).toBe(250);
    expect((await client.command('RCPT TO:<nobody@lienthong.local>')).code).toBe(550);
    expect((await client.command('RCPT TO:<999.99.99.H99@lienthong.local>')).code).toBe(550);
    expect((await client.command(`RCPT TO:<${HUB_ADDRESS.toLowerCase()}>`)).code).toBe(250);
    client.close();
    await expect(
      transport().sendMail({
        envelope: { from: 'a@b.example', to: ['nobody@lienthong.local'] },
        raw: buildMail({ seed: 'x' }),
      }),
    ).rejects.toMatchObject({ responseCode: 550, command: 'RCPT TO' });
  });

  it('advertises SIZE and answers 552 for a declared or actual over-size message, keeping nothing', async () => {
    const before = await counts();
    const { client } = await RawSmtp.connect(listener.port);
    const ehlo = await client.command('EHLO test.example');
    expect(ehlo.text).toContain(`SIZE ${64 * 1024}`);
    expect((await client.command(`MAIL FROM:<a@b.example> SIZE=${1024 * 1024}`)).code).toBe(552);
    // no SIZE parameter: the bytes themselves go over the limit
    const big = buildMail({ seed: uniqueSeed(), padBytes: 200 * 1024 });
    const replies = await client.send('a@b.example', [HUB_ADDRESS], dotStuff(big));
    expect(replies.at(-1)?.code).toBe(552);
    // the session goes on: a small message afterwards is accepted
    const small = await client.send(
      'a@b.example',
      [HUB_ADDRESS],
      dotStuff(buildMail({ seed: uniqueSeed() })),
    );
    expect(small.at(-1)?.code).toBe(250);
    client.close();
    await listener.drained();
    const after = await counts();
    expect(after.items).toBe(before.items + 1);
    expect(after.blobs).toBe(before.blobs + 2); // the small message and its PDF, nothing of the big one
  });

  it('keeps bare LF line endings byte-exact; a bare LF dot does not end DATA', async () => {
    const seed = uniqueSeed();
    const body = `From: x@y.example\nTo: ${HUB_ADDRESS}\nSubject: bare ${seed}\nMessage-ID: <${seed}@bare>\n\nline one\n.\nstill content\n`;
    const { client } = await RawSmtp.connect(listener.port);
    await client.command('EHLO test.example');
    const replies = await client.send('x@y.example', [HUB_ADDRESS], body);
    expect(replies.at(-1)?.code).toBe(250);
    client.close();
    await listener.drained();
    const item = await prisma.intakeItem.findFirstOrThrow({ where: { messageId: `<${seed}@bare>` } });
    const blob = await prisma.blob.findUniqueOrThrow({ where: { sha256: item.rawSha256 } });
    expect(Buffer.from(blob.content).toString('latin1')).toBe(`${body}\r\n`);
  });

  it('refuses AUTH without TLS and limits connections per client', async () => {
    const { client } = await RawSmtp.connect(listener.port);
    const ehlo = await client.command('EHLO test.example');
    expect(ehlo.text).not.toMatch(/AUTH/);
    expect((await client.command('AUTH PLAIN AGZvbwBiYXI=')).code).toBeGreaterThanOrEqual(500);
    client.close();
    const limited = await startTestListener(prisma, {
      limits: { maxPerClient: 2, maxPerClientPerMinute: 1000 },
    });
    const open = [await RawSmtp.connect(limited.port), await RawSmtp.connect(limited.port)];
    const third = await RawSmtp.connect(limited.port);
    expect(open.map((o) => o.greeting.code)).toEqual([220, 220]);
    expect(third.greeting.code).toBe(421);
    for (const o of open) o.client.close();
    await limited.close();
  });

  it('defers new mail with 451 while the spool is over its limit, and takes it again once drained', async () => {
    const { spool, processor } = startTestSpool(prisma);
    // Its own processor is stopped, so the full spool is this test's count of what it spooled.
    await processor.stop();
    let spooledByThisTest = 0;
    const full = await startSmtpListener({
      host: '127.0.0.1',
      port: 0,
      name: MAIL_DOMAIN,
      maxMessageBytes: 64 * 1024,
      maxRecipients: 5,
      maxClients: 10,
      limits: { maxPerClient: 10, maxPerClientPerMinute: 1000 },
      timeLimits: TEST_TIME_LIMITS,
      directory: prismaRecipientDirectory(prisma, MAIL_DOMAIN),
      spool: { accept: (raw, envelope) => spool.accept(raw, envelope), full: () => spooledByThisTest >= 1 },
      log: pino({ level: 'silent' }),
    });
    try {
      const { client } = await RawSmtp.connect(full.port);
      await client.command('EHLO test.example');
      const first = await client.send(
        'a@b.example',
        [HUB_ADDRESS],
        dotStuff(buildMail({ seed: uniqueSeed() })),
      );
      expect(first.at(-1)?.code).toBe(250);
      spooledByThisTest += 1;
      const deferred = await client.command('MAIL FROM:<a@b.example>');
      expect(deferred.code).toBe(451);
      expect(deferred.text).toMatch(/still reading earlier mail/);
      client.close();
    } finally {
      await full.close();
    }
    // the deferred sender's retry goes through the normal listener once the backlog is read
    await listener.drained();
    expect(await prisma.mailSpool.count()).toBe(0);
  });

  it('stores a message unread and quarantined when reading it stopped the hub three times', async () => {
    const seed = uniqueSeed();
    const hub = await prisma.agency.findUniqueOrThrow({ where: { organId: HUB_AGENCY } });
    // As a hub killed while reading leaves it: taken 3 times, lease run out.
    await prisma.mailSpool.create({
      data: {
        source: 'smtp',
        envelope: {
          source: 'smtp',
          mailFrom: 'a@b.example',
          recipients: [{ agencyId: hub.id, organId: HUB_AGENCY }],
        },
        raw: new Uint8Array(Buffer.from(buildMail({ seed, to: [HUB_ADDRESS] }))),
        attempts: 3,
        leaseUntil: new Date(Date.now() - 1_000),
      },
    });
    await listener.drained();
    const [item] = await prisma.intakeItem.findMany({
      where: { agencyId: hub.id, reason: { contains: 'stopped 3 times' } },
    });
    expect(item?.state).toBe('quarantined');
    expect(item?.reason).toMatch(/stored unread: the hub stopped 3 times while reading this message/);
    const blob = await prisma.blob.findUniqueOrThrow({ where: { sha256: item?.rawSha256 ?? '' } });
    expect(Buffer.from(blob.content).toString()).toContain(`<${seed}@stc.example.vn>`);
    expect(await prisma.mailSpool.count()).toBe(0);
  });
});

/** A throw-away self-signed certificate (openssl), removed by the returned function. */
function selfSignedTls(): { tls: { key: Buffer; cert: Buffer }; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${dir}/key.pem`,
      '-out',
      `${dir}/cert.pem`,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );
  return {
    tls: { key: fs.readFileSync(`${dir}/key.pem`), cert: fs.readFileSync(`${dir}/cert.pem`) },
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sendOverTls = (port: number, user: string, pass: string, seed: string) =>
  nodemailer
    .createTransport({
      host: '127.0.0.1',
      port,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user, pass },
    })
    .sendMail({ envelope: { from: 'any@where.example', to: [HUB_ADDRESS] }, raw: buildMail({ seed }) });

describe('SMTP listener with a certificate', () => {
  it('offers STARTTLS, and AUTH only once TLS is up', async () => {
    const { tls, remove } = selfSignedTls();
    const secured = await startTestListener(prisma, {
      tls,
      authenticate: (user, password) =>
        Promise.resolve(user === KNOWN_SENDER && password === 'secret' ? SENDER_AGENCY : undefined),
    });
    try {
      const { client } = await RawSmtp.connect(secured.port);
      const ehlo = await client.command('EHLO test.example');
      expect(ehlo.text).toMatch(/STARTTLS/);
      // smtp-server lists AUTH before TLS but refuses it until STARTTLS
      expect((await client.command('AUTH PLAIN AGZvbwBiYXI=')).code).toBe(538);
      client.close();
      const seed = uniqueSeed();
      const info = await nodemailer
        .createTransport({
          host: '127.0.0.1',
          port: secured.port,
          requireTLS: true,
          tls: { rejectUnauthorized: false },
          auth: { user: KNOWN_SENDER, pass: 'secret' },
        })
        .sendMail({ envelope: { from: KNOWN_SENDER, to: [HUB_ADDRESS] }, raw: buildMail({ seed }) });
      expect(info.response).toMatch(/^250/);
      await secured.drained();
      const item = await prisma.intakeItem.findFirstOrThrow({
        where: { messageId: `<${seed}@stc.example.vn>` },
      });
      expect((item.metadata as { envelope: { authenticatedAs: string } }).envelope.authenticatedAs).toBe(
        SENDER_AGENCY,
      );
      await expect(
        nodemailer
          .createTransport({
            host: '127.0.0.1',
            port: secured.port,
            requireTLS: true,
            tls: { rejectUnauthorized: false },
            auth: { user: KNOWN_SENDER, pass: 'wrong' },
          })
          .sendMail({
            envelope: { from: KNOWN_SENDER, to: [HUB_ADDRESS] },
            raw: buildMail({ seed: uniqueSeed() }),
          }),
      ).rejects.toMatchObject({ responseCode: 535 });
    } finally {
      await secured.close();
      remove();
    }
  });

  it('lets an agency log in with its OrganId and one of its API tokens, and names it the sender', async () => {
    const { tls, remove } = selfSignedTls();
    const own = await createApiToken(prisma, { agency: SENDER_AGENCY }, 'test');
    const other = await createApiToken(prisma, { agency: SECOND_AGENCY }, 'test');
    if (own.kind !== 'created' || other.kind !== 'created') throw new Error('token not created');
    const throttle = new LoginThrottle({
      perUsername: { maxFailures: 3, windowMs: 60_000, maxKeys: 100 },
      perAddress: { maxFailures: 100, windowMs: 60_000, maxKeys: 100 },
    });
    const secured = await startTestListener(prisma, {
      tls,
      authenticate: agencyTokenAuthenticator(prisma, throttle),
    });
    try {
      const seed = uniqueSeed();
      // lower case OrganId is the same agency; From says nothing about it (an unknown address)
      const info = await sendOverTls(secured.port, SENDER_AGENCY.toLowerCase(), own.secret, seed);
      expect(info.response).toMatch(/^250/);
      await secured.drained();
      const item = await prisma.intakeItem.findFirstOrThrow({
        where: { messageId: `<${seed}@stc.example.vn>` },
      });
      expect(item.senderOrganId).toBe(SENDER_AGENCY);
      expect((item.metadata as { envelope: { authenticatedAs: string } }).envelope.authenticatedAs).toBe(
        SENDER_AGENCY,
      );
      // another agency's token, a made-up token, a revoked token: 535
      await expect(
        sendOverTls(secured.port, SENDER_AGENCY, other.secret, uniqueSeed()),
      ).rejects.toMatchObject({
        responseCode: 535,
      });
      await expect(
        sendOverTls(secured.port, SENDER_AGENCY, 'lt_not-a-token', uniqueSeed()),
      ).rejects.toMatchObject({
        responseCode: 535,
      });
      await revokeApiToken(prisma, own.token.id, 'test');
      await expect(sendOverTls(secured.port, SENDER_AGENCY, own.secret, uniqueSeed())).rejects.toMatchObject({
        responseCode: 535,
      });
      // three failures for this user name: now refused for a while, even with a right token
      const fresh = await createApiToken(prisma, { agency: SENDER_AGENCY }, 'test');
      if (fresh.kind !== 'created') throw new Error('token not created');
      await expect(
        sendOverTls(secured.port, SENDER_AGENCY, fresh.secret, uniqueSeed()),
      ).rejects.toMatchObject({
        responseCode: 454,
      });
    } finally {
      await secured.close();
      remove();
    }
  });
});
