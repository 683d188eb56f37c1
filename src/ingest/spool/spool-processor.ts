import { setTimeout as pauseFor, setImmediate as yieldToEdges } from 'node:timers/promises';
import type { PrismaClient } from '../../db/index.ts';
import type { Logger } from '../../shared/index.ts';
import type { MailSpoolPort } from '../smtp/smtp-listener.ts';
import {
  readMessage,
  storeMessages,
  unreadMessage,
  type IngestDeps,
  type ReadMessage,
} from '../ingest-message.ts';
import {
  claimSpooled,
  deferSpooled,
  deleteSpooled,
  renewLease,
  spoolBacklog,
  spoolMessage,
  type SpoolBacklog,
  type SpooledMessage,
} from './mail-spool.ts';

/**
 * Turns spooled mail into intake items: takes a batch of the oldest rows, reads each message,
 * then stores the whole batch and deletes its rows in ONE transaction (a group commit: one lock
 * of the audit chain and one disk flush for the batch). It runs in the hub's process beside the
 * edges and gives way to them: while mail is arriving, reading takes a bounded share of the time
 * (see `readingPauseMs`), so a burst is acknowledged at the speed of the spool insert and
 * read in the time left over, and right after it at full speed.
 */
export type SpoolProcessorOptions = {
  /** messages per transaction */
  batchSize: number;
  /** how long a claimed row is held, renewed while it is read; a killed hub's rows come back after it */
  leaseMs: number;
  /** how often an idle processor looks for rows other hubs spooled (its own wake it at once) */
  idlePollMs: number;
  /** a message taken this many times without being stored (it stopped the hub) is stored unread */
  maxAttempts: number;
  /** while mail arrives, the share of the time reading may take (default 0.25) */
  readingShare?: number;
  /** reading gives way no longer than until the oldest spooled message is this old (default 10 s) */
  maxDeferMs?: number;
  log: Logger;
};

/** How recently a message must have arrived for the edges to count as busy. */
const ARRIVING_WITHIN_MS = 100;

/**
 * How long to pause after reading one message that took `spentMs`. Reading competes with the
 * SMTP sessions for the CPU (for the event loop itself when it reads inline, for the cores when it
 * reads on its own thread; on a small machine PostgreSQL wants them too);
 * a sender waits for its 250, nobody waits for the intake item to the millisecond. So while mail
 * arrives, reading keeps `share` of the time (never starved: a burst that outlasts the spool's
 * patience, `maxDeferMs` of age on the oldest message, gets reading back at full speed, and a
 * spool that keeps growing reaches LIENTHONG_SMTP_SPOOL_MAX and answers 451). With no arrival,
 * no pause.
 */
export function readingPauseMs(input: {
  spentMs: number;
  msSinceArrival: number;
  oldestAgeMs: number;
  share: number;
  maxDeferMs: number;
}): number {
  const { spentMs, msSinceArrival, oldestAgeMs, share, maxDeferMs } = input;
  if (msSinceArrival >= ARRIVING_WITHIN_MS || oldestAgeMs >= maxDeferMs || share >= 1) return 0;
  return Math.min(1_000, (spentMs * (1 - share)) / Math.max(share, 0.01));
}

export type SpoolProcessor = {
  /** new rows are waiting (called by the edges after their insert) */
  wake(): void;
  /** the backlog as last counted (at most a second old while busy) */
  backlog(): SpoolBacklog;
  /** resolves once the spool is empty: every message spooled so far, by any hub, is read (tests) */
  drained(): Promise<void>;
  stop(): Promise<void>;
};

