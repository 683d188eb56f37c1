import { Prisma, type PrismaClient, type Transaction } from '../db/index.ts';
import { actorLabel, type Actor } from './actor.ts';
import { appendAudit } from './audit-trail.ts';
import { REGISTRY_TRANSACTION } from './transaction-options.ts';
import { putBlob, sha256Hex } from './blob-store.ts';

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
  /** sender + content, or Message-ID + content: the same key twice is one item (CONTRACT.md duplicates) */
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
  // Two deliveries of one message racing in two processes: the loser's unique violation rolls its
  // transaction back, and the retry finds the winner's item.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await prisma.$transaction(async (tx) => {
        const stored = [];
        for (const receipt of receipts) stored.push(await storeItems(tx, receipt.input));
        if (alsoInTransaction) await alsoInTransaction(tx);
        // Audit entries last: the audit chain's lock is then held only from here to the commit.
        for (const [index, receipt] of receipts.entries()) {
          const { rawSha256, results } = stored[index] ?? { rawSha256: '', results: [] };
          await auditReceipt(tx, receipt, rawSha256, results);
        }
        return stored.map((s) => s.results);
      }, REGISTRY_TRANSACTION);
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 2) throw error;
    }
  }
}

async function storeItems(
  tx: Transaction,
  input: ReceiveIntakeInput,
): Promise<{ rawSha256: string; results: ReceivedItem[] }> {
  const rawSha256 = await putBlob(tx, input.raw);
  const attachments = [];
  for (const attachment of input.attachments ?? []) {
    attachments.push({
      name: attachment.name.normalize('NFC').slice(0, 500),
      contentType: attachment.contentType.slice(0, 200),
      size: attachment.content.length,
      sha256: await putBlob(tx, attachment.content),
      verdicts: (attachment.verdicts ?? []) as Prisma.InputJsonValue,
    });
  }
  const results: ReceivedItem[] = [];
  for (const agencyId of new Set(input.agencyIds)) {
    const existing = await tx.intakeItem.findUnique({
      where: { agencyId_dedupKey: { agencyId, dedupKey: input.dedupKey } },
    });
    if (existing) {
      results.push({ agencyId, itemId: existing.id, outcome: 'duplicate' });
      continue;
    }
    const item = await tx.intakeItem.create({
      data: {
        agencyId,
        source: input.source,
        state: input.quarantineReason ? 'quarantined' : 'new',
        reason: input.quarantineReason ?? null,
        rawSha256,
        dedupKey: input.dedupKey,
        messageId: input.messageId ?? null,
        senderOrganId: input.senderOrganId ?? null,
        senderAddress: input.senderAddress ?? null,
        documentKey: input.documentKey ?? null,
        businessType: input.businessType ?? 0,
        subject: input.subject?.normalize('NFC') ?? null,
        metadata: (input.metadata ?? {}) as Prisma.InputJsonValue,
        verdicts: (input.verdicts ?? []) as Prisma.InputJsonValue,
        ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
        attachments: { create: attachments },
      },
    });
    results.push({ agencyId, itemId: item.id, outcome: 'created' });
  }
  return { rawSha256, results };
}

async function auditReceipt(
  tx: Transaction,
  { actor, input }: IntakeReceipt,
  rawSha256: string,
  results: readonly ReceivedItem[],
): Promise<void> {
  for (const created of results.filter((r) => r.outcome === 'created')) {
    await appendAudit(tx, {
      actor: actorLabel(actor),
      agencyId: created.agencyId,
      action: input.quarantineReason ? 'intake.quarantined' : 'intake.received',
      subject: `intake:${created.itemId}`,
      data: {
        source: input.source,
        rawSha256,
        sender: input.senderOrganId ?? input.senderAddress ?? null,
        reason: input.quarantineReason ?? null,
      },
    });
  }
}
