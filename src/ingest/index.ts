// E-mail ingest: the SMTP listener and IMAP pollers that turn mail for hosted agencies into intake
// items (raw bytes first, 250 only after the commit), plus outbound receipts/alerts. Edges
// translate; ingest-policy.ts decides; the registry stores.
export { startIngest, type IngestService, type IngestServiceDeps } from './ingest-service.ts';
export { startSmtpListener, type SmtpListener, type SmtpListenerOptions } from './smtp/smtp-listener.ts';
export { ingestMessage, type IngestDeps, type IngestOutcome, type MailEnvelope } from './ingest-message.ts';
export { createIngestMetrics, type IngestMetrics } from './ingest-metrics.ts';
export {
  prismaRecipientDirectory,
  type MailRecipient,
  type RecipientDirectory,
} from './recipient-directory.ts';
export { parseMessage, type IncomingMessage, type MessageKind } from './parse-message.ts';
export { mailauthAuthenticator, type SenderAuthenticator, type SenderAuthResult } from './sender-auth.ts';
export { clamdScanner, type MalwareScanner } from './clamd-scanner.ts';
export {
  startMailboxPoller,
  type MailboxPoller,
  type MailboxConfig,
  type MailboxHealth,
} from './imap/mailbox-poller.ts';
export { ingestSources, type IngestSources, type PolledMailbox } from './ingest-sources.ts';
export { parseMailboxes } from './imap/mailbox-config.ts';
export { smtpOutbound, type OutboundMail } from './outbound-mail.ts';
