// The shared kernel every module may use: the hub's one error type, the logger factory, the
// injectable clock and the Actor each use case acts for. It imports no other module.
export { actorLabel, agencyScope, mayActFor, type Actor } from './actor.ts';
export { fixedClock, systemClock, type Clock } from './clock.ts';
export {
  HUB_ERROR_CODES,
  INGEST_SMTP_ERROR_CODES,
  WEB_ERROR_CODES,
  type IngestSmtpErrorCode,
  type WebErrorCode,
} from './error-codes.ts';
export { HubError, isHubError, type HubErrorCode } from './hub-error.ts';
export { isUuid } from './uuid.ts';
export { createRootLogger, createSilentLogger, type Logger, type LoggerOptions } from './logger.ts';
export {
  codeKey,
  equivalentCode,
  isAbsentCode,
  isAliasOrganId,
  isOrganId,
  MAX_CODE_LENGTH,
  ORGAN_ID_FORMAT_HINT,
  organIdForm,
  type OrganIdForm,
} from './organ-id.ts';
export { joinSaid, said, splitSaid, type Said } from './said.ts';
export { issueInWords } from './issue-words.ts';
