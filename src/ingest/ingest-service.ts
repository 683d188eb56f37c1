import fs from 'node:fs/promises';
import type { Registry } from 'prom-client';
import type { HubConfig } from '../config/index.ts';
import type { PrismaClient } from '../db/index.ts';
import type { Logger } from '../shared/index.ts';
import { parseMailboxes } from './imap/mailbox-config.ts';
import { startMailboxPoller, type MailboxPoller } from './imap/mailbox-poller.ts';
import type { IngestDeps, IngestOutcome, ReadMessage } from './ingest-message.ts';
import { ingestConditions, startIngestAlerts } from './ingest-alerts.ts';
import { startAnalysisPool } from './reading/analysis-pool.ts';
import { createIngestMetrics } from './ingest-metrics.ts';
import { ingestSources, type IngestSources, type PolledMailbox } from './ingest-sources.ts';
import {
  prismaOutboundMailLog,
  smtpOutbound,
  type MailTransport,
  type OutboundMail,
  type RelayMailBounced,
} from '../outbound-mail/index.ts';
import { prismaRecipientDirectory } from './recipient-directory.ts';
import { mailauthAuthenticator } from './sender-auth.ts';
import { agencyTokenAuthenticator } from './smtp/agency-credentials.ts';
import { startSmtpListener, type SmtpListener } from './smtp/smtp-listener.ts';
import { spoolPort, startSpoolProcessor } from './spool/spool-processor.ts';

/** Composition of the ingest edges from the hub configuration: one call from main.ts. */
export type IngestServiceDeps = {
  config: HubConfig;
  prisma: PrismaClient;
  metrics: Registry;
  log: Logger;
  /** the hub's mail transport, when LIENTHONG_SMTP_RELAY_URL is set: receipts and alerts */
  mailTransport?: MailTransport | undefined;
  /** what a bounced relay delivery by e-mail does to the delivery (the relay's port) */
  relayMailBounced?: RelayMailBounced;
};
export type IngestService = {
  readonly smtpPort: number;
  /** SMTP counters and each IMAP poller's state, for the admin console. */
  sources(): Promise<IngestSources>;
  stop(): Promise<void>;
};

