import { HubError } from '../shared/index.ts';
import { readAttachments } from './attachments.ts';
import { childPath, childrenNamed, compact, firstChild, ReadContext, textOf } from './element-reading.ts';
import { readLenientDate, readLenientTimestamp } from './field-formats.ts';
import { noteSignature } from './signature-note.ts';
import {
  LEGACY_EDOC_NAMESPACE,
  QCVN_NAMESPACE,
  type Business,
  type EdocPackage,
  type EdxmlPackage,
  type Organization,
  type ResponseFor,
  type Staff,
  type StatusPackage,
} from './package-model.ts';
import type { SafeXmlLimits } from './safe-xml.ts';
import { parseXmlTree, type XElement } from './xml-tree.ts';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-listing.ts';

/** Reads document and status packages into the normalized JSON of docs/contract.md. */
export type ReadOptions = {
  /** Adds each attachment's bytes as base64 (`content`), as `edxml parse --with-content` does. */
  readonly withContent?: boolean;
  readonly limits?: Partial<SafeXmlLimits>;
  readonly zipLimits?: ZipLimits;
};

/** Guards, parses and reads a package. Throws HubError (`EDXML_…`) when it is not a readable package. */
export function parseEdxml(input: Uint8Array | string, options: ReadOptions = {}): EdxmlPackage {
  return readPackage(parseXmlTree(input, options.limits ?? {}), options);
}

/** The parts of the envelope every reader and the validator need, with their paths. */
export type EnvelopeParts = {
  readonly rootPath: string;
  readonly envelope: XElement;
  readonly envelopePath: string;
  readonly header: XElement | undefined;
  readonly headerPath: string;
  readonly messageHeader: XElement;
  readonly messageHeaderPath: string;
  readonly kind: 'edoc' | 'status';
};

export function locateEnvelope(root: XElement, context: ReadContext): EnvelopeParts {
  const rootPath = `/${root.local}`;
  if (root.ns === undefined || root.ns === LEGACY_EDOC_NAMESPACE) {
    context.warn(
      rootPath,
      'EDXML_NAMESPACE',
      `Gói tin không dùng namespace ${QCVN_NAMESPACE}; đọc theo tên phần tử`,
      `the package does not use the ${QCVN_NAMESPACE} namespace; read by element name`,
    );
  } else if (root.ns !== QCVN_NAMESPACE) {
    throw notEdxml(
      `phần tử gốc thuộc namespace lạ ${root.ns}`,
      `root element is in the foreign namespace ${root.ns}`,
    );
  }
  let envelope: XElement | undefined;
  let envelopePath = rootPath;
  if (root.local === 'edXMLEnvelope') {
    envelope = root;
    context.warn(
      rootPath,
      'EDXML_ROOT_IS_ENVELOPE',
      'Thiếu phần tử gốc edXML bao ngoài edXMLEnvelope',
      'the edXML root element around edXMLEnvelope is missing',
    );
  } else if (root.local === 'edXML' || root.local === 'EdXML') {
    envelope = firstChild(root, 'edXMLEnvelope');
    envelopePath = childPath(rootPath, 'edXMLEnvelope');
  }
  if (envelope === undefined)
    throw notEdxml(
      `không có edXMLEnvelope (gốc là <${root.local}>)`,
      `no edXMLEnvelope (root is <${root.local}>)`,
    );
  const header = firstChild(envelope, 'edXMLHeader');
  const headerPath = childPath(envelopePath, 'edXMLHeader');
  const messageHeader = firstChild(header, 'MessageHeader');
  if (messageHeader === undefined)
    throw notEdxml('không có edXMLHeader/MessageHeader', 'no edXMLHeader/MessageHeader');
  const kind = firstChild(messageHeader, 'StatusCode') === undefined ? 'edoc' : 'status';
  return {
    rootPath,
    envelope,
    envelopePath,
    header,
    headerPath,
    messageHeader,
    messageHeaderPath: childPath(headerPath, 'MessageHeader'),
    kind,
  };
}

function notEdxml(vi: string, en: string): HubError {
  return new HubError('EDXML_NOT_EDXML', `Không phải gói tin edXML: ${vi} / not an edXML package: ${en}`);
}

/** Reads a parsed tree; the validator calls this too, to share the reader's warnings. */
export function readPackage(root: XElement, options: ReadOptions = {}): EdxmlPackage {
  const context = new ReadContext();
  const parts = locateEnvelope(root, context);
  noteSignature(context, parts);
  return parts.kind === 'status' ? readStatus(context, parts) : readDocument(context, root, parts, options);
}

