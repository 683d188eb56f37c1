import { Prisma, type PrismaClient } from '../db/index.ts';
import { agencyScope, type Actor } from '../shared/index.ts';
import { afterKey, afterUrgencyKey, decodeCursor, encodeCursor, type Keyset } from './keyset-cursor.ts';
import type { IntakeSource } from './receive-intake-items.ts';
import { MAIL_HEADER_LIMITS, readMailHeaders, type MailHeaderBlock } from './domain/mail-headers.ts';
import { prefillRegistrationForm, prefillSources } from './registration-form.ts';
import { foldForSearch, likeContaining } from './domain/search-text.ts';
import { parseSearchQuery, type Passage, type SearchTerm } from './domain/full-text.ts';
import { matchingIdsExactFirst, notationOf, rankPage } from './search-index.ts';
import { readFieldsOfItem } from './page-fields.ts';
import { senderAgencyName } from './sender-name.ts';

/** The review queue, scoped to the actor's agency. */
export type IntakeFilter = {
  state?: 'new' | 'registered' | 'rejected' | 'duplicate' | 'quarantined';
  source?: IntakeSource;
  sender?: string;
  receivedFrom?: Date;
  receivedTo?: Date;
  q?: string;
  /** received: newest first (the default); urgency: hỏa tốc first, then thượng khẩn, khẩn, each newest first */
  sort?: 'received' | 'urgency';
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
  /** the sender as people name it (the package's OrganName, else the directory's name) */
  senderName: string | null;
  receivedAt: Date;
  reason: string | null;
  /** độ khẩn: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ */
  priority: number;
  /** with a text query: where its words occur (the files' text, else subject, notation, sender) */
  passage?: Passage | null;
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
  senderName: true,
  receivedAt: true,
  reason: true,
  priority: true,
} as const;

