import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { PrismaClient } from '../db/index.ts';
import type { Logger } from '../shared/index.ts';
import { EXCHANGES } from './topology.ts';

/**
 * What a consumer does with a message it could not store, so that no message can stop a queue.
 * A database that cannot be reached, or a transaction that lost a race, is a transient failure:
 * the message stays unacked and is tried again, with nothing counted and nothing lost. Any other
 * failure is the message's own; after `POISON_TRIES` of them the message is moved aside into
 * `lienthong.dead` with the reason (an admin sees it in the dead-letter view and can requeue it),
 * and the next message flows. (Issue 13: one package with a NUL was retried every 2 s for ever,
 * and 16 of them filled the hosted inbox's prefetch.)
 */
export const POISON_TRIES = 3;

/** Between the tries of one message: the first retry soon (a constraint race), then a pause. */
export const POISON_RETRY_DELAYS_MS = [500, 2000] as const;

/** While the database is down: how often to look again. */
export const TRANSIENT_RETRY_MS = 2000;

// Serialization failure, deadlock, too many connections, admin/crash shutdown, connection exceptions;
// Prisma's own names for a lost connection, a pool timeout and a transaction conflict.
const TRANSIENT_CODES = /\b(40001|40P01|53300|57P0[1-3]|08\d{3}|P1001|P1002|P1008|P1017|P2024|P2034)\b/;

function codesOf(error: unknown, depth = 0): string {
  if (depth > 4 || error === null || typeof error !== 'object') return '';
  const record = error as Record<string, unknown>;
  const own = ['code', 'originalCode', 'kind']
    .map((key) => record[key])
    .filter((value) => typeof value === 'string')
    .join(' ');
  return `${own} ${codesOf(record.cause, depth + 1)} ${codesOf(record.meta, depth + 1)}`;
}

/**
 * True when the failure says nothing about the message: a transient database error by its code,
 * or a database that does not answer a trivial query now.
 */
export async function isTransientStoreFailure(prisma: PrismaClient, error: unknown): Promise<boolean> {
  if (TRANSIENT_CODES.test(codesOf(error))) return true;
  try {
    await Promise.race([
      prisma.$queryRaw`SELECT 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error('probe timed out')), 5000).unref()),
    ]);
    return false;
  } catch {
    return true;
  }
}

export type DeadLetterDestination = { queue: string; exchange: string; routingKey: string };

/** Headers a moved-aside message carries, read back by dead-letters.ts (the broker's own are x-death). */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-lienthong-dead-reason',
  queue: 'x-lienthong-dead-queue',
  exchange: 'x-lienthong-dead-exchange',
  routingKey: 'x-lienthong-dead-routing-key',
  tries: 'x-lienthong-dead-tries',
} as const;

/**
 * Publishes a copy of the message, with the reason and where it was going, to `lienthong.dead`
 * and resolves once the broker confirmed it; the caller acks the original only then. (A crash in
 * between leaves the original to be tried again: at worst it is moved aside twice, never lost.)
 */
export function moveAside(
  channel: ConfirmChannel,
  message: ConsumeMessage,
  destination: DeadLetterDestination,
  reason: string,
  tries: number,
): Promise<void> {
  const properties = message.properties;
  return new Promise((resolve, reject) => {
    channel.publish(
      EXCHANGES.dead,
      '',
      message.content,
      {
        persistent: true,
        ...(typeof properties.messageId === 'string' ? { messageId: properties.messageId } : {}),
        ...(typeof properties.type === 'string' ? { type: properties.type } : {}),
        ...(typeof properties.contentType === 'string' ? { contentType: properties.contentType } : {}),
        ...(typeof properties.timestamp === 'number' ? { timestamp: properties.timestamp } : {}),
        headers: {
          ...(properties.headers ?? {}),
          [DEAD_LETTER_HEADERS.reason]: reason.slice(0, 1000),
          [DEAD_LETTER_HEADERS.queue]: destination.queue,
          [DEAD_LETTER_HEADERS.exchange]: destination.exchange,
          [DEAD_LETTER_HEADERS.routingKey]: destination.routingKey,
          [DEAD_LETTER_HEADERS.tries]: tries,
        },
      },
      (error) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve();
      },
    );
  });
}

/** The first line of a failure, short enough for the dead-letter view. */
export function failureText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // Prisma puts the invocation first and the database's words last.
  return (lines.at(-1) ?? 'unknown error').slice(0, 500);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type StoreOutcome = 'stored' | 'moved-aside' | 'stopped';

/**
 * Runs `store` until it succeeds, retrying transient failures for as long as they last and the
 * message's own failures `POISON_TRIES` times, then `moveAside`. The caller acks on `stored` and
 * `moved-aside`; on `stopped` (the consumer is stopping) it leaves the message to the broker.
 */
export async function storeOrMoveAside(options: {
  prisma: PrismaClient;
  log: Logger;
  stopping: () => boolean;
  store: () => Promise<void>;
  moveAside: (reason: string, tries: number) => Promise<void>;
  /** log fields naming the message */
  fields: Record<string, unknown>;
}): Promise<StoreOutcome> {
  const { log, fields } = options;
  let tries = 0;
  for (;;) {
    try {
      await options.store();
      return 'stored';
    } catch (error) {
      if (options.stopping()) return 'stopped';
      if (await isTransientStoreFailure(options.prisma, error)) {
        log.warn({ ...fields, err: error }, 'message not stored: the database is unreachable; retrying');
        await sleep(TRANSIENT_RETRY_MS);
        continue;
      }
      tries += 1;
      if (tries < POISON_TRIES) {
        log.warn({ ...fields, err: error, tries }, 'message not stored; trying again');
        await sleep(POISON_RETRY_DELAYS_MS[tries - 1] ?? TRANSIENT_RETRY_MS);
        continue;
      }
      const reason = failureText(error);
      log.error({ ...fields, err: error, tries }, 'message could not be stored; moved to dead letters');
      await options.moveAside(reason, tries);
      return 'moved-aside';
    }
  }
}
