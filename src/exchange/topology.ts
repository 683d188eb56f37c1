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

const QUORUM = { 'x-queue-type': 'quorum', 'x-dead-letter-exchange': EXCHANGES.dead } as const;

/** Exchanges and the hub's own queues; each agency's inbox is asserted under its name (inbox-names.ts). */
export async function assertTopology(channel: Channel): Promise<void> {
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
}

/**
 * An agency's inbox: routed to by its OrganId on `lienthong.deliver` (asserted here too, so issuing
 * a partner's credentials works before the relay ever connected).
 */
export async function assertInbox(channel: Channel, queue: string, organId: string): Promise<void> {
  await channel.assertExchange(EXCHANGES.deliver, 'direct', { durable: true });
  await channel.assertQueue(queue, { durable: true, arguments: { ...QUORUM, 'x-delivery-limit': 20 } });
  await channel.bindQueue(queue, EXCHANGES.deliver, organId);
}
