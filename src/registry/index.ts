// The registry, core of the hub: intake queue, register books with gapless numbers, document
// versions and statuses, the hash-chained audit trail and the outbox of work for the broker.
// Every use case takes an Actor and enforces its agency scope itself. It speaks no wire protocol.
export { appendAudit, walkAuditChain, type AuditInput } from './audit-trail.ts';
export {
  fileAnchorSigner,
  readExportedAnchors,
  startAuditAnchoring,
  verifyAudit,
  writeAuditAnchor,
  type AnchorSigner,
  type AuditAnchor,
  type AuditVerdict,
} from './audit-anchors.ts';
export {
  accumulateChain,
  lastAuditTimestamp,
  startAuditTimestamping,
  timestampAuditHead,
  type AuditStamp,
  type AuditTimestamper,
  type AuditTimestamping,
  type AuditTimestampOutcome,
  type TimestampingState,
} from './audit-timestamps.ts';
export { exportAuditProof, type ProofOutcome } from './export-audit-proof.ts';
export {
  accumulate,
  anchorDatum,
  anchorDigest,
  checkAuditProof,
  PROOF_FORMAT,
  readAuditProof,
  type AuditProof,
  type ProofChainEntry,
  type ProofCheck,
} from './domain/audit-proof.ts';
export { putBlob, sha256Hex } from './blob-store.ts';
export { afterKey, decodeCursor, encodeCursor, type Keyset } from './keyset-cursor.ts';
export {
  contentDedupKey,
  messageDedupKey,
  receiveIntakeBatch,
  receiveIntakeItems,
  type IncomingAttachment,
  type IntakeReceipt,
  type IntakeSource,
  type ReceiveIntakeInput,
  type ReceivedItem,
} from './receive-intake-items.ts';
export {
  listIntake,
  getIntakeItem,
  readIntakeBytes,
  readIntakeHeaders,
  findDuplicateCandidates,
  type DuplicateCandidate,
  type IntakeHeaders,
  type IntakeFilter,
  type IntakePage,
  type IntakeSummary,
} from './intake-queries.ts';
export {
  markIntakeDuplicate,
  registerIntakeItem,
  rejectIntakeItem,
  releaseIntakeItem,
  type DecisionRefusal,
  type DuplicateOutcome,
  type RegisterOutcome,
  type RejectOutcome,
  type ReleaseOutcome,
} from './decide-intake-item.ts';
export {
  RegistrationFormSchema,
  type RegistrationEdits,
  type RegistrationForm,
} from './registration-form.ts';
export {
  searchDocuments,
  getDocument,
  type DocumentFilter,
  type DocumentSummary,
} from './document-queries.ts';
export {
  recordDocumentStatus,
  FOLLOW_UP_CODES,
  type FollowUpCode,
  type StatusInput,
  type StatusOutcome,
} from './record-document-status.ts';
export { exportRegisterBook, type RegisterBookRange } from './export-register-book.ts';
export { takeRegistrationNumber } from './registration-number.ts';
export { recordOutgoingDocument, type OutgoingDocumentRecord } from './register-outgoing.ts';
export { queueStatus, type QueuedStatus, type StatusCode } from './status-outbox.ts';
export { foldForSearch, searchWords } from './domain/search-text.ts';
export { indexItemText } from './search-index.ts';
export { type Passage } from './domain/full-text.ts';
export { vietnamDate, vietnamDayAfter, vietnamDayStart, vietnamYear } from './domain/registration-year.ts';
export { auditHash, canonicalJson, GENESIS_HASH } from './domain/audit-hash.ts';
export { REGISTRY_TRANSACTION } from './transaction-options.ts';
export { createDepartment, departmentNamed, listDepartments } from './departments.ts';
export {
  assignDocument,
  DEFAULT_DUE_SOON_DAYS,
  followUpByDepartment,
  listFollowUp,
  type AssignInput,
  type AssignOutcome,
  type FollowUpFilter,
  type FollowUpItem,
} from './follow-up.ts';
export {
  exportAuditTrail,
  readAuditTrail,
  type AuditDetail,
  type AuditFilter,
  type ReadableAuditEntry,
} from './audit-reading.ts';
export { AUDIT_AREAS, type Words } from './domain/audit-labels.ts';
export {
  claimFileTexts,
  getItemText,
  MAX_READING_ATTEMPTS,
  readFileBytes,
  readingBacklog,
  readingOverview,
  recordFileText,
  releaseFileText,
  type ClaimedFile,
  type FileTextResult,
  type FileTextView,
  type ReadingOverview,
  type RecordOutcome,
} from './file-texts.ts';
export {
  READING_REASONS,
  readableKindOf,
  type ReadableKind,
  type ReadingReason,
} from './domain/readable-file.ts';
