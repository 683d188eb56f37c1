import type { Channel } from 'amqplib';

/**
 * The broker's shape (docs/contract.md), as data, asserted at start and after every reconnect.
 * Queues are quorum queues (replicated, durable) that dead-letter into `lienthong.dead`.
 */
export const EXCHANGES = {
  submit: 'lienthong.submit',
  deliver: 'lienthong.deliver',
  dead: 'lienthong.dead',
} as const;

export const QUEUES = { submit: 'lienthong.submit', dead: 'lienthong.dead' } as const;

export function inboxQueue(organId: string): string {
  return `lienthong.inbox.${organId}`;
}

const QUORUM = { 'x-queue-type': 'quorum', 'x-dead-letter-exchange': EXCHANGES.dead } as const;

export async function assertTopology(channel: Channel, inboxOrganIds: readonly string[]): Promise<void> {
  await channel.assertExchange(EXCHANGES.dead, 'fanout', { durable: true });
  await channel.assertQueue(QUEUES.dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(QUEUES.dead, EXCHANGES.dead, '');

  await channel.assertExchange(EXCHANGES.submit, 'fanout', { durable: true });
  // A submission redelivered this many times is poison: it goes to dead letters for an admin.
  await channel.assertQueue(QUEUES.submit, {
    durable: true,
    arguments: { ...QUORUM, 'x-delivery-limit': 10 },
  });
  await channel.bindQueue(QUEUES.submit, EXCHANGES.submit, '');

  await channel.assertExchange(EXCHANGES.deliver, 'direct', { durable: true });
  for (const organId of inboxOrganIds) await assertInbox(channel, organId);
}

export async function assertInbox(channel: Channel, organId: string): Promise<void> {
  const queue = inboxQueue(organId);
  await channel.assertQueue(queue, { durable: true, arguments: { ...QUORUM, 'x-delivery-limit': 20 } });
  await channel.bindQueue(queue, EXCHANGES.deliver, organId);
}
