import { isHubError } from '../shared/index.ts';
import {
  describeUnsafeCharacter,
  documentTypeByName,
  findBidiControl,
  legalNormativeTypeByName,
} from '../text/index.ts';
import { documentTypeOfPackage } from './document-type.ts';
import { childPath, childrenNamed, ReadContext, textOf } from './element-reading.ts';
import {
  checkCode,
  checkDocumentId,
  checkEmail,
  checkLength,
  checkUnsignedShort,
  missing,
  qcvnRule,
  RULE_ND30_NUMBER,
  RULE_ND30_TYPES,
  type FieldProblem,
  type LimitedField,
  type Severity,
} from './field-rules.ts';
import {
  absentOrganCode,
  AGENCY_CODE_RULES,
  checkOrganCode,
  type CodeRole,
  type OrganCodeRules,
} from './organ-codes.ts';
import type {
  EdocPackage,
  EdxmlPackage,
  Organization,
  PackageWarning,
  StatusPackage,
} from './package-model.ts';
import { locateEnvelope, readPackage, type EnvelopeParts, type ReadOptions } from './reader.ts';
import { parseXmlTree } from './xml-tree.ts';

/**
 * QCVN 102 validation. Reads the package leniently (so every problem is reported, not just the
 * first), then checks required elements, identifiers, code lists and lengths. An error is only what
 * keeps the hub from routing, registering or verifying the package; everything else real traffic
 * does is a warning, and a note says something worth knowing that breaks nothing (docs/edxml.md).
 * Every problem names the rule it is about (`rule`, a short citation).
 */
export type ValidationProblem = {
  path: string;
  code: string;
  severity: Severity;
  message: string;
  rule: string;
};
export type ValidationResult = { valid: boolean; problems: ValidationProblem[] };

export type ValidateOptions = ReadOptions;

// Reader notes that mean an attachment cannot be delivered: errors for the validator.
const READER_ERRORS = new Set([
  'EDXML_BASE64_INVALID',
  'EDXML_ATTACHMENT_MISSING',
  'EDXML_CONTENT_ID_MISSING',
]);

const RULE_XMLDSIG = 'W3C XMLDSig (xmldsig-core)';
const RULE_SAFETY = 'Lienthong docs/edxml.md §Safety';

/** Citations of what the reader notes that no element of the QCVN table covers. */
const READER_RULES: Readonly<Record<string, string>> = {
  EDXML_NAMESPACE: 'QCVN 102:2016 edXML namespace',
  EDXML_ROOT_IS_ENVELOPE: 'QCVN 102:2016 edXML/edXMLEnvelope',
  EDXML_SIGNATURE_NOT_XMLDSIG: RULE_XMLDSIG,
  EDXML_SIGNATURE_PLACEHOLDER: RULE_XMLDSIG,
  EDXML_BASE64_INVALID: 'RFC 4648 §4 base64',
  EDXML_BASE64_LINE_BREAKS: 'RFC 4648 §3.1 base64',
};

/** Citations of the refusals that make a package unreadable (HubError codes). */
const REFUSAL_RULES: Readonly<Record<string, string>> = {
  EDXML_NOT_EDXML: 'QCVN 102:2016 edXML/edXMLEnvelope/edXMLHeader',
  EDXML_NOT_WELL_FORMED: 'XML 1.0 (W3C) §2.1',
  EDXML_FORBIDDEN_CHARACTER: 'XML 1.0 (W3C) §2.2',
  EDXML_UNDECLARED_PREFIX: 'Namespaces in XML 1.0 (W3C)',
  EDXML_NOT_UTF8: 'TCVN 6909:2001 (Unicode, UTF-8)',
  EDXML_ENCODING_UNSUPPORTED: 'TCVN 6909:2001 (Unicode, UTF-8)',
};

/** The citation for a package-level refusal (also used by the CLI for a file it cannot read). */
export function refusalRule(code: string): string {
  return REFUSAL_RULES[code] ?? RULE_SAFETY;
}

export function validateEdxml(
  input: Uint8Array | string,
  options: Omit<ValidateOptions, 'withContent'> = {},
): ValidationResult {
  return inspectEdxml(input, options).validation;
}

/**
 * Parses and validates in one pass over the bytes: what the hub does with an incoming package.
 * `package` is undefined when the input is not a readable package (the validation says why).
 */
