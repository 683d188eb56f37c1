import { fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { prismaFor } from '../../../test/support/registry-fixtures.ts';
import { buildMail, uniqueSeed } from '../test-support/build-mail.ts';
import {
  HUB_AGENCY,
  MAIL_DOMAIN,
  seedAgencies,
  startTestListener,
  type TestListener,
} from '../test-support/listener-harness.ts';
import type { DribbleLog, DribblePlan } from '../test-support/dribblers.ts';
import { RawSmtp, dotStuff, type RawReply } from '../test-support/raw-smtp.ts';

// Slow clients (issue #13, defect 2): clients that send one byte now and then must not keep
// the listener from everyone else. The connection limits are the hub's defaults; the time
// limits are small so that the test sees every kind of cut within seconds.
const HUB_ADDRESS = `${HUB_AGENCY}@${MAIL_DOMAIN}`;
const DEFAULTS = loadConfig({}).smtp;
const SESSION_SECONDS = 8;
const DATA_SECONDS = 4;
const TIME_LIMITS = {
  sessionMs: SESSION_SECONDS * 1000,
  dataMs: DATA_SECONDS * 1000,
  minBytesPerSecond: 100,
  rateWindowMs: 2_000,
};

const DRIBBLERS = path.join(import.meta.dirname, '../test-support/dribblers.ts');

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('smtp_slow');
  prisma = prismaFor(db.url, 5);
  await seedAgencies(prisma);
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A polite sender: one message per connection, as an MTA with a new message does. */
async function sendOne(port: number, localAddress: string): Promise<{ ms: number; response: string }> {
  const started = Date.now();
  try {
    const info = await nodemailer
      .createTransport({
        host: '127.0.0.1',
        port,
        localAddress,
        secure: false,
        ignoreTLS: true,
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 5_000,
      })
      .sendMail({
        envelope: { from: 'vanthu@polite.example', to: [HUB_ADDRESS] },
        raw: buildMail({ seed: uniqueSeed(), to: [HUB_ADDRESS] }),
      });
    return { ms: Date.now() - started, response: info.response };
  } catch (error) {
    return { ms: Date.now() - started, response: String((error as { response?: string }).response ?? error) };
  }
}

describe('slow clients', () => {
  let listener: TestListener;
  beforeAll(async () => {
    listener = await startTestListener(prisma, {
      maxClients: DEFAULTS.maxClients,
      limits: {
        maxPerClient: DEFAULTS.maxConnectionsPerClient,
        maxPerClientPerMinute: DEFAULTS.maxConnectionsPerClientPerMinute,
      },
      timeLimits: TIME_LIMITS,
    });
  });
  afterAll(async () => {
    await listener.close();
  });

  it('500 dribbling connections from 10 addresses: a sender on another address gets 250 within 2 s, every time', async () => {
    // before the attack: the first message pays for cold caches and the database pool, not the dribblers
    expect((await sendOne(listener.port, '127.0.0.200')).response).toMatch(/^250/);
    const plan: DribblePlan = {
      port: listener.port,
      count: 500,
      addresses: Array.from({ length: 10 }, (_, i) => `127.0.0.${String(10 + i)}`),
      recipient: HUB_ADDRESS,
    };
    // the attackers' sockets in a process of their own, as other machines they are
    const dribblers = fork(DRIBBLERS, [JSON.stringify(plan)], { execArgv: ['--import', 'tsx'] });
    const results: { ms: number; response: string }[] = [];
    let log: DribbleLog;
    try {
      await once(dribblers, 'message'); // started
      await sleep(2_000);
      const until = Date.now() + (SESSION_SECONDS * 2 + 2) * 1000;
      while (Date.now() < until) {
        results.push(await sendOne(listener.port, '127.0.0.200'));
        await sleep(200);
      }
      const seen = once(dribblers, 'message');
      dribblers.send('stop');
      [log] = (await seen) as [DribbleLog];
    } finally {
      dribblers.kill();
    }

    const slow = results.filter((r) => !r.response.startsWith('250') || r.ms > 2_000);
    expect(slow).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(20);
    // the dribblers were held at 10 per address, cut in DATA, and cut at the session's end
    expect(
      log.refused.some((r) => r.code === 421 && /too many connections from your address/i.test(r.text)),
    ).toBe(true);
    expect(log.cut.some((r) => r.code === 421 && /DATA/.test(r.text) && /4\.4\.2/.test(r.text))).toBe(true);
    expect(log.cut.some((r) => r.code === 421 && /session/i.test(r.text) && /4\.4\.2/.test(r.text))).toBe(
      true,
    );
    // nothing half-received was kept: only the polite sender's messages became items
    await listener.drained();
    expect(await prisma.mailSpool.count()).toBe(0);
    expect(await prisma.intakeItem.count({ where: { subject: { startsWith: 'dribble' } } })).toBe(0);
    expect(await prisma.intakeItem.count()).toBe(results.length + 1);
  });
});

describe('time limits of one session', () => {
  let listener: TestListener;
  beforeAll(async () => {
    listener = await startTestListener(prisma, { timeLimits: TIME_LIMITS });
  });
  afterAll(async () => {
    await listener.close();
  });

  const openData = async () => {
    const { client } = await RawSmtp.connect(listener.port);
    await client.command('EHLO test.example');
    await client.command('MAIL FROM:<a@b.example>');
    await client.command(`RCPT TO:<${HUB_ADDRESS}>`);
    expect((await client.command('DATA')).code).toBe(354);
    return client;
  };

  /** Sends `body` in pieces of `piece` bytes every `everyMs`; the reply that came, if one did. */
  const trickle = async (client: RawSmtp, body: Buffer, piece: number, everyMs: number) => {
    const ended = client.reply(60_000).then(
      (reply) => reply,
      () => undefined,
    );
    for (let at = 0; at < body.length; at += piece) {
      client.write(body.subarray(at, at + piece));
      const reply = await Promise.race([ended, sleep(everyMs).then(() => undefined)]);
      if (reply) return { reply, sentAll: false };
    }
    client.write('\r\n.\r\n');
    return { reply: await ended, sentAll: true };
  };

  it('cuts DATA below the minimum rate once the window has passed, and keeps nothing', async () => {
    const seed = uniqueSeed();
    const client = await openData();
    const started = Date.now();
    const { reply, sentAll } = await trickle(client, dotStuff(buildMail({ seed })), 20, 400); // 50 B/s
    expect(sentAll).toBe(false);
    expect(reply?.code).toBe(421);
    expect(reply?.text).toMatch(/4\.4\.2 .*100 bytes per second/);
    expect(Date.now() - started).toBeLessThan(DATA_SECONDS * 1000);
    await client.closed;
    await listener.drained();
    expect(await prisma.intakeItem.count({ where: { messageId: `<${seed}@stc.example.vn>` } })).toBe(0);
  });

  it('cuts DATA at its deadline even above the rate, and keeps nothing', async () => {
    const seed = uniqueSeed();
    const client = await openData();
    const started = Date.now();
    const body = dotStuff(buildMail({ seed, padBytes: 20 * 1024 }));
    const { reply, sentAll } = await trickle(client, body, 150, 250); // 600 B/s, 35 s for the whole
    expect(sentAll).toBe(false);
    expect(reply?.code).toBe(421);
    expect(reply?.text).toMatch(/4\.4\.2 .*DATA.*4 s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(DATA_SECONDS * 1000 - 300);
    await client.closed;
    await listener.drained();
    expect(await prisma.intakeItem.count({ where: { messageId: `<${seed}@stc.example.vn>` } })).toBe(0);
  });

  it('takes a message sent within the limits, and ends the session at its deadline between messages', async () => {
    const { client } = await RawSmtp.connect(listener.port);
    await client.command('EHLO test.example');
    const seeds: string[] = [];
    const started = Date.now();
    let last: RawReply | undefined;
    // a message every second, each sent in 1.5 s at 2 KB/s, for longer than the session may last
    session: while (Date.now() - started < (SESSION_SECONDS + 4) * 1000) {
      for (const line of ['MAIL FROM:<a@b.example>', `RCPT TO:<${HUB_ADDRESS}>`, 'DATA']) {
        const reply = await client.command(line);
        if (reply.code >= 400) {
          last = reply;
          break session;
        }
      }
      const seed = uniqueSeed();
      const { reply } = await trickle(client, dotStuff(buildMail({ seed, padBytes: 2_000 })), 512, 250);
      if (reply?.code !== 250) {
        last = reply;
        break;
      }
      seeds.push(seed);
    }
    expect(last?.code).toBe(421);
    expect(last?.text).toMatch(/4\.4\.2 Session time limit of 8 s/);
    expect(Date.now() - started).toBeLessThan((SESSION_SECONDS + 4) * 1000);
    expect(seeds.length).toBeGreaterThanOrEqual(2);
    await listener.drained();
    for (const seed of seeds)
      expect(await prisma.intakeItem.count({ where: { messageId: `<${seed}@stc.example.vn>` } })).toBe(1);
  });
});
