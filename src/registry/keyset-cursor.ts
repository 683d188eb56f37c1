/**
 * Keyset pagination: a page ends with (time, id) of its last row; the next page starts strictly
 * after it. Stable under inserts, and as fast on page 1000 as on page 1. Opaque to clients.
 */
export type Keyset = {
  at: Date;
  id: string;
  /** a list sorted by urgency first: the last row's */ priority?: number;
  /**
   * a search listing exact-tone matches first: the last row was past them (search-index.ts
   * matchingIdsExactFirst)
   */
  pastExact?: boolean;
};

const PAST_EXACT = 'x';

export function encodeCursor(key: Keyset): string {
  const priority = key.priority === undefined ? '' : `|${key.priority}`;
  const pastExact = key.pastExact ? `|${PAST_EXACT}` : '';
  return Buffer.from(`${key.at.toISOString()}|${key.id}${priority}${pastExact}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Keyset | undefined | 'invalid' {
  if (!cursor) return undefined;
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) return 'invalid';
  const key: Keyset = { at: date, id };
  if (rest.at(-1) === PAST_EXACT) {
    key.pastExact = true;
    rest.pop();
  }
  const [priority, ...more] = rest;
  if (more.length > 0) return 'invalid';
  if (priority === undefined) return key;
  if (!/^[0-4]$/.test(priority)) return 'invalid';
  return { ...key, priority: Number(priority) };
}

/** "After this key" in descending (priority, time, id) order: the queue sorted by urgency. */
export function afterUrgencyKey<K extends string>(field: K, key: Keyset | undefined) {
  if (!key) return {};
  const priority = key.priority ?? 0;
  return {
    OR: [
      { priority: { lt: priority } },
      { priority, [field]: { lt: key.at } },
      { priority, [field]: key.at, id: { lt: key.id } },
    ],
  } as Record<string, unknown>;
}

/** Prisma where-clause for "after this key" in descending (time, id) order. */
export function afterKey<K extends string>(field: K, key: Keyset | undefined) {
  if (!key) return {};
  return { OR: [{ [field]: { lt: key.at } }, { [field]: key.at, id: { lt: key.id } }] } as Record<
    string,
    unknown
  >;
}
