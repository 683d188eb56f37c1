import { randomUUID } from 'node:crypto';
import type { PrismaClient, Transaction } from '../db/index.ts';
import type { Logger } from '../shared/index.ts';

/**
 * The record of mail the hub sends (table `outbound_mail`), so that a bounce (DSN) or read receipt
 * (MDN) that comes back can be linked to what it answers, and admins can see what went out.
 *
 * Order: the row is written BEFORE the mail is handed to the mail server, with the Message-ID the
 * hub sets itself: a DSN can come back within a second, and a row written after sending could
 * miss it. If the mail server then refuses the mail or cannot be reached, that is written on the
 * row (`send_error`, `send_failed_at`): otherwise a mail that never left would look like one sent
 * with no report yet. A retry of the same mail (the relay's mail channel uses a stable Message-ID)
 * updates the row, and once a send goes through the failure is cleared. Recording never throws: a
 * failed record is logged and never stops the sending — the mail matters more than its bookkeeping.
 */
export type OutboundMailKind = 'receipt' | 'alert' | 'relay_delivery';

export type OutboundMailEntry = {
  messageId: string;
  kind: OutboundMailKind;
  recipients: readonly string[];
  subject?: string | null;
  intakeItemIds?: readonly string[];
  packageId?: string | null;
  toOrganId?: string | null;
};

/** Both never throw. */
export type OutboundMailLog = {
  /** Before handing the mail over: a new row, or for a retry of the same Message-ID a new sentAt. */
  sending(entry: OutboundMailEntry): Promise<void>;
  /** After: `error` is why the mail server did not take it; null clears an earlier failure. */
  sendResult(messageId: string, error: unknown): Promise<void>;
};

const SEND_ERROR_MAX = 1000;

/** nodemailer's errors carry a code (ECONNECTION, EENVELOPE…) and the server's reply in the message. */
export function describeSendError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const text = typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
  return text.slice(0, SEND_ERROR_MAX);
}

export function prismaOutboundMailLog(prisma: PrismaClient, log: Logger): OutboundMailLog {
  return {
    async sending(entry) {
      const data = {
        kind: entry.kind,
        recipients: entry.recipients.map((r) => r.slice(0, 320)).slice(0, 100),
        subject: entry.subject?.slice(0, 300) ?? null,
        intakeItemIds: [...(entry.intakeItemIds ?? [])],
        packageId: entry.packageId ?? null,
        toOrganId: entry.toOrganId ?? null,
        sentAt: new Date(),
      };
      try {
        await prisma.outboundMail.upsert({
          where: { messageId: entry.messageId },
          create: { messageId: entry.messageId, ...data },
          update: { sentAt: data.sentAt },
        });
      } catch (error) {
        log.warn({ err: error, messageId: entry.messageId, kind: entry.kind }, 'outbound mail not recorded');
      }
    },
    async sendResult(messageId, error) {
      try {
        // updateMany: the row may be missing when `sending` could not write it.
        if (error === null || error === undefined)
          await prisma.outboundMail.updateMany({
            where: { messageId, sendFailedAt: { not: null } },
            data: { sendError: null, sendFailedAt: null },
          });
        else
          await prisma.outboundMail.updateMany({
            where: { messageId },
            data: { sendError: describeSendError(error), sendFailedAt: new Date() },
          });
      } catch (recordError) {
        log.warn({ err: recordError, messageId }, 'outcome of an outbound mail send not recorded');
      }
    },
  };
}

/**
 * The one way the hub sends a recorded mail: record, send, record how the send went. The send's
 * own error is thrown on to the caller (a relay delivery is retried, a receipt only logged).
 */
export async function sendRecorded<T>(
  record: OutboundMailLog | undefined,
  entry: OutboundMailEntry,
  send: () => Promise<T>,
): Promise<T> {
  await record?.sending(entry);
  let result: T;
  try {
    result = await send();
  } catch (error) {
    await record?.sendResult(entry.messageId, error);
    throw error;
  }
  await record?.sendResult(entry.messageId, null);
  return result;
}

