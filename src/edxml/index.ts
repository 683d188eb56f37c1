// edXML (QCVN 102:2016) as a pure library: guard, read, validate and build packages in memory.
// It must never touch the file system or the network, and never hand unguarded bytes to a parser
// (every entry point runs the safe-xml guard first; other modules parsing XML call it too).
export {
  assertSafeXml,
  assertWellFormedXml,
  checkWellFormed,
  DEFAULT_SAFE_XML_LIMITS,
  type SafeXmlLimits,
  type WellFormedResult,
} from './safe-xml.ts';
export { parseEdxml, type ReadOptions } from './reader.ts';
export {
  inspectEdxml,
  refusalRule,
  validateEdxml,
  type ValidateOptions,
  type ValidationProblem,
  type ValidationResult,
} from './validator.ts';
export type { OrganCodeRules, OrganIdForm } from './organ-codes.ts';
export type { Severity } from './field-rules.ts';
export { documentTypeOfPackage } from './document-type.ts';
export { buildEdxml, buildEdxmlText } from './builder.ts';
export { DEFAULT_ZIP_LIMITS, listZip, looksLikeZip, type ZipLimits } from './zip-listing.ts';
export {
  ATTACHMENT_ZIP_LIMITS,
  inspectZip,
  isZipAttachment,
  type ZipInspection,
  type ZipMemberFacts,
} from './zip-inspection.ts';
export { zipFiles, type ZipMember } from './zip-writer.ts';
export {
  edxmlPackageSchema,
  QCVN_NAMESPACE,
  type Attachment,
  type EdocPackage,
  type EdxmlPackage,
  type Organization,
  type PackageWarning,
  type StatusPackage,
} from './package-model.ts';
