import type { Database, Listener } from '../db/index.ts';
import type { Logger } from '../shared/index.ts';

/**
 * An in-process copy of what codes resolved to, so a lookup by any code costs a map read instead
 * of a database round trip (bench/directory-bench.ts: the database answers in about a third of a
 * millisecond at best, and a package names several agencies). Several hub processes may share
 * one database, so every change to agency, agency_alias or agency_email is announced on the
 * `lienthong_directory` channel by a trigger (migration 20261203174500: whichever process or path
 * wrote it, delivered at commit) and every process drops its copy.
 *
 * The cache is attached to the hub's Prisma client, the client every door already passes to
 * `findAgency` / `resolveAgency`, so there is still one translation; a transaction's client has no
 * cache and always reads the database. Until the listener is up, and while it is lost, the cache
 * is off (a notification may be missed then); when it resumes the copy is dropped.
 *
 * A lookup that raced a change (read before the commit, stored after the notification) is not
 * stored: each entry is written only if no change arrived since its read began (`generation`).
 */
export const DIRECTORY_CHANNEL = 'lienthong_directory';

export interface DirectoryCache {
  /** undefined: not cached; null: cached as "no such agency". */
  get(key: string): Entry | null | undefined;
  set(key: string, generation: number, value: Entry | null): void;
  generation(): number;
  invalidate(): void;
}

// Frozen resolved agencies (agency-reference.ts); typed loosely so this file does not import it.
type Entry = object;

const caches = new WeakMap<object, DirectoryCache>();

/** The cache attached to a client, if any (never to a transaction's). */
export function cacheOf(db: object): DirectoryCache | undefined {
  return caches.get(db);
}

/** Drops this process's copy (after a commit it made itself, before the notification arrives). */
export function dropDirectoryCache(db: object): void {
  caches.get(db)?.invalidate();
}

export type DirectoryCacheOptions = {
  /** entries kept at most; the oldest go first (a full directory is ~140,000 codes) */
  maxEntries?: number;
  log: Logger;
  /** Called (at most every 200 ms) after a change of the directory committed, by any process. */
  onChange?: () => void;
};

export type AttachedDirectoryCache = {
  readonly size: () => number;
  readonly enabled: () => boolean;
  stop(): Promise<void>;
};

function createCache(maxEntries: number) {
  let generation = 0;
  let enabled = false;
  const entries = new Map<string, Entry | null>();
  const cache: DirectoryCache = {
    get: (key) => (enabled ? entries.get(key) : undefined),
    set(key, seen, value) {
      if (!enabled || seen !== generation) return;
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, value);
    },
    generation: () => generation,
    invalidate() {
      generation++;
      entries.clear();
    },
  };
  return {
    cache,
    size: () => entries.size,
    enabled: () => enabled,
    setEnabled(on: boolean) {
      cache.invalidate();
      enabled = on;
    },
  };
}

/**
 * Attaches a directory cache to the database's client, listening for changes from every process.
 * Resolves once the listener is up (the cache is on from then).
 */
export async function attachDirectoryCache(
  database: Pick<Database, 'prisma' | 'listen'>,
  options: DirectoryCacheOptions,
): Promise<AttachedDirectoryCache> {
  const state = createCache(options.maxEntries ?? 200_000);
  caches.set(database.prisma, state.cache);
  let listener: Listener | undefined;
  let pending: NodeJS.Timeout | undefined;
  const changed = () => {
    if (!options.onChange || pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      options.onChange?.();
    }, 200);
    pending.unref();
  };
  try {
    listener = await database.listen(DIRECTORY_CHANNEL, {
      onNotify: () => {
        state.cache.invalidate();
        changed();
      },
      onLost: () => {
        state.setEnabled(false);
        options.log.warn('directory cache off while the database listener is lost');
      },
      onResumed: () => {
        state.setEnabled(true);
      },
    });
    state.setEnabled(true);
  } catch (error) {
    caches.delete(database.prisma);
    throw error;
  }
  const held = listener;
  return {
    size: state.size,
    enabled: state.enabled,
    async stop() {
      clearTimeout(pending);
      caches.delete(database.prisma);
      state.setEnabled(false);
      await held.close();
    },
  };
}
