import { Prisma, type PrismaClient } from '../db/index.ts';
import { agencyScope, type Actor } from '../shared/index.ts';
import { likePrefix } from './domain/search-text.ts';
import { parseSearchQuery, type Passage, type SearchTerm } from './domain/full-text.ts';
import { matchingIdsExactFirst, rankPage } from './search-index.ts';
import { documentStanding, versionChanges, type VersionFacts } from './domain/version-changes.ts';
import { prefillRegistrationForm, type RegistrationForm } from './registration-form.ts';
import { afterKey, decodeCursor, encodeCursor, type Keyset } from './keyset-cursor.ts';

/**
 * The register: full-text search over subject, notation, sender and the document's text, with or
 * without tone marks ("quyet dinh" finds "Quyết định"; domain/full-text.ts), filters, keyset
 * pagination, newest first. Every word and "phrase" must occur (AND); exact-tone matches come first
 * on their page, each with the passage where the words occur.
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
  /** with a text query: where its words occur (the document's text, else subject, notation, sender) */
  passage?: Passage | null;
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
  const terms = filter.q ? parseSearchQuery(filter.q) : [];
  if (terms.length > 0) return searchRegister(prisma, scope, filter, terms, cursor, limit);
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
      AND: [afterKey('registeredAt', cursor)],
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

/**
 * The register with a text query: document.search_vector (GIN index) with the same filters and
 * order as without one; the page is ranked and given passages (search-index.ts rankPage).
 */
async function searchRegister(
  prisma: PrismaClient,
  scope: string | null,
  filter: DocumentFilter,
  terms: SearchTerm[],
  cursor: Keyset | undefined,
  limit: number,
) {
  const prefix = filter.notationPrefix?.trim();
  const where = [
    ...(scope ? [Prisma.sql`agency_id = ${scope}::uuid`] : []),
    ...(filter.direction ? [Prisma.sql`direction = ${filter.direction}::"Direction"`] : []),
    ...(filter.year ? [Prisma.sql`year = ${filter.year}::int`] : []),
    ...(filter.senderOrganId ? [Prisma.sql`sender_organ_id = ${filter.senderOrganId}`] : []),
    ...(filter.promulgatedFrom ? [Prisma.sql`promulgated_on >= ${filter.promulgatedFrom}::date`] : []),
    ...(filter.promulgatedTo ? [Prisma.sql`promulgated_on <= ${filter.promulgatedTo}::date`] : []),
    ...(prefix ? [Prisma.sql`notation ILIKE ${likePrefix(prefix)}`] : []),
  ];
  const { ids, exact, pastExact } = await matchingIdsExactFirst(
    prisma,
    'document',
    where,
    cursor ? Prisma.sql`(registered_at, id) < (${cursor.at}, ${cursor.id}::uuid)` : null,
    { columns: Prisma.sql`registered_at`, by: Prisma.sql`registered_at DESC, id DESC` },
    terms,
    cursor,
    limit,
  );
  const byId = new Map(
    (
      await prisma.document.findMany({
        where: { id: { in: ids } },
        select: { ...SUMMARY, intakeItemId: true },
      })
    ).map((row) => [row.id, row]),
  );
  const rows = ids.flatMap((id) => byId.get(id) ?? []);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const ranked = await rankPage(
    prisma,
    page,
    terms,
    (row) => row.intakeItemId,
    (row) => [
      { field: 'subject', text: row.subject },
      { field: 'notation', text: row.notation },
      { field: 'sender', text: row.senderName },
    ],
    exact,
  );
  return {
    documents: ranked.map((row) => {
      const document: DocumentSummary & { intakeItemId?: string | null } = { ...row };
      delete document.intakeItemId;
      return document;
    }),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ at: last.registeredAt, id: last.id, ...(pastExact ? { pastExact } : {}) })
        : null,
  };
}

export async function getDocument(prisma: PrismaClient, actor: Actor, documentId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(documentId)) return undefined;
  const scope = agencyScope(actor);
  const document = await prisma.document.findFirst({
    where: { id: documentId, ...(scope ? { agencyId: scope } : {}) },
    include: {
      versions: { orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }] },
      statusEvents: { orderBy: { occurredAt: 'asc' } },
      intakeItem: { include: { attachments: { orderBy: { name: 'asc' } } } },
    },
  });
  if (!document) return undefined;
  const assignments = await assignmentsOf(prisma, document.id);
  const names = await peopleNamed(prisma, [document.registeredBy, ...assignments.map((a) => a.by)]);
  return {
    ...document,
    ...(await describeVersions(prisma, document)),
    registeredByName: names(document.registeredBy),
    assignments: assignments.map((a) => ({ ...a, byName: names(a.by) })),
  };
}

/**
 * Who acted, as people know them: `user:<username>` becomes the person's name; null for the hub's
 * own components and partner systems, which the console says in words of its language.
 */
async function peopleNamed(prisma: PrismaClient, labels: readonly string[]) {
  const usernames = labels.flatMap((l) => (l.startsWith('user:') ? [l.slice(5)] : []));
  const people = new Map(
    (
      await prisma.user.findMany({
        where: { username: { in: usernames } },
        select: { username: true, displayName: true },
      })
    ).map((u) => [u.username, u.displayName]),
  );
  return (label: string): string | null =>
    label.startsWith('user:') ? (people.get(label.slice(5)) ?? label.slice(5)) : null;
}