function readDocument(
  context: ReadContext,
  root: XElement,
  parts: EnvelopeParts,
  options: ReadOptions,
): EdocPackage {
  const mh = parts.messageHeader;
  const path = parts.messageHeaderPath;
  const code = context.single(mh, path, 'Code');
  const codePath = childPath(path, 'Code');
  const promulgation = context.single(mh, path, 'PromulgationInfo');
  const promulgationPath = childPath(path, 'PromulgationInfo');
  const documentType = context.single(mh, path, 'DocumentType');
  const typePath = childPath(path, 'DocumentType');
  const signer = context.single(mh, path, 'SignerInfo');
  const signerPath = childPath(path, 'SignerInfo');
  const otherInfo = context.single(mh, path, 'OtherInfo');
  const otherPath = childPath(path, 'OtherInfo');
  const traceList = context.single(parts.header, parts.headerPath, 'TraceHeaderList');
  const tracePath = childPath(parts.headerPath, 'TraceHeaderList');
  const business = context.single(traceList, tracePath, 'Bussiness');
  const body = firstChild(parts.envelope, 'edXMLBody');
  return compact({
    kind: 'edoc' as const,
    documentId: context.text(mh, path, 'DocumentId'),
    from: readOrganization(context, context.single(mh, path, 'From'), childPath(path, 'From')),
    to: childrenNamed(mh, 'To').map((to, i) => readOrganization(context, to, childPath(path, 'To', i))),
    code: compact({
      number: context.text(code, codePath, 'CodeNumber'),
      notation: context.text(code, codePath, 'CodeNotation'),
    }),
    promulgation: compact({
      place: context.text(promulgation, promulgationPath, 'Place'),
      date: readDate(context, promulgation, promulgationPath, 'PromulgationDate'),
    }),
    documentType: compact({
      type: context.integer(documentType, typePath, 'Type'),
      typeDetail: context.integer(documentType, typePath, 'TypeDetail'),
      name: context.text(documentType, typePath, 'TypeName'),
    }),
    subject: context.text(mh, path, 'Subject'),
    content: context.text(mh, path, 'Content'),
    signer: compact({
      competence: context.text(signer, signerPath, 'Competence'),
      position: context.text(signer, signerPath, 'Position'),
      fullName: context.text(signer, signerPath, 'FullName'),
    }),
    dueDate: readDate(context, mh, path, 'DueDate'),
    priority: context.integer(otherInfo, otherPath, 'Priority'),
    steeringType: context.integer(mh, path, 'SteeringType'),
    businessDocType: context.integer(business, childPath(tracePath, 'Bussiness'), 'BussinessDocType'),
    toPlaces: texts(childrenNamed(context.single(mh, path, 'ToPlaces'), 'Place')),
    otherInfo: compact({
      sphereOfPromulgation: context.text(otherInfo, otherPath, 'SphereOfPromulgation'),
      typerNotation: context.text(otherInfo, otherPath, 'TyperNotation'),
      promulgationAmount: context.integer(otherInfo, otherPath, 'PromulgationAmount'),
      pageAmount: context.integer(otherInfo, otherPath, 'PageAmount'),
      direction: readBoolean(context, otherInfo, otherPath, 'Direction'),
      appendixes: texts(childrenNamed(context.single(otherInfo, otherPath, 'Appendixes'), 'Appendix')),
    }),
    responseFor: childrenNamed(mh, 'ResponseFor')
      .map((element, i) => readResponseFor(context, element, childPath(path, 'ResponseFor', i)))
      .filter((responseFor) => Object.keys(responseFor).length > 0),
    business:
      business === undefined ? undefined : readBusiness(context, business, childPath(tracePath, 'Bussiness')),
    attachments: readAttachments(
      context,
      root,
      parts.rootPath,
      body,
      childPath(parts.envelopePath, 'edXMLBody'),
      {
        withContent: options.withContent ?? false,
        zipLimits: options.zipLimits ?? DEFAULT_ZIP_LIMITS,
      },
    ),
    trace: childrenNamed(traceList, 'TraceHeader').map((trace, i) => {
      const itemPath = childPath(tracePath, 'TraceHeader', i);
      return compact({
        organId: context.text(trace, itemPath, 'OrganId'),
        timestamp: readTimestamp(context, trace, itemPath, 'Timestamp'),
      });
    }),
    warnings: context.warnings,
  });
}

function readStatus(context: ReadContext, parts: EnvelopeParts): StatusPackage {
  const mh = parts.messageHeader;
  const path = parts.messageHeaderPath;
  return compact({
    kind: 'status' as const,
    responseFor: readResponseFor(
      context,
      context.single(mh, path, 'ResponseFor'),
      childPath(path, 'ResponseFor'),
    ),
    from: readOrganization(context, context.single(mh, path, 'From'), childPath(path, 'From')),
    statusCode: context.text(mh, path, 'StatusCode'),
    description: context.text(mh, path, 'Description'),
    timestamp: readTimestamp(context, mh, path, 'Timestamp'),
    staff: readStaff(context, context.single(mh, path, 'StaffInfo'), childPath(path, 'StaffInfo')),
    warnings: context.warnings,
  });
}

function readOrganization(context: ReadContext, element: XElement | undefined, path: string): Organization {
  return compact({
    organId: context.text(element, path, 'OrganId'),
    organName: context.text(element, path, 'OrganName'),
    organizationInCharge: context.text(element, path, 'OrganizationInCharge'),
    organAdd: context.text(element, path, 'OrganAdd'),
    email: context.text(element, path, 'Email'),
    telephone: context.text(element, path, 'Telephone'),
    fax: context.text(element, path, 'Fax'),
    website: context.text(element, path, 'Website'),
  });
}

