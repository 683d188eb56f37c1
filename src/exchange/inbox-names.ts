import { randomBytes } from 'node:crypto';
import type { ChannelModel, GetMessage, MessageProperties, Options } from 'amqplib';
import type { PrismaClient } from '../db/index.ts';
import { HubError } from '../shared/index.ts';
import { assertInbox, EXCHANGES } from './topology.ts';

/**
 * Inbox queue names a partner cannot guess. RabbitMQ answers a passive `queue.declare` for any
 * queue of the vhost without checking the caller's permissions, so with inboxes named
 * `lienthong.inbox.<OrganId>` any partner could read another agency's inbox depth and its consumer
 * count (whether that agency's system is online). An inbox is now
 * `lienthong.inbox.<OrganId>.<128 random bits>`; a partner learns its own name with its
 * credentials, and the name changes whenever they are issued again.
 *
 * Moving an inbox to a new name loses nothing: the new queue is bound before the old one is
 * unbound (the relay publishes with `mandatory`, so there is no moment a message routes nowhere),
 * then the old queue's messages are copied over one by one, each acknowledged there only after the
 * broker confirmed its copy, and the old queue is deleted once empty and no consumer is attached
 * (one still attached may hold messages unacknowledged; the old queue, unbound, waits for it to
 * leave and the move finishes on a later refresh). The move is recorded first
 * (`previous_queue`), so a hub killed halfway finishes it on its next connect. A message caught
 * between the two bindings arrives twice; inbox messages carry a message id, and receivers drop
 * repeats (docs/contract.md).
 */
export function legacyInboxQueue(organId: string): string {
  return `lienthong.inbox.${organId}`;
}

export function freshInboxQueue(organId: string): string {
  return `lienthong.inbox.${organId}.${randomBytes(16).toString('base64url')}`;
}

/** The agency's inbox queue; an agency never moved keeps the old name. */
export async function inboxQueueOf(prisma: PrismaClient, organId: string): Promise<string> {
  const row = await prisma.brokerInbox.findUnique({ where: { organId }, select: { queue: true } });
  return row?.queue ?? legacyInboxQueue(organId);
}

export async function inboxQueuesOf(
  prisma: PrismaClient,
  organIds: readonly string[],
): Promise<{ organId: string; queue: string }[]> {
  const rows = await prisma.brokerInbox.findMany({
    where: { organId: { in: [...organIds] } },
    select: { organId: true, queue: true },
  });
  const named = new Map(rows.map((r) => [r.organId, r.queue]));
  return organIds.map((organId) => ({ organId, queue: named.get(organId) ?? legacyInboxQueue(organId) }));
}

/** Whether the agency's inbox has finished moving (its old queue is gone). */
export async function inboxMoved(prisma: PrismaClient, organId: string): Promise<boolean> {
  const row = await prisma.brokerInbox.findUnique({ where: { organId }, select: { previousQueue: true } });
  return !row?.previousQueue;
}

/** Whether a queue exists; a passive declare of a missing queue closes its channel, so it gets its own. */
const queueExists = (connection: ChannelModel, queue: string): Promise<boolean> =>
  withChannel(connection, (channel) => channel.checkQueue(queue)).then(
    () => true,
    () => false,
  );

export type InboxAgency = { organId: string; channel: string };

/**
 * Makes sure the agency's inbox exists under its name and finishes a move left halfway. A hosted
 * agency's inbox (read by the hub itself) is moved off the old name here; a partner's stays on the
 * old name until its credentials are issued again (its system reads the queue by name), unless it
 * has no inbox yet, in which case it gets a new name at once.
 */
export async function settleInbox(
  connection: ChannelModel,
  prisma: PrismaClient,
  agency: InboxAgency,
): Promise<string> {
  let row = await prisma.brokerInbox.findUnique({ where: { organId: agency.organId } });
  if (!row) {
    const legacy = legacyInboxQueue(agency.organId);
    const legacyExists = await queueExists(connection, legacy);
    if (agency.channel === 'partner' && legacyExists) {
      await withChannel(connection, (channel) => assertInbox(channel, legacy, agency.organId));
      return legacy;
    }
    // Two hubs on one database may do this at once: the first row wins, the other reads it.
    await prisma.brokerInbox.createMany({
      data: {
        organId: agency.organId,
        queue: freshInboxQueue(agency.organId),
        previousQueue: legacyExists ? legacy : null,
      },
      skipDuplicates: true,
    });
    row = await prisma.brokerInbox.findUniqueOrThrow({ where: { organId: agency.organId } });
  }
  const { queue } = row;
  await withChannel(connection, (channel) => assertInbox(channel, queue, agency.organId));
  if (row.previousQueue) await finishMove(connection, prisma, agency.organId, row.previousQueue, queue);
  // Renamed meanwhile (credentials issued while this hub was asserting): the queue just asserted
  // is not the inbox any more, and must not stay bound beside it.
  const now = await prisma.brokerInbox.findUniqueOrThrow({ where: { organId: agency.organId } });
  if (now.queue !== queue) {
    await finishMove(connection, prisma, agency.organId, queue, now.queue);
    return now.queue;
  }
  return queue;
}

