import { createHash } from 'node:crypto';
import { HubError } from '../shared/index.ts';
import { formatEdxmlDate, formatEdxmlTimestamp } from './field-formats.ts';
import {
  edxmlPackageSchema,
  QCVN_NAMESPACE,
  type Attachment,
  type EdocPackage,
  type EdxmlPackage,
  type Organization,
  type ResponseFor,
  type Staff,
  type StatusPackage,
} from './package-model.ts';

/**
 * Builds a package from the normalized JSON in the byte shape of the VNPT reference SDK
 * (NOTES.md §1.2): default namespace on the root, `edXML:` prefix on everything inside the
 * envelope, unprefixed `AttachmentEncoded/Attachment` children, UTF-8 without BOM, LF, `yyyy/MM/dd`.
 * It never signs: a signature is the signing module's job, over these bytes.
 */

/** Checks the input against the schema, then builds. Throws `EDXML_BUILD_INVALID_INPUT` with every issue. */
export function buildEdxml(input: unknown): Buffer {
  const parsed = edxmlPackageSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new HubError(
      'EDXML_BUILD_INVALID_INPUT',
      `JSON không đúng dạng chuẩn hóa / the JSON is not a normalized package: ${issues.join('; ')}`,
      { details: { issues } },
    );
  }
  return Buffer.from(buildEdxmlText(parsed.data), 'utf8');
}

export function buildEdxmlText(pkg: EdxmlPackage): string {
  const out = new XmlLines();
  out.raw(0, '<?xml version="1.0" encoding="UTF-8"?>');
  out.raw(0, `<edXML xmlns="${QCVN_NAMESPACE}">`);
  out.raw(1, `<edXML:edXMLEnvelope xmlns:edXML="${QCVN_NAMESPACE}">`);
  out.open(2, 'edXMLHeader');
  if (pkg.kind === 'edoc') writeDocumentHeader(out, pkg);
  else writeStatusHeader(out, pkg);
  out.close(2, 'edXMLHeader');
  if (pkg.kind === 'edoc') writeBody(out, pkg.attachments);
  out.raw(1, '</edXML:edXMLEnvelope>');
  if (pkg.kind === 'edoc' && pkg.attachments.length > 0) writeAttachments(out, pkg.attachments);
  out.raw(0, '</edXML>');
  return out.toString();
}

