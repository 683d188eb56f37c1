import type { PrismaClient } from '../db/index.ts';
import {
  contentDedupKey,
  messageDedupKey,
  receiveIntakeItems,
  type Actor,
  type ReceivedItem,
} from '../registry/index.ts';
import { HubError } from '../shared/hub-error.ts';
import { placeMessage, type UnknownSenderPolicy } from './ingest-policy.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { analyzeMessage, type AnalysisPorts } from './message-analysis.ts';
import type { MailRecipient, RecipientDirectory } from './recipient-directory.ts';
import type { SenderAuthenticator, SenderAuthInput, SenderAuthResult } from './sender-auth.ts';

/**
 * The ingest use case shared by SMTP and IMAP: read the message, decide where it goes, and store
 * raw bytes + one intake item per recipient agency in ONE registry transaction. When this
 * resolves the message is durable and the edge may answer 250 / mark it seen.
 */
export type IngestDeps = {
  prisma: PrismaClient;
  directory: RecipientDirectory;
  analysis: AnalysisPorts;
  senderAuth?: SenderAuthenticator;
  unknownSenderPolicy: UnknownSenderPolicy;
  enforceDmarcReject: boolean;
  metrics?: IngestMetrics;
  /** how long sender authentication (DNS) may take before it is recorded as "temperror" */
  authTimeoutMs: number;
  /** after the commit (receipts): must not throw and must not delay the reply */
  afterCommit?: (
    outcome: IngestOutcome,
    envelope: MailEnvelope,
    sender: string,
    messageId: string | null,
    subject: string | null,
  ) => void;
};

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

export type IngestOutcome =
  | { kind: 'stored'; placement: 'queue' | 'quarantine'; items: ReceivedItem[]; reason: string | null }
  | { kind: 'refused'; code: 'INGEST_SENDER_REFUSED'; reason: string };

const ACTORS: Record<MailEnvelope['source'], Actor> = {
  smtp: { kind: 'system', component: 'ingest.smtp' },
  imap: { kind: 'system', component: 'ingest.imap' },
};

export async function ingestMessage(
  deps: IngestDeps,
  raw: Buffer,
  envelope: MailEnvelope,
): Promise<IngestOutcome> {
  const receivedAt = new Date();
  const analysis = await analyzeMessage(raw, receivedAt, deps.analysis);
  const sender = (analysis.message?.fromAddress ?? envelope.mailFrom ?? '').toLowerCase();
  const senderAgency = sender ? await deps.directory.senderAgency(sender).catch(() => undefined) : undefined;
  const auth =
    envelope.client && deps.senderAuth
      ? await authenticateSender(deps.senderAuth, deps.authTimeoutMs, {
          raw,
          ...envelope.client,
          mailFrom: envelope.mailFrom,
        })
      : null;
  const placement = placeMessage({
    kind: analysis.message?.kind ?? 'document',
    parseProblem: analysis.parseProblem,
    problems: analysis.message?.problems ?? [],
    knownSender: senderAgency !== undefined,
    auth,
    infected: analysis.infected,
    unknownSenderPolicy: deps.unknownSenderPolicy,
    enforceDmarcReject: deps.enforceDmarcReject,
  });
  if (placement.kind === 'refuse')
    return { kind: 'refused', code: 'INGEST_SENDER_REFUSED', reason: placement.reason };
  const messageId = analysis.message?.messageId ?? null;
  const reason = placement.kind === 'quarantine' ? placement.reason : null;
  let items: ReceivedItem[];
  try {
    items = await receiveIntakeItems(deps.prisma, ACTORS[envelope.source], {
      source: envelope.source,
      raw,
      agencyIds: envelope.recipients.map((r) => r.agencyId),
      dedupKey: messageId
        ? messageDedupKey(messageId, raw)
        : contentDedupKey(envelope.mailFrom ?? sender, raw),
      messageId,
      senderOrganId: senderAgency?.organId ?? null,
      senderAddress: sender.slice(0, 320) || null,
      subject: typeof analysis.metadata.subject === 'string' ? analysis.metadata.subject : null,
      metadata: {
        ...analysis.metadata,
        flags: placement.flags,
        envelope: {
          mailFrom: envelope.mailFrom,
          recipients: envelope.recipients.map((r) => r.organId),
          client: envelope.client ?? null,
          authenticatedAs: envelope.authenticatedAs ?? null,
          origin: envelope.origin ?? null,
          receivedAt: receivedAt.toISOString(),
        },
        senderAuth: auth,
        malware: analysis.infected,
      },
      verdicts: analysis.verdicts,
      quarantineReason: reason,
      attachments: analysis.attachments,
    });
  } catch (error) {
    throw new HubError('INGEST_STORE_UNAVAILABLE', 'The message could not be stored; try again later', {
      cause: error,
    });
  }
  const duplicate = items.every((i) => i.outcome === 'duplicate');
  deps.metrics?.accepted.inc({
    source: envelope.source,
    placement: duplicate ? 'duplicate' : placement.kind,
  });
  deps.metrics?.bytes.inc({ source: envelope.source }, raw.length);
  const outcome: IngestOutcome = { kind: 'stored', placement: placement.kind, items, reason };
  deps.afterCommit?.(outcome, envelope, sender, messageId, analysis.message?.subject ?? null);
  return outcome;
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
