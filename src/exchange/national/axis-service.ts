import type { RelayDeps } from '../relay-deps.ts';
import { createAxisClient, type AxisClient } from './axis-client.ts';
import { createAxisReceiver, type AxisReceiverOptions } from './axis-receiver.ts';
import { createAxisSender, type AxisSenderOptions } from './axis-sender.ts';

/**
 * The connector to the national document axis as one service: a poller that brings in what the
 * axis holds for this hub (axis-receiver.ts) and a sender that hands it what the outbox holds for
 * agencies reached through it (axis-sender.ts), each in its own loop, with what an operator needs
 * to see: whether the axis answers, the last successful poll, what waits.
 */
export type AxisSettings = {
  endpoint: string;
  systemId: string;
  secret: string;
  pollIntervalMs: number;
  timeoutMs: number;
  receiver?: Omit<AxisReceiverOptions, 'systemId'>;
  sender?: AxisSenderOptions;
};

export type AxisState = {
  endpoint: string;
  systemId: string;
  /** whether the last call to the axis got an answer */
  reachable: 'unknown' | 'up' | 'down';
  since: string | null;
  lastError: string | null;
  /** end of the last pass that listed everything */
  lastPollAt: string | null;
  /** how many items the last pass listed */
  lastListed: number | null;
  /** outbox rows for agencies of the axis, not yet accepted by it */
  waitingOutgoing: number;
  /** received but not yet acknowledged to the axis */
  unacknowledged: number;
  /** read but unreadable so far (retried), and given up */
  unreadable: number;
};

export type AxisService = {
  start(): void;
  stop(): Promise<void>;
  /** new outbox rows were committed */
  wake(): void;
  state(): Promise<AxisState>;
  /** one poll and one send pass now (tests, bench) */
  pollOnce(): ReturnType<ReturnType<typeof createAxisReceiver>['pass']>;
  sendOnce(): Promise<number>;
};

export function createAxisService(deps: RelayDeps, settings: AxisSettings, client?: AxisClient): AxisService {
  const log = deps.log.child({ component: 'axis' });
  const axis =
    client ??
    createAxisClient({
      endpoint: settings.endpoint,
      systemId: settings.systemId,
      secret: settings.secret,
      timeoutMs: settings.timeoutMs,
    });
  const receiver = createAxisReceiver(deps, axis, { ...settings.receiver, systemId: settings.systemId });
  const sender = createAxisSender(deps, axis, { callTimeoutMs: settings.timeoutMs, ...settings.sender });
  let reachable: AxisState['reachable'] = 'unknown';
  let since: Date | null = null;
  let lastError: string | null = null;
  let lastPollAt: Date | null = null;
  let lastListed: number | null = null;
  let running = false;
  const loops: Promise<void>[] = [];
  const wakers = new Set<() => void>();

  const mark = (ok: boolean, error?: string) => {
    const now = ok ? 'up' : 'down';
    if (reachable !== now) since = deps.clock.now();
    reachable = now;
    lastError = ok ? null : (error ?? null);
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
    });

  async function pollOnce() {
    try {
      const pass = await receiver.pass();
      mark(true);
      lastPollAt = deps.clock.now();
      lastListed = pass.listed;
      return pass;
    } catch (error) {
      mark(false, (error as Error).message);
      throw error;
    }
  }

  async function pollLoop(): Promise<void> {
    while (running) {
      let busy = false;
      try {
        const pass = await pollOnce();
        busy = pass.stored > 0 || pass.acknowledged > 0;
      } catch (error) {
        log.warn({ err: error }, 'national axis poll failed; trying again');
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may clear it meanwhile
      if (running && !busy) await pause(settings.pollIntervalMs);
    }
  }

  async function sendLoop(): Promise<void> {
    while (running) {
      let handled = 0;
      try {
        handled = await sender.drain();
      } catch (error) {
        log.warn({ err: error }, 'national axis send pass failed; trying again');
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may clear it meanwhile
      if (running && handled === 0) await pause(Math.min(1000, settings.pollIntervalMs));
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loops.push(pollLoop(), sendLoop());
    },
    async stop() {
      running = false;
      for (const wake of [...wakers]) wake();
      await Promise.allSettled(loops.splice(0));
    },
    wake() {
      for (const wake of [...wakers]) wake();
    },
    pollOnce,
    sendOnce: () => sender.drain(),
    async state() {
      const [waitingOutgoing, unacknowledged, unreadable] = await Promise.all([
        deps.prisma.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM outbox_message
          WHERE state = 'pending' AND target_organ_id IN (SELECT organ_id FROM agency WHERE channel = 'national')`,
        deps.prisma.axisReceived.count({ where: { acknowledgedAt: null, acknowledge: { not: null } } }),
        deps.prisma.axisReceived.count({ where: { outcome: { in: ['unreadable', 'given-up'] } } }),
      ]);
      return {
        endpoint: settings.endpoint,
        systemId: settings.systemId,
        reachable,
        since: since?.toISOString() ?? null,
        lastError,
        lastPollAt: lastPollAt?.toISOString() ?? null,
        lastListed,
        waitingOutgoing: waitingOutgoing[0]?.n ?? 0,
        unacknowledged,
        unreadable,
      };
    },
  };
}
