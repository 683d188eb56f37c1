import type { PrismaClient, Transaction } from '../db/index.ts';
import { actorLabel, type Actor } from '../shared/index.ts';
import { findConfidentialityStamp, storableText } from '../text/index.ts';
import { appendAudit } from './audit-trail.ts';
import { readableKindOf, type ReadableKind, type ReadingReason } from './domain/readable-file.ts';
import { indexItemText } from './search-index.ts';
import { findIntakeItem } from './intake-queries.ts';
import { REGISTRY_TRANSACTION } from './transaction-options.ts';

/**
 * The text of received files (table file_text, one row per readable attachment, inserted pending
 * with the attachment): readers claim rows with a lease, record what they read, or give a row back.
 * A row whose lease ran out (the reader was killed, the hub stopped) is claimed again; one that
 * outlived MAX_ATTEMPTS leases is failed with `reader_crashed`, so a file that kills the reader
 * cannot keep the queue busy for ever.
 */
export const MAX_READING_ATTEMPTS = 3;

export type ClaimedFile = {
  attachmentId: string;
  intakeItemId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  /** this claim included */
  attempts: number;
  kind: ReadableKind | undefined;
};

/** Gives up on files whose reader died MAX_READING_ATTEMPTS times (each death left a lease to run out). */
async function failExhausted(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRaw`
    UPDATE file_text SET state = 'failed', reason = 'reader_crashed', lease_until = NULL,
      finished_at = now(), method = 'none'
    WHERE state = 'reading' AND lease_until < now() AND attempts >= ${MAX_READING_ATTEMPTS}`;
}

/**
 * Up to `limit` files to read, oldest first, each leased for `leaseMs`. Several hub processes
 * share the queue without waiting for each other (FOR UPDATE SKIP LOCKED; PGlite has one
 * connection, where it changes nothing).
 */
export async function claimFileTexts(
  prisma: PrismaClient,
  options: { limit: number; leaseMs: number },
): Promise<ClaimedFile[]> {
  await failExhausted(prisma);
  const claimed = await prisma.$queryRaw<{ attachmentId: string; intakeItemId: string; attempts: number }[]>`
    UPDATE file_text SET state = 'reading', attempts = attempts + 1, started_at = now(),
      lease_until = now() + ${options.leaseMs} * interval '1 millisecond'
    WHERE attachment_id IN (
      SELECT attachment_id FROM file_text
      WHERE state = 'pending' OR (state = 'reading' AND lease_until < now())
      ORDER BY created_at, attachment_id LIMIT ${options.limit} FOR UPDATE SKIP LOCKED)
    RETURNING attachment_id AS "attachmentId", intake_item_id AS "intakeItemId", attempts`;
  if (claimed.length === 0) return [];
  const attachments = new Map(
    (
      await prisma.attachment.findMany({
        where: { id: { in: claimed.map((c) => c.attachmentId) } },
        select: { id: true, name: true, contentType: true, size: true, sha256: true },
      })
    ).map((a) => [a.id, a]),
  );
  return claimed.flatMap((row) => {
    const attachment = attachments.get(row.attachmentId);
    if (!attachment) return [];
    return [
      {
        attachmentId: row.attachmentId,
        intakeItemId: row.intakeItemId,
        name: attachment.name,
        contentType: attachment.contentType,
        size: attachment.size,
        sha256: attachment.sha256,
        attempts: row.attempts,
        kind: readableKindOf(attachment.name, attachment.contentType),
      },
    ];
  });
}

/** The bytes of a claimed file (content-addressed: never changes). */
export async function readFileBytes(prisma: PrismaClient, sha256: string): Promise<Buffer | undefined> {
  const blob = await prisma.blob.findUnique({ where: { sha256 }, select: { content: true } });
  return blob ? Buffer.from(blob.content) : undefined;
}

export type FileTextResult = {
  state: 'read' | 'not_read' | 'failed';
  method: 'text_layer' | 'ocr' | 'office' | 'none';
  pagesTotal?: number | null;
  pagesRead?: number | null;
  text?: string | null;
  firstPageText?: string | null;
  /** the last page, when the document has more than one */
  lastPageText?: string | null;
  reason?: ReadingReason | null;
  durationMs: number;
};

export type RecordOutcome =
  | { kind: 'recorded'; held: { level: string } | null }
  /** the lease ran out and another reader has the file now (or it was failed): nothing written */
  | { kind: 'lease-lost' };