export function inspectEdxml(
  input: Uint8Array | string,
  options: ValidateOptions = {},
): { package: EdxmlPackage | undefined; validation: ValidationResult } {
  let problems = new ProblemList('edoc');
  let pkg: EdxmlPackage | undefined;
  try {
    const root = parseXmlTree(input, options.limits ?? {});
    const parts = locateEnvelope(root, new ReadContext());
    problems = new ProblemList(parts.kind);
    pkg = readPackage(root, options);
    for (const warning of pkg.warnings) problems.add(warning.path, readerProblem(warning, parts));
    if (pkg.kind === 'edoc') checkDocument(problems, parts, pkg);
    else checkStatus(problems, parts, pkg);
  } catch (error) {
    if (!isHubError(error)) throw error;
    const path = typeof error.details?.path === 'string' ? error.details.path : '/';
    problems.add(path, {
      code: error.code,
      severity: 'error',
      message: error.message,
      rule: refusalRule(error.code),
    });
  }
  return {
    package: pkg,
    validation: { valid: !problems.items.some((p) => p.severity === 'error'), problems: problems.items },
  };
}

function readerProblem(warning: PackageWarning, parts: EnvelopeParts): FieldProblem {
  const promulgationDate = childPath(
    childPath(parts.messageHeaderPath, 'PromulgationInfo'),
    'PromulgationDate',
  );
  const blocking =
    READER_ERRORS.has(warning.code) ||
    (warning.code === 'EDXML_NOT_AN_INTEGER' && warning.path.endsWith('/BussinessDocType')) ||
    (warning.code === 'EDXML_DATE_INVALID' && parts.kind === 'edoc' && warning.path === promulgationDate);
  const rule = READER_RULES[warning.code];
  return {
    code: warning.code,
    severity: blocking ? 'error' : 'warning',
    message: warning.message,
    ...(rule === undefined ? {} : { rule }),
  };
}

class ProblemList {
  readonly items: ValidationProblem[] = [];
  private readonly paths = new Set<string>();

  constructor(
    private readonly kind: 'edoc' | 'status',
    readonly codes: OrganCodeRules = AGENCY_CODE_RULES,
  ) {}

