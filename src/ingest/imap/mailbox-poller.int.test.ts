import { ImapFlow } from 'imapflow';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dovecotAvailable, startTestDovecot, type TestDovecot } from '../../../test/support/test-dovecot.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { prismaFor } from '../../../test/support/registry-fixtures.ts';
import type { PrismaClient } from '../../db/index.ts';
import { HubError } from '../../shared/index.ts';
import { buildMail } from '../test-support/build-mail.ts';
import { HUB_AGENCY, MAIL_DOMAIN, seedAgencies, startTestSpool } from '../test-support/listener-harness.ts';
import type { MailSpoolPort } from '../smtp/smtp-listener.ts';
import type { SpoolProcessor } from '../spool/spool-processor.ts';
import { prismaRecipientDirectory } from '../recipient-directory.ts';
import { startMailboxPoller, type MailboxConfig, type MailboxPoller } from './mailbox-poller.ts';

// Against a real Dovecot started for this file (test/support/test-dovecot.ts).
let dovecot: TestDovecot;
let db: TestDatabase;
let prisma: PrismaClient;
let sender: ImapFlow;
// One spool processor for the file, as in the hub: pollers only spool, it makes the items.
let spool: MailSpoolPort;
let processor: SpoolProcessor;

const log = pino({ level: 'silent' });

beforeAll(async () => {
  dovecot = await startTestDovecot();
  db = await createTestDatabase('imap');
  prisma = prismaFor(db.url, 5);
  await seedAgencies(prisma);
  ({ spool, processor } = startTestSpool(prisma));
  sender = await imapClient();
});

afterAll(async () => {
  await processor.stop();
  await sender.logout().catch(() => undefined);
  await prisma.$disconnect();
  await db.drop();
  await dovecot.destroy();
});

async function imapClient(): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
  });
  await client.connect();
  return client;
}

function mailbox(folder: string, overrides: Partial<MailboxConfig> = {}): MailboxConfig {
  const directory = prismaRecipientDirectory(prisma, MAIL_DOMAIN);
  return {
    name: folder,
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    user: dovecot.user,
    password: dovecot.password,
    folder,
    afterCommit: 'seen',
    processedFolder: `${folder}-done`,
    recipient: () => directory.resolve(`${HUB_AGENCY}@${MAIL_DOMAIN}`),
    ...overrides,
  };
}

const poll = (config: MailboxConfig): MailboxPoller =>
  startMailboxPoller(config, {
    spool,
    log,
    pollIntervalMs: 500,
    backoff: { initialMs: 100, maxMs: 1_000 },
  });

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const itemsFor = (prefix: string) =>
  prisma.intakeItem.findMany({
    where: { messageId: { startsWith: `<${prefix}-` } },
    select: { messageId: true },
  });

/** The test's own client survives the Dovecot restart in the burst test by reconnecting. */
async function withSender<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      if (!sender.usable) sender = await imapClient();
      return await work(sender);
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function status(folder: string): Promise<{ messages: number; uidValidity: bigint }> {
  const result = await sender.status(folder, { messages: true, uidValidity: true });
  if (!result) throw new HubError('INGEST_TEST_SERVICE', `no STATUS for ${folder}`);
  return { messages: result.messages ?? 0, uidValidity: result.uidValidity ?? 0n };
}

async function unseen(folder: string): Promise<number> {
  return withSender((client) => countUnseen(client, folder));
}

async function countUnseen(client: ImapFlow, folder: string): Promise<number> {
  const lock = await client.getMailboxLock(folder);
  try {
    return ((await client.search({ seen: false }, { uid: true })) || []).length;
  } finally {
    lock.release();
  }
}