export async function listIntake(
  prisma: PrismaClient,
  actor: Actor,
  filter: IntakeFilter = {},
): Promise<IntakePage> {
  const cursor = decodeCursor(filter.cursor);
  const byUrgency = filter.sort === 'urgency';
  // A cursor of one order is no place in the other.
  if (cursor === 'invalid' || (cursor && (cursor.priority !== undefined) !== byUrgency))
    return { kind: 'invalid-cursor' };
  const scope = agencyScope(actor);
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const sender = filter.sender?.trim();
  const terms = filter.q ? parseSearchQuery(filter.q) : [];
  if (terms.length > 0) return searchIntake(prisma, scope, filter, terms, cursor, limit);
  const rows = await prisma.intakeItem.findMany({
    where: {
      ...(scope ? { agencyId: scope } : {}),
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.source ? { source: filter.source } : {}),
      // A code, or part of a name or address, with or without tone marks ("so tai chinh").
      ...(sender
        ? {
            OR: [
              { senderOrganId: sender.toUpperCase() },
              { senderSearch: { contains: foldForSearch(sender) } },
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
      AND: [byUrgency ? afterUrgencyKey('receivedAt', cursor) : afterKey('receivedAt', cursor)],
    },
    orderBy: byUrgency
      ? [{ priority: 'desc' }, { receivedAt: 'desc' }, { id: 'desc' }]
      : [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    select: SUMMARY,
  });
  return pageOf(rows, limit, byUrgency);
}

function pageOf(rows: IntakeSummary[], limit: number, byUrgency: boolean, pastExact = false) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({
            at: last.receivedAt,
            id: last.id,
            ...(byUrgency ? { priority: last.priority } : {}),
            ...(pastExact ? { pastExact } : {}),
          })
        : null,
  };
}

/**
 * The queue with a text query: the words of subject, notation, sender and the files' text
 * (intake_item.search_vector, GIN index), with the same filters and order as without one. The
 * page is then ranked (exact tone marks first) and each item gets its passage; the cursor stays
 * the page's last row in queue order, so paging neither skips nor repeats.
 */
async function searchIntake(
  prisma: PrismaClient,
  scope: string | null,
  filter: IntakeFilter,
  terms: SearchTerm[],
  cursor: Keyset | undefined,
  limit: number,
): Promise<IntakePage> {
  const byUrgency = filter.sort === 'urgency';
  const sender = filter.sender?.trim();
  const where = [
    ...(scope ? [Prisma.sql`agency_id = ${scope}::uuid`] : []),
    ...(filter.state ? [Prisma.sql`state = ${filter.state}::"IntakeState"`] : []),
    ...(filter.source ? [Prisma.sql`source = ${filter.source}::"IntakeSource"`] : []),
    ...(sender
      ? [
          Prisma.sql`(sender_organ_id = ${sender.toUpperCase()} OR sender_search LIKE ${likeContaining(foldForSearch(sender))})`,
        ]
      : []),
    ...(filter.receivedFrom ? [Prisma.sql`received_at >= ${filter.receivedFrom}`] : []),
    ...(filter.receivedTo ? [Prisma.sql`received_at < ${filter.receivedTo}`] : []),
  ];
  const keyset = cursor
    ? byUrgency
      ? Prisma.sql`(priority, received_at, id) < (${cursor.priority ?? 0}::int, ${cursor.at}, ${cursor.id}::uuid)`
      : Prisma.sql`(received_at, id) < (${cursor.at}, ${cursor.id}::uuid)`
    : null;
  const { ids, exact, pastExact } = await matchingIdsExactFirst(
    prisma,
    'intake_item',
    where,
    keyset,
    byUrgency
      ? {
          columns: Prisma.sql`priority, received_at`,
          by: Prisma.sql`priority DESC, received_at DESC, id DESC`,
        }
      : { columns: Prisma.sql`received_at`, by: Prisma.sql`received_at DESC, id DESC` },
    terms,
    cursor,
    limit,
  );
  const byId = new Map(
    (
      await prisma.intakeItem.findMany({ where: { id: { in: ids } }, select: { ...SUMMARY, metadata: true } })
    ).map((row) => [row.id, row]),
  );
  const rows = ids.flatMap((id) => byId.get(id) ?? []);
  const page = pageOf(rows, limit, byUrgency, pastExact);
  const ranked = await rankPage(
    prisma,
    page.items as typeof rows,
    terms,
    (row) => row.id,
    (row) => [
      { field: 'subject', text: row.subject },
      { field: 'notation', text: notationOf(row.metadata) },
      { field: 'sender', text: row.senderName },
    ],
    exact,
  );
  return {
    items: ranked.map((row) => {
      const item: IntakeSummary & { metadata?: unknown } = { ...row };
      delete item.metadata;
      return item;
    }),
    nextCursor: page.nextCursor,
  };
}

/** The item with its attachments (each with where the reading of its text stands), only if the actor may see it. */
export async function findIntakeItem(prisma: PrismaClient, actor: Actor, itemId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(itemId)) return undefined;
  const scope = agencyScope(actor);
  return (
    (await prisma.intakeItem.findFirst({
      where: { id: itemId, ...(scope ? { agencyId: scope } : {}) },
      include: {
        attachments: {
          orderBy: { name: 'asc' },
          include: {
            fileText: {
              select: { state: true, method: true, pagesTotal: true, pagesRead: true, reason: true },
            },
          },
        },
        document: { select: { id: true, year: true, number: true } },
      },
    })) ?? undefined
  );
}

/** An item with the registration form prefilled from it (`form`): what the console shows and submits. */
export async function getIntakeItem(prisma: PrismaClient, actor: Actor, itemId: string) {
  const item = await findIntakeItem(prisma, actor, itemId);
  if (!item) return undefined;
  const senderName = await senderAgencyName(prisma, item.senderOrganId);
  const prefillFrom = {
    ...item,
    senderAgencyName: senderName,
    readFields: await readFieldsOfItem(prisma, item.id),
  };
  return {
    ...item,
    form: prefillRegistrationForm(prefillFrom, {}),
    formSources: prefillSources(prefillFrom),
  };
}

/** Raw bytes of an item's input or attachment, only if the actor may see that item. */
export async function readIntakeBytes(
  prisma: PrismaClient,
  actor: Actor,
  itemId: string,
  sha256: string,
): Promise<Buffer | undefined> {
  const item = await findIntakeItem(prisma, actor, itemId);
  if (!item || (item.rawSha256 !== sha256 && !item.attachments.some((a) => a.sha256 === sha256)))
    return undefined;
  const blob = await prisma.blob.findUnique({ where: { sha256 } });
  return blob ? Buffer.from(blob.content) : undefined;
}