function writeDocumentHeader(out: XmlLines, pkg: EdocPackage): void {
  out.open(3, 'MessageHeader');
  writeOrganization(out, 4, 'From', pkg.from);
  for (const to of pkg.to) writeOrganization(out, 4, 'To', to);
  out.leaf(4, 'DocumentId', pkg.documentId);
  out.group(4, 'Code', [
    ['CodeNumber', pkg.code.number],
    ['CodeNotation', pkg.code.notation],
  ]);
  out.group(4, 'PromulgationInfo', [
    ['Place', pkg.promulgation.place],
    ['PromulgationDate', date(pkg.promulgation.date)],
  ]);
  out.group(4, 'DocumentType', [
    ['Type', pkg.documentType.type],
    ['TypeDetail', pkg.documentType.typeDetail],
    ['TypeName', pkg.documentType.name],
  ]);
  out.leaf(4, 'Subject', pkg.subject);
  out.leaf(4, 'Content', pkg.content);
  out.group(4, 'SignerInfo', [
    ['Competence', pkg.signer.competence],
    ['Position', pkg.signer.position],
    ['FullName', pkg.signer.fullName],
  ]);
  out.leaf(4, 'DueDate', date(pkg.dueDate));
  const other = pkg.otherInfo;
  const hasOther = pkg.priority !== undefined || Object.keys(other).length > 1 || other.appendixes.length > 0;
  if (hasOther) {
    out.open(4, 'OtherInfo');
    out.leaf(5, 'Priority', pkg.priority);
    out.leaf(5, 'SphereOfPromulgation', other.sphereOfPromulgation);
    out.leaf(5, 'TyperNotation', other.typerNotation);
    out.leaf(5, 'PromulgationAmount', other.promulgationAmount);
    out.leaf(5, 'PageAmount', other.pageAmount);
    out.leaf(5, 'Direction', other.direction);
    if (other.appendixes.length > 0) out.list(5, 'Appendixes', 'Appendix', other.appendixes);
    out.close(4, 'OtherInfo');
  }
  for (const responseFor of pkg.responseFor) writeResponseFor(out, 4, responseFor);
  out.leaf(4, 'SteeringType', pkg.steeringType);
  if (pkg.toPlaces.length > 0) out.list(4, 'ToPlaces', 'Place', pkg.toPlaces);
  out.close(3, 'MessageHeader');

  out.open(3, 'TraceHeaderList');
  if (pkg.business !== undefined || pkg.businessDocType !== undefined) {
    const business = pkg.business ?? { documentInfo: [], replacements: [], staff: [] };
    out.open(4, 'Bussiness');
    out.leaf(5, 'DocumentId', business.documentId);
    out.leaf(5, 'BussinessDocType', pkg.businessDocType);
    out.leaf(5, 'BussinessDocReason', business.reason);
    out.leaf(5, 'Paper', business.paper);
    for (const info of business.documentInfo) {
      out.open(5, 'BussinessDocumentInfo');
      out.leaf(6, 'DocumentInfo', info.documentInfo);
      out.leaf(6, 'DocumentReceiver', info.documentReceiver);
      if (info.receivers.length > 0) {
        out.open(6, 'ReceiverList');
        for (const receiver of info.receivers) {
          out.group(7, 'Receiver', [
            ['OrganId', receiver.organId],
            ['ReceiverType', receiver.receiverType],
          ]);
        }
        out.close(6, 'ReceiverList');
      }
      out.close(5, 'BussinessDocumentInfo');
    }
    if (business.replacements.length > 0) {
      out.open(5, 'ReplacementInfoList');
      for (const replacement of business.replacements) {
        out.open(6, 'ReplacementInfo');
        out.leaf(7, 'DocumentId', replacement.documentId);
        if (replacement.organIds.length > 0) out.list(7, 'OrganIdList', 'OrganId', replacement.organIds);
        out.close(6, 'ReplacementInfo');
      }
      out.close(5, 'ReplacementInfoList');
    }
    for (const staff of business.staff) writeStaff(out, 5, staff);
    out.close(4, 'Bussiness');
  }
  for (const trace of pkg.trace) {
    out.group(4, 'TraceHeader', [
      ['OrganId', trace.organId],
      ['Timestamp', timestamp(trace.timestamp)],
    ]);
  }
  out.close(3, 'TraceHeaderList');
}

function writeStatusHeader(out: XmlLines, pkg: StatusPackage): void {
  out.open(3, 'MessageHeader');
  writeOrganization(out, 4, 'From', pkg.from);
  writeResponseFor(out, 4, pkg.responseFor);
  writeStaff(out, 4, pkg.staff);
  out.leaf(4, 'StatusCode', pkg.statusCode);
  out.leaf(4, 'Description', pkg.description);
  out.leaf(4, 'Timestamp', timestamp(pkg.timestamp));
  out.close(3, 'MessageHeader');
}

function writeOrganization(out: XmlLines, depth: number, name: string, organization: Organization): void {
  out.group(depth, name, [
    ['OrganId', organization.organId],
    ['OrganizationInCharge', organization.organizationInCharge],
    ['OrganName', organization.organName],
    ['OrganAdd', organization.organAdd],
    ['Email', organization.email],
    ['Telephone', organization.telephone],
    ['Fax', organization.fax],
    ['Website', organization.website],
  ]);
}

function writeResponseFor(out: XmlLines, depth: number, responseFor: ResponseFor): void {
  out.group(depth, 'ResponseFor', [
    ['OrganId', responseFor.organId],
    ['Code', responseFor.code],
    ['DocumentId', responseFor.documentId],
    ['PromulgationDate', date(responseFor.promulgationDate)],
  ]);
}

function writeStaff(out: XmlLines, depth: number, staff: Staff): void {
  out.group(depth, 'StaffInfo', [
    ['Department', staff.department],
    ['DepartmentId', staff.departmentId],
    ['Staff', staff.staff],
    ['StaffId', staff.staffId],
    ['Email', staff.email],
    ['Mobile', staff.mobile],
  ]);
}

function writeBody(out: XmlLines, attachments: readonly Attachment[]): void {
  out.open(2, 'edXMLBody');
  out.raw(3, '<edXML:edXMLManifest version="1.0">');
  for (const attachment of attachments) {
    out.group(4, 'Reference', [
      ['ContentId', `cid:${attachment.contentId}`],
      ['ContentType', attachment.contentType],
      ['Description', attachment.description],
      ['AttachmentName', attachment.name],
    ]);
  }
  out.raw(3, '</edXML:edXMLManifest>');
  out.close(2, 'edXMLBody');
}

