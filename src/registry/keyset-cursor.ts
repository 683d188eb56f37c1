/**
 * Keyset pagination: a page ends with (time, id) of its last row; the next page starts strictly
 * after it. Stable under inserts, and as fast on page 1000 as on page 1. Opaque to clients.
 */
export type Keyset = { at: Date; id: string };

export function encodeCursor(key: Keyset): string {
  return Buffer.from(`${key.at.toISOString()}|${key.id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Keyset | undefined | 'invalid' {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) return 'invalid';
  return { at: date, id };
}

/** Prisma where-clause for "after this key" in descending (time, id) order. */
export function afterKey<K extends string>(field: K, key: Keyset | undefined) {
  if (!key) return {};
  return { OR: [{ [field]: { lt: key.at } }, { [field]: key.at, id: { lt: key.id } }] } as Record<
    string,
    unknown
  >;
}
