import type { PrismaClient, Transaction } from '../db/index.ts';
import {
  contentDedupKey,
  messageDedupKey,
  receiveIntakeBatch,
  type ReceiveIntakeInput,
  type ReceivedItem,
} from '../registry/index.ts';
import { HubError, type Actor, type Logger } from '../shared/index.ts';
import { reportReason } from './delivery-report.ts';
import { placeMessage, type UnknownSenderPolicy } from './ingest-policy.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { analyzeMessage, type AnalysisPorts, type MessageAnalysis } from './message-analysis.ts';
import {
  applyReportLink,
  findOutboundMail,
  type OutboundMatch,
  type RelayMailBounced,
  type ReportLink,
} from '../outbound-mail/index.ts';
import type { MailRecipient, RecipientDirectory } from './recipient-directory.ts';
import type { SenderAuthenticator, SenderAuthInput, SenderAuthResult } from './sender-auth.ts';
import { storableText, storableValue } from '../text/index.ts';

/**
 * Reading a spooled message and storing what it says. SMTP and IMAP only spool the raw bytes
 * (spool/mail-spool.ts) and acknowledge; the spool processor then calls `readMessage` for each
 * message and `storeMessages` for a batch: raw bytes + one intake item per recipient agency,
 * committed together with the deletion of the spool rows.
 */
export type IngestDeps = {
  prisma: PrismaClient;
  directory: RecipientDirectory;
  /** how mail is read: the ports to read it here, or a reader elsewhere (the hub's reader thread) */
  analysis: AnalysisPorts | MessageReader;
  senderAuth?: SenderAuthenticator;
  unknownSenderPolicy: UnknownSenderPolicy;
  metrics?: IngestMetrics;
  /** how long sender authentication (DNS) may take before it is recorded as "temperror" */
  authTimeoutMs: number;
  /** after the commit (receipts): must not throw and must not delay the processor */
  afterCommit?: (outcome: IngestOutcome, read: ReadMessage) => void;
  /** a bounce of a relay delivery sent by e-mail: the relay fails that delivery (main.ts wires it) */
  relayMailBounced?: RelayMailBounced;
  log?: Logger;
};

/** Reads a message somewhere else than the calling thread (reading/analysis-pool.ts). */
export type MessageReader = { analyze(raw: Buffer, receivedAt: Date): Promise<MessageAnalysis> };

export type MailEnvelope = {
  source: 'smtp' | 'imap';
  mailFrom: string | null;
  recipients: readonly MailRecipient[];
  /** SMTP: the client's IP/HELO for SPF; IMAP: unknown (no SPF) */
  client?: { ip: string; helo: string; mta: string };
  /** set for IMAP: which mailbox and UID it came from */
  origin?: Record<string, unknown>;
  authenticatedAs?: string;
};

/** A message read and placed, ready to be stored. */
export type ReadMessage = {
  envelope: MailEnvelope;
  input: ReceiveIntakeInput;
  sender: string;
  messageId: string | null;
  subject: string | null;
  /** what ClamAV found in it ("<file>: <signature>"); empty when clean or not scanned */
  malware: readonly string[];
  /** a DSN/MDN answering mail the hub sent: applied to `outbound_mail` in the store transaction */
  reportLink?: ReportLink;
};

export type IngestOutcome = {
  placement: 'queue' | 'quarantine';
  items: ReceivedItem[];
  reason: string | null;
};

const ACTORS: Record<MailEnvelope['source'], Actor> = {
  smtp: { kind: 'system', component: 'ingest.smtp' },
  imap: { kind: 'system', component: 'ingest.imap' },
};

