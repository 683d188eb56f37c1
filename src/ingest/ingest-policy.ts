/**
 * The ingest decisions, per SMTP/IMAP phase, as pure functions returning verdicts (STYLE R5).
 * The listener and the poller only translate these verdicts into replies and flags.
 */
import type { IngestErrorCode } from './ingest-errors.ts';
import type { MessageKind } from './parse-message.ts';
import type { SenderAuthResult } from './sender-auth.ts';

export type Verdict = { kind: 'accept' } | { kind: 'refuse'; code: IngestErrorCode; reason: string };
const accept: Verdict = { kind: 'accept' };

export type ConnectionLimits = {
  /** connections open at once from one client address */
  maxPerClient: number;
  /** new connections per client address per minute */
  maxPerClientPerMinute: number;
};

export type ClientLoad = { open: number; lastMinute: number };

/** phase connect: one client must not take the listener from everyone else. */
export function checkConnection(load: ClientLoad, limits: ConnectionLimits): Verdict {
  if (load.open >= limits.maxPerClient)
    return {
      kind: 'refuse',
      code: 'INGEST_RATE_LIMITED',
      reason: `Too many connections from your address (${String(limits.maxPerClient)} open at once is the limit); close idle ones or try again in a few minutes`,
    };
  if (load.lastMinute >= limits.maxPerClientPerMinute)
    return {
      kind: 'refuse',
      code: 'INGEST_RATE_LIMITED',
      reason: `Too many new connections from your address (${String(limits.maxPerClientPerMinute)} a minute is the limit); send several messages per connection or try again in a minute`,
    };
  return accept;
}

/** phase mail: a declared SIZE over the limit is refused before any byte is sent. */
export function checkDeclaredSize(declared: number | undefined, maxBytes: number): Verdict {
  return declared !== undefined && declared > maxBytes
    ? {
        kind: 'refuse',
        code: 'INGEST_MESSAGE_TOO_LARGE',
        reason: `Message size exceeds the limit of ${maxBytes} bytes`,
      }
    : accept;
}

/** phase rcpt: only hosted agencies receive mail here. */
export function checkRecipient(found: boolean, count: number, maxRecipients: number): Verdict {
  if (!found)
    return { kind: 'refuse', code: 'INGEST_RECIPIENT_UNKNOWN', reason: 'No such agency mailbox here' };
  if (count >= maxRecipients)
    return {
      kind: 'refuse',
      code: 'INGEST_TOO_MANY_RECIPIENTS',
      reason: 'Too many recipients; send the rest in another transaction',
    };
  return accept;
}

/** phase data: smtp-server counts bytes but does not stop the stream; the count decides. */
export function checkReceivedSize(sizeExceeded: boolean, maxBytes: number): Verdict {
  return sizeExceeded
    ? {
        kind: 'refuse',
        code: 'INGEST_MESSAGE_TOO_LARGE',
        reason: `Message exceeds the limit of ${maxBytes} bytes; nothing was kept`,
      }
    : accept;
}

export type UnknownSenderPolicy = 'queue' | 'quarantine';

export type ContentFacts = {
  kind: MessageKind;
  parseProblem: string | null;
  problems: readonly string[];
  knownSender: boolean;
  auth: SenderAuthResult | null;
  infected: readonly string[];
  unknownSenderPolicy: UnknownSenderPolicy;
  /** a DSN/MDN: what it reports and whether it answers mail the hub sent (delivery-report.ts) */
  reportReason?: string | null;
  /** unsafe ZIP attachments: flag (zip-bomb, zip-path-traversal, …) and "<file>: <why>" */
  unsafeArchives?: readonly { flag: string; reason: string }[];
  /** the second MIME reading (mime-structure/): a reason when it and mailparser disagree, and its flags */
  mimeGap?: { reason: string | null; flags: readonly string[] } | null;
};

/** What happens to a stored message: into the clerks' queue, or quarantined with a reason. */
export type Placement =
  { kind: 'queue'; flags: string[] } | { kind: 'quarantine'; reason: string; flags: string[] };

/** phase queue: after the content is read, where the item goes. Reasons name the first cause. */
export function placeMessage(facts: ContentFacts): Placement {
  const flags: string[] = [];
  if (!facts.knownSender) flags.push('unknown-sender');
  if (facts.auth && facts.auth.dmarc === 'fail') flags.push('dmarc-fail');
  if (facts.auth && facts.auth.spf === 'fail') flags.push('spf-fail');
  if (facts.problems.length > 0) flags.push('mime-problems');
  for (const { flag } of facts.unsafeArchives ?? []) if (!flags.includes(flag)) flags.push(flag);
  for (const flag of facts.mimeGap?.flags ?? []) if (!flags.includes(flag)) flags.push(flag);
  if (facts.infected.length > 0)
    return { kind: 'quarantine', reason: `malware: ${facts.infected.join('; ')}`, flags };
  if (facts.parseProblem)
    return { kind: 'quarantine', reason: `unreadable message: ${facts.parseProblem}`, flags };
  if (facts.unsafeArchives && facts.unsafeArchives.length > 0)
    return {
      kind: 'quarantine',
      reason: `unsafe ZIP attachment, not opened: ${facts.unsafeArchives.map((a) => a.reason).join('; ')}`,
      flags,
    };
  // The clerk's mail program could show other files than the hub stored (hidden attachments).
  if (facts.mimeGap?.reason) return { kind: 'quarantine', reason: facts.mimeGap.reason, flags };
  // Bounces and read receipts are about mail the hub sent, never a document for the clerks.
  if (facts.kind !== 'document')
    return {
      kind: 'quarantine',
      reason: facts.reportReason ?? `${facts.kind} report, not a document`,
      flags,
    };
  if (facts.auth?.dmarc === 'fail' && facts.auth.dmarcPolicy !== 'none')
    return {
      kind: 'quarantine',
      reason: `sender authentication failed (DMARC ${facts.auth.dmarcPolicy ?? 'fail'})`,
      flags,
    };
  if (!facts.knownSender && facts.unknownSenderPolicy === 'quarantine')
    return { kind: 'quarantine', reason: 'sender is not a known agency address', flags };
  return { kind: 'queue', flags };
}
