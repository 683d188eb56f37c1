import { randomUUID } from 'node:crypto';
import { directSql, Prisma, type PrismaClient, type Transaction } from '../db/index.ts';
import { actorLabel, type Actor } from '../shared/index.ts';
import { appendAuditEntries, type AuditInput } from './audit-trail.ts';
import { REGISTRY_TRANSACTION } from './transaction-options.ts';
import { putBlobs, sha256Hex } from './blob-store.ts';
import { foldForSearch } from './domain/search-text.ts';
import { readableKindOf } from './domain/readable-file.ts';
import { senderAgencyNames } from './sender-name.ts';
import { writeItemVectors } from './search-index.ts';
import { readableLine, readableValue, storableText, storableValue } from '../text/index.ts';

/**
 * The one door into the intake queue for every source (SMTP, IMAP, AMQP, HTTP, upload). One call
 * stores the raw input and one item per recipient agency in a single transaction: when it returns,
 * the input is durable and the caller may acknowledge it (SMTP 250, AMQP ack, HTTP 202).
 */
export type IntakeSource = 'smtp' | 'imap' | 'amqp' | 'http' | 'upload';

export type IncomingAttachment = {
  name: string;
  contentType: string;
  content: Uint8Array;
  verdicts?: unknown[];
};

export type ReceiveIntakeInput = {
  source: IntakeSource;
  /** the input byte-exact */
  raw: Uint8Array;
  /** recipient agencies (internal ids), one item each */
  agencyIds: readonly string[];
  /** sender + content, or Message-ID + content: the same key twice is one item (docs/contract.md duplicates) */
  dedupKey: string;
  messageId?: string | null;
  senderOrganId?: string | null;
  senderAddress?: string | null;
  documentKey?: string | null;
  businessType?: number;
  subject?: string | null;
  metadata?: Record<string, unknown>;
  verdicts?: unknown[];
  /** quarantined items keep their bytes and reason for an admin or clerk to look at */
  quarantineReason?: string | null;
  attachments?: readonly IncomingAttachment[];
  /** when the input was acknowledged (a spooled mail's 250), if earlier than this call */
  receivedAt?: Date;
};

export type ReceivedItem = { agencyId: string; itemId: string; outcome: 'created' | 'duplicate' };

/** Độ khẩn from the metadata (edXML Priority, or the mark a mail subject carries): 0–4, else 0. */
function urgencyOf(metadata: Record<string, unknown> | undefined): number {
  const priority = metadata?.['priority'];
  return typeof priority === 'number' && Number.isInteger(priority) && priority >= 0 && priority <= 4
    ? priority
    : 0;
}

function fromName(metadata: Record<string, unknown> | undefined): string | undefined {
  const from = metadata?.['from'];
  const name = from && typeof from === 'object' ? (from as Record<string, unknown>)['organName'] : undefined;
  return typeof name === 'string' && name.trim() !== '' ? name.trim().normalize('NFC') : undefined;
}

/** A key for "same sender, same bytes". */
export function contentDedupKey(sender: string, raw: Uint8Array): string {
  return `content:${sender}:${sha256Hex(raw)}`;
}