type AssignmentState = { departmentId: string | null; assigneeId: string | null; dueOn: string | null };

/**
 * What leaders changed in the document's follow-up (department, person, due date), from its audit
 * entries, with names: the document's timeline shows who gave it to whom and when it became due.
 */
async function assignmentsOf(prisma: PrismaClient, documentId: string) {
  const entries = await prisma.auditEntry.findMany({
    where: { action: 'document.assigned', subject: `document:${documentId}` },
    orderBy: { seq: 'asc' },
    select: { at: true, actor: true, data: true },
  });
  const changes = entries.map((entry) => {
    const data = entry.data as { before?: AssignmentState; after?: AssignmentState };
    return { at: entry.at, actor: entry.actor, before: data.before, after: data.after };
  });
  const ids = (key: 'departmentId' | 'assigneeId') =>
    changes.flatMap((c) => [c.before?.[key], c.after?.[key]]).filter((id): id is string => !!id);
  const [departments, people] = await Promise.all([
    prisma.department.findMany({
      where: { id: { in: ids('departmentId') } },
      select: { id: true, name: true },
    }),
    prisma.user.findMany({
      where: { id: { in: ids('assigneeId') } },
      select: { id: true, displayName: true },
    }),
  ]);
  const department = new Map(departments.map((d) => [d.id, d.name]));
  const person = new Map(people.map((u) => [u.id, u.displayName]));
  const named = (state: AssignmentState | undefined) => ({
    department: state?.departmentId ? (department.get(state.departmentId) ?? null) : null,
    assignee: state?.assigneeId ? (person.get(state.assigneeId) ?? null) : null,
    dueOn: state?.dueOn ?? null,
  });
  return changes.map((c) => ({ at: c.at, by: c.actor, before: named(c.before), after: named(c.after) }));
}

type DocumentRow = {
  agencyId: string;
  subject: string;
  notation: string | null;
  documentType: string | null;
  senderName: string | null;
  promulgatedOn: Date | null;
  signer: string | null;
  dueOn: Date | null;
  intakeItemId: string | null;
  versions: {
    id: string;
    businessType: number;
    intakeItemId: string | null;
    receivedAt: Date;
    note: string | null;
  }[];
};

const isoDate = (value: Date | null) => (value ? value.toISOString().slice(0, 10) : undefined);
const present = (facts: Record<string, string | undefined>): VersionFacts =>
  Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined && v !== ''));

/**
 * Each version with the intake item (and relayed package) it came from and what it changed against
 * the version before; the original's facts are the registered line itself, as the clerk confirmed it.
 */
async function describeVersions(prisma: PrismaClient, document: DocumentRow) {
  const itemIds = document.versions.flatMap((v) => (v.intakeItemId ? [v.intakeItemId] : []));
  const items = await prisma.intakeItem.findMany({
    where: { id: { in: itemIds }, agencyId: document.agencyId },
    select: {
      id: true,
      source: true,
      state: true,
      subject: true,
      senderOrganId: true,
      senderAddress: true,
      documentKey: true,
      rawSha256: true,
      receivedAt: true,
      metadata: true,
      attachments: { select: { name: true }, orderBy: { name: 'asc' } },
    },
  });
  const packages = await prisma.relayPackage.findMany({
    where: { sha256: { in: items.map((i) => i.rawSha256) } },
    select: { id: true, sha256: true, fromOrganId: true },
  });
  const byId = new Map(items.map((item) => [item.id, item]));
  let previous: VersionFacts | null = null;
  const versions = document.versions.map((version) => {
    const item = version.intakeItemId ? byId.get(version.intakeItemId) : undefined;
    const attachments = item?.attachments.map((a) => a.name).join(', ');
    const facts: VersionFacts | null =
      version.intakeItemId === document.intakeItemId
        ? present({
            subject: document.subject,
            notation: document.notation ?? undefined,
            documentType: document.documentType ?? undefined,
            senderName: document.senderName ?? undefined,
            promulgatedOn: isoDate(document.promulgatedOn),
            signer: document.signer ?? undefined,
            dueOn: isoDate(document.dueOn),
            attachments,
          })
        : item
          ? present({ ...stringsOf(prefillRegistrationForm(item, {})), attachments })
          : null;
    const changes = version.intakeItemId === document.intakeItemId ? [] : versionChanges(previous, facts);
    if (facts) previous = { ...previous, ...facts };
    const relayed =
      item && packages.find((p) => p.sha256 === item.rawSha256 && p.fromOrganId === item.senderOrganId);
    return {
      ...version,
      changes,
      item: item
        ? {
            id: item.id,
            source: item.source,
            state: item.state,
            subject: item.subject,
            senderOrganId: item.senderOrganId,
            senderAddress: item.senderAddress,
            documentKey: item.documentKey,
            receivedAt: item.receivedAt,
            packageId: relayed?.id ?? null,
          }
        : null,
    };
  });
  return { versions, standing: documentStanding(document.versions) };
}

function stringsOf(form: Partial<RegistrationForm>): Record<string, string | undefined> {
  return {
    subject: form.subject,
    notation: form.notation,
    documentType: form.documentType,
    senderName: form.senderName,
    promulgatedOn: form.promulgatedOn,
    signer: form.signer,
    dueOn: form.dueOn,
  };
}