/** A Message-ID the hub sets itself, so it is known before sending. */
export function newMessageId(domain: string): string {
  return `<${randomUUID()}@${domain}>`;
}

export type OutboundMatch = {
  id: string;
  messageId: string;
  kind: string;
  packageId: string | null;
  toOrganId: string | null;
};

/** The first of `messageIds` (in the order given) that the hub sent; null if none or on error. */
export async function findOutboundMail(
  prisma: PrismaClient,
  messageIds: readonly string[],
): Promise<OutboundMatch | null> {
  if (messageIds.length === 0) return null;
  const rows = await prisma.outboundMail.findMany({
    where: { messageId: { in: [...messageIds] } },
    select: { id: true, messageId: true, kind: true, packageId: true, toOrganId: true },
  });
  for (const id of messageIds) {
    const row = rows.find((r) => r.messageId === id);
    if (row) return row;
  }
  return null;
}

/**
 * What a delivery report (DSN, RFC 3464) or read receipt (MDN, RFC 8098) says, as ingest read it:
 * this module records it on the mail it answers.
 */
export type ReportOutcome = {
  kind: 'delivery-status' | 'disposition-notification';
  outcome: string | null;
  status: string | null;
  diagnostic: string | null;
};

/**
 * The relay's side of a bounce: a relay delivery sent by e-mail bounced, so the delivery fails
 * (through the relay's delivery state machine). A port: `exchange` provides it, main.ts wires it.
 */
export type RelayMailBounced = (
  tx: Transaction,
  bounce: { packageId: string; toOrganId: string; reason: string },
) => Promise<void>;

/** A report read from a stored message, to be applied in the transaction that stores it. */
export type ReportLink = {
  outbound: OutboundMatch;
  report: ReportOutcome;
  /** to find the stored report item: first recipient agency + dedup key */
  agencyId: string | undefined;
  dedupKey: string;
};

const FINAL = new Set(['failed', 'delivered', 'relayed', 'expanded']);

/**
 * Sets the outbound row's outcome and, for a failed relay delivery by e-mail, tells the relay
 * (`relayMailBounced`), which fails the delivery through its state machine (a delivery the
 * recipient already answered is not failed by a late bounce). A `delayed` DSN never overwrites
 * a final outcome.
 */
export async function applyReportLink(
  tx: Transaction,
  link: ReportLink,
  relayMailBounced: RelayMailBounced | undefined,
): Promise<void> {
  const { report, outbound } = link;
  if (!report.outcome) return;
  const current = await tx.outboundMail.findUnique({ where: { id: outbound.id }, select: { outcome: true } });
  if (report.outcome === 'delayed' && current?.outcome && FINAL.has(current.outcome)) return;
  const item =
    link.agencyId === undefined
      ? null
      : await tx.intakeItem.findUnique({
          where: { agencyId_dedupKey: { agencyId: link.agencyId, dedupKey: link.dedupKey } },
          select: { id: true },
        });
  await tx.outboundMail.update({
    where: { id: outbound.id },
    data: {
      outcome: report.outcome.slice(0, 20),
      outcomeStatus: report.status?.slice(0, 200) ?? null,
      outcomeDiagnostic: report.diagnostic?.slice(0, 1000) ?? null,
      outcomeAt: new Date(),
      ...(item ? { reportItemId: item.id } : {}),
    },
  });
  if (
    report.kind === 'delivery-status' &&
    report.outcome === 'failed' &&
    outbound.kind === 'relay_delivery' &&
    outbound.packageId &&
    outbound.toOrganId
  ) {
    const reason = `bounced by e-mail: ${[report.status, report.diagnostic].filter(Boolean).join(' ')}`;
    await relayMailBounced?.(tx, {
      packageId: outbound.packageId,
      toOrganId: outbound.toOrganId,
      reason: reason.slice(0, 1000),
    });
  }
}
