import { Prisma, type PrismaClient, type Transaction } from '../db/index.ts';
import { storableText } from '../text/index.ts';
import { sha256Hex } from './blob-store.ts';
import {
  exactToneQuery,
  exactToneScore,
  findPassage,
  holdsPhrases,
  searchQuery,
  searchVector,
  type Passage,
  type SearchTerm,
} from './domain/full-text.ts';

/**
 * What full-text search reads of an item: subject, notation, sender, then the files' text. The
 * same list, for a registered document, starts with what the clerk registered instead.
 */
type ItemFields = {
  subject: string | null;
  metadata: unknown;
  senderName: string | null;
  senderOrganId: string | null;
  senderAddress: string | null;
};

export function notationOf(metadata: unknown): string | null {
  const code = (metadata as { code?: { notation?: unknown } } | null)?.code;
  return typeof code?.notation === 'string' ? code.notation : null;
}

export function itemVector(item: ItemFields, texts: readonly string[] = []): string {
  return searchVector([
    item.subject,
    notationOf(item.metadata),
    item.senderName,
    item.senderOrganId,
    item.senderAddress,
    ...texts,
  ]);
}

type DocumentFields = {
  subject: string;
  notation: string | null;
  senderName: string | null;
  senderOrganId: string | null;
};

export function documentVector(document: DocumentFields, texts: readonly string[] = []): string {
  return searchVector([
    document.subject,
    document.notation,
    document.senderName,
    document.senderOrganId,
    ...texts,
  ]);
}

/** Newly stored items' words, in one statement whatever the batch size. */
export async function writeItemVectors(
  tx: Transaction,
  rows: readonly (ItemFields & { id: string })[],
): Promise<void> {
  if (rows.length === 0) return;
  const values = JSON.stringify(rows.map((row) => ({ id: row.id, vector: itemVector(row) })));
  await tx.$executeRaw`UPDATE intake_item AS i SET search_vector = v.vector::tsvector
    FROM json_to_recordset(${values}::json) AS v(id uuid, vector text) WHERE i.id = v.id`;
}

const textsOf = async (tx: Transaction, intakeItemId: string) =>
  (
    await tx.itemText.findMany({
      where: { intakeItemId },
      orderBy: [{ recordedAt: 'asc' }, { fileKey: 'asc' }],
      select: { text: true },
    })
  ).map((t) => t.text);

/** A registered document's words: what the clerk registered, and its intake item's text. */
export async function refreshDocumentVector(tx: Transaction, documentId: string): Promise<void> {
  const document = await tx.document.findUnique({
    where: { id: documentId },
    select: { subject: true, notation: true, senderName: true, senderOrganId: true, intakeItemId: true },
  });
  if (!document) return;
  const texts = document.intakeItemId ? await textsOf(tx, document.intakeItemId) : [];
  await tx.$executeRaw`UPDATE document SET search_vector = ${documentVector(document, texts)}::tsvector WHERE id = ${documentId}::uuid`;
}

/**
 * Records the text read from one of an item's files, and makes it searchable: the item's words
 * (in the queue) and, when it is registered, its document's (in the register) are rebuilt from the
 * item's fields and the text of all its files. One row per file: `fileKey` names the file (its
 * attachment's sha-256, say); without it the text's own sha-256 does, so recording the same text
 * twice changes nothing, and recording a file's text again under its key replaces it.
 * An item that does not exist (or no longer) is left alone.
 */
export async function indexItemText(
  tx: Transaction,
  intakeItemId: string,
  text: string,
  fileKey?: string,
): Promise<void> {
  const item = await tx.intakeItem.findUnique({
    where: { id: intakeItemId },
    select: {
      subject: true,
      metadata: true,
      senderName: true,
      senderOrganId: true,
      senderAddress: true,
      document: { select: { id: true } },
    },
  });
  if (!item) return;
  const clean = storableText(text);
  const key = (fileKey ?? sha256Hex(Buffer.from(clean, 'utf8'))).slice(0, 200);
  await tx.itemText.upsert({
    where: { intakeItemId_fileKey: { intakeItemId, fileKey: key } },
    create: { intakeItemId, fileKey: key, text: clean },
    update: { text: clean },
  });
  const texts = await textsOf(tx, intakeItemId);
  await tx.$executeRaw`UPDATE intake_item SET search_vector = ${itemVector(item, texts)}::tsvector WHERE id = ${intakeItemId}::uuid`;
  if (item.document) await refreshDocumentVector(tx, item.document.id);
}

/**
 * A page of search results in the order a clerk reads them: the rows that matched the query's
 * exact-tone words (the first `exactRows`, matchingIdsExactFirst) before the others; within each,
 * those with more of the query's terms exactly as typed (tone marks and all, in one field) first,
 * then newest first as the query returned them; under each the passage where the terms occur, the
 * files' text preferred.
 */
