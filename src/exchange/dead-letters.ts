import type { ConfirmChannel, Message } from 'amqplib';
import { HubError } from '../shared/index.ts';
import type { BrokerConnection } from './broker-connection.ts';
import { DEAD_LETTER_HEADERS } from './poison-messages.ts';
import { QUEUES } from './topology.ts';

/**
 * Dead letters for admins: what the broker gave up on (a delivery limit reached, a submission
 * without user_id, …) or a consumer moved aside (a message it could not store), with where it was going, and a way to send one back to where it died.
 * Reading takes each message and returns it to the queue (its order may change; nothing is lost).
 */
export type DeadLetter = {
  messageId: string | null;
  type: string | null;
  userId: string | null;
  from: string | null;
  documentId: string | null;
  reason: string | null;
  queue: string | null;
  exchange: string | null;
  routingKeys: string[];
  size: number;
};

type DeathRecord = { reason?: string; queue?: string; exchange?: string; 'routing-keys'?: string[] };

/**
 * The broker says why in `x-death` (rejected, delivery_limit, …); a consumer that moved a message
 * aside (poison-messages.ts) says it in its own headers, in words, with where it was going.
 */
function describe(message: Message): DeadLetter {
  const headers = message.properties.headers ?? {};
  const death = (headers['x-death'] as DeathRecord[] | undefined)?.[0];
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const movedAsideTo = text(headers[DEAD_LETTER_HEADERS.routingKey]);
  return {
    messageId: text(message.properties.messageId),
    type: text(message.properties.type),
    userId: text(message.properties.userId),
    from: text(headers['x-lienthong-from']),
    documentId: text(headers['x-lienthong-document-id']),
    reason: text(headers[DEAD_LETTER_HEADERS.reason]) ?? death?.reason ?? null,
    queue: death?.queue ?? text(headers[DEAD_LETTER_HEADERS.queue]),
    exchange: death?.exchange ?? text(headers[DEAD_LETTER_HEADERS.exchange]),
    routingKeys: death?.['routing-keys'] ?? (movedAsideTo === null ? [] : [movedAsideTo]),
    size: message.content.length,
  };
}

const DEAD_HEADER_PREFIXES = ['x-death', 'x-first-death', 'x-last-death', 'x-lienthong-dead-'];

/** A dead letter with its bytes and headers, as the broker holds it. */
export type HeldDeadLetter = {
  letter: DeadLetter;
  content: Buffer;
  contentType: string | null;
  headers: Record<string, unknown>;
};

export type DeadLetters = {
  list(limit: number): Promise<DeadLetter[]>;
  /** The dead letter with this message_id, read and returned to the queue; null when none has it. */
  read(messageId: string): Promise<HeldDeadLetter | null>;
  /**
   * Removes the dead letter with this message_id from the queue: the one deliberate loss. `record`
   * runs while the message is still held and must commit what is being thrown away (relay-admin.ts
   * audits it with the payload's SHA-256 and the headers); only after it returned is the message
   * acknowledged. If it throws, the dead letter stays.
   */
  discard(
    messageId: string,
    record: (held: HeldDeadLetter) => Promise<void>,
  ): Promise<'discarded' | 'not-found'>;
  /**
   * Publishes the dead letter with this message_id back to the exchange it died from. `record`
   * runs after the broker confirmed the new copy and before the dead letter is acknowledged: if it
   * throws, the dead letter stays (relay-admin.ts audits a requeue this way).
   */
  requeue(
    messageId: string,
    record?: (letter: DeadLetter) => Promise<void>,
  ): Promise<'requeued' | 'not-found' | 'not-requeueable'>;
};

export function createDeadLetters(broker: BrokerConnection): DeadLetters {
  const channel = async () => {
    const connection = broker.current();
    if (!connection)
      throw new HubError(
        'EXCHANGE_BROKER_DOWN',
        'the broker is not reachable now; dead letters cannot be read',
      );
    const opened = await connection.createConfirmChannel();
    opened.on('error', () => undefined);
    return opened;
  };
  /** Takes messages until the one with this message_id; the others go back when the channel closes. */
  const find = async (open: ConfirmChannel, messageId: string): Promise<Message | null> => {
    for (;;) {
      const message = await open.get(QUEUES.dead, { noAck: false });
      if (!message) return null;
      if (message.properties.messageId === messageId) return message;
    }
  };
  const held = (message: Message): HeldDeadLetter => ({
    letter: describe(message),
    content: message.content,
    contentType: typeof message.properties.contentType === 'string' ? message.properties.contentType : null,
    headers: { ...(message.properties.headers ?? {}) },
  });
  return {
    async read(messageId) {
      const open = await channel();
      try {
        const message = await find(open, messageId);
        return message ? held(message) : null;
      } finally {
        await open.close().catch(() => undefined);
      }
    },
    async discard(messageId, record) {
      const open = await channel();
      try {
        const message = await find(open, messageId);
        if (!message) return 'not-found';
        await record(held(message));
        open.ack(message);
        // The close is answered after the ack was processed: the caller learns of a lost ack.
        await open.close();
        return 'discarded';
      } finally {
        await open.close().catch(() => undefined);
      }
    },
    async list(limit) {
      const open = await channel();
      const taken: Message[] = [];
      try {
        for (let i = 0; i < limit; i += 1) {
          const message = await open.get(QUEUES.dead, { noAck: false });
          if (!message) break;
          taken.push(message);
        }
        return taken.map(describe);
      } finally {
        // Closing the channel returns every unacked message to the queue.
        await open.close().catch(() => undefined);
      }
    },
    async requeue(messageId, record) {
      const open = await channel();
      try {
        for (;;) {
          const message = await open.get(QUEUES.dead, { noAck: false });
          if (!message) return 'not-found';
          if (message.properties.messageId !== messageId) continue;
          const letter = describe(message);
          // The broker checks user_id against the publishing connection: the hub cannot publish a
          // partner's submission as the partner. The partner submits it again instead.
          if (letter.userId) return 'not-requeueable';
          const { headers, ...properties } = message.properties;
          const rest = Object.fromEntries(
            Object.entries(headers ?? {}).filter(
              ([key]) => !DEAD_HEADER_PREFIXES.some((prefix) => key.startsWith(prefix)),
            ),
          );
          await new Promise<void>((resolve, reject) => {
            open.publish(
              letter.exchange ?? '',
              letter.routingKeys[0] ?? letter.queue ?? '',
              message.content,
              { ...(properties as object), headers: rest, persistent: true },
              (error) => {
                if (error) reject(error instanceof Error ? error : new Error(String(error)));
                else resolve();
              },
            );
          });
          await record?.(letter);
          open.ack(message);
          return 'requeued';
        }
      } finally {
        await open.close().catch(() => undefined);
      }
    },
  };
}
