import type { PrismaClient } from '../db/index.ts';
import { afterKey, decodeCursor, encodeCursor, vietnamDayAfter, vietnamDayStart } from '../registry/index.ts';
import { said, splitSaid, type Said } from '../shared/index.ts';

/**
 * The submissions the relay refused (`relay_refusal`, written by the submit path and the national
 * axis receiver), newest first, for the admins' list behind the dashboard's refusal count: when,
 * from which agency (by its name in the directory), how it came, and the reasons the submitter was
 * given, in words. Keyset-paged; filtered by the submitting agency and by Vietnam days.
 */
export type RelayRefusalView = {
  id: string;
  refusedAt: string;
  organId: string;
  /** the agency's name in the directory; null when the code is not (or no longer) an agency's */
  agencyName: string | null;
  /** amqp | http | cli | console | axis */
  via: string;
  documentKey: string | null;
  reasons: Said[];
};

export type RelayRefusalFilter = {
  organId?: string | undefined;
  /** first Vietnam day, YYYY-MM-DD */
  from?: string | undefined;
  /** last Vietnam day, included */
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
};

export type RelayRefusalPage =
  { kind: 'page'; refusals: RelayRefusalView[]; nextCursor: string | null } | { kind: 'bad-cursor' };

/**
 * The submit path gives reasons as "Vietnamese / English: detail" where it has words for them (the
 * detail, such as a signature's problems, only after the English), so the Vietnamese gets the
 * detail too; a validation problem of the package is `path: message`, shown as it is, introduced.
 */
export function refusalReasonWords(reason: string): Said {
  const words = splitSaid(reason);
  if (words) {
    const colon = words.en.indexOf(': ');
    return said(colon > 0 ? `${words.vi}: ${words.en.slice(colon + 2)}` : words.vi, words.en);
  }
  return said(`Gói tin không hợp lệ: ${reason}`, `The package is not valid: ${reason}`);
}

export async function listRelayRefusals(
  prisma: PrismaClient,
  filter: RelayRefusalFilter,
): Promise<RelayRefusalPage> {
  const key = decodeCursor(filter.cursor);
  if (key === 'invalid') return { kind: 'bad-cursor' };
  const rows = await prisma.relayRefusal.findMany({
    where: {
      ...(filter.organId ? { submitterOrganId: filter.organId } : {}),
      ...(filter.from || filter.to
        ? {
            refusedAt: {
              ...(filter.from ? { gte: vietnamDayStart(filter.from) } : {}),
              ...(filter.to ? { lt: vietnamDayAfter(filter.to) } : {}),
            },
          }
        : {}),
      ...afterKey('refusedAt', key),
    },
    orderBy: [{ refusedAt: 'desc' }, { id: 'desc' }],
    take: filter.limit + 1,
  });
  const page = rows.slice(0, filter.limit);
  const names = new Map(
    (
      await prisma.agency.findMany({
        where: { organId: { in: [...new Set(page.map((r) => r.submitterOrganId))] } },
        select: { organId: true, name: true },
      })
    ).map((a) => [a.organId, a.name]),
  );
  const last = page.at(-1);
  return {
    kind: 'page',
    refusals: page.map((row) => ({
      id: row.id,
      refusedAt: row.refusedAt.toISOString(),
      organId: row.submitterOrganId,
      agencyName: names.get(row.submitterOrganId) ?? null,
      via: row.submittedVia,
      documentKey: row.documentKey,
      reasons: (Array.isArray(row.reasons) ? row.reasons : [])
        .filter((r): r is string => typeof r === 'string')
        .map(refusalReasonWords),
    })),
    nextCursor: rows.length > filter.limit && last ? encodeCursor({ at: last.refusedAt, id: last.id }) : null,
  };
}