/** MIME, signatures, malware, sender authentication and placement: never throws for bad mail. */
export async function readMessage(
  deps: IngestDeps,
  raw: Buffer,
  envelope: MailEnvelope,
  receivedAt: Date,
): Promise<ReadMessage> {
  const analysis =
    'analyze' in deps.analysis
      ? await deps.analysis.analyze(raw, receivedAt)
      : await analyzeMessage(raw, receivedAt, deps.analysis);
  const sender = (analysis.message?.fromAddress ?? envelope.mailFrom ?? '').toLowerCase();
  // An agency that logged in (SMTP AUTH with its token) is the sender, whatever From says.
  const senderAgency: { organId: string } | undefined = envelope.authenticatedAs
    ? { organId: envelope.authenticatedAs }
    : sender
      ? await deps.directory.senderAgency(sender).catch(() => undefined)
      : undefined;
  const auth =
    envelope.client && deps.senderAuth
      ? await authenticateSender(deps.senderAuth, deps.authTimeoutMs, {
          raw,
          ...envelope.client,
          mailFrom: envelope.mailFrom,
        })
      : null;
  const report = analysis.message?.report ?? null;
  let outbound: OutboundMatch | null = null;
  if (report) {
    const ids = [
      ...(report.originalMessageId ? [report.originalMessageId] : []),
      ...(analysis.message?.answers ?? []),
    ];
    // A lookup that fails leaves the report unlinked (still stored, quarantined): never a lost message.
    outbound = await findOutboundMail(deps.prisma, ids).catch(() => null);
  }
  const answered = outbound?.messageId ?? report?.originalMessageId ?? analysis.message?.answers[0] ?? null;
  const placement = placeMessage({
    kind: analysis.message?.kind ?? 'document',
    reportReason: report ? reportReason(report, answered, outbound !== null) : null,
    unsafeArchives: analysis.unsafeArchives,
    mimeGap: analysis.mimeGap,
    parseProblem: analysis.parseProblem,
    problems: analysis.message?.problems ?? [],
    knownSender: senderAgency !== undefined,
    auth,
    infected: analysis.infected,
    unknownSenderPolicy: deps.unknownSenderPolicy,
  });
  const messageId = analysis.message?.messageId ?? null;
  const reason = placement.kind === 'quarantine' ? placement.reason : null;
  const input: ReceiveIntakeInput = {
    source: envelope.source,
    raw,
    agencyIds: envelope.recipients.map((r) => r.agencyId),
    dedupKey: messageId ? messageDedupKey(messageId, raw) : contentDedupKey(envelope.mailFrom ?? sender, raw),
    messageId: messageId && storable(messageId),
    senderOrganId: senderAgency?.organId ?? null,
    senderAddress: storable(sender.slice(0, 320)) || null,
    subject: typeof analysis.metadata.subject === 'string' ? storable(analysis.metadata.subject) : null,
    metadata: storableJson({
      ...analysis.metadata,
      flags: placement.flags,
      envelope: envelopeFacts(envelope, receivedAt),
      senderAuth: auth,
      malware: analysis.infected,
      ...(report
        ? {
            report: {
              kind: report.kind,
              outboundId: outbound?.id ?? null,
              outboundKind: outbound?.kind ?? null,
              answers: answered,
              outcome: report.outcome,
              status: report.status,
              diagnostic: report.diagnostic,
              recipients: report.recipients,
              problem: report.problem,
            },
          }
        : {}),
    }) as Record<string, unknown>,
    verdicts: storableJson(analysis.verdicts) as unknown[],
    quarantineReason: reason && storable(reason),
    attachments: analysis.attachments.map((a) => ({
      ...a,
      name: storable(a.name),
      contentType: storable(a.contentType),
    })),
    receivedAt,
  };
  return {
    envelope,
    input,
    sender,
    messageId,
    subject: analysis.message?.subject ?? null,
    malware: analysis.infected,
    ...(report && outbound
      ? { reportLink: { outbound, report, agencyId: input.agencyIds[0], dedupKey: input.dedupKey } }
      : {}),
  };
}

/** A message that could not be read in time (or stopped the hub while it was read): stored unread. */
export function unreadMessage(
  raw: Buffer,
  envelope: MailEnvelope,
  receivedAt: Date,
  reason: string,
): ReadMessage {
  return {
    envelope,
    sender: envelope.mailFrom ?? '',
    messageId: null,
    subject: null,
    malware: [],
    input: {
      source: envelope.source,
      raw,
      agencyIds: envelope.recipients.map((r) => r.agencyId),
      dedupKey: contentDedupKey(envelope.mailFrom ?? '', raw),
      quarantineReason: storable(reason.slice(0, 500)),
      metadata: storableJson({ envelope: envelopeFacts(envelope, receivedAt) }) as Record<string, unknown>,
      receivedAt,
    },
  };
}

/**
 * Stores a batch in one transaction (with `alsoInTransaction`, e.g. deleting the spool rows). If
 * the batch fails, each message is tried alone, so one bad message cannot hold back the others;
 * a message PostgreSQL refuses is stored raw and quarantined. Throws INGEST_STORE_UNAVAILABLE only
 * when the database itself does not commit (nothing of that message is stored then).
 */
