import type { PrismaClient } from '../db/index.ts';
import {
  contentDedupKey,
  messageDedupKey,
  receiveIntakeItems,
  type Actor,
  type ReceiveIntakeInput,
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
  let reason = placement.kind === 'quarantine' ? placement.reason : null;
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
    }) as Record<string, unknown>,
    verdicts: storableJson(analysis.verdicts) as unknown[],
    quarantineReason: reason && storable(reason),
    attachments: analysis.attachments.map((a) => ({
      ...a,
      name: storable(a.name),
      contentType: storable(a.contentType),
    })),
  };
  let items: ReceivedItem[];
  try {
    items = await receiveIntakeItems(deps.prisma, ACTORS[envelope.source], input);
  } catch (error) {
    items = await storeRawOnly(deps, envelope, input, error);
    reason = input.quarantineReason ?? null;
  }
  const outcome: IngestOutcome = {
    kind: 'stored',
    placement: reason ? 'quarantine' : 'queue',
    items,
    reason,
  };
  const duplicate = items.every((i) => i.outcome === 'duplicate');
  deps.metrics?.accepted.inc({
    source: envelope.source,
    placement: duplicate ? 'duplicate' : outcome.placement,
  });
  deps.metrics?.bytes.inc({ source: envelope.source }, raw.length);
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

/**
 * The full store failed. If the database is reachable the parsed facts were the problem (a value
 * PostgreSQL refuses): the raw message is then stored alone, quarantined with the reason. Only
 * when that fails too is it a store outage (4xx, the sender retries).
 */
async function storeRawOnly(
  deps: IngestDeps,
  envelope: MailEnvelope,
  input: ReceiveIntakeInput,
  firstError: unknown,
): Promise<ReceivedItem[]> {
  input.quarantineReason = storable(`stored unread: ${(firstError as Error).message}`.slice(0, 500));
  try {
    return await receiveIntakeItems(deps.prisma, ACTORS[envelope.source], {
      source: input.source,
      raw: input.raw,
      agencyIds: input.agencyIds,
      dedupKey: input.dedupKey,
      quarantineReason: input.quarantineReason,
      metadata: { envelope: { mailFrom: envelope.mailFrom && storable(envelope.mailFrom) } },
    });
  } catch (error) {
    throw new HubError('INGEST_STORE_UNAVAILABLE', 'The message could not be stored; try again later', {
      cause: new AggregateError([firstError, error]),
    });
  }
}

/** PostgreSQL text and jsonb refuse NUL; mail may carry it anywhere. */
function storable(text: string): string {
  return text.replace(/\0/g, '\uFFFD');
}

function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableJson(v)]));
  return value;
}
