import type { ServerResponse } from 'node:http';
import type { Logger } from '../../shared/index.ts';
import type { InboxDepth, LiveEvent, LiveEvents } from './live-events.ts';

/**
 * The open `GET /api/v1/events` streams of this process. Each stream belongs to one credential and
 * one scope: an agency's people and tokens hear only their agency's intake and register events;
 * admins hear those of every agency and the relay's. Streams are bounded per credential and per
 * process, send a comment every `heartbeatMs` (so proxies and the browser see a live connection),
 * check their credential again every `recheckMs` without counting as activity, end at once when
 * their session row goes, and all end when the hub stops.
 */
export type EventStreamOptions = {
  heartbeatMs: number;
  recheckMs: number;
  /** How often the inboxes' depths are read while an admin listens. */
  depthsMs: number;
  /** The browser waits this long before reconnecting (the `retry:` field). */
  retryMs: number;
  maxPerCredential: number;
  maxStreams: number;
};

export const DEFAULT_EVENT_STREAM_OPTIONS: EventStreamOptions = {
  heartbeatMs: 15_000,
  recheckMs: 30_000,
  depthsMs: 10_000,
  retryMs: 5_000,
  maxPerCredential: 4,
  maxStreams: 200,
};

/** Past this much unsent output the client is not reading: its stream ends instead of growing. */
const MAX_BUFFERED_BYTES = 256 * 1024;

export type StreamOwner = {
  /** One credential: a session, a token, the control credential. */
  credential: string;
  /** The agency the stream is confined to, or null for an admin. */
  agencyId: string | null;
  /** `session.ended` key of the stream's session, if it is one. */
  sessionEndKey: string | null;
  /** Does the credential still hold? Asked every `recheckMs` and when its session row goes. */
  stillValid(): Promise<boolean>;
};

type Stream = { owner: StreamOwner; response: ServerResponse; ended: boolean };

export type RelayDepths = () => Promise<{ inboxes: InboxDepth[]; deadLetters: number | null }>;

export type OpenOutcome = { kind: 'opened' } | { kind: 'too-many'; scope: 'credential' | 'process' };

/** The wire form of an event for one owner, or null when the owner may not hear of it. */
export function eventFor(owner: StreamOwner, event: LiveEvent): { name: string; data: unknown } | null {
  const admin = owner.agencyId === null;
  switch (event.kind) {
    case 'intake':
      if (!admin && event.agencyId !== owner.agencyId) return null;
      return { name: 'intake', data: { change: event.change, id: event.id, state: event.state } };
    case 'document':
      if (!admin && event.agencyId !== owner.agencyId) return null;
      return { name: 'document', data: { change: event.change, id: event.id } };
    case 'relay':
      return admin
        ? {
            name: 'relay',
            data: {
              change: event.change,
              id: event.id,
              ...(event.to ? { to: event.to } : {}),
              ...(event.state ? { state: event.state } : {}),
            },
          }
        : null;
    case 'depths':
      return admin
        ? { name: 'depths', data: { inboxes: event.inboxes, deadLetters: event.deadLetters } }
        : null;
    case 'resync':
      return { name: 'resync', data: {} };
    case 'session-ended':
      return null;
  }
}

function frame(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export type EventStreams = {
  /** Starts the stream on `response` (already authenticated), or says why it may not. */
  open(owner: StreamOwner, response: ServerResponse): OpenOutcome;
  readonly size: number;
  /** Ends every stream (the hub stops); new ones are refused from now on. */
  closeAll(reason: string): void;
};

export function createEventStreams(
  events: Pick<LiveEvents, 'subscribe' | 'publish'>,
  log: Logger,
  options: EventStreamOptions,
  relayDepths?: RelayDepths,
): EventStreams {
  const streams = new Set<Stream>();
  let closing = false;
  let timers: NodeJS.Timeout[] = [];
  let unsubscribe: (() => void) | undefined;
  let lastDepths = '';
  let readingDepths = false;

  const write = (stream: Stream, chunk: string) => {
    if (stream.ended) return;
    stream.response.write(chunk);
    if (stream.response.writableLength > MAX_BUFFERED_BYTES) end(stream, 'slow-reader');
  };

  function end(stream: Stream, reason: string) {
    if (stream.ended) return;
    // The browser's EventSource reconnects after any end; `end` tells the page why, so it can stop.
    if (!stream.response.destroyed) stream.response.end(frame('end', { reason }));
    stream.ended = true;
    streams.delete(stream);
    if (streams.size === 0) stopTimers();
  }

  const recheck = async (stream: Stream) => {
    let valid: boolean;
    try {
      valid = await stream.owner.stillValid();
    } catch (error) {
      // The database is away: keep the stream, ask again at the next round.
      log.debug({ err: error }, 'live stream credential check failed');
      return;
    }
    if (!valid) end(stream, 'signed-out');
  };

  const onEvent = (event: LiveEvent) => {
    if (event.kind === 'session-ended') {
      for (const stream of streams) if (stream.owner.sessionEndKey === event.key) void recheck(stream);
      return;
    }
    for (const stream of streams) {
      const wire = eventFor(stream.owner, event);
      if (wire) write(stream, frame(wire.name, wire.data));
    }
  };

  const readDepths = async () => {
    if (!relayDepths || readingDepths) return;
    if (![...streams].some((s) => s.owner.agencyId === null)) return;
    readingDepths = true;
    try {
      const depths = await relayDepths();
      const key = JSON.stringify(depths);
      if (key !== lastDepths) {
        lastDepths = key;
        events.publish({ kind: 'depths', ...depths });
      }
    } catch (error) {
      log.debug({ err: error }, 'inbox depths unavailable for the live view');
    } finally {
      readingDepths = false;
    }
  };

  function startTimers() {
    if (unsubscribe) return;
    unsubscribe = events.subscribe(onEvent);
    const every = (ms: number, work: () => void) => {
      const timer = setInterval(work, ms);
      timer.unref();
      timers.push(timer);
    };
    every(options.heartbeatMs, () => {
      for (const stream of streams) write(stream, ': ping\n\n');
    });
    every(options.recheckMs, () => {
      for (const stream of streams) void recheck(stream);
    });
    if (relayDepths) every(options.depthsMs, () => void readDepths());
  }

  function stopTimers() {
    for (const timer of timers) clearInterval(timer);
    timers = [];
    unsubscribe?.();
    unsubscribe = undefined;
    lastDepths = '';
  }

  return {
    open(owner, response) {
      if (closing || streams.size >= options.maxStreams) return { kind: 'too-many', scope: 'process' };
      let mine = 0;
      for (const stream of streams) if (stream.owner.credential === owner.credential) mine += 1;
      if (mine >= options.maxPerCredential) return { kind: 'too-many', scope: 'credential' };
      const stream: Stream = { owner, response, ended: false };
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store, no-transform',
        'x-content-type-options': 'nosniff',
        // Reverse proxies (nginx) would otherwise hold events back in their buffers.
        'x-accel-buffering': 'no',
      });
      response.socket?.setNoDelay(true);
      response.on('close', () => {
        stream.ended = true;
        streams.delete(stream);
        if (streams.size === 0) stopTimers();
      });
      streams.add(stream);
      startTimers();
      response.write(`retry: ${options.retryMs}\n: connected\n\n`);
      write(stream, frame('ready', { scope: owner.agencyId === null ? 'all' : 'agency' }));
      if (owner.agencyId === null) void readDepths();
      return { kind: 'opened' };
    },
    get size() {
      return streams.size;
    },
    closeAll(reason) {
      closing = true;
      for (const stream of [...streams]) end(stream, reason);
      stopTimers();
    },
  };
}