/** A file's text is kept up to this many characters (a 20-page document has some 60,000). */
export const MAX_FILE_TEXT_CHARS = 1_000_000;

const clean = (text: string | null | undefined) =>
  text == null ? null : storableText(text.normalize('NFC')).slice(0, MAX_FILE_TEXT_CHARS);

/** What a confidential stamp makes of an item, in the words a held package gets (exchange). */
function heldReason(level: string, fileName: string): string {
  return `Văn bản có dấu độ mật "${level}" (trang đầu của tệp ${fileName}): không được chuyển qua hệ thống, đang chờ văn thư xử lý / marked ${level} (first page of ${fileName}); held for a clerk, never relayed automatically`;
}

/**
 * Stores what was read, hands the text to search (indexItemText) and, when the first page carries
 * a độ mật stamp, holds a new item in quarantine as the relay holds a package so marked: one
 * transaction, so the text is never visible without the hold it calls for.
 */
export async function recordFileText(
  prisma: PrismaClient,
  attachmentId: string,
  result: FileTextResult,
): Promise<RecordOutcome> {
  return prisma.$transaction(async (tx) => {
    const text = clean(result.text);
    const firstPageText = clean(result.firstPageText);
    const updated = await tx.fileText.updateMany({
      where: { attachmentId, state: 'reading' },
      data: {
        state: result.state,
        method: result.method,
        pagesTotal: result.pagesTotal ?? null,
        pagesRead: result.pagesRead ?? null,
        text,
        firstPageText,
        lastPageText: clean(result.lastPageText),
        reason: result.reason ?? null,
        leaseUntil: null,
        finishedAt: new Date(),
        durationMs: Math.max(0, Math.round(result.durationMs)),
      },
    });
    if (updated.count === 0) return { kind: 'lease-lost' } as const;
    const row = await tx.fileText.findUniqueOrThrow({
      where: { attachmentId },
      select: { intakeItemId: true, attachment: { select: { name: true } } },
    });
    // Keyed by the file, so a file read again replaces its words instead of adding them twice.
    if (result.state === 'read' && text) await indexItemText(tx, row.intakeItemId, text, attachmentId);
    const stamp = firstPageText ? findConfidentialityStamp(firstPageText) : null;
    if (!stamp) return { kind: 'recorded', held: null } as const;
    await holdConfidential(tx, row.intakeItemId, stamp.level, row.attachment.name);
    return { kind: 'recorded', held: { level: stamp.level } } as const;
  }, REGISTRY_TRANSACTION);
}

async function holdConfidential(tx: Transaction, itemId: string, level: string, fileName: string) {
  const reason = heldReason(level, fileName);
  // Only an item nobody decided yet: a registered one stays registered; the audit says what was seen.
  const held = await tx.intakeItem.updateMany({
    where: { id: itemId, state: 'new' },
    data: { state: 'quarantined', reason },
  });
  const item = await tx.intakeItem.findUniqueOrThrow({ where: { id: itemId }, select: { agencyId: true } });
  await appendAudit(tx, {
    actor: actorLabel({ kind: 'system', component: 'reading' }),
    agencyId: item.agencyId,
    action: held.count > 0 ? 'intake.quarantined' : 'intake.confidential-stamp-seen',
    subject: `intake:${itemId}`,
    data: { reason, level, file: fileName },
  });
}

/**
 * Gives a claimed file back. `crashed`: the reader died on it (counted; the last attempt fails it
 * with `reader_crashed`); otherwise (the hub is stopping) the attempt is not counted.
 */
export async function releaseFileText(
  prisma: PrismaClient,
  attachmentId: string,
  how: { crashed: boolean },
): Promise<'pending' | 'failed' | 'lease-lost'> {
  const rows = how.crashed
    ? await prisma.$queryRaw<{ state: string }[]>`
        UPDATE file_text SET lease_until = NULL,
          state = CASE WHEN attempts >= ${MAX_READING_ATTEMPTS} THEN 'failed'::"FileTextState" ELSE 'pending'::"FileTextState" END,
          reason = CASE WHEN attempts >= ${MAX_READING_ATTEMPTS} THEN 'reader_crashed' ELSE NULL END,
          method = CASE WHEN attempts >= ${MAX_READING_ATTEMPTS} THEN 'none'::"FileTextMethod" ELSE NULL END,
          finished_at = CASE WHEN attempts >= ${MAX_READING_ATTEMPTS} THEN now() ELSE NULL END
        WHERE attachment_id = ${attachmentId}::uuid AND state = 'reading'
        RETURNING state::text AS state`
    : await prisma.$queryRaw<{ state: string }[]>`
        UPDATE file_text SET lease_until = NULL, state = 'pending', attempts = greatest(attempts - 1, 0)
        WHERE attachment_id = ${attachmentId}::uuid AND state = 'reading'
        RETURNING state::text AS state`;
  const state = rows[0]?.state;
  return state === 'pending' || state === 'failed' ? state : 'lease-lost';
}

