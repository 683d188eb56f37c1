/**
 * The closed catalogue of HubError codes, one `as const` list per module, joined into one union:
 * a code that is not listed here does not compile, and every table that turns codes into replies
 * (HTTP statuses, SMTP replies) is checked against its module's list. The lists live here, not in
 * the modules, so that this kernel imports nothing; each module owns the lines under its name.
 * Validation problems of an edXML package (`ValidationProblem.code`) are findings, not errors,
 * and are not listed here.
 */
export const CONFIG_ERROR_CODES = ['CONFIG_INVALID'] as const;

export const CLI_ERROR_CODES = [
  'CLI_HUB_REFUSED',
  'CLI_HUB_UNREACHABLE',
  'CLI_INPUT_UNREADABLE',
  'CLI_USAGE',
] as const;

export const DB_ERROR_CODES = [
  'DB_BACKUP_CORRUPT',
  'DB_BACKUP_FAILED',
  'DB_BACKUP_INCOMPATIBLE',
  'DB_BACKUP_UNREADABLE',
  'DB_EMBEDDED_IN_USE',
  'DB_MIGRATION_FAILED',
  'DB_MIGRATION_NOT_FAILED',
  'DB_MIGRATION_UNRESOLVED',
  'DB_RESTORE_FAILED',
  'DB_RESTORE_TARGET_NOT_EMPTY',
  'DB_UNAVAILABLE',
] as const;

export const EDXML_ERROR_CODES = [
  'EDXML_BUILD_ATTACHMENT_MISMATCH',
  'EDXML_BUILD_INVALID_CHARACTER',
  'EDXML_BUILD_INVALID_INPUT',
  'EDXML_BUILD_MISSING_CONTENT',
  'EDXML_DOCTYPE_FORBIDDEN',
  'EDXML_ENCODING_UNSUPPORTED',
  'EDXML_ENTITY_FORBIDDEN',
  // a NUL, C0 control, lone surrogate or noncharacter in the package's text (src/text's rule)
  'EDXML_FORBIDDEN_CHARACTER',
  'EDXML_NOT_EDXML',
  'EDXML_NOT_UTF8',
  'EDXML_NOT_WELL_FORMED',
  'EDXML_TOO_DEEP',
  'EDXML_TOO_LARGE',
  'EDXML_TOO_MANY_ATTRIBUTES',
  'EDXML_UNDECLARED_PREFIX',
  'EDXML_ZIP_BOMB',
  'EDXML_ZIP_NESTED_TOO_DEEP',
  'EDXML_ZIP_TOO_MANY_ENTRIES',
  'EDXML_ZIP_UNREADABLE',
  'EDXML_ZIP_UNSAFE_ENTRY_NAME',
] as const;

export const TEXT_ERROR_CODES = ['TEXT_UNENCODABLE', 'TEXT_UNKNOWN_ENCODING'] as const;

export const SIGNING_ERROR_CODES = [
  'SIGNING_ALREADY_SIGNED',
  'SIGNING_CERTIFICATE_UNREADABLE',
  'SIGNING_INPUT_UNREADABLE',
  'SIGNING_KEY_CERT_MISMATCH',
  'SIGNING_KEY_INCOMPLETE',
  'SIGNING_KEY_UNREADABLE',
  'SIGNING_KEY_UNSUPPORTED',
  'SIGNING_ORGAN_ID_INVALID',
  'SIGNING_PDF_UNREADABLE',
  'SIGNING_REPORT_FONT_MISSING',
  'SIGNING_SIGN_FAILED',
  'SIGNING_TRUST_FILE_TOO_LARGE',
  'SIGNING_TRUST_FILE_UNREADABLE',
  'SIGNING_TRUST_PATH_MISSING',
  'SIGNING_WORKER_FAILED',
  // the test PKI and the external verifiers the tests drive (src/signing/test-support)
  'SIGNING_TEST_PDF',
  'SIGNING_TEST_SMIME',
  'SIGNING_TEST_TOOL_FAILED',
  'SIGNING_TEST_TOOL_MISSING',
  'SIGNING_TEST_XML',
] as const;

