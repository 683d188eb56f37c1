// Vietnamese text for the hub: legacy encodings (TCVN3, VNI, VISCII, VPS, VIQR, windows-1258) and
// mojibake to Unicode NFC with encoding detection, and the document identifiers of Nghị định 30/2020.
// A pure library: it must never touch the file system, network or environment, and never throw for
// bad input text (only HubError TEXT_* for caller mistakes such as an unknown encoding name).
export { detectEncoding, type EncodingDetection, type EncodingGuess } from './detect-encoding.ts';
export { parseDocumentNotation, type DocumentNotation, type NotationResult } from './document-notation.ts';
export {
  documentTypeOf,
  type DerivedDocumentType,
  type DocumentTypeClues,
  type DocumentTypeSource,
} from './document-type-of.ts';
export {
  ND30_DOCUMENT_TYPES,
  documentTypeByAbbreviation,
  documentTypeByName,
  legalNormativeTypeByName,
  type DocumentTypeEntry,
} from './document-types.ts';
export {
  firstPageFields,
  type ConfidentialityMark,
  type FieldSource,
  type FirstPageFields,
  type ReadField,
} from './first-page-fields.ts';
export { decodeFrom } from './legacy-decoders.ts';
export { encodeTo } from './legacy-encoders.ts';
export { normalizeText, type NormalizedText } from './normalize-text.ts';
export { parsePromulgationLine, type PromulgationLineResult } from './promulgation-line.ts';
export {
  DETECTABLE_ENCODINGS,
  LEGACY_ENCODINGS,
  parseSourceEncoding,
  type DetectableEncoding,
  type LegacyEncoding,
  type SourceEncoding,
  type TextEncoding,
} from './text-encoding.ts';
export { readUrgencyMark, type UrgencyLevel } from './urgency-mark.ts';
export { isVietnameseSyllable } from './vietnamese-syllable.ts';
export {
  describeUnsafeCharacter,
  findBidiControl,
  findUnsafeCharacter,
  readableLine,
  readableValue,
  storableText,
  storableValue,
  type UnsafeCharacter,
  type UnsafeCharacterKind,
} from './unsafe-characters.ts';
export {
  findConfidentialityStamp,
  type ConfidentialityLevel,
  type ConfidentialityStamp,
} from './confidentiality-stamp.ts';