export async function startIngest({
  config,
  prisma,
  metrics,
  log,
  mailTransport,
  relayMailBounced,
}: IngestServiceDeps): Promise<IngestService> {
  const directory = prismaRecipientDirectory(prisma, config.mailDomain);
  const outbound: OutboundMail | undefined = mailTransport
    ? smtpOutbound({
        transport: mailTransport,
        from: `${config.organId}@${config.mailDomain}`,
        alertTo: (config.smtp.alertTo ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
        log: log.child({ module: 'ingest.outbound' }),
        record: prismaOutboundMailLog(prisma, log.child({ module: 'ingest.outbound' })),
      })
    : undefined;
  const ingestMetrics = createIngestMetrics(metrics);
  // What happens after a batch commits: receipts to senders, malware noted for the admins' alert.
  const afterCommit: NonNullable<IngestDeps['afterCommit']>[] = [];
  if (outbound && config.smtp.receipts === 'on') afterCommit.push(receiptSender(outbound));
  // Mail is read on a thread of its own: a message that keeps a parser busy is stopped after a
  // minute and stored unread.
  const reader = startAnalysisPool({
    trustPaths: [config.trustDir],
    ...(config.clamd ? { clamd: config.clamd } : {}),
    parseTimeoutMs: 20_000,
    secondReading: config.smtp.mimeSecondReading === 'on',
    hardTimeoutMs: 60_000,
    log: log.child({ module: 'ingest.reader' }),
  });
  const ingest: IngestDeps = {
    prisma,
    directory,
    analysis: reader,
    ...(config.smtp.senderAuth === 'on' ? { senderAuth: mailauthAuthenticator() } : {}),
    unknownSenderPolicy: config.smtp.unknownSender,
    metrics: ingestMetrics,
    authTimeoutMs: 5_000,
    log: log.child({ module: 'ingest.reports' }),
    ...(relayMailBounced ? { relayMailBounced } : {}),
    afterCommit: (outcome, read) => {
      for (const hook of afterCommit) hook(outcome, read);
    },
  };
  const tls =
    config.tls.certFile && config.tls.keyFile
      ? { cert: await fs.readFile(config.tls.certFile), key: await fs.readFile(config.tls.keyFile) }
      : undefined;
  const processor = startSpoolProcessor(ingest, {
    batchSize: 16,
    leaseMs: 15_000,
    idlePollMs: 1_000,
    maxAttempts: 3,
    log: log.child({ module: 'ingest.spool' }),
  });
  const spool = spoolPort(prisma, processor, config.smtp.spoolMax);
  const smtp: SmtpListener = await startSmtpListener({
    host: config.host,
    port: config.smtp.port,
    name: config.mailDomain,
    maxMessageBytes: config.maxMessageBytes,
    maxRecipients: 100,
    maxClients: config.smtp.maxClients,
    limits: {
      maxPerClient: config.smtp.maxConnectionsPerClient,
      maxPerClientPerMinute: config.smtp.maxConnectionsPerClientPerMinute,
    },
    timeLimits: {
      sessionMs: config.smtp.sessionSeconds * 1000,
      dataMs: config.smtp.dataSeconds * 1000,
      minBytesPerSecond: config.smtp.minBytesPerSecond,
      // the rate is judged over 30 s: long enough for a TCP stall and its retransmissions
      rateWindowMs: 30_000,
    },
    // Agencies that send with credentials: OrganId + one of its API tokens, over TLS only.
    ...(tls ? { tls, authenticate: agencyTokenAuthenticator(prisma) } : {}),
    directory,
    spool,
    metrics: ingestMetrics,
    log: log.child({ module: 'ingest.smtp' }),
  });
  const pollers: MailboxPoller[] = [];
  const polled: PolledMailbox[] = [];
  for (const mailbox of parseMailboxes(config.imap.mailboxes)) {
    const password = (await fs.readFile(mailbox.passwordFile, 'utf8')).trim();
    const poller = startMailboxPoller(
      {
        ...mailbox,
        password,
        recipient: () => directory.resolve(`${mailbox.agency}@${config.mailDomain}`),
      },
      { spool, metrics: ingestMetrics, log: log.child({ module: 'ingest.imap' }) },
    );
    pollers.push(poller);
    const { name, agency, host, folder } = mailbox;
    polled.push({ name, agency, host, folder, health: () => poller.health() });
  }
  const alerts =
    outbound && config.smtp.alertTo
      ? startIngestAlerts({
          outbound,
          conditions: () =>
            ingestConditions({
              mailboxes: polled,
              backlog: processor.backlog(),
              spoolMax: config.smtp.spoolMax,
            }),
          graceMs: config.smtp.alertAfterSeconds * 1000,
          // often enough that an alert comes soon after its grace, at most every 30 s
          intervalMs: Math.min(30_000, Math.max(250, (config.smtp.alertAfterSeconds * 1000) / 4)),
          log: log.child({ module: 'ingest.alerts' }),
        })
      : undefined;
  if (alerts)
    afterCommit.push((outcome, read) => {
      alerts.noteStored(outcome, read);
    });
  return {
    smtpPort: smtp.port,
    sources: () => ingestSources(ingestMetrics, smtp.port, polled, processor.backlog()),
    async stop() {
      await smtp.close();
      await Promise.all(pollers.map((p) => p.stop()));
      await processor.stop();
      await reader.stop();
      alerts?.stop();
    },
  };
}

function receiptSender(outbound: OutboundMail) {
  return (outcome: IngestOutcome, read: ReadMessage) => {
    if (outcome.placement !== 'queue' || !read.sender || read.envelope.source !== 'smtp') return;
    if (outcome.items.every((i) => i.outcome === 'duplicate')) return;
    void outbound.sendReceipt(
      read.sender,
      read.messageId,
      read.subject,
      outcome.items.map((i) => i.itemId),
    );
  };
}
