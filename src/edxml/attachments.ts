import { createHash } from 'node:crypto';
import { HubError } from '../shared/index.ts';
import { bareContentId } from './field-formats.ts';
import {
  childPath,
  childrenNamed,
  compact,
  firstChild,
  textOf,
  type ReadContext,
} from './element-reading.ts';
import type { Attachment } from './package-model.ts';
import type { XElement } from './xml-tree.ts';
import { ATTACHMENT_ZIP_LIMITS, inspectZip } from './zip-inspection.ts';
import { DEFAULT_ZIP_LIMITS, looksLikeZip, type ZipLimits } from './zip-listing.ts';

/**
 * Attachments: `AttachmentEncoded/Attachment` (the bytes) matched with manifest `Reference`s (the
 * description) on ContentId, with or without `cid:`. Decoded, hashed, and ZIPs listed safely.
 */
export type AttachmentOptions = { readonly withContent: boolean; readonly zipLimits: ZipLimits };

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// Applied to trimmed text; no trailing `\s*`, which would make a failing match quadratic.
const BASE64_WITH_SPACE = /^[A-Za-z0-9+/\s]*={0,2}$/;

export function readAttachments(
  context: ReadContext,
  root: XElement,
  rootPath: string,
  body: XElement | undefined,
  bodyPath: string,
  options: AttachmentOptions = { withContent: false, zipLimits: DEFAULT_ZIP_LIMITS },
): Attachment[] {
  const manifestPath = childPath(bodyPath, 'edXMLManifest');
  const references = childrenNamed(firstChild(body, 'edXMLManifest'), 'Reference').map((element, index) => ({
    element,
    path: childPath(manifestPath, 'Reference', index),
    id: readContentId(context, element, childPath(manifestPath, 'Reference', index)),
  }));
  const encodedPath = childPath(rootPath, 'AttachmentEncoded');
  const attachments: Attachment[] = [];
  const matched = new Set<number>();
  childrenNamed(firstChild(root, 'AttachmentEncoded'), 'Attachment').forEach((element, index) => {
    const path = childPath(encodedPath, 'Attachment', index);
    const id = readContentId(context, element, path);
    if (id === undefined) return;
    const referenceIndex = references.findIndex((reference, i) => reference.id === id && !matched.has(i));
    const reference = referenceIndex === -1 ? undefined : references[referenceIndex]?.element;
    if (referenceIndex === -1) {
      context.warn(
        path,
        'EDXML_ATTACHMENT_NOT_IN_MANIFEST',
        `Tệp đính kèm cid:${id} không có trong edXMLManifest`,
        `attachment cid:${id} is not listed in edXMLManifest`,
      );
    } else {
      matched.add(referenceIndex);
    }
    const pick = (local: string): string | undefined =>
      context.text(element, path, local) ?? textOf(firstChild(reference, local));
    const bytes = decodeBase64(context, element, path);
    noteDeclaredType(context, bytes, path, pick('ContentType'), pick('AttachmentName'));
    attachments.push(
      compact({
        contentId: id,
        name: pick('AttachmentName'),
        description: pick('Description'),
        contentType: pick('ContentType'),
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        entries: describeZip(context, bytes, path, options.zipLimits),
        content: options.withContent ? bytes.toString('base64') : undefined,
      }),
    );
  });
  references.forEach((reference, index) => {
    if (!matched.has(index) && reference.id !== undefined) {
      context.warn(
        reference.path,
        'EDXML_ATTACHMENT_MISSING',
        `edXMLManifest nêu cid:${reference.id} nhưng không có nội dung trong AttachmentEncoded`,
        `edXMLManifest lists cid:${reference.id} but AttachmentEncoded has no such attachment`,
      );
    }
  });
  return attachments;
}

function readContentId(context: ReadContext, element: XElement, path: string): string | undefined {
  const raw = context.text(element, path, 'ContentId');
  if (raw === undefined) {
    context.warn(
      childPath(path, 'ContentId'),
      'EDXML_CONTENT_ID_MISSING',
      'Thiếu ContentId; không ghép được tệp đính kèm',
      'ContentId is missing; the attachment cannot be matched',
    );
    return undefined;
  }
  const { id, hadPrefix } = bareContentId(raw);
  if (!hadPrefix) {
    context.warn(
      childPath(path, 'ContentId'),
      'EDXML_CONTENT_ID_WITHOUT_CID',
      `ContentId "${raw}" thiếu tiền tố "cid:"`,
      `ContentId "${raw}" lacks the "cid:" prefix`,
    );
  }
  return id;
}

