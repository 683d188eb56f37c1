import type { PrismaClient } from '../db/index.ts';
import { agencyScope, type Actor } from './actor.ts';
import { afterKey, decodeCursor, encodeCursor } from './keyset-cursor.ts';
import type { IntakeSource } from './receive-intake-items.ts';

/** The review queue, scoped to the actor's agency. */
export type IntakeFilter = {
  state?: 'new' | 'registered' | 'rejected' | 'duplicate' | 'quarantined';
  source?: IntakeSource;
  sender?: string;
  receivedFrom?: Date;
  receivedTo?: Date;
  q?: string;
  cursor?: string;
  limit?: number;
};

export type IntakeSummary = {
  id: string;
  agencyId: string;
  source: string;
  state: string;
  subject: string | null;
  senderOrganId: string | null;
  senderAddress: string | null;
  receivedAt: Date;
  reason: string | null;
};

export type IntakePage = { items: IntakeSummary[]; nextCursor: string | null } | { kind: 'invalid-cursor' };

const SUMMARY = {
  id: true,
  agencyId: true,
  source: true,
  state: true,
  subject: true,
  senderOrganId: true,
  senderAddress: true,
  receivedAt: true,
  reason: true,
} as const;

export async function listIntake(
  prisma: PrismaClient,
  actor: Actor,
  filter: IntakeFilter = {},
): Promise<IntakePage> {
  const cursor = decodeCursor(filter.cursor);
  if (cursor === 'invalid') return { kind: 'invalid-cursor' };
  const scope = agencyScope(actor);
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const sender = filter.sender?.trim();
  const rows = await prisma.intakeItem.findMany({
    where: {
      ...(scope ? { agencyId: scope } : {}),
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.source ? { source: filter.source } : {}),
      ...(sender
        ? {
            OR: [
              { senderOrganId: sender },
              { senderAddress: { contains: sender, mode: 'insensitive' as const } },
            ],
          }
        : {}),
      ...(filter.receivedFrom || filter.receivedTo
        ? {
            receivedAt: {
              ...(filter.receivedFrom ? { gte: filter.receivedFrom } : {}),
              ...(filter.receivedTo ? { lt: filter.receivedTo } : {}),
            },
          }
        : {}),
      // The queue is short-lived and small per agency; a plain case-insensitive match is enough here
      // (the register has the accent-insensitive index).
      ...(filter.q ? { subject: { contains: filter.q.normalize('NFC'), mode: 'insensitive' as const } } : {}),
      AND: [afterKey('receivedAt', cursor)],
    },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    select: SUMMARY,
  });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.receivedAt, id: last.id }) : null,
  };
}

export async function getIntakeItem(prisma: PrismaClient, actor: Actor, itemId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(itemId)) return undefined;
  const scope = agencyScope(actor);
  return (
    (await prisma.intakeItem.findFirst({
      where: { id: itemId, ...(scope ? { agencyId: scope } : {}) },
      include: {
        attachments: { orderBy: { name: 'asc' } },
        document: { select: { id: true, year: true, number: true } },
      },
    })) ?? undefined
  );
}

/** Raw bytes of an item's input or attachment, only if the actor may see that item. */
export async function readIntakeBytes(
  prisma: PrismaClient,
  actor: Actor,
  itemId: string,
  sha256: string,
): Promise<Buffer | undefined> {
  const item = await getIntakeItem(prisma, actor, itemId);
  if (!item || (item.rawSha256 !== sha256 && !item.attachments.some((a) => a.sha256 === sha256)))
    return undefined;
  const blob = await prisma.blob.findUnique({ where: { sha256 } });
  return blob ? Buffer.from(blob.content) : undefined;
}
