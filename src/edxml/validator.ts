import { isHubError } from '../shared/index.ts';
import { describeUnsafeCharacter, findBidiControl } from '../text/index.ts';
import { childPath, childrenNamed, ReadContext, textOf } from './element-reading.ts';
import {
  checkCode,
  checkDocumentId,
  checkEmail,
  checkLength,
  checkOrganId,
  checkUnsignedShort,
  missing,
  type FieldProblem,
  type LimitedField,
  type Severity,
} from './field-rules.ts';
import type { EdocPackage, EdxmlPackage, Organization, StatusPackage } from './package-model.ts';
import { locateEnvelope, readPackage, type EnvelopeParts, type ReadOptions } from './reader.ts';
import { parseXmlTree } from './xml-tree.ts';

/**
 * QCVN 102 validation. Reads the package leniently (so every problem is reported, not just the
 * first), then checks required elements, identifiers, code lists and lengths. Errors make a
 * package invalid; warnings are real-world deviations the hub tolerates (docs/edxml.md).
 */
export type ValidationProblem = { path: string; code: string; severity: Severity; message: string };
export type ValidationResult = { valid: boolean; problems: ValidationProblem[] };

// Reader notes that mean a value was unusable, which for the validator is an error.
const READER_ERRORS = new Set([
  'EDXML_NOT_AN_INTEGER',
  'EDXML_DATE_INVALID',
  'EDXML_TIMESTAMP_INVALID',
  'EDXML_BASE64_INVALID',
  'EDXML_ATTACHMENT_MISSING',
  'EDXML_CONTENT_ID_MISSING',
]);

export function validateEdxml(
  input: Uint8Array | string,
  options: Omit<ReadOptions, 'withContent'> = {},
): ValidationResult {
  return inspectEdxml(input, options).validation;
}

/**
 * Parses and validates in one pass over the bytes: what the hub does with an incoming package.
 * `package` is undefined when the input is not a readable package (the validation says why).
 */
export function inspectEdxml(
  input: Uint8Array | string,
  options: ReadOptions = {},
): { package: EdxmlPackage | undefined; validation: ValidationResult } {
  const problems = new ProblemList();
  let pkg: EdxmlPackage | undefined;
  try {
    const root = parseXmlTree(input, options.limits ?? {});
    const parts = locateEnvelope(root, new ReadContext());
    pkg = readPackage(root, options);
    for (const warning of pkg.warnings) {
      problems.add(warning.path, {
        code: warning.code,
        severity: READER_ERRORS.has(warning.code) ? 'error' : 'warning',
        message: warning.message,
      });
    }
    if (pkg.kind === 'edoc') checkDocument(problems, parts, pkg);
    else checkStatus(problems, parts, pkg);
  } catch (error) {
    if (!isHubError(error)) throw error;
    const path = typeof error.details?.path === 'string' ? error.details.path : '/';
    problems.add(path, { code: error.code, severity: 'error', message: error.message });
  }
  return {
    package: pkg,
    validation: { valid: !problems.items.some((p) => p.severity === 'error'), problems: problems.items },
  };
}

class ProblemList {
  readonly items: ValidationProblem[] = [];
  private readonly paths = new Set<string>();

  add(path: string, problem: FieldProblem | undefined): void {
    if (problem === undefined) return;
    this.items.push({ path, ...problem });
    this.paths.add(path);
  }

  /** Reports a missing value unless the reader already said why it is missing (an unusable value). */
  require(path: string, value: unknown, severity: Severity = 'error'): boolean {
    if (value !== undefined) return true;
    if (!this.paths.has(path)) this.add(path, missing(path.slice(path.lastIndexOf('/') + 1), severity));
    return false;
  }

  /** The length of a limited field, and a warning for bidi controls (they can disguise a name). */
  length(path: string, field: LimitedField, value: string | undefined): void {
    this.add(path, checkLength(field, value));
    const bidi = value === undefined ? undefined : findBidiControl(value);
    if (bidi) {
      const words = describeUnsafeCharacter(bidi);
      this.add(path, {
        code: 'EDXML_BIDI_CONTROL',
        severity: 'warning',
        message: `${field} ${words.vi}; hub bỏ ký tự này khi hiển thị / ${field} ${words.en}; the hub drops it where the text is shown`,
      });
    }
  }

  organId(path: string, value: string | undefined, severity: Severity = 'error'): void {
    if (this.require(path, value, severity) && value !== undefined) this.add(path, checkOrganId(value));
  }
}

function checkOrganization(problems: ProblemList, path: string, organization: Organization): void {
  problems.organId(childPath(path, 'OrganId'), organization.organId);
  problems.require(childPath(path, 'OrganName'), organization.organName);
  const limited: readonly [LimitedField, string | undefined][] = [
    ['OrganName', organization.organName],
    ['OrganizationInCharge', organization.organizationInCharge],
    ['OrganAdd', organization.organAdd],
    ['Email', organization.email],
    ['Telephone', organization.telephone],
    ['Fax', organization.fax],
    ['Website', organization.website],
  ];
  for (const [field, value] of limited) problems.length(childPath(path, field), field, value);
  problems.add(childPath(path, 'Email'), checkEmail(organization.email));
}

