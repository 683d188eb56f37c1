// E-mail ingest: the SMTP listener and IMAP pollers that turn mail for hosted agencies into intake
// items (raw bytes into the mail spool first, 250 only after that commit; read into items after), plus outbound receipts/alerts. Edges
// translate; ingest-policy.ts decides; the registry stores.
export { startIngest, type IngestService, type IngestServiceDeps } from './ingest-service.ts';
export {
  startSmtpListener,
  type MailSpoolPort,
  type SmtpListener,
  type SmtpListenerOptions,
} from './smtp/smtp-listener.ts';
export {
  readMessage,
  storeMessages,
  type IngestDeps,
  type IngestOutcome,
  type MailEnvelope,
  type ReadMessage,
} from './ingest-message.ts';
export { spoolMessage, spoolBacklog, type SpoolBacklog } from './spool/mail-spool.ts';
export { startSpoolProcessor, type SpoolProcessor } from './spool/spool-processor.ts';
export { createIngestMetrics, type IngestMetrics } from './ingest-metrics.ts';
export {
  prismaRecipientDirectory,
  type MailRecipient,
  type RecipientDirectory,
} from './recipient-directory.ts';
export { parseMessage, type IncomingMessage, type MessageKind } from './parse-message.ts';
export { readMailHtml } from './mail-body.ts';
export { mailauthAuthenticator, type SenderAuthenticator, type SenderAuthResult } from './sender-auth.ts';
export { clamdScanner, pingClamd, type MalwareScanner } from './clamd-scanner.ts';
export {
  startMailboxPoller,
  type MailboxPoller,
  type MailboxConfig,
  type MailboxHealth,
} from './imap/mailbox-poller.ts';
export { ingestSources, type IngestSources, type PolledMailbox } from './ingest-sources.ts';
export { parseMailboxes } from './imap/mailbox-config.ts';