function decodeBase64(context: ReadContext, element: XElement, path: string): Buffer {
  const encodedPath = childPath(path, 'ContentTransferEncoded');
  const raw = (context.single(element, path, 'ContentTransferEncoded')?.text ?? '').trim();
  if (raw === '') {
    context.warn(
      encodedPath,
      'EDXML_ATTACHMENT_EMPTY',
      'Tệp đính kèm không có nội dung',
      'the attachment has no content',
    );
    return Buffer.alloc(0);
  }
  // Fast path: canonical base64 survives a decode/encode round trip (native, ~10× a regex scan).
  const decoded = Buffer.from(raw, 'base64');
  if (raw.length % 4 === 0 && decoded.toString('base64') === raw) return decoded;
  if (STRICT_BASE64.test(raw) && raw.length % 4 === 0) return decoded;
  if (BASE64_WITH_SPACE.test(raw)) {
    const compacted = raw.replace(/\s+/g, '');
    if (compacted.length % 4 === 0) {
      if (compacted.length > 0 && /[\r\n]/.test(raw)) {
        context.warn(
          encodedPath,
          'EDXML_BASE64_LINE_BREAKS',
          'Base64 có xuống dòng (SDK tham chiếu không dùng)',
          'base64 contains line breaks (the reference SDK emits none)',
        );
      }
      return Buffer.from(compacted, 'base64');
    }
  }
  context.warn(
    encodedPath,
    'EDXML_BASE64_INVALID',
    'Nội dung base64 không hợp lệ; tệp đính kèm có thể bị hỏng',
    'invalid base64; the attachment is probably corrupt',
  );
  return Buffer.from(raw, 'base64');
}

/** What the first bytes say a file is; only the kinds real traffic sends and a declared type can contradict. */
const SIGNATURES: readonly { kind: string; words: string; magic: readonly number[] }[] = [
  { kind: 'zip', words: 'ZIP (or DOCX/XLSX)', magic: [0x50, 0x4b, 0x03, 0x04] },
  { kind: 'pdf', words: 'PDF', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  {
    kind: 'ole2',
    words: 'Word/Excel 97–2003 (OLE2)',
    magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
  },
  { kind: 'png', words: 'PNG', magic: [0x89, 0x50, 0x4e, 0x47] },
  { kind: 'jpeg', words: 'JPEG', magic: [0xff, 0xd8, 0xff] },
  { kind: 'tiff', words: 'TIFF', magic: [0x49, 0x49, 0x2a, 0x00] },
];

function declaredKind(contentType: string): string | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/zip' || type === 'application/x-zip-compressed') return 'zip';
  if (type.startsWith('application/vnd.openxmlformats-officedocument.')) return 'zip';
  if (type === 'application/pdf') return 'pdf';
  if (
    type === 'application/msword' ||
    type === 'application/vnd.ms-excel' ||
    type === 'application/vnd.ms-powerpoint'
  )
    return 'ole2';
  if (type === 'image/png') return 'png';
  if (type === 'image/jpeg') return 'jpeg';
  if (type === 'image/tiff') return 'tiff';
  return undefined;
}

/**
 * A declared ContentType the bytes contradict (a `.doc` declared `application/zip`): a warning, the
 * hub goes by the bytes (ZIPs are listed because they look like ZIPs, not because of their label).
 */
function noteDeclaredType(
  context: ReadContext,
  bytes: Buffer,
  path: string,
  contentType: string | undefined,
  name: string | undefined,
): void {
  if (contentType === undefined || bytes.length === 0) return;
  const declared = declaredKind(contentType);
  if (declared === undefined) return;
  const actual = SIGNATURES.find(({ magic }) => magic.every((byte, i) => bytes[i] === byte));
  if (actual?.kind === declared) return;
  const file = name === undefined ? '' : ` ("${name}")`;
  context.warn(
    childPath(path, 'ContentType'),
    'EDXML_CONTENT_TYPE_MISMATCH',
    `ContentType "${contentType}" nhưng nội dung tệp${file} là ${actual?.words ?? 'loại khác'}; hub dựa vào nội dung, hãy khai đúng loại`,
    `ContentType says "${contentType}" but the bytes${file} are ${actual?.words ?? 'not of that type'}; the hub goes by the bytes, declare the real type`,
  );
}

/**
 * A ZIP attachment is checked as at every other door (zip-inspection.ts), nested archives included;
 * an unsafe one makes the package unreadable, naming the attachment, so it is refused at submission.
 */
function describeZip(
  context: ReadContext,
  bytes: Buffer,
  path: string,
  limits: ZipLimits,
): Attachment['entries'] {
  if (!looksLikeZip(bytes)) return undefined;
  const inspection = inspectZip(bytes, { ...ATTACHMENT_ZIP_LIMITS, ...limits });
  if (inspection.kind === 'listed') return inspection.top;
  if (inspection.kind === 'unsafe') {
    throw new HubError(UNSAFE_ZIP_CODES[inspection.flag], inspection.reason, {
      details: { path, flag: inspection.flag },
    });
  }
  context.warn(
    path,
    'EDXML_ZIP_UNREADABLE',
    `Không liệt kê được tệp ZIP: ${inspection.reason}`,
    `the ZIP attachment cannot be listed: ${inspection.reason}`,
  );
  return undefined;
}

const UNSAFE_ZIP_CODES = {
  'zip-bomb': 'EDXML_ZIP_BOMB',
  'zip-path-traversal': 'EDXML_ZIP_UNSAFE_ENTRY_NAME',
  'zip-nested': 'EDXML_ZIP_NESTED_TOO_DEEP',
} as const;