/** A key for "same Message-ID, same content" (mail delivered twice). */
export function messageDedupKey(messageId: string, raw: Uint8Array): string {
  return `message:${sha256Hex(Buffer.from(messageId)).slice(0, 32)}:${sha256Hex(raw)}`;
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

export async function receiveIntakeItems(
  prisma: PrismaClient,
  actor: Actor,
  input: ReceiveIntakeInput,
): Promise<ReceivedItem[]> {
  const [items] = await receiveIntakeBatch(prisma, [{ actor, input }]);
  if (!items) throw new TypeError('a batch of one returned no result');
  return items;
}

export type IntakeReceipt = { actor: Actor; input: ReceiveIntakeInput };

/**
 * Several inputs in ONE transaction, results in input order: a group commit, so a burst pays the
 * audit chain's lock and the commit's disk flush once per batch instead of once per input.
 * `alsoInTransaction` runs inside the same transaction (the mail spool deletes the rows it read,
 * so a message is in the spool or in the queue, never both). If any input fails, none is stored.
 */
export async function receiveIntakeBatch(
  prisma: PrismaClient,
  receipts: readonly IntakeReceipt[],
  alsoInTransaction?: (tx: Transaction) => Promise<unknown>,
): Promise<ReceivedItem[][]> {
  const prepared = prepareBatch(receipts);
  // Blobs first, each in its own statement before the transaction (as git writes objects before
  // the ref that names them): content-addressed and never deleted, so a blob whose transaction
  // then fails is only an unreferenced copy that a retry reuses. This keeps the large bytes off
  // Prisma's parameter path (db/direct-sql.ts) and out of the transaction's lock time.
  await putBlobs(directSql(prisma), prepared.blobs);
  // Two deliveries of one message racing in two processes: the loser's unique violation rolls its
  // transaction back, and the retry finds the winner's item.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await prisma.$transaction(
        (tx) => storeBatch(tx, receipts, prepared.inputs, alsoInTransaction),
        REGISTRY_TRANSACTION,
      );
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 2) throw error;
    }
  }
}

type PreparedInput = {
  input: ReceiveIntakeInput;
  rawSha256: string;
  attachments: Omit<Prisma.AttachmentCreateManyInput, 'intakeItemId'>[];
  agencyIds: string[];
};

/** Hashes each input's bytes: the rows refer to blobs by their SHA-256. */
function prepareBatch(receipts: readonly IntakeReceipt[]): {
  inputs: PreparedInput[];
  blobs: Map<string, Uint8Array>;
} {
  const blobs = new Map<string, Uint8Array>();
  const inputs = receipts.map(({ input }): PreparedInput => {
    const rawSha256 = sha256Hex(input.raw);
    blobs.set(rawSha256, input.raw);
    const attachments = (input.attachments ?? []).map((attachment) => {
      const sha256 = sha256Hex(attachment.content);
      blobs.set(sha256, attachment.content);
      return {
        name: readableLine(attachment.name.normalize('NFC')).slice(0, 500),
        contentType: storableText(attachment.contentType).slice(0, 200),
        size: attachment.content.length,
        sha256,
        verdicts: storableValue(attachment.verdicts ?? []) as Prisma.InputJsonValue,
      };
    });
    return { input, rawSha256, attachments, agencyIds: [...new Set(input.agencyIds)] };
  });
  return { inputs, blobs };
}

/**
 * Every door's text passes the hub's one rule here (src/text) before PostgreSQL sees it: a NUL
 * or another character it refuses becomes U+FFFD, and a subject or file name loses its bidi
 * controls. The doors that can refuse (packages, forms) have refused such text already; mail
 * cannot be refused after its 250, so it is cleaned, and one input can never fail the batch.
 * The metadata (the document's facts a clerk reads, and registers from) loses its bidi controls too.
 */
const text = (value: string | null | undefined) => (value == null ? null : storableText(value));

/**
 * Set-based: whatever the batch size, a fixed handful of statements (the duplicate lookup,
 * items, attachments, audit) — round trips, not rows, are what a batch costs.
 */
