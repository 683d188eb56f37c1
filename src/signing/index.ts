// Signatures and trust: XMLDSig sign/verify for edXML, S/MIME and PDF (CMS) verification, and the
// X.509 trust decisions behind every verdict (docs/contract.md "Signature verdict"). Pure library apart
// from two ports with file adapters: the key store and the trust store.
export { checkCertificateChain, type ChainCheck, type ChainOptions } from './certificate-chain.ts';
export { type CmsVerifyOptions } from './cms-verify.ts';
export {
  fileTrustStore,
  GOVERNMENT_ROOT_PATH,
  readTrustPath,
  seedTrustDirectory,
} from './file-trust-store.ts';
export { fileKeyStore } from './file-key-store.ts';
export { signingKeyFromPem, type KeyStore, type SigningKey } from './key-store.ts';
export { parseOcspResponse, type OcspEvidence } from './ocsp.ts';
export { verifyPdf } from './pdf-verify.ts';
export { validationReport, type ValidationReport } from './validation-report.ts';
export { validationReportPdf } from './validation-report-pdf.ts';
export {
  requestTimestamp,
  timestampAuthority,
  type TimestampClientOptions,
  type TimestampOutcome,
} from './timestamp-client.ts';
export {
  buildTimestampRequest,
  readTimestampReply,
  timestampWords,
  verifyTimestampToken,
  type TimestampProblem,
  type TokenCheck,
} from './timestamp-token.ts';
export { verifySmime } from './smime-verify.ts';
export {
  buildTrustMaterial,
  certificateFingerprint,
  fromPortable,
  memoryTrustStore,
  mergeTrustMaterial,
  toPortable,
  type PortableTrustMaterial,
  type TrustFile,
  type TrustMaterial,
  type TrustStore,
} from './trust-store.ts';
export {
  REASONS,
  type ChainStatus,
  type EmbeddedSignatureVerdict,
  type FileVerdict,
  type SignatureStatus,
  type SignatureVerdict,
  type SignerSummary,
} from './verdict.ts';
export { VerifyPool, type VerifyPoolOptions } from './verify-pool.ts';
export { signEdxml } from './xmldsig-sign.ts';
export { verifyEdxmlSignature, type XmlVerifyOptions, type XmlVerifyResult } from './xmldsig-verify.ts';
export { cachedTrustStore } from './cached-trust-store.ts';
export {
  agencyKeyDir,
  agencyKeyFiles,
  fileAgencyKeyStore,
  installAgencyKey,
  type AgencyKeyStore,
} from './agency-key-store.ts';
export {
  agencyKeyCertificates,
  certificatesOfFile,
  trustDirectoryCertificates,
  type HeldCertificate,
  type HeldCertificateKind,
} from './trust-inventory.ts';