export type IntakeHeaders = MailHeaderBlock & { mail: boolean; size: number };

/**
 * The header section of an item's stored raw message. Only the first bytes are fetched from the
 * database (the message may be 50 MB), and they are read by a bounded parser that never throws.
 */
export async function readIntakeHeaders(
  prisma: PrismaClient,
  actor: Actor,
  itemId: string,
): Promise<IntakeHeaders | undefined> {
  const item = await findIntakeItem(prisma, actor, itemId);
  if (!item) return undefined;
  if (item.source !== 'smtp' && item.source !== 'imap')
    return {
      mail: false,
      size: 0,
      fields: [],
      truncated: false,
      problems: [`not a mail message (${item.source})`],
    };
  const rows = await prisma.$queryRaw<{ head: Uint8Array; size: number }[]>`
    SELECT substring(content FROM 1 FOR ${MAIL_HEADER_LIMITS.bytes + 4}) AS head, size
    FROM blob WHERE sha256 = ${item.rawSha256}`;
  const row = rows[0];
  if (!row)
    return { mail: true, size: 0, fields: [], truncated: false, problems: ['the stored message is missing'] };
  return { mail: true, size: row.size, ...readMailHeaders(row.head, row.size) };
}

export type DuplicateCandidate = IntakeSummary & {
  document: { id: string; year: number; number: number } | null;
  /** why it looks like the same document */
  matches: ('document-id' | 'message-id' | 'same-bytes' | 'same-attachment' | 'subject-and-sender')[];
};

/**
 * Items of the same agency that look like the same document as this one, oldest first, so a
 * clerk can mark a second delivery as a duplicate of the first: the same edXML DocumentId,
 * Message-ID, raw bytes or attachment bytes, or the same subject from the same sender.
 */
export async function findDuplicateCandidates(
  prisma: PrismaClient,
  actor: Actor,
  itemId: string,
): Promise<DuplicateCandidate[] | undefined> {
  const item = await findIntakeItem(prisma, actor, itemId);
  if (!item) return undefined;
  const attachmentShas = [...new Set(item.attachments.map((a) => a.sha256))];
  const sender = item.senderOrganId
    ? { senderOrganId: item.senderOrganId }
    : item.senderAddress
      ? { senderAddress: item.senderAddress }
      : null;
  const rows = await prisma.intakeItem.findMany({
    where: {
      agencyId: item.agencyId,
      id: { not: item.id },
      OR: [
        ...(item.documentKey ? [{ documentKey: item.documentKey, businessType: item.businessType }] : []),
        ...(item.messageId ? [{ messageId: item.messageId }] : []),
        { rawSha256: item.rawSha256 },
        ...(attachmentShas.length > 0 ? [{ attachments: { some: { sha256: { in: attachmentShas } } } }] : []),
        ...(sender && item.subject ? [{ ...sender, subject: item.subject }] : []),
      ],
    },
    orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
    take: 20,
    select: {
      ...SUMMARY,
      documentKey: true,
      businessType: true,
      messageId: true,
      rawSha256: true,
      attachments: { select: { sha256: true } },
      document: { select: { id: true, year: true, number: true } },
    },
  });
  return rows.map(({ documentKey, businessType, messageId, rawSha256, attachments, ...summary }) => ({
    ...summary,
    matches: [
      ...(item.documentKey && documentKey === item.documentKey && businessType === item.businessType
        ? (['document-id'] as const)
        : []),
      ...(item.messageId && messageId === item.messageId ? (['message-id'] as const) : []),
      ...(rawSha256 === item.rawSha256 ? (['same-bytes'] as const) : []),
      ...(attachments.some((a) => attachmentShas.includes(a.sha256)) ? (['same-attachment'] as const) : []),
      ...(item.subject &&
      summary.subject === item.subject &&
      ((item.senderOrganId && summary.senderOrganId === item.senderOrganId) ||
        (!item.senderOrganId && item.senderAddress && summary.senderAddress === item.senderAddress))
        ? (['subject-and-sender'] as const)
        : []),
    ],
  }));
}