function checkDocument(problems: ProblemList, parts: EnvelopeParts, pkg: EdocPackage): void {
  const mh = parts.messageHeaderPath;
  checkOrganization(problems, childPath(mh, 'From'), pkg.from);
  if (pkg.to.length === 0) problems.require(childPath(mh, 'To'), undefined);
  pkg.to.forEach((to, i) => {
    checkOrganization(problems, childPath(mh, 'To', i), to);
  });

  const code = childPath(mh, 'Code');
  if (problems.require(childPath(code, 'CodeNumber'), pkg.code.number) && pkg.code.number !== undefined) {
    problems.length(childPath(code, 'CodeNumber'), 'CodeNumber', pkg.code.number);
    if (!/^\d+$/.test(pkg.code.number)) {
      problems.add(childPath(code, 'CodeNumber'), {
        code: 'EDXML_CODE_NUMBER_FORM',
        severity: 'warning',
        message: `CodeNumber "${pkg.code.number}" nên chỉ gồm chữ số (NĐ 30/2020 Điều 15) / CodeNumber "${pkg.code.number}" should be digits only (NĐ 30/2020 art. 15)`,
      });
    }
  }
  if (problems.require(childPath(code, 'CodeNotation'), pkg.code.notation)) {
    problems.length(childPath(code, 'CodeNotation'), 'CodeNotation', pkg.code.notation);
  }

  const promulgation = childPath(mh, 'PromulgationInfo');
  problems.require(childPath(promulgation, 'PromulgationDate'), pkg.promulgation.date);
  problems.length(childPath(promulgation, 'Place'), 'Place', pkg.promulgation.place);

  const type = childPath(mh, 'DocumentType');
  problems.require(childPath(type, 'Type'), pkg.documentType.type);
  if (problems.require(childPath(type, 'TypeName'), pkg.documentType.name)) {
    problems.length(childPath(type, 'TypeName'), 'TypeName', pkg.documentType.name);
  }
  if (problems.require(childPath(mh, 'Subject'), pkg.subject))
    problems.length(childPath(mh, 'Subject'), 'Subject', pkg.subject);
  problems.length(childPath(mh, 'Content'), 'Content', pkg.content);

  const signer = childPath(mh, 'SignerInfo');
  // Tây Ninh's platform sends an empty SignerInfo; the signer is on the signed PDF, so only warn.
  if (problems.require(childPath(signer, 'FullName'), pkg.signer.fullName, 'warning')) {
    problems.length(childPath(signer, 'FullName'), 'FullName', pkg.signer.fullName);
  }
  problems.length(childPath(signer, 'Position'), 'Position', pkg.signer.position);

  const other = childPath(mh, 'OtherInfo');
  // OtherInfo is optional in practice; without Priority the document is treated as "thường" (0).
  if (problems.require(childPath(other, 'Priority'), pkg.priority, 'warning')) {
    problems.add(childPath(other, 'Priority'), checkCode('Priority', pkg.priority));
  }
  problems.length(
    childPath(other, 'SphereOfPromulgation'),
    'SphereOfPromulgation',
    pkg.otherInfo.sphereOfPromulgation,
  );
  problems.length(childPath(other, 'TyperNotation'), 'TyperNotation', pkg.otherInfo.typerNotation);
  problems.add(
    childPath(other, 'PromulgationAmount'),
    checkUnsignedShort('PromulgationAmount', pkg.otherInfo.promulgationAmount),
  );
  problems.add(childPath(other, 'PageAmount'), checkUnsignedShort('PageAmount', pkg.otherInfo.pageAmount));
  problems.add(childPath(mh, 'SteeringType'), checkCode('SteeringType', pkg.steeringType));
  pkg.toPlaces.forEach((place, i) => {
    problems.length(childPath(childPath(mh, 'ToPlaces'), 'Place', i), 'ToPlace', place);
  });

  checkDocumentIds(problems, parts, pkg);
  checkAnsweredDocuments(problems, parts, pkg);
  checkTrace(problems, parts, pkg);
  const encoded = childPath(parts.rootPath, 'AttachmentEncoded');
  pkg.attachments.forEach((attachment, i) => {
    problems.length(
      childPath(childPath(encoded, 'Attachment', i), 'AttachmentName'),
      'AttachmentName',
      attachment.name,
    );
  });
}