function readStaff(context: ReadContext, element: XElement | undefined, path: string): Staff {
  return compact({
    department: context.text(element, path, 'Department'),
    departmentId: context.text(element, path, 'DepartmentId'),
    staff: context.text(element, path, 'Staff'),
    staffId: context.text(element, path, 'StaffId'),
    email: context.text(element, path, 'Email'),
    mobile: context.text(element, path, 'Mobile'),
  });
}

function readResponseFor(context: ReadContext, element: XElement | undefined, path: string): ResponseFor {
  return compact({
    organId: context.text(element, path, 'OrganId'),
    code: context.text(element, path, 'Code'),
    promulgationDate: readDate(context, element, path, 'PromulgationDate'),
    documentId: context.text(element, path, 'DocumentId'),
  });
}

function readBusiness(context: ReadContext, element: XElement, path: string): Business {
  return compact({
    documentId: context.text(element, path, 'DocumentId'),
    reason: context.text(element, path, 'BussinessDocReason'),
    paper: context.integer(element, path, 'Paper'),
    documentInfo: childrenNamed(element, 'BussinessDocumentInfo').map((info, i) => {
      const infoPath = childPath(path, 'BussinessDocumentInfo', i);
      const listPath = childPath(infoPath, 'ReceiverList');
      return compact({
        documentInfo: context.integer(info, infoPath, 'DocumentInfo'),
        documentReceiver: context.integer(info, infoPath, 'DocumentReceiver'),
        receivers: childrenNamed(context.single(info, infoPath, 'ReceiverList'), 'Receiver').map(
          (receiver, j) => {
            const receiverPath = childPath(listPath, 'Receiver', j);
            return compact({
              organId: context.text(receiver, receiverPath, 'OrganId'),
              receiverType: context.integer(receiver, receiverPath, 'ReceiverType'),
            });
          },
        ),
      });
    }),
    replacements: childrenNamed(element, 'ReplacementInfoList')
      .flatMap((list) => childrenNamed(list, 'ReplacementInfo'))
      .map((info, i) => {
        const infoPath = childPath(childPath(path, 'ReplacementInfoList'), 'ReplacementInfo', i);
        return compact({
          documentId: context.text(info, infoPath, 'DocumentId'),
          organIds: texts(childrenNamed(context.single(info, infoPath, 'OrganIdList'), 'OrganId')),
        });
      }),
    staff: childrenNamed(element, 'StaffInfo').map((staff, i) =>
      readStaff(context, staff, childPath(path, 'StaffInfo', i)),
    ),
  });
}

function texts(elements: readonly XElement[]): string[] {
  return elements.map(textOf).filter((value): value is string => value !== undefined);
}

function readDate(
  context: ReadContext,
  parent: XElement | undefined,
  parentPath: string,
  local: string,
): string | undefined {
  const raw = context.text(parent, parentPath, local);
  if (raw === undefined) return undefined;
  const path = childPath(parentPath, local);
  const read = readLenientDate(raw);
  if (read === undefined) {
    context.warn(
      path,
      'EDXML_DATE_INVALID',
      `Ngày "${raw}" không đọc được; giá trị bị bỏ qua`,
      `date "${raw}" cannot be read; the value is ignored`,
    );
    return undefined;
  }
  if (read.format !== 'yyyy/MM/dd') {
    context.warn(
      path,
      'EDXML_DATE_FORMAT',
      `Ngày "${raw}" theo dạng ${read.format}; chuẩn là yyyy/MM/dd`,
      `date "${raw}" is in ${read.format}; the standard is yyyy/MM/dd`,
    );
  }
  return read.date;
}

function readTimestamp(
  context: ReadContext,
  parent: XElement | undefined,
  parentPath: string,
  local: string,
): string | undefined {
  const raw = context.text(parent, parentPath, local);
  if (raw === undefined) return undefined;
  const path = childPath(parentPath, local);
  const read = readLenientTimestamp(raw);
  if (read === undefined) {
    context.warn(
      path,
      'EDXML_TIMESTAMP_INVALID',
      `Thời điểm "${raw}" không đọc được; giá trị bị bỏ qua`,
      `timestamp "${raw}" cannot be read; the value is ignored`,
    );
    return undefined;
  }
  if (!read.standard) {
    context.warn(
      path,
      'EDXML_TIMESTAMP_FORMAT',
      `Thời điểm "${raw}" không theo dạng yyyy/MM/dd HH:mm:ss`,
      `timestamp "${raw}" is not in yyyy/MM/dd HH:mm:ss`,
    );
  }
  return read.timestamp;
}

function readBoolean(
  context: ReadContext,
  parent: XElement | undefined,
  parentPath: string,
  local: string,
): boolean | undefined {
  const raw = context.text(parent, parentPath, local);
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  context.warn(
    childPath(parentPath, local),
    'EDXML_NOT_A_BOOLEAN',
    `<${local}> phải là true/false, nhận được "${raw}"`,
    `<${local}> must be true or false, got "${raw}"`,
  );
  return undefined;
}