function writeAttachments(out: XmlLines, attachments: readonly Attachment[]): void {
  out.raw(1, '<AttachmentEncoded>');
  attachments.forEach((attachment, index) => {
    const content = attachmentContent(attachment, index);
    out.raw(2, '<Attachment>');
    out.raw(3, `<ContentId>${escapeText(`cid:${attachment.contentId}`)}</ContentId>`);
    if (attachment.name !== undefined)
      out.raw(3, `<AttachmentName>${escapeText(attachment.name)}</AttachmentName>`);
    if (attachment.description !== undefined)
      out.raw(3, `<Description>${escapeText(attachment.description)}</Description>`);
    if (attachment.contentType !== undefined)
      out.raw(3, `<ContentType>${escapeText(attachment.contentType)}</ContentType>`);
    out.raw(
      3,
      `<edXML:ContentTransferEncoded xmlns:edXML="${QCVN_NAMESPACE}">${content}</edXML:ContentTransferEncoded>`,
    );
    out.raw(2, '</Attachment>');
  });
  out.raw(1, '</AttachmentEncoded>');
}

/** The attachment's base64 without line breaks, after checking it is the file the JSON describes. */
function attachmentContent(attachment: Attachment, index: number): string {
  const where = `attachments[${index}] (cid:${attachment.contentId})`;
  if (attachment.content === undefined) {
    throw new HubError(
      'EDXML_BUILD_MISSING_CONTENT',
      `${where} thiếu "content" (base64); hãy dùng "edxml parse --with-content" / ${where} has no "content" (base64); use "edxml parse --with-content"`,
    );
  }
  const compacted = attachment.content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compacted) || compacted.length % 4 !== 0) {
    throw new HubError(
      'EDXML_BUILD_INVALID_INPUT',
      `${where}: "content" không phải base64 / ${where}: "content" is not base64`,
    );
  }
  const bytes = Buffer.from(compacted, 'base64');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== attachment.size || sha256 !== attachment.sha256) {
    throw new HubError(
      'EDXML_BUILD_ATTACHMENT_MISMATCH',
      `${where}: "content" không khớp size/sha256 đã khai / ${where}: "content" does not match the declared size and sha256`,
      { details: { size: bytes.length, sha256 } },
    );
  }
  return compacted;
}

function date(value: string | undefined): string | undefined {
  return value === undefined ? undefined : formatEdxmlDate(value);
}

function timestamp(value: string | undefined): string | undefined {
  return value === undefined ? undefined : formatEdxmlTimestamp(value);
}

/**
 * Characters XML 1.0 cannot carry at all, even as references: C0 controls other than TAB/LF/CR,
 * U+FFFE/U+FFFF and unpaired surrogates.
 */
function hasNonXmlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return true;
    if (code === 0xfffe || code === 0xffff) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i += 1;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return true;
    }
  }
  return false;
}

function escapeText(value: string): string {
  if (hasNonXmlCharacter(value)) {
    throw new HubError(
      'EDXML_BUILD_INVALID_CHARACTER',
      `Giá trị chứa ký tự không được phép trong XML: ${JSON.stringify(value.slice(0, 60))} / value contains a character XML cannot carry`,
    );
  }
  return value
    .normalize('NFC')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#13;');
}

type LeafValue = string | number | boolean | undefined;

/** Indented `edXML:`-prefixed lines; absent values produce no element (empty = absent). */
class XmlLines {
  private readonly lines: string[] = [];

  raw(depth: number, line: string): void {
    this.lines.push(`${'  '.repeat(depth)}${line}`);
  }

  open(depth: number, name: string): void {
    this.raw(depth, `<edXML:${name}>`);
  }

  close(depth: number, name: string): void {
    this.raw(depth, `</edXML:${name}>`);
  }

  leaf(depth: number, name: string, value: LeafValue): void {
    if (value === undefined) return;
    this.raw(depth, `<edXML:${name}>${escapeText(String(value))}</edXML:${name}>`);
  }

  group(depth: number, name: string, leaves: readonly (readonly [string, LeafValue])[]): void {
    this.open(depth, name);
    for (const [leafName, value] of leaves) this.leaf(depth + 1, leafName, value);
    this.close(depth, name);
  }

  list(depth: number, name: string, itemName: string, items: readonly string[]): void {
    this.open(depth, name);
    for (const item of items) this.leaf(depth + 1, itemName, item);
    this.close(depth, name);
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
