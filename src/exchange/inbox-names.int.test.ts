import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../db/index.ts';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import { createTestVhost, type TestVhost } from '../../test/support/test-broker.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { freshInboxQueue, inboxQueueOf, legacyInboxQueue, settleInbox } from './inbox-names.ts';
import { assertInbox, assertTopology, EXCHANGES } from './topology.ts';

/**
 * A hub upgraded in place: its inboxes were made under the old guessable names and hold documents
 * not yet read. On its first connect a hosted agency's inbox moves to a new name with every message;
 * a partner's stays where its system reads it until its credentials are issued again; a move cut
 * short (the hub killed halfway) is finished on the next connect.
 */
const HOSTED = '000.00.41.H53';
const PARTNER = '000.00.42.H53';
const NEW_PARTNER = '000.00.43.H53';
const HALFWAY = '000.00.44.H53';

let db: TestDatabase;
let vhost: TestVhost;
let prisma: PrismaClient;
let connection: ChannelModel;

async function publishTo(organId: string, ids: string[]): Promise<void> {
  const channel = await connection.createConfirmChannel();
  for (const id of ids)
    channel.publish(EXCHANGES.deliver, organId, Buffer.from(`body of ${id}`), {
      persistent: true,
      mandatory: true,
      messageId: id,
      type: 'edoc',
      headers: { 'x-lienthong-from': '000.00.00.H53' },
    });
  await channel.waitForConfirms();
  await channel.close();
}

async function drain(queue: string): Promise<string[]> {
  const channel = await connection.createChannel();
  const got: string[] = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (!message) break;
    got.push(
      `${message.properties.messageId as string}|${message.properties.headers?.['x-lienthong-from'] as string}`,
    );
  }
  await channel.close();
  return got;
}

async function exists(queue: string): Promise<boolean> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.checkQueue(queue);
    await channel.close();
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  [db, vhost] = await Promise.all([createTestDatabase('inboxnames'), createTestVhost('inboxnames')]);
  prisma = prismaFor(db.url, 2);
  connection = await amqp.connect(vhost.amqpUrl);
  connection.on('error', () => undefined);
  const channel = await connection.createChannel();
  await assertTopology(channel);
  // What an earlier version of the hub made, with documents waiting.
  for (const organId of [HOSTED, PARTNER]) await assertInbox(channel, legacyInboxQueue(organId), organId);
  await channel.close();
  await publishTo(HOSTED, ['h1', 'h2', 'h3']);
  await publishTo(PARTNER, ['p1']);
});

afterAll(async () => {
  await connection.close().catch(() => undefined);
  await prisma.$disconnect();
  await Promise.all([db.drop(), vhost.drop()]);
});

describe('inboxes under the old names', () => {
  it('moves a hosted agency’s inbox to a new name with every waiting message, in order', async () => {
    const queue = await settleInbox(connection, prisma, { organId: HOSTED, channel: 'hosted' });
    expect(queue).toMatch(/^lienthong\.inbox\.000\.00\.41\.H53\.[A-Za-z0-9_-]{22}$/);
    expect(await exists(legacyInboxQueue(HOSTED))).toBe(false);
    // New documents reach the new name only.
    await publishTo(HOSTED, ['h4']);
    expect(await drain(queue)).toEqual(['h1', 'h2', 'h3', 'h4'].map((id) => `${id}|000.00.00.H53`));
    expect(await inboxQueueOf(prisma, HOSTED)).toBe(queue);
    // Settling again (every reconnect) keeps the name.
    expect(await settleInbox(connection, prisma, { organId: HOSTED, channel: 'hosted' })).toBe(queue);
  });

  it('leaves a partner’s inbox where its system reads it until credentials are issued again', async () => {
    const queue = await settleInbox(connection, prisma, { organId: PARTNER, channel: 'partner' });
    expect(queue).toBe(legacyInboxQueue(PARTNER));
    expect(await drain(queue)).toEqual(['p1|000.00.00.H53']);
  });

  it('gives a partner that never had an inbox a new name at once', async () => {
    const queue = await settleInbox(connection, prisma, { organId: NEW_PARTNER, channel: 'partner' });
    expect(queue).not.toBe(legacyInboxQueue(NEW_PARTNER));
    expect(await exists(legacyInboxQueue(NEW_PARTNER))).toBe(false);
  });

  it('finishes a move cut short: the new queue made, the old one still bound and holding messages', async () => {
    const old = freshInboxQueue(HALFWAY);
    const next = freshInboxQueue(HALFWAY);
    const channel = await connection.createChannel();
    await assertInbox(channel, old, HALFWAY);
    await channel.close();
    await publishTo(HALFWAY, ['a1', 'a2']);
    // The hub recorded the move and made the new queue, then died.
    await prisma.brokerInbox.create({ data: { organId: HALFWAY, queue: next, previousQueue: old } });
    const bind = await connection.createChannel();
    await assertInbox(bind, next, HALFWAY);
    await bind.close();
    await publishTo(HALFWAY, ['a3']); // bound to both: arrives twice, once in each

    expect(await settleInbox(connection, prisma, { organId: HALFWAY, channel: 'hosted' })).toBe(next);
    expect(await exists(old)).toBe(false);
    const got = await drain(next);
    expect(got.sort()).toEqual(['a1', 'a2', 'a3', 'a3'].map((id) => `${id}|000.00.00.H53`));
    expect(
      (await prisma.brokerInbox.findUniqueOrThrow({ where: { organId: HALFWAY } })).previousQueue,
    ).toBeNull();
  });
});
