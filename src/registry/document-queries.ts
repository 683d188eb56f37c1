import type { PrismaClient } from '../db/index.ts';
import { agencyScope, type Actor } from './actor.ts';
import { searchWords } from './domain/search-text.ts';
import { afterKey, decodeCursor, encodeCursor } from './keyset-cursor.ts';

/**
 * The register: accent-insensitive search over subject, notation and sender ("quyet dinh" finds
 * "Quyết định"), filters, keyset pagination, newest first. Every word must occur (AND); the
 * trigram index on the folded text serves both words and notation prefixes.
 */
export type DocumentFilter = {
  direction?: 'incoming' | 'outgoing';
  q?: string;
  notationPrefix?: string;
  senderOrganId?: string;
  promulgatedFrom?: string;
  promulgatedTo?: string;
  year?: number;
  cursor?: string;
  limit?: number;
};

export type DocumentSummary = {
  id: string;
  agencyId: string;
  direction: 'incoming' | 'outgoing';
  year: number;
  number: number;
  registeredAt: Date;
  notation: string | null;
  documentType: string | null;
  subject: string;
  senderOrganId: string | null;
  senderName: string | null;
  promulgatedOn: Date | null;
  statusCode: string | null;
};

const SUMMARY = {
  id: true,
  agencyId: true,
  direction: true,
  year: true,
  number: true,
  registeredAt: true,
  notation: true,
  documentType: true,
  subject: true,
  senderOrganId: true,
  senderName: true,
  promulgatedOn: true,
  statusCode: true,
} as const;

const asDate = (value: string) => new Date(`${value}T00:00:00Z`);

export async function searchDocuments(
  prisma: PrismaClient,
  actor: Actor,
  filter: DocumentFilter = {},
): Promise<{ documents: DocumentSummary[]; nextCursor: string | null } | { kind: 'invalid-cursor' }> {
  const cursor = decodeCursor(filter.cursor);
  if (cursor === 'invalid') return { kind: 'invalid-cursor' };
  const scope = agencyScope(actor);
  const limit = Math.min(Math.max(filter.limit ?? 20, 1), 200);
  const words = filter.q ? searchWords(filter.q) : [];
  const prefix = filter.notationPrefix?.trim();
  const rows = await prisma.document.findMany({
    where: {
      ...(scope ? { agencyId: scope } : {}),
      ...(filter.direction ? { direction: filter.direction } : {}),
      ...(filter.year ? { year: filter.year } : {}),
      ...(filter.senderOrganId ? { senderOrganId: filter.senderOrganId } : {}),
      ...(filter.promulgatedFrom || filter.promulgatedTo
        ? {
            promulgatedOn: {
              ...(filter.promulgatedFrom ? { gte: asDate(filter.promulgatedFrom) } : {}),
              ...(filter.promulgatedTo ? { lte: asDate(filter.promulgatedTo) } : {}),
            },
          }
        : {}),
      ...(prefix ? { notation: { startsWith: prefix, mode: 'insensitive' as const } } : {}),
      AND: [...words.map((word) => ({ searchText: { contains: word } })), afterKey('registeredAt', cursor)],
    },
    orderBy: [{ registeredAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    select: SUMMARY,
  });
  const documents = rows.slice(0, limit);
  const last = documents.at(-1);
  return {
    documents,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.registeredAt, id: last.id }) : null,
  };
}

export async function getDocument(prisma: PrismaClient, actor: Actor, documentId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(documentId)) return undefined;
  const scope = agencyScope(actor);
  return (
    (await prisma.document.findFirst({
      where: { id: documentId, ...(scope ? { agencyId: scope } : {}) },
      include: {
        versions: { orderBy: { receivedAt: 'asc' } },
        statusEvents: { orderBy: { occurredAt: 'asc' } },
        intakeItem: { include: { attachments: { orderBy: { name: 'asc' } } } },
      },
    })) ?? undefined
  );
}