export async function storeMessages(
  deps: IngestDeps,
  reads: readonly ReadMessage[],
  alsoInTransaction: (tx: Transaction, reads: readonly ReadMessage[]) => Promise<unknown>,
): Promise<IngestOutcome[]> {
  let stored: ReceivedItem[][];
  try {
    stored = await receiveIntakeBatch(
      deps.prisma,
      reads.map((read) => ({ actor: ACTORS[read.envelope.source], input: read.input })),
      async (tx) => {
        await alsoInTransaction(tx, reads);
        for (const read of reads)
          if (read.reportLink) await applyReportLink(tx, read.reportLink, deps.relayMailBounced);
      },
    );
  } catch (error) {
    if (reads.length === 1)
      stored = [await storeRawOnly(deps, reads[0] as ReadMessage, error, alsoInTransaction)];
    else {
      stored = [];
      for (const read of reads)
        stored.push(...(await storeMessages(deps, [read], alsoInTransaction)).map((o) => o.items));
    }
  }
  return reads.map((read, index) => {
    const items = stored[index] ?? [];
    const reason = read.input.quarantineReason ?? null;
    const outcome: IngestOutcome = { placement: reason ? 'quarantine' : 'queue', items, reason };
    const duplicate = items.every((i) => i.outcome === 'duplicate');
    deps.metrics?.accepted.inc({
      source: read.envelope.source,
      placement: duplicate ? 'duplicate' : outcome.placement,
    });
    deps.afterCommit?.(outcome, read);
    return outcome;
  });
}

function envelopeFacts(envelope: MailEnvelope, receivedAt: Date): Record<string, unknown> {
  return {
    mailFrom: envelope.mailFrom,
    recipients: envelope.recipients.map((r) => r.organId),
    client: envelope.client ?? null,
    authenticatedAs: envelope.authenticatedAs ?? null,
    origin: envelope.origin ?? null,
    receivedAt: receivedAt.toISOString(),
  };
}

async function authenticateSender(
  authenticator: SenderAuthenticator,
  timeoutMs: number,
  input: SenderAuthInput,
): Promise<SenderAuthResult> {
  let timer: NodeJS.Timeout | undefined;
  const temp: SenderAuthResult = {
    spf: 'temperror',
    dkim: 'temperror',
    dmarc: 'temperror',
    dmarcPolicy: null,
    header: '',
  };
  try {
    return await Promise.race([
      authenticator.check(input),
      new Promise<SenderAuthResult>((resolve) => {
        timer = setTimeout(() => {
          resolve(temp);
        }, timeoutMs);
      }),
    ]);
  } catch {
    return temp;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The message's store failed. If the database is reachable the parsed facts were the problem (a
 * value PostgreSQL refuses): the raw message is then stored alone, quarantined with the reason.
 * Only when that fails too is it a store outage (the processor retries later).
 */
async function storeRawOnly(
  deps: IngestDeps,
  read: ReadMessage,
  firstError: unknown,
  alsoInTransaction: (tx: Transaction, reads: readonly ReadMessage[]) => Promise<unknown>,
): Promise<ReceivedItem[]> {
  const { input, envelope } = read;
  input.quarantineReason = storable(`stored unread: ${(firstError as Error).message}`.slice(0, 500));
  try {
    const [items] = await receiveIntakeBatch(
      deps.prisma,
      [
        {
          actor: ACTORS[envelope.source],
          input: {
            source: input.source,
            raw: input.raw,
            agencyIds: input.agencyIds,
            dedupKey: input.dedupKey,
            quarantineReason: input.quarantineReason,
            metadata: { envelope: { mailFrom: envelope.mailFrom && storable(envelope.mailFrom) } },
            ...(input.receivedAt ? { receivedAt: input.receivedAt } : {}),
          },
        },
      ],
      (tx) => alsoInTransaction(tx, [read]),
    );
    return items ?? [];
  } catch (error) {
    throw new HubError('INGEST_STORE_UNAVAILABLE', 'The message could not be stored; try again later', {
      cause: new AggregateError([firstError, error]),
    });
  }
}

// PostgreSQL text and jsonb refuse NUL, and mail may carry it anywhere: the hub's one text rule.
const storable = storableText;
const storableJson = storableValue;