export function startSpoolProcessor(deps: IngestDeps, options: SpoolProcessorOptions): SpoolProcessor {
  const { prisma } = deps;
  const { log } = options;
  let running = true;
  // a function, not a variable: stop() flips it while the loop awaits
  const isRunning = () => running;
  let wake: (() => void) | undefined;
  let pendingWake = false;
  let drainWaiters: (() => void)[] = [];
  let backlog: SpoolBacklog = { pending: 0, failed: 0, oldestAgeSeconds: 0 };
  let backlogCountedAt = 0;
  let failures = 0;
  let lastArrivalAt = 0;
  const stopping = new AbortController();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pendingWake || !running) {
        pendingWake = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        pendingWake = false;
        resolve();
      }
      wake = done;
    });

  async function countBacklog(force: boolean): Promise<void> {
    if (!force && Date.now() - backlogCountedAt < 1_000) return;
    backlogCountedAt = Date.now();
    backlog = await spoolBacklog(prisma);
    deps.metrics?.spoolPending.set(backlog.pending);
    deps.metrics?.spoolOldestSeconds.set(backlog.oldestAgeSeconds);
  }

  async function read(message: SpooledMessage): Promise<ReadMessage> {
    if (message.attempts > options.maxAttempts)
      return unreadMessage(
        message.raw,
        message.envelope,
        message.receivedAt,
        `stored unread: the hub stopped ${message.attempts - 1} times while reading this message`,
      );
    try {
      return await readMessage(deps, message.raw, message.envelope, message.receivedAt);
    } catch (error) {
      // readMessage fences every step; this is a bug, and the message must still not be lost.
      log.error({ err: error, spoolId: String(message.id) }, 'reading a spooled message failed');
      return unreadMessage(
        message.raw,
        message.envelope,
        message.receivedAt,
        `stored unread: ${(error as Error).message}`,
      );
    }
  }

  async function giveWay(spentMs: number): Promise<void> {
    const pauseMs = readingPauseMs({
      spentMs,
      msSinceArrival: Date.now() - lastArrivalAt,
      oldestAgeMs: backlog.oldestAgeSeconds * 1000,
      share: options.readingShare ?? 0.25,
      maxDeferMs: options.maxDeferMs ?? 10_000,
    });
    if (pauseMs > 0 && running)
      await pauseFor(pauseMs, undefined, { signal: stopping.signal }).catch(() => undefined);
  }

  type ReadBatch = { claimed: SpooledMessage[]; reads: ReadMessage[]; spoolIds: Map<ReadMessage, bigint> };

  async function readBatch(claimed: SpooledMessage[]): Promise<ReadBatch> {
    const spoolIds = new Map<ReadMessage, bigint>();
    const reads: ReadMessage[] = [];
    const heldIds = claimed.map((m) => m.id);
    const renewal = setInterval(() => {
      renewLease(prisma, heldIds, options.leaseMs).catch((error: unknown) => {
        log.warn({ err: error }, 'cannot renew the spool lease');
      });
    }, options.leaseMs / 3);
    try {
      for (const message of claimed) {
        const started = performance.now();
        const done = await read(message);
        spoolIds.set(done, message.id);
        reads.push(done);
        // Storing and inline reading are CPU work on the event loop the SMTP sessions share: let them answer first.
        await yieldToEdges();
        await giveWay(performance.now() - started);
      }
    } finally {
      clearInterval(renewal);
    }
    return { claimed, reads, spoolIds };
  }

  /** Never rejects: a failed store defers the rows (they stay in the spool) and backs off. */
  async function storeBatch({ claimed, reads, spoolIds }: ReadBatch): Promise<void> {
    try {
      await storeMessages(deps, reads, (tx, stored) =>
        deleteSpooled(
          tx,
          stored.map((r) => spoolIds.get(r) ?? -1n),
        ),
      );
      const now = Date.now();
      for (const message of claimed)
        deps.metrics?.secondsToItem.observe((now - message.receivedAt.getTime()) / 1000);
      failures = 0;
    } catch (error) {
      failures += 1;
      const retryInMs = Math.min(60_000, 500 * 2 ** Math.min(failures, 7));
      log.warn({ err: error, messages: claimed.length, retryInMs }, 'spooled mail not stored; will retry');
      await deferSpooled(
        prisma,
        claimed.map((m) => m.id),
        error,
        retryInMs,
      ).catch(() => undefined);
      await sleep(retryInMs);
    }
  }

  let storing: Promise<void> = Promise.resolve();
  const loop = (async () => {
    while (isRunning()) {
      let claimed: SpooledMessage[];
      try {
        claimed = await claimSpooled(prisma, options.batchSize, options.leaseMs);
        await countBacklog(claimed.length === 0);
      } catch (error) {
        failures += 1;
        log.warn({ err: error }, 'cannot read the mail spool; will retry');
        await sleep(Math.min(5_000, 250 * 2 ** Math.min(failures, 5)));
        continue;
      }
      if (claimed.length === 0) {
        // Nothing to take is not yet drained: another processor may hold rows it is reading.
        if (drainWaiters.length > 0 && backlog.pending === 0) {
          const waiters = drainWaiters;
          drainWaiters = [];
          for (const resolve of waiters) resolve();
        }
        await sleep(drainWaiters.length > 0 ? 50 : options.idlePollMs);
        continue;
      }
      const batch = await readBatch(claimed);
      // One store in flight at most: reading this batch overlapped storing the previous one (the
      // database works on the other core meanwhile), and batches still commit in order.
      await storing;
      storing = storeBatch(batch);
    }
    await storing;
  })();

  const rouse = () => {
    if (wake) wake();
    else pendingWake = true;
  };
  return {
    wake() {
      lastArrivalAt = Date.now();
      rouse();
    },
    backlog: () => backlog,
    drained() {
      return new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        rouse();
      });
    },
    async stop() {
      running = false;
      stopping.abort();
      wake?.();
      await loop;
      for (const resolve of drainWaiters) resolve();
      drainWaiters = [];
    },
  };
}

/**
 * The edges' door into the spool (SMTP and IMAP): one INSERT, then the processor is woken; while
 * `spoolMax` messages wait unread, `full()` says so and new mail is deferred (451).
 */
export function spoolPort(prisma: PrismaClient, processor: SpoolProcessor, spoolMax: number): MailSpoolPort {
  return {
    async accept(raw, envelope) {
      const id = await spoolMessage(prisma, raw, envelope);
      processor.wake();
      return String(id);
    },
    full: () => processor.backlog().pending >= spoolMax,
  };
}