  add(path: string, problem: FieldProblem | undefined): void {
    if (problem === undefined) return;
    const { rule, ...rest } = problem;
    this.items.push({ path, ...rest, rule: rule ?? qcvnRule(path, this.kind) });
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

  /** True when the code is usable (present and of a legitimate form). */
  organId(path: string, value: string | undefined, role: CodeRole, absentSeverity?: Severity): boolean {
    const element = path.split('/').slice(-2).join('/');
    if (this.codes.isAbsentCode(value)) {
      if (!this.paths.has(path)) this.add(path, absentOrganCode(element, value, role, absentSeverity));
      return false;
    }
    if (value === undefined) return false;
    const problem = checkOrganCode(this.codes, element, value, role);
    this.add(path, problem);
    return problem?.code !== 'EDXML_ORGAN_ID_FORMAT';
  }

  isCode = (value: string): boolean => this.codes.organIdForm(value) !== undefined;
}

function checkOrganization(
  problems: ProblemList,
  path: string,
  organization: Organization,
  role: CodeRole,
  absentSeverity?: Severity,
): boolean {
  const usable = problems.organId(childPath(path, 'OrganId'), organization.organId, role, absentSeverity);
  // The directory knows the agency's name; a missing one is for the partner to fix, not a refusal.
  problems.require(childPath(path, 'OrganName'), organization.organName, 'warning');
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
  return usable;
}

function checkDocument(problems: ProblemList, parts: EnvelopeParts, pkg: EdocPackage): void {
  const mh = parts.messageHeaderPath;
  checkOrganization(problems, childPath(mh, 'From'), pkg.from, 'sender');
  checkRecipients(problems, mh, pkg);

  const code = childPath(mh, 'Code');
  if (problems.require(childPath(code, 'CodeNumber'), pkg.code.number) && pkg.code.number !== undefined) {
    problems.length(childPath(code, 'CodeNumber'), 'CodeNumber', pkg.code.number);
    if (!/^\d+$/.test(pkg.code.number)) {
      problems.add(childPath(code, 'CodeNumber'), {
        code: 'EDXML_CODE_NUMBER_FORM',
        severity: 'warning',
        message: `CodeNumber "${pkg.code.number}" nên chỉ gồm chữ số (NĐ 30/2020 Điều 15) / CodeNumber "${pkg.code.number}" should be digits only (NĐ 30/2020 art. 15)`,
        rule: RULE_ND30_NUMBER,
      });
    }
  }
  if (problems.require(childPath(code, 'CodeNotation'), pkg.code.notation)) {
    problems.length(childPath(code, 'CodeNotation'), 'CodeNotation', pkg.code.notation);
  }

  const promulgation = childPath(mh, 'PromulgationInfo');
  problems.require(childPath(promulgation, 'PromulgationDate'), pkg.promulgation.date);
  problems.length(childPath(promulgation, 'Place'), 'Place', pkg.promulgation.place);

  checkDocumentType(problems, mh, pkg);
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

/**
 * Recipients: a package no recipient of which has a usable code cannot be routed (an error); one
 * recipient without a code is a warning while others remain; two entries naming one agency by rule
 * (`G12` beside its former `000.00.00.G12`, QĐ 09/2025 change-over) are a note.
 */
function checkRecipients(problems: ProblemList, mh: string, pkg: EdocPackage): void {
  const toPath = childPath(mh, 'To');
  if (pkg.to.length === 0) {
    problems.add(toPath, {
      code: 'EDXML_REQUIRED_MISSING',
      severity: 'error',
      message:
        'Thiếu phần tử <To>: gói tin không có nơi nhận / the <To> element is missing: the package names no recipient',
    });
    return;
  }
  const usable: { index: number; code: string }[] = [];
  pkg.to.forEach((to, i) => {
    const path = childPath(mh, 'To', i);
    // One recipient without a code is a warning while others remain (EDXML_NO_RECIPIENT below if none).
    if (checkOrganization(problems, path, to, 'recipient', 'warning') && to.organId !== undefined)
      usable.push({ index: i, code: to.organId });
  });
  if (usable.length === 0) {
    problems.add(toPath, {
      code: 'EDXML_NO_RECIPIENT',
      severity: 'error',
      message:
        'Không <To> nào có mã định danh dùng được (OrganId); gói tin không có nơi nhận / no <To> has a usable agency code (OrganId); the package has no recipient to be routed to',
    });
    return;
  }
  const key = (code: string): string => code.trim().toUpperCase();
  usable.forEach(({ index, code }, n) => {
    const equivalent = problems.codes.equivalentCode(code);
    const earlier = usable
      .slice(0, n)
      .find(
        (other) =>
          key(other.code) === key(code) || (equivalent !== undefined && key(other.code) === key(equivalent)),
      );
    if (earlier === undefined) return;
    const same = key(earlier.code) === key(code);
    problems.add(childPath(childPath(mh, 'To', index), 'OrganId'), {
      code: 'EDXML_RECIPIENT_SAME_AGENCY',
      severity: 'note',
      message: same
        ? `To[${index + 1}] lặp lại mã ${code} của To[${earlier.index + 1}]; một cơ quan chỉ nhận một lần / To[${index + 1}] repeats the code ${code} of To[${earlier.index + 1}]; one agency receives the package once`
        : `To[${index + 1}] ${code} và To[${earlier.index + 1}] ${earlier.code} là một cơ quan (mã cấp 1 mới và mã 4 nhóm cũ); một cơ quan chỉ nhận một lần / To[${index + 1}] ${code} and To[${earlier.index + 1}] ${earlier.code} name one agency (the new level-1 code and the former four-group code); one agency receives the package once`,
      rule: same ? qcvnRule(toPath, 'edoc') : 'QĐ 09/2025/QĐ-TTg',
    });
  });
}

/**
 * DocumentType: `Type` is producer-specific (1, 2, 18, 71…); the NĐ 30 type comes from TypeName or
 * the notation (text/document-type-of.ts), so these are warnings about what a receiver may misread.
 */
function checkDocumentType(problems: ProblemList, mh: string, pkg: EdocPackage): void {
  const type = childPath(mh, 'DocumentType');
  const typeName = childPath(type, 'TypeName');
  const { type: number, name } = pkg.documentType;
  problems.require(childPath(type, 'Type'), number, 'warning');
  if (problems.require(typeName, name, 'warning')) problems.length(typeName, 'TypeName', name);
  if (number !== undefined && number !== 1 && number !== 2) {
    problems.add(childPath(type, 'Type'), {
      code: 'EDXML_TYPE_CODE_PRODUCER',
      severity: 'warning',
      message: `Type ${number} không phải 1 hoặc 2; một số nơi nhận (Bkav) từ chối; hub lấy loại văn bản từ TypeName/ký hiệu / Type ${number} is neither 1 nor 2; some receivers (Bkav) refuse it; the hub takes the document type from TypeName or the notation`,
    });
  }
  const derived = documentTypeOfPackage(pkg);
  if (
    name !== undefined &&
    documentTypeByName(name) === undefined &&
    legalNormativeTypeByName(name) === undefined
  ) {
    const reading =
      derived.source === 'notation' && derived.name !== undefined
        ? {
            vi: `hub lấy loại từ ký hiệu: ${derived.name}`,
            en: `the hub takes the type from the notation: ${derived.name}`,
          }
        : { vi: 'hub ghi nhận nguyên văn', en: 'the hub records it as written' };
    problems.add(typeName, {
      code: 'EDXML_TYPE_NAME_UNKNOWN',
      severity: 'warning',
      message: `TypeName "${name}" không phải loại văn bản của NĐ 30/2020 (Công văn, Quyết định, Giấy mời…); ${reading.vi} / TypeName "${name}" is not a document type of NĐ 30/2020 (Công văn, Quyết định, Giấy mời…); ${reading.en}`,
      rule: RULE_ND30_TYPES,
    });
  }
  if (derived.notationDisagrees !== undefined && derived.entry !== undefined) {
    const notation = `${pkg.code.number ?? ''}/${pkg.code.notation ?? ''}`;
    problems.add(typeName, {
      code: 'EDXML_TYPE_NAME_NOTATION_MISMATCH',
      severity: 'warning',
      message: `TypeName "${name ?? ''}" là ${derived.entry.name} nhưng ký hiệu ${notation} là ${derived.notationDisagrees.name}; hub theo TypeName / TypeName "${name ?? ''}" is ${derived.entry.nameEn} but the notation ${notation} is a ${derived.notationDisagrees.nameEn}; the hub goes by TypeName`,
      rule: RULE_ND30_TYPES,
    });
  }
}

function checkDocumentIds(problems: ProblemList, parts: EnvelopeParts, pkg: EdocPackage): void {
  const path = childPath(parts.messageHeaderPath, 'DocumentId');
  if (!problems.require(path, pkg.documentId, 'warning') || pkg.documentId === undefined) return;
  const { parts: id, problem } = checkDocumentId(pkg.documentId, problems.isCode);
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
    problems.organId(childPath(path, 'OrganId'), responseFor.organId, 'answered');
    if (responseFor.documentId !== undefined) {
      problems.add(
        childPath(path, 'DocumentId'),
        checkDocumentId(responseFor.documentId, problems.isCode).problem,
      );
    }
  });
}

