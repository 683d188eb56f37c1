// Mail the hub sends itself: receipts to senders, alerts to admins and relay deliveries by e-mail,
// through one transport, each recorded in `outbound_mail` before it is handed over, so a bounce or
// read receipt that comes back (read by ingest) can be linked to it. It imports only db and shared:
// what a bounce means for a relay delivery is the relay's business, reached through a port.
export { createMailTransport, type MailTransport } from './mail-transport.ts';
export { smtpOutbound, type OutboundMail } from './notice-mail.ts';
export {
  applyReportLink,
  describeSendError,
  findOutboundMail,
  newMessageId,
  prismaOutboundMailLog,
  sendRecorded,
  type OutboundMailEntry,
  type OutboundMailKind,
  type OutboundMailLog,
  type OutboundMatch,
  type RelayMailBounced,
  type ReportLink,
  type ReportOutcome,
} from './outbound-log.ts';
export { createMailSender, type MailSender, type RelayMailRow } from './relay-mail-channel.ts';
