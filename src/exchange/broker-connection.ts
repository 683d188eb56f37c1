import { brokerErrorText, vhostOf } from './broker-users.ts';
import { connect, type ChannelModel } from 'amqplib';
import type { Logger } from '../shared/index.ts';

/**
 * One long-lived broker connection with reconnection and back-off (the amqp-connection-manager
 * idea, without its in-memory publish queue: relay work waits in the database outbox instead).
 * Listeners run after every (re)connect, which is where topology is asserted again.
 */
export type BrokerState =
  | { kind: 'connecting'; since: Date }
  | { kind: 'up'; since: Date }
  | { kind: 'down'; since: Date; reason: string; nextAttemptAt: Date };

export type BrokerConnection = {
  /** the vhost the hub works in ("/" when the URL names none) */
  readonly vhost: string;
  state(): BrokerState;
  /** The live connection, if any. */
  current(): ChannelModel | undefined;
  onConnected(listener: (connection: ChannelModel) => Promise<void>): void;
  start(): void;
  stop(): Promise<void>;
};

export type BrokerConnectionOptions = {
  url: string;
  log: Logger;
  heartbeatSeconds?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
};

/** Heartbeats detect a dead broker or a half-open TCP connection; amqplib takes them from the URL. */
function withHeartbeat(url: string, seconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds));
  return parsed.toString();
}

export function createBrokerConnection(options: BrokerConnectionOptions): BrokerConnection {
  const { log } = options;
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const listeners: ((connection: ChannelModel) => Promise<void>)[] = [];
  let state: BrokerState = { kind: 'connecting', since: new Date() };
  let connection: ChannelModel | undefined;
  let attempts = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const scheduleReconnect = (reason: string) => {
    if (stopped) return;
    const delay = Math.min(maxBackoff, minBackoff * 2 ** Math.min(attempts, 16));
    attempts += 1;
    state = { kind: 'down', since: new Date(), reason, nextAttemptAt: new Date(Date.now() + delay) };
    log.warn({ reason, retryInMs: delay }, 'broker unreachable');
    timer = setTimeout(() => void attempt(), delay);
    timer.unref();
  };

  const attempt = async () => {
    if (stopped) return;
    try {
      const opened = await connect(withHeartbeat(options.url, options.heartbeatSeconds ?? 15), {
        timeout: 5000,
      });
      // stop() may have run while we were connecting.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (stopped) {
        await opened.close().catch(() => undefined);
        return;
      }
      opened.on('error', (error: unknown) => {
        log.warn({ reason: brokerErrorText(error) }, 'broker connection error');
      });
      opened.on('close', (error?: Error) => {
        if (connection !== opened) return;
        connection = undefined;
        scheduleReconnect(error ? brokerErrorText(error) : 'connection closed');
      });
      connection = opened;
      for (const listener of listeners) await listener(opened);
      attempts = 0;
      state = { kind: 'up', since: new Date() };
      log.info('broker connected');
    } catch (error) {
      const stale = connection;
      connection = undefined;
      await stale?.close().catch(() => undefined);
      scheduleReconnect(brokerErrorText(error));
    }
  };

  return {
    vhost: vhostOf(options.url),
    state: () => state,
    current: () => connection,
    onConnected(listener) {
      listeners.push(listener);
    },
    start() {
      stopped = false;
      void attempt();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const open = connection;
      connection = undefined;
      await open?.close().catch(() => undefined);
    },
  };
}
