import type { PrismaClient, Transaction } from '../db/index.ts';

type Db = Pick<PrismaClient | Transaction, 'agency' | 'agencyAlias'>;

/**
 * The directory's names for senders' codes, current or former, for a clerk who registers and a
 * register book that prints "Tác giả" as a name, never as an OrganId. The registry reads the
 * directory's tables itself: the directory module records its changes in the registry's audit
 * trail, so it cannot be imported from here.
 */
export async function senderAgencyNames(
  db: Db,
  codes: readonly (string | null)[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(codes.filter((c): c is string => !!c).map((c) => c.trim().toUpperCase()))];
  const names = new Map<string, string>();
  if (wanted.length === 0) return names;
  for (const row of await db.agency.findMany({
    where: { organId: { in: wanted } },
    select: { organId: true, name: true },
  }))
    names.set(row.organId, row.name);
  const former = wanted.filter((code) => !names.has(code));
  if (former.length > 0)
    for (const row of await db.agencyAlias.findMany({
      where: { organId: { in: former } },
      select: { organId: true, agency: { select: { name: true } } },
    }))
      names.set(row.organId, row.agency.name);
  return names;
}

export async function senderAgencyName(db: Db, code: string | null): Promise<string | null> {
  if (!code) return null;
  return (await senderAgencyNames(db, [code])).get(code.trim().toUpperCase()) ?? null;
}