export async function rankPage<T extends { id: string }>(
  reader: Pick<Transaction, 'itemText'>,
  rows: readonly T[],
  terms: readonly SearchTerm[],
  itemIdOf: (row: T) => string | null,
  fieldsOf: (row: T) => { field: string; text: string | null }[],
  exactRows = 0,
): Promise<(T & { passage: Passage | null })[]> {
  const itemIds = [...new Set(rows.flatMap((row) => itemIdOf(row) ?? []))];
  const texts = new Map<string, string[]>();
  if (itemIds.length > 0)
    for (const t of await reader.itemText.findMany({
      where: { intakeItemId: { in: itemIds } },
      orderBy: [{ recordedAt: 'asc' }, { fileKey: 'asc' }],
      select: { intakeItemId: true, text: true },
    }))
      texts.set(t.intakeItemId, [...(texts.get(t.intakeItemId) ?? []), t.text]);
  return rows
    .map((row, index) => {
      const itemId = itemIdOf(row);
      const fields = [
        ...fieldsOf(row),
        ...(itemId ? (texts.get(itemId) ?? []) : []).map((text) => ({ field: 'text', text })),
      ];
      const score = exactToneScore(
        fields.map((f) => f.text),
        terms,
      );
      const passage = findPassage(
        [...fields.filter((f) => f.field === 'text'), ...fields.filter((f) => f.field !== 'text')],
        terms,
      );
      return {
        row: { ...row, passage },
        score,
        index,
        whole: holdsPhrases(
          fields.map((f) => f.text),
          terms,
        ),
      };
    })
    .filter((r) => r.whole)
    .sort(
      (a, b) =>
        Number(a.index >= exactRows) - Number(b.index >= exactRows) || b.score - a.score || a.index - b.index,
    )
    .map((r) => r.row);
}

/** How many of the newest rows (after the filters) the first try reads before asking the index. */
const RECENT_WINDOW = 2000;

/**
 * The ids of the first `limit` + 1 rows that match `tsquery` and the filters, in list order. Two
 * tries, because no single plan serves every word: a word in many rows is found among the newest
 * few thousand (an ordered index scan that reads them and stops), a rare word or a phrase (its
 * pairs of words are rare) is found through the GIN index and only its matches are sorted.
 * The planner would choose between the two by its estimate for the words, which for a phrase of
 * common words or a word of middling frequency is often far off: it then read every row of the
 * agency, newest first, to fill a page that has none. The first try is bounded, the second is
 * fenced (MATERIALIZED), so neither can become that scan.
 */
export async function matchingIds(
  prisma: PrismaClient,
  table: 'document' | 'intake_item',
  filters: readonly Prisma.Sql[],
  order: { columns: Prisma.Sql; by: Prisma.Sql },
  tsquery: string,
  limit: number,
): Promise<string[]> {
  const from = Prisma.raw(table === 'document' ? 'document' : 'intake_item');
  const where = filters.length > 0 ? Prisma.join(filters, ' AND ') : Prisma.sql`TRUE`;
  const recent = await prisma.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM (
      SELECT id, ${order.columns}, search_vector FROM ${from} WHERE ${where} ORDER BY ${order.by} LIMIT ${RECENT_WINDOW}
    ) AS recent
    WHERE search_vector @@ ${tsquery}::tsquery ORDER BY ${order.by} LIMIT ${limit + 1}`;
  if (recent.length > limit) return recent.map((r) => r.id);
  const all = await prisma.$queryRaw<{ id: string }[]>`
    WITH matching AS MATERIALIZED (
      SELECT id, ${order.columns} FROM ${from} WHERE search_vector @@ ${tsquery}::tsquery AND ${where}
    )
    SELECT id::text AS id FROM matching ORDER BY ${order.by} LIMIT ${limit + 1}`;
  return all.map((r) => r.id);
}

/**
 * matchingIds with the query's exact-tone words first: the rows that hold every word the clerk
 * typed with tone marks exactly as typed, newest first, then the others that match without the
 * marks, newest first, so "Quyết định" lists a row with "quyết định" before one with "quyet dinh"
 * whatever their dates, across pages. `keyset` is the list's "after this row" condition for a
 * cursor; a cursor past the exact rows (`pastExact`) continues among the others. A query without
 * marks is one list, as matchingIds gives it. Returns the ids, how many of them are exact, and
 * whether the page's last row (the next cursor's) is past the exact ones.
 */
export async function matchingIdsExactFirst(
  prisma: PrismaClient,
  table: 'document' | 'intake_item',
  filters: readonly Prisma.Sql[],
  keyset: Prisma.Sql | null,
  order: { columns: Prisma.Sql; by: Prisma.Sql },
  terms: readonly SearchTerm[],
  cursor: { pastExact?: boolean } | undefined,
  limit: number,
): Promise<{ ids: string[]; exact: number; pastExact: boolean }> {
  const matching = searchQuery(terms);
  const exact = exactToneQuery(terms);
  const after = keyset ? [...filters, keyset] : [...filters];
  if (!exact)
    return {
      ids: await matchingIds(prisma, table, after, order, matching, limit),
      exact: 0,
      pastExact: false,
    };
  const others = `${matching} & !(${exact})`;
  if (cursor?.pastExact)
    return { ids: await matchingIds(prisma, table, after, order, others, limit), exact: 0, pastExact: true };
  const first = await matchingIds(prisma, table, after, order, `${matching} & ${exact}`, limit);
  if (first.length > limit) return { ids: first, exact: first.length, pastExact: false };
  const rest = await matchingIds(prisma, table, filters, order, others, limit - first.length);
  // the next cursor is the page's last row, at limit - 1
  return { ids: [...first, ...rest], exact: first.length, pastExact: limit - 1 >= first.length };
}