function checkDocumentIds(problems: ProblemList, parts: EnvelopeParts, pkg: EdocPackage): void {
  const path = childPath(parts.messageHeaderPath, 'DocumentId');
  if (!problems.require(path, pkg.documentId, 'warning') || pkg.documentId === undefined) return;
  const { parts: id, problem } = checkDocumentId(pkg.documentId);
  problems.add(path, problem);
  if (id === undefined) return;
  const mismatches: string[] = [];
  if (pkg.from.organId !== undefined && id.organId !== pkg.from.organId)
    mismatches.push(`From/OrganId ${pkg.from.organId}`);
  if (pkg.promulgation.date !== undefined && id.date !== pkg.promulgation.date)
    mismatches.push(`PromulgationDate ${pkg.promulgation.date}`);
  const code = `${pkg.code.number ?? ''}/${pkg.code.notation ?? ''}`;
  if (pkg.code.number !== undefined && `${id.number}/${id.notation}` !== code)
    mismatches.push(`Code ${code}`);
  if (mismatches.length > 0) {
    problems.add(path, {
      code: 'EDXML_DOCUMENT_ID_MISMATCH',
      severity: 'warning',
      message: `DocumentId "${pkg.documentId}" không khớp ${mismatches.join(', ')} / DocumentId "${pkg.documentId}" does not match ${mismatches.join(', ')}`,
    });
  }
}

/** ResponseFor of a document package; the reader drops empty ones, so map back to element indexes. */
function checkAnsweredDocuments(problems: ProblemList, parts: EnvelopeParts, pkg: EdocPackage): void {
  const elements = childrenNamed(parts.messageHeader, 'ResponseFor');
  let next = 0;
  elements.forEach((element, i) => {
    if (!element.children.some((child) => textOf(child) !== undefined)) return;
    const responseFor = pkg.responseFor[next];
    next += 1;
    if (responseFor === undefined) return;
    const path = childPath(parts.messageHeaderPath, 'ResponseFor', i);
    problems.organId(childPath(path, 'OrganId'), responseFor.organId, 'warning');
    if (responseFor.documentId !== undefined) {
      problems.add(childPath(path, 'DocumentId'), checkDocumentId(responseFor.documentId).problem);
    }
  });
}

function checkTrace(problems: ProblemList, parts: EnvelopeParts, pkg: EdocPackage): void {
  const trace = childPath(parts.headerPath, 'TraceHeaderList');
  // Each relaying system appends its own hop, the hub included, so a package without one is odd, not broken.
  if (pkg.trace.length === 0) problems.require(childPath(trace, 'TraceHeader'), undefined, 'warning');
  pkg.trace.forEach((hop, i) => {
    const hopPath = childPath(trace, 'TraceHeader', i);
    problems.organId(childPath(hopPath, 'OrganId'), hop.organId);
    problems.require(childPath(hopPath, 'Timestamp'), hop.timestamp);
  });
  const business = pkg.business;
  if (business === undefined) return;
  const path = childPath(trace, 'Bussiness');
  const docType = childPath(path, 'BussinessDocType');
  if (problems.require(docType, pkg.businessDocType))
    problems.add(docType, checkCode('BussinessDocType', pkg.businessDocType));
  if (business.documentId !== undefined)
    problems.add(childPath(path, 'DocumentId'), checkDocumentId(business.documentId).problem);
  if ((pkg.businessDocType === 1 || pkg.businessDocType === 2) && business.documentId === undefined) {
    problems.require(childPath(path, 'DocumentId'), undefined, 'warning');
  }
  if (pkg.businessDocType === 2 && business.documentInfo.length === 0) {
    problems.require(childPath(path, 'BussinessDocumentInfo'), undefined, 'warning');
  }
  if (pkg.businessDocType === 3 && business.replacements.length === 0) {
    problems.require(childPath(path, 'ReplacementInfoList'), undefined, 'warning');
  }
  business.replacements.forEach((replacement, i) => {
    const replacementPath = childPath(childPath(path, 'ReplacementInfoList'), 'ReplacementInfo', i);
    if (replacement.documentId !== undefined)
      problems.add(childPath(replacementPath, 'DocumentId'), checkDocumentId(replacement.documentId).problem);
  });
}

function checkStatus(problems: ProblemList, parts: EnvelopeParts, pkg: StatusPackage): void {
  const mh = parts.messageHeaderPath;
  checkOrganization(problems, childPath(mh, 'From'), pkg.from);
  const responseFor = childPath(mh, 'ResponseFor');
  problems.organId(childPath(responseFor, 'OrganId'), pkg.responseFor.organId);
  const code = pkg.responseFor.code;
  if (
    problems.require(childPath(responseFor, 'Code'), code) &&
    code !== undefined &&
    !/^[^/]+\/.+$/.test(code)
  ) {
    problems.add(childPath(responseFor, 'Code'), {
      code: 'EDXML_RESPONSE_CODE_FORM',
      severity: 'warning',
      message: `Code "${code}" nên có dạng <số>/<ký hiệu> / Code "${code}" should be <number>/<notation>`,
    });
  }
  problems.require(childPath(responseFor, 'PromulgationDate'), pkg.responseFor.promulgationDate);
  const documentId = childPath(responseFor, 'DocumentId');
  if (problems.require(documentId, pkg.responseFor.documentId) && pkg.responseFor.documentId !== undefined) {
    problems.add(documentId, checkDocumentId(pkg.responseFor.documentId).problem);
  }
  const statusCode = childPath(mh, 'StatusCode');
  if (problems.require(statusCode, pkg.statusCode))
    problems.add(statusCode, checkCode('StatusCode', pkg.statusCode));
  problems.require(childPath(mh, 'Timestamp'), pkg.timestamp);
}