async function storeBatch(
  tx: Transaction,
  receipts: readonly IntakeReceipt[],
  prepared: readonly PreparedInput[],
  alsoInTransaction?: (tx: Transaction) => Promise<unknown>,
): Promise<ReceivedItem[][]> {
  const wanted = prepared.flatMap((p) =>
    p.agencyIds.map((agencyId) => ({ agencyId, dedupKey: p.input.dedupKey })),
  );
  // The sender's name for the queue: the package says it; for mail, the directory knows it.
  const names = await senderAgencyNames(
    tx,
    prepared.filter((p) => !fromName(p.input.metadata)).map((p) => p.input.senderOrganId ?? null),
  );
  const known = new Map<string, string>();
  if (wanted.length > 0)
    for (const row of await tx.intakeItem.findMany({
      where: { OR: wanted },
      select: { id: true, agencyId: true, dedupKey: true },
    }))
      known.set(`${row.agencyId} ${row.dedupKey}`, row.id);

  const items: Prisma.IntakeItemCreateManyInput[] = [];
  const attachmentRows: Prisma.AttachmentCreateManyInput[] = [];
  const fileTextRows: Prisma.FileTextCreateManyInput[] = [];
  const audit: AuditInput[] = [];
  const results = prepared.map(({ input, rawSha256, attachments, agencyIds }, index) => {
    const actor = actorLabel((receipts[index] as IntakeReceipt).actor);
    return agencyIds.map((agencyId): ReceivedItem => {
      const key = `${agencyId} ${input.dedupKey}`;
      const existing = known.get(key);
      // the same input twice in one batch is a duplicate of the first, as across batches
      if (existing) return { agencyId, itemId: existing, outcome: 'duplicate' };
      const id = randomUUID();
      known.set(key, id);
      const subject = input.subject == null ? null : readableLine(input.subject.normalize('NFC'));
      const senderName =
        fromName(input.metadata) ?? names.get(input.senderOrganId?.trim().toUpperCase() ?? '') ?? null;
      items.push({
        id,
        agencyId,
        source: input.source,
        state: input.quarantineReason ? 'quarantined' : 'new',
        reason: text(input.quarantineReason),
        rawSha256,
        dedupKey: storableText(input.dedupKey),
        messageId: text(input.messageId),
        senderOrganId: text(input.senderOrganId),
        senderAddress: text(input.senderAddress),
        documentKey: text(input.documentKey),
        businessType: input.businessType ?? 0,
        priority: urgencyOf(input.metadata),
        subject,
        senderName: senderName && readableLine(senderName).slice(0, 500),
        subjectSearch: foldForSearch(subject ?? ''),
        senderSearch: foldForSearch(
          [senderName, input.senderOrganId, input.senderAddress].filter(Boolean).join(' '),
        ).slice(0, 900),
        metadata: readableValue(input.metadata ?? {}) as Prisma.InputJsonValue,
        verdicts: storableValue(input.verdicts ?? []) as Prisma.InputJsonValue,
        ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
      });
      // Each readable file waits for its reader (src/reading) in a row written with it: nothing
      // is lost between the commit and the reading, and no one scans for work. Files the malware
      // scanner flagged are never handed to a reader.
      const infected = Array.isArray(input.metadata?.['malware']) && input.metadata['malware'].length > 0;
      for (const attachment of attachments) {
        const attachmentId = randomUUID();
        attachmentRows.push({ ...attachment, id: attachmentId, intakeItemId: id });
        if (!infected && readableKindOf(attachment.name, attachment.contentType))
          fileTextRows.push({ attachmentId, intakeItemId: id });
      }
      audit.push({
        actor,
        agencyId,
        action: input.quarantineReason ? 'intake.quarantined' : 'intake.received',
        subject: `intake:${id}`,
        data: {
          source: input.source,
          rawSha256,
          sender: input.senderOrganId ?? input.senderAddress ?? null,
          reason: input.quarantineReason ?? null,
        },
      });
      return { agencyId, itemId: id, outcome: 'created' };
    });
  });
  if (items.length > 0) {
    await tx.intakeItem.createMany({ data: items });
    await writeItemVectors(
      tx,
      items.map((item) => ({
        id: item.id as string,
        subject: item.subject ?? null,
        metadata: item.metadata,
        senderName: item.senderName ?? null,
        senderOrganId: item.senderOrganId ?? null,
        senderAddress: item.senderAddress ?? null,
      })),
    );
  }
  if (attachmentRows.length > 0) await tx.attachment.createMany({ data: attachmentRows });
  if (fileTextRows.length > 0) await tx.fileText.createMany({ data: fileTextRows });
  if (alsoInTransaction) await alsoInTransaction(tx);
  // Audit entries last: the audit chain's lock is then held only from here to the commit.
  await appendAuditEntries(tx, audit);
  return results;
}