/**
 * Gives a partner's inbox a new name when its credentials are issued again. `grant` runs with the
 * new name before anything moves (it sets the partner's read permission to it and closes the
 * partner's connections, so no message is held unacknowledged on the old queue); if it fails,
 * nothing has changed on the broker. Then the new queue is made and what waits in the old one
 * follows it.
 */
export async function renameInbox<T>(
  connection: ChannelModel,
  prisma: PrismaClient,
  agency: InboxAgency,
  grant: (queue: string) => Promise<T>,
): Promise<{ queue: string; granted: T; moved: boolean }> {
  // A move still pending is finished first, so no queue with messages is ever forgotten.
  const current = await settleInbox(connection, prisma, agency);
  const next = freshInboxQueue(agency.organId);
  const granted = await grant(next);
  await prisma.brokerInbox.upsert({
    where: { organId: agency.organId },
    create: { organId: agency.organId, queue: next, previousQueue: current },
    update: { queue: next, previousQueue: current },
  });
  await withChannel(connection, (channel) => assertInbox(channel, next, agency.organId));
  const moved = await finishMove(connection, prisma, agency.organId, current, next);
  return { queue: next, granted, moved };
}

async function withChannel<T>(
  connection: ChannelModel,
  work: (channel: Awaited<ReturnType<ChannelModel['createChannel']>>) => Promise<T>,
): Promise<T> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    return await work(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** What a moved message keeps of its properties (the broker sets the rest again). */
function republished(properties: MessageProperties): Options.Publish {
  const kept: Options.Publish = { persistent: true };
  if (properties.contentType) kept.contentType = properties.contentType as string;
  if (properties.contentEncoding) kept.contentEncoding = properties.contentEncoding as string;
  if (properties.headers) kept.headers = properties.headers;
  if (properties.correlationId) kept.correlationId = properties.correlationId as string;
  if (properties.messageId) kept.messageId = properties.messageId as string;
  if (properties.timestamp) kept.timestamp = properties.timestamp as number;
  if (properties.type) kept.type = properties.type as string;
  if (properties.appId) kept.appId = properties.appId as string;
  return kept;
}

async function finishMove(
  connection: ChannelModel,
  prisma: PrismaClient,
  organId: string,
  from: string,
  to: string,
): Promise<boolean> {
  if (from !== to && (await queueExists(connection, from))) {
    const channel = await connection.createConfirmChannel();
    let failure: unknown;
    channel.on('error', (error: unknown) => (failure = error));
    try {
      await channel.unbindQueue(from, EXCHANGES.deliver, organId);
      for (;;) {
        const message: GetMessage | false = await channel.get(from, { noAck: false });
        if (!message) break;
        channel.sendToQueue(to, message.content, republished(message.properties));
        await channel.waitForConfirms();
        channel.ack(message);
      }
      // Quorum queues refuse `if-empty` (and RabbitMQ closes the connection for it), so the check
      // is ours: a consumer still attached may hold messages unacknowledged, which would return to
      // the queue after we looked. Then the old queue stays, unbound, until the next try.
      const left = await channel.checkQueue(from);
      if (left.consumerCount > 0 || left.messageCount > 0) return false;
      await channel.deleteQueue(from);
    } catch (error) {
      throw new HubError(
        'EXCHANGE_INBOX_MOVE_STOPPED',
        `moving ${organId}'s inbox from ${from} to ${to} stopped (it resumes on the next start or refresh): ${(failure as Error | undefined)?.message ?? (error as Error).message}`,
        { cause: error },
      );
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
  await prisma.brokerInbox.updateMany({
    where: { organId, previousQueue: from },
    data: { previousQueue: null },
  });
  return true;
}
