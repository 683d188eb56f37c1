import type { Channel, ConsumeMessage } from 'amqplib';
import type { BrokerConnection } from './broker-connection.ts';
import { organIdOfBrokerUser } from './broker-users.ts';
import type { RelayDeps } from './relay-deps.ts';
import { queueError, submitPackage } from './submit-package.ts';
import { storeOrMoveAside } from './poison-messages.ts';
import { QUEUES } from './topology.ts';

/**
 * Consumes `lienthong.submit`. The broker has already checked that `user_id` equals the
 * connection's user; the hub maps that user to its agency and runs the one submit path.
 * Ack only after the package (or the error message for the sender) is committed. A message
 * without a user_id, or from a user that is no agency's, is dead-lettered for an admin: there is
 * nobody to answer. A database outage leaves messages unacked until it is back; a submission that
 * fails for a reason of its own is dead-lettered after a few tries (poison-messages.ts), never
 * retried for ever in front of the others.
 */
export type SubmitConsumer = { stop(): Promise<void> };

/**
 * Acks a delivery on the channel it came on. If that channel closed meanwhile (broker restart,
 * connection lost) the broker has already requeued the message for the next consumer, and the
 * submit path will find it recorded: there is nothing to ack and nothing to retry. Without this,
 * the ack's IllegalOperationError looked like a store failure and the handler retried forever.
 */
export function ackUnlessClosed(channel: Channel, message: ConsumeMessage): void {
  try {
    channel.ack(message);
  } catch {
    // channel closed: the message is the broker's again
  }
}

/** Returns a delivery to its queue, unless its channel closed (then the broker has it already). */
export function nackUnlessClosed(channel: Channel, message: ConsumeMessage): void {
  try {
    channel.nack(message, false, true);
  } catch {
    // channel closed: the message is the broker's again
  }
}

export function createSubmitConsumer(
  deps: RelayDeps,
  broker: BrokerConnection,
  options: { prefetch?: number } = {},
): SubmitConsumer {
  const log = deps.log.child({ component: 'submit-consumer' });
  let channel: Channel | undefined;
  let stopping = false;
  const inFlight = new Set<Promise<void>>();

  async function handle(open: Channel, message: ConsumeMessage): Promise<void> {
    const userId = message.properties.userId as string | undefined;
    const messageId = message.properties.messageId as string | undefined;
    const organId = userId ? organIdOfBrokerUser(userId, broker.vhost) : null;
    if (!userId || !organId) {
      log.warn(
        { messageId, userId },
        userId
          ? 'submission from a broker user that is no agency’s; dead-lettered'
          : 'submission without user_id; dead-lettered',
      );
      open.nack(message, false, false);
      return;
    }
    const outcome = await storeOrMoveAside({
      prisma: deps.prisma,
      log,
      stopping: () => stopping,
      fields: { messageId, organId },
      store: async () => {
        const submitted = await submitPackage(
          deps,
          { via: 'amqp', organId, label: `broker:${userId}` },
          message.content,
        );
        if (submitted.kind === 'refused') {
          log.info({ messageId, organId, reasons: submitted.reasons }, 'submission refused');
          await deps.prisma.$transaction(async (tx) => {
            await queueError(tx, organId, { documentId: submitted.documentKey, reasons: submitted.reasons });
          });
        } else {
          log.info(
            { messageId, organId, outcome: submitted.kind, packageId: submitted.packageId },
            'submission recorded',
          );
        }
      },
      // The hub cannot publish a partner's submission as the partner (user_id), so the broker
      // dead-letters it (x-death keeps user_id: the view says the partner must submit again), and
      // the partner is told why, if the database takes that.
      moveAside: async (reason) => {
        await deps.prisma
          .$transaction(async (tx) => {
            await queueError(tx, organId, {
              documentId: null,
              reasons: [
                `Hub không ghi nhận được gói tin (message_id ${messageId ?? '?'}) / the hub could not record this submission (message_id ${messageId ?? '?'}): ${reason}`,
              ],
            });
          })
          .catch((error: unknown) => log.warn({ err: error, messageId }, 'could not tell the sender'));
        open.nack(message, false, false);
      },
    }).catch((error: unknown) => {
      log.error({ err: error, messageId }, 'could not move a submission aside; returned to the queue');
      nackUnlessClosed(open, message);
      return 'returned' as const;
    });
    if (outcome === 'stored') ackUnlessClosed(open, message);
  }

  broker.onConnected(async (connection) => {
    const open = await connection.createChannel();
    open.on('error', (error: unknown) => log.warn({ err: error }, 'submit channel error'));
    await open.prefetch(options.prefetch ?? 8);
    await open.consume(QUEUES.submit, (message) => {
      if (!message) return;
      const work = handle(open, message).catch((error: unknown) =>
        log.error({ err: error }, 'submission handler failed'),
      );
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    });
    channel = open;
  });

  return {
    async stop() {
      stopping = true;
      await Promise.allSettled([...inFlight]);
      await channel?.close().catch(() => undefined);
    },
  };
}
