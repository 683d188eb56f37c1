import type { Database } from '../../db/index.ts';
import { isUuid, type Logger } from '../../shared/index.ts';

/**
 * What the console hears about without asking: committed changes announced by the database on
 * one channel (triggers in the `live_events` migration), whichever hub process or path made them.
 * PostgreSQL's LISTEN/NOTIFY reaches every process; the embedded PGlite has the same LISTEN, and
 * only one process holds it. Events carry kinds and ids, never content: a page that hears of a
 * change fetches it through the API, which stays the only gate.
 */
export const LIVE_CHANNEL = 'lienthong_events';

export type InboxDepth =
  { organId: string; messages: number; consumers: number } | { organId: string; missing: true };

export type LiveEvent =
  /** An intake item arrived for an agency, or was decided (registered, rejected, …). */
  | { kind: 'intake'; change: 'created' | 'decided'; id: string; state: string; agencyId: string }
  /** A document entered an agency's register. */
  | { kind: 'document'; change: 'registered'; id: string; agencyId: string }
  /** Relay work (admins only): a package accepted or held, a delivery changed state, a refusal. */
  | {
      kind: 'relay';
      change: 'accepted' | 'held' | 'delivery' | 'refused';
      id: string;
      to?: string;
      state?: string;
    }
  /** The inboxes' depths and the dead letters waiting, when they changed (admins only). */
  | { kind: 'depths'; inboxes: InboxDepth[]; deadLetters: number | null }
  /** A session row went: its streams end now rather than at their next check. */
  | { kind: 'session-ended'; key: string }
  /** Notifications may have been missed (the listener reconnected): pages fetch again. */
  | { kind: 'resync' };

export type LiveEventListener = (event: LiveEvent) => void;

export type LiveEvents = {
  subscribe(listener: LiveEventListener): () => void;
  /** In-process events (depth snapshots); database events arrive by themselves. */
  publish(event: LiveEvent): void;
  stop(): Promise<void>;
};

const text = (value: unknown, max = 40): string | null =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : null;

/** The trigger's compact JSON to an event; anything unexpected is dropped, never passed on. */
export function parseNotification(payload: string): LiveEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const raw = parsed as Record<string, unknown>;
  const id = text(raw.id);
  if (id === null) return null;
  const agencyId = typeof raw.a === 'string' && isUuid(raw.a) ? raw.a : null;
  const state = text(raw.s) ?? '';
  switch (raw.k) {
    case 'intake.created':
    case 'intake.decided':
      if (agencyId === null || !isUuid(id)) return null;
      return {
        kind: 'intake',
        change: raw.k === 'intake.created' ? 'created' : 'decided',
        id,
        state,
        agencyId,
      };
    case 'document.registered':
      if (agencyId === null || !isUuid(id)) return null;
      return { kind: 'document', change: 'registered', id, agencyId };
    case 'relay.accepted':
      return { kind: 'relay', change: state === 'held' ? 'held' : 'accepted', id };
    case 'relay.delivery':
      return { kind: 'relay', change: 'delivery', id, to: text(raw.to) ?? '', state };
    case 'relay.refused':
      return { kind: 'relay', change: 'refused', id };
    case 'session.ended':
      return { kind: 'session-ended', key: id };
    default:
      return null;
  }
}

/** The hub's event bus, fed by the database's notifications. */
export async function startLiveEvents(database: Pick<Database, 'listen'>, log: Logger): Promise<LiveEvents> {
  const listeners = new Set<LiveEventListener>();
  const publish = (event: LiveEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log.warn({ err: error }, 'live event listener failed');
      }
    }
  };
  const listener = await database.listen(LIVE_CHANNEL, {
    onNotify: (payload) => {
      const event = parseNotification(payload);
      if (event) publish(event);
    },
    onResumed: () => {
      publish({ kind: 'resync' });
    },
  });
  return {
    subscribe(fn) {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    publish,
    async stop() {
      listeners.clear();
      await listener.close();
    },
  };
}
