import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Prometheus series of the ingest edges; one instance per hub (registered on its registry). */
export type IngestMetrics = {
  accepted: Counter<'source' | 'placement'>;
  refused: Counter<'source' | 'reason'>;
  bytes: Counter<'source'>;
  secondsTo250: Histogram;
  secondsToItem: Histogram;
  spoolPending: Gauge;
  spoolOldestSeconds: Gauge;
  pollerUp: Gauge<'mailbox'>;
  pollerLastSuccess: Gauge<'mailbox'>;
};

export function createIngestMetrics(registry?: Registry): IngestMetrics {
  const registers = registry ? [registry] : [];
  return {
    accepted: new Counter({
      name: 'lienthong_ingest_messages_accepted_total',
      help: 'Messages stored (SMTP 250 / IMAP committed), by placement (queue, quarantine, duplicate)',
      labelNames: ['source', 'placement'],
      registers,
    }),
    refused: new Counter({
      name: 'lienthong_ingest_messages_refused_total',
      help: 'Messages or commands refused, by reason code',
      labelNames: ['source', 'reason'],
      registers,
    }),
    bytes: new Counter({
      name: 'lienthong_ingest_bytes_total',
      help: 'Raw bytes stored',
      labelNames: ['source'],
      registers,
    }),
    secondsTo250: new Histogram({
      name: 'lienthong_ingest_smtp_seconds_to_250',
      help: 'From end of DATA to the 250 reply (the spool insert committed)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    secondsToItem: new Histogram({
      name: 'lienthong_ingest_seconds_to_item',
      help: 'From the acknowledgement (SMTP 250 / IMAP spooled) to the intake items committed (read, verified, stored)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    spoolPending: new Gauge({
      name: 'lienthong_ingest_spool_pending',
      help: 'Messages acknowledged but not yet read into intake items',
      registers,
    }),
    spoolOldestSeconds: new Gauge({
      name: 'lienthong_ingest_spool_oldest_seconds',
      help: 'Age of the oldest message in the spool',
      registers,
    }),
    pollerUp: new Gauge({
      name: 'lienthong_ingest_imap_up',
      help: '1 while the poller holds an IMAP session',
      labelNames: ['mailbox'],
      registers,
    }),
    pollerLastSuccess: new Gauge({
      name: 'lienthong_ingest_imap_last_success_seconds',
      help: 'Unix time of the poller’s last successful fetch cycle',
      labelNames: ['mailbox'],
      registers,
    }),
  };
}