export const REGISTRY_ERROR_CODES = ['REGISTRY_AGENCY_REQUIRED'] as const;

/** The SMTP edge's codes; each has its reply in src/ingest/ingest-errors.ts. */
export const INGEST_SMTP_ERROR_CODES = [
  'INGEST_MESSAGE_TOO_LARGE',
  'INGEST_RECIPIENT_UNKNOWN',
  'INGEST_STORE_UNAVAILABLE',
  'INGEST_SPOOL_FULL',
  'INGEST_LOOKUP_UNAVAILABLE',
  'INGEST_RATE_LIMITED',
  'INGEST_SHUTTING_DOWN',
  'INGEST_TIME_LIMIT',
  'INGEST_AUTH_FAILED',
  'INGEST_AUTH_THROTTLED',
  'INGEST_TOO_MANY_RECIPIENTS',
] as const;

export const INGEST_ERROR_CODES = [
  ...INGEST_SMTP_ERROR_CODES,
  'INGEST_MAILBOX_TARGET_UNKNOWN',
  'INGEST_SCANNER_UNAVAILABLE',
  'INGEST_SPOOL_NO_ROW',
  // the test services the ingest tests start (src/ingest/test-support)
  'INGEST_TEST_SERVICE',
] as const;

export const EXCHANGE_ERROR_CODES = [
  'EXCHANGE_AGENCY_MISSING',
  /** The national axis answered FAIL: the message is its own text (ErrorDesc); not retried as is. */
  'EXCHANGE_AXIS_REFUSED',
  /** No usable answer from the national axis (network, HTTP error, timeout, unreadable JSON); retried. */
  'EXCHANGE_AXIS_UNAVAILABLE',
  'EXCHANGE_BODY_MISSING',
  'EXCHANGE_BROKER_DOWN',
  'EXCHANGE_INBOX_MOVE_STOPPED',
  'EXCHANGE_MANAGEMENT_REFUSED',
  'EXCHANGE_MANAGEMENT_UNREACHABLE',
  'EXCHANGE_OUTGOING_REFUSED',
  'EXCHANGE_UNKNOWN_OUTBOX_KIND',
] as const;

export const MAIL_ERROR_CODES = ['MAIL_NOT_CONFIGURED', 'MAIL_NO_ADDRESS', 'MAIL_BODY_MISSING'] as const;

/** The API's codes; each has its HTTP status in src/web/error-shape.ts. */
export const WEB_ERROR_CODES = [
  'WEB_INVALID_REQUEST',
  'WEB_UNAUTHENTICATED',
  'WEB_FORBIDDEN',
  'WEB_CSRF_TOKEN_INVALID',
  'WEB_PASSWORD_CHANGE_REQUIRED',
  'WEB_NOT_FOUND',
  'WEB_CONFLICT',
  'WEB_BODY_TOO_LARGE',
  'WEB_UNSUPPORTED_MEDIA_TYPE',
  'WEB_UNPROCESSABLE',
  'WEB_RATE_LIMITED',
  'WEB_UNAVAILABLE',
] as const;

/** The benchmarks in bench/: a run that cannot measure what it claims stops with this. */
export const BENCH_ERROR_CODES = ['BENCH_FAILED'] as const;

export const HUB_ERROR_CODES = [
  ...CONFIG_ERROR_CODES,
  ...CLI_ERROR_CODES,
  ...DB_ERROR_CODES,
  ...EDXML_ERROR_CODES,
  ...TEXT_ERROR_CODES,
  ...SIGNING_ERROR_CODES,
  ...REGISTRY_ERROR_CODES,
  ...INGEST_ERROR_CODES,
  ...EXCHANGE_ERROR_CODES,
  ...MAIL_ERROR_CODES,
  ...WEB_ERROR_CODES,
  ...BENCH_ERROR_CODES,
] as const;

export type HubErrorCode = (typeof HUB_ERROR_CODES)[number];
export type WebErrorCode = (typeof WEB_ERROR_CODES)[number];
export type IngestSmtpErrorCode = (typeof INGEST_SMTP_ERROR_CODES)[number];