function checkTrace(problems: ProblemList, parts: EnvelopeParts, pkg: EdocPackage): void {
  const trace = childPath(parts.headerPath, 'TraceHeaderList');
  // Each relaying system appends its own hop, the hub included, so a package without one is odd, not broken.
  if (pkg.trace.length === 0) problems.require(childPath(trace, 'TraceHeader'), undefined, 'warning');
  pkg.trace.forEach((hop, i) => {
    const hopPath = childPath(trace, 'TraceHeader', i);
    problems.organId(childPath(hopPath, 'OrganId'), hop.organId, 'trace');
    problems.require(childPath(hopPath, 'Timestamp'), hop.timestamp, 'warning');
  });
  const business = pkg.business;
  if (business === undefined) return;
  const path = childPath(trace, 'Bussiness');
  const docType = childPath(path, 'BussinessDocType');
  if (problems.require(docType, pkg.businessDocType))
    problems.add(docType, checkCode('BussinessDocType', pkg.businessDocType));
  if (business.documentId !== undefined)
    problems.add(
      childPath(path, 'DocumentId'),
      checkDocumentId(business.documentId, problems.isCode).problem,
    );
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
      problems.add(
        childPath(replacementPath, 'DocumentId'),
        checkDocumentId(replacement.documentId, problems.isCode).problem,
      );
  });
}

function checkStatus(problems: ProblemList, parts: EnvelopeParts, pkg: StatusPackage): void {
  const mh = parts.messageHeaderPath;
  checkOrganization(problems, childPath(mh, 'From'), pkg.from, 'sender');
  const responseFor = childPath(mh, 'ResponseFor');
  problems.organId(childPath(responseFor, 'OrganId'), pkg.responseFor.organId, 'status-target');
  const code = pkg.responseFor.code;
  if (
    problems.require(childPath(responseFor, 'Code'), code, 'warning') &&
    code !== undefined &&
    !/^[^/]+\/.+$/.test(code)
  ) {
    problems.add(childPath(responseFor, 'Code'), {
      code: 'EDXML_RESPONSE_CODE_FORM',
      severity: 'warning',
      message: `Code "${code}" nên có dạng <số>/<ký hiệu> / Code "${code}" should be <number>/<notation>`,
    });
  }
  problems.require(childPath(responseFor, 'PromulgationDate'), pkg.responseFor.promulgationDate, 'warning');
  // The status is applied to the delivery of the document with this id: without it, to none.
  const documentId = childPath(responseFor, 'DocumentId');
  if (problems.require(documentId, pkg.responseFor.documentId) && pkg.responseFor.documentId !== undefined) {
    problems.add(documentId, checkDocumentId(pkg.responseFor.documentId, problems.isCode).problem);
  }
  const statusCode = childPath(mh, 'StatusCode');
  if (problems.require(statusCode, pkg.statusCode))
    problems.add(statusCode, checkCode('StatusCode', pkg.statusCode));
  problems.require(childPath(mh, 'Timestamp'), pkg.timestamp, 'warning');
}