export type FileTextView = {
  attachmentId: string;
  name: string;
  contentType: string;
  state: string;
  method: string | null;
  pagesTotal: number | null;
  pagesRead: number | null;
  reason: string | null;
  text: string | null;
  finishedAt: Date | null;
};

/** The text read from each of an item's files, only if the actor may see the item. */
export async function getItemText(
  prisma: PrismaClient,
  actor: Actor,
  itemId: string,
): Promise<FileTextView[] | undefined> {
  const item = await findIntakeItem(prisma, actor, itemId);
  if (!item) return undefined;
  const rows = await prisma.fileText.findMany({
    where: { intakeItemId: item.id },
    select: {
      attachmentId: true,
      state: true,
      method: true,
      pagesTotal: true,
      pagesRead: true,
      reason: true,
      text: true,
      finishedAt: true,
    },
  });
  const byId = new Map(rows.map((r) => [r.attachmentId, r]));
  return item.attachments.flatMap((a) => {
    const row = byId.get(a.id);
    return row ? [{ ...row, name: a.name, contentType: a.contentType }] : [];
  });
}

/** Files waiting or being read (the /metrics gauge). */
export function readingBacklog(prisma: PrismaClient): Promise<number> {
  return prisma.fileText.count({ where: { state: { in: ['pending', 'reading'] } } });
}

export type ReadingOverview = {
  /** files waiting or being read */
  backlog: number;
  reading: number;
  oldestWaitingSince: Date | null;
  readLastHour: number;
  /** pages read in the last 10 minutes, per second */
  pagesPerSecond: number;
  /** files not read or failed, by reason */
  failures: { reason: string | null; state: string; count: number }[];
  latest: {
    attachmentId: string;
    intakeItemId: string;
    name: string;
    agency: string;
    state: string;
    method: string | null;
    reason: string | null;
    pagesTotal: number | null;
    pagesRead: number | null;
    durationMs: number | null;
    finishedAt: Date | null;
  }[];
};

/** For admins, hub-wide: how far the readers are behind, how fast they go, what they could not read. */
export async function readingOverview(prisma: PrismaClient, now = new Date()): Promise<ReadingOverview> {
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const tenMinutesAgo = new Date(now.getTime() - 600_000);
  const [backlog, reading, oldest, readLastHour, pages, failures, latest] = await Promise.all([
    prisma.fileText.count({ where: { state: { in: ['pending', 'reading'] } } }),
    prisma.fileText.count({ where: { state: 'reading' } }),
    prisma.fileText.findFirst({
      where: { state: { in: ['pending', 'reading'] } },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
    }),
    prisma.fileText.count({ where: { state: 'read', finishedAt: { gte: hourAgo } } }),
    prisma.fileText.aggregate({ where: { finishedAt: { gte: tenMinutesAgo } }, _sum: { pagesRead: true } }),
    prisma.fileText.groupBy({
      by: ['state', 'reason'],
      where: { state: { in: ['not_read', 'failed'] } },
      _count: { _all: true },
    }),
    prisma.fileText.findMany({
      where: { finishedAt: { not: null } },
      orderBy: { finishedAt: 'desc' },
      take: 50,
      select: {
        attachmentId: true,
        intakeItemId: true,
        state: true,
        method: true,
        reason: true,
        pagesTotal: true,
        pagesRead: true,
        durationMs: true,
        finishedAt: true,
        attachment: {
          select: { name: true, intakeItem: { select: { agency: { select: { organId: true } } } } },
        },
      },
    }),
  ]);
  return {
    backlog,
    reading,
    oldestWaitingSince: oldest?.createdAt ?? null,
    readLastHour,
    pagesPerSecond: Math.round(((pages._sum.pagesRead ?? 0) / 600) * 1000) / 1000,
    failures: failures
      .map((f) => ({ reason: f.reason, state: f.state, count: f._count._all }))
      .sort((a, b) => b.count - a.count),
    latest: latest.map(({ attachment, ...row }) => ({
      ...row,
      name: attachment.name,
      agency: attachment.intakeItem.agency.organId,
    })),
  };
}
