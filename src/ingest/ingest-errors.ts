import { HubError, isHubError, type IngestSmtpErrorCode } from '../shared/index.ts';

/**
 * Every failure the ingest edges can report, and the SMTP reply each one becomes. The edges
 * translate these codes; the decisions behind them live in ingest-policy.ts (STYLE R4/R5).
 */
export const SMTP_REPLY_CODE = {
  /** The message is larger than LIENTHONG_MAX_MESSAGE_BYTES; nothing of it was kept. */
  INGEST_MESSAGE_TOO_LARGE: 552,
  /** No hosted agency has this address. */
  INGEST_RECIPIENT_UNKNOWN: 550,
  /** The database did not commit: the sender's MTA keeps the message and retries. */
  INGEST_STORE_UNAVAILABLE: 451,
  /** More unread mail is spooled than LIENTHONG_SMTP_SPOOL_MAX: the sender retries once it drains. */
  INGEST_SPOOL_FULL: 451,
  /** A lookup needed to answer (recipient directory) failed; temporary. */
  INGEST_LOOKUP_UNAVAILABLE: 451,
  /** Too many connections from one client, or the whole listener is full. */
  INGEST_RATE_LIMITED: 421,
  /** The hub is draining for shutdown. */
  INGEST_SHUTTING_DOWN: 421,
  /** The session, its DATA phase or its DATA rate went past LIENTHONG_SMTP_*_SECONDS / _MIN_BYTES_PER_SECOND. */
  INGEST_TIME_LIMIT: 421,
  /** AUTH refused (wrong credentials, or not over TLS). */
  INGEST_AUTH_FAILED: 535,
  /** Too many failed AUTH attempts from this user name or address; temporary. */
  INGEST_AUTH_THROTTLED: 454,
  /** Too many recipients in one transaction. */
  INGEST_TOO_MANY_RECIPIENTS: 452,
} as const satisfies Record<IngestSmtpErrorCode, number>;

export type IngestErrorCode = IngestSmtpErrorCode;

/** An Error smtp-server turns into the reply `<responseCode> <message>`. */
export type SmtpReplyError = Error & { responseCode: number };

export function smtpReply(code: IngestErrorCode, message: string, cause?: unknown): SmtpReplyError {
  const error = new HubError(code, message, { cause }) as HubError & { responseCode: number };
  error.responseCode = SMTP_REPLY_CODE[code];
  return error;
}

/** The SMTP reply for any failure: our codes map by table, anything else is a temporary 451. */
export function toSmtpReply(error: unknown): SmtpReplyError {
  for (const code of Object.keys(SMTP_REPLY_CODE) as IngestErrorCode[])
    if (isHubError(error, code)) return smtpReply(code, error.message, error);
  return smtpReply(
    'INGEST_STORE_UNAVAILABLE',
    'Temporary failure storing the message, try again later',
    error,
  );
}