describe('IMAP mailbox poller', () => {
  // A missing service fails here, loudly: a skipped check would pass CI without checking anything.
  beforeAll(() => {
    expect(
      dovecotAvailable(),
      'Dovecot is missing: `node scripts/ensure-test-services.mjs` installs dovecot-imapd',
    ).toBe(true);
  });
  it('stores each message, then marks it seen; or moves it when configured', async () => {
    await sender.mailboxCreate('Basic');
    await sender.mailboxCreate('Moving');
    for (let i = 0; i < 3; i += 1) {
      await sender.append('Basic', buildMail({ seed: `basic-${i}` }));
      await sender.append('Moving', buildMail({ seed: `moving-${i}` }));
    }
    // read by a person before the hub saw it: move mode still collects it
    await sender.append('Moving', buildMail({ seed: 'moving-3' }), ['\\Seen']);
    const seen = poll(mailbox('Basic'));
    const moving = poll(mailbox('Moving', { afterCommit: 'move' }));
    await waitUntil(
      async () => (await itemsFor('basic')).length === 3 && (await itemsFor('moving')).length === 4,
      20_000,
    );
    await waitUntil(async () => (await unseen('Basic')) === 0, 10_000);
    await waitUntil(async () => (await status('Moving')).messages === 0, 10_000);
    await seen.stop();
    await moving.stop();
    const moved = await status('Moving');
    const done = await status('Moving-done');
    expect(moved.messages).toBe(0);
    expect(done.messages).toBe(4);
    const item = await prisma.intakeItem.findFirstOrThrow({
      where: { messageId: '<basic-0@stc.example.vn>' },
    });
    expect(item.source).toBe('imap');
    expect((item.metadata as { envelope: { origin: { folder: string } } }).envelope.origin.folder).toBe(
      'Basic',
    );
  });

  it(
    'restarted at random points while 500 messages arrive, delivers each exactly once',
    { timeout: 180_000 },
    async () => {
      await sender.mailboxCreate('Burst');
      const TOTAL = 500;
      const arriving = (async () => {
        for (let i = 0; i < TOTAL; i += 1) {
          await withSender((client) => client.append('Burst', buildMail({ seed: `burst-${i}` })));
          if (i % 50 === 0) await new Promise((r) => setTimeout(r, 50));
        }
      })();
      let restarts = 0;
      const progress = { arrived: false };
      const hasArrived = () => progress.arrived;
      void arriving.then(() => (progress.arrived = true));
      // Restart until the burst has arrived and most of it went through restarted pollers.
      while (
        (!hasArrived() || restarts < 10 || (await itemsFor('burst')).length < TOTAL * 0.8) &&
        restarts < 300
      ) {
        const poller = poll(mailbox('Burst'));
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 700));
        await poller.stop(); // mid-fetch, mid-commit or between commit and \Seen
        restarts += 1;
        if (restarts === 5) {
          // the server goes away too: the next poller must wait it out with back-off
          await dovecot.stop();
          const during = poll(mailbox('Burst'));
          await new Promise((r) => setTimeout(r, 500));
          await dovecot.start();
          await new Promise((r) => setTimeout(r, 1_500));
          await during.stop();
        }
      }
      await arriving;
      // most of the burst went through the restarted pollers, not only the last one
      expect((await itemsFor('burst')).length).toBeGreaterThan(TOTAL / 2);
      const last = poll(mailbox('Burst'));
      await waitUntil(async () => (await unseen('Burst')) === 0, 120_000);
      await last.stop();
      await processor.drained();
      expect(await prisma.mailSpool.count()).toBe(0);
      const items = await itemsFor('burst');
      const ids = items.map((i) => i.messageId);
      expect(new Set(ids).size).toBe(TOTAL);
      expect(ids.length).toBe(TOTAL);
      expect(restarts).toBeGreaterThanOrEqual(10);
    },
  );

  it('handles a UIDVALIDITY change: new messages are stored, old ones not twice', async () => {
    if (!sender.usable) sender = await imapClient();
    await sender.mailboxCreate('Renewed');
    await sender.append('Renewed', buildMail({ seed: 'renew-a' }));
    let poller = poll(mailbox('Renewed'));
    await waitUntil(async () => (await itemsFor('renew')).length === 1, 20_000);
    await poller.stop();
    const before: unknown = (await status('Renewed')).uidValidity;
    await sender.mailboxDelete('Renewed');
    await sender.mailboxCreate('Renewed');
    expect((await status('Renewed')).uidValidity).not.toBe(before);
    await sender.append('Renewed', buildMail({ seed: 'renew-a' })); // the same message again, unseen
    await sender.append('Renewed', buildMail({ seed: 'renew-b' }));
    poller = poll(mailbox('Renewed'));
    await waitUntil(async () => (await unseen('Renewed')) === 0, 20_000);
    await poller.stop();
    await processor.drained();
    expect((await itemsFor('renew')).map((i) => i.messageId).sort()).toEqual([
      '<renew-a@stc.example.vn>',
      '<renew-b@stc.example.vn>',
    ]);
  });
});
