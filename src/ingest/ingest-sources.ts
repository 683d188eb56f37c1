import type { IngestMetrics } from './ingest-metrics.ts';
import type { MailboxHealth } from './imap/mailbox-poller.ts';
import type { SpoolBacklog } from './spool/mail-spool.ts';

/**
 * The ingest edges as the data centre's admin sees them: the SMTP listener's counters (from the
 * same Prometheus series as /metrics) and each IMAP poller's state. Read-only.
 */
export type IngestSources = {
  smtp: {
    port: number;
    /** messages stored, by placement (queue, quarantine, duplicate) */
    accepted: Record<string, number>;
    /** messages and commands refused, by reason code */
    refused: Record<string, number>;
    bytes: number;
  };
  imap: {
    name: string;
    agency: string;
    host: string;
    folder: string;
    up: boolean;
    lastSuccessAt: string | null;
    lastError: { at: string; message: string } | null;
  }[];
  /** mail acknowledged (250 / IMAP spooled) and not yet read into intake items */
  spool: SpoolBacklog;
};

export type PolledMailbox = {
  name: string;
  agency: string;
  host: string;
  folder: string;
  health(): MailboxHealth;
};

async function byLabel<L extends string>(
  counter: IngestMetrics['accepted'] | IngestMetrics['refused'] | IngestMetrics['bytes'],
  source: string,
  label: L | undefined,
): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const { labels, value } of (await counter.get()).values) {
    if (labels.source !== source) continue;
    const named =
      label === undefined ? 'total' : (labels as Record<string, string | number | undefined>)[label];
    const key = String(named ?? '');
    totals[key] = (totals[key] ?? 0) + value;
  }
  return totals;
}

export async function ingestSources(
  metrics: IngestMetrics,
  smtpPort: number,
  mailboxes: readonly PolledMailbox[],
  spool: SpoolBacklog,
): Promise<IngestSources> {
  const [accepted, refused, bytes] = await Promise.all([
    byLabel(metrics.accepted, 'smtp', 'placement'),
    byLabel(metrics.refused, 'smtp', 'reason'),
    byLabel(metrics.bytes, 'smtp', undefined),
  ]);
  return {
    smtp: { port: smtpPort, accepted, refused, bytes: bytes.total ?? 0 },
    spool,
    imap: mailboxes.map((mailbox) => {
      const health = mailbox.health();
      return {
        name: mailbox.name,
        agency: mailbox.agency,
        host: mailbox.host,
        folder: mailbox.folder,
        up: health.up,
        lastSuccessAt: health.lastSuccessAt?.toISOString() ?? null,
        lastError: health.lastError
          ? { at: health.lastError.at.toISOString(), message: health.lastError.message }
          : null,
      };
    }),
  };
}
