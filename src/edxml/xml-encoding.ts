import iconv from 'iconv-lite';
import { HubError } from '../shared/index.ts';

/**
 * Bytes → text the way an XML processor would: BOM first, then the declared encoding. QCVN 102
 * requires Unicode, but older systems still label packages windows-1258 and the like; those are
 * decoded (iconv-lite) rather than silently misread as UTF-8. Invalid UTF-8 is refused with its place.
 */
const DECLARATION = /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeXmlText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes.subarray(2), 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return iconv.decode(bytes.subarray(2), 'utf-16be');
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const declared = hasBom
    ? undefined
    : DECLARATION.exec(bytes.subarray(0, 200).toString('latin1'))?.[1]?.toLowerCase();
  if (declared !== undefined && declared !== 'utf-8' && declared !== 'utf8') {
    if (!isKnownEncoding(declared)) {
      throw new HubError(
        'EDXML_ENCODING_UNSUPPORTED',
        `Bảng mã "${declared}" không được hỗ trợ; hãy gửi UTF-8 (TCVN 6909:2001) / encoding "${declared}" is not supported; send UTF-8 (TCVN 6909:2001)`,
      );
    }
    return iconv.decode(bytes, declared);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    const text = bytes.toString('utf8');
    const offset = text.indexOf('\uFFFD');
    const before = text.slice(0, Math.max(0, offset));
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    throw new HubError(
      'EDXML_NOT_UTF8',
      `Gói tin không phải UTF-8 hợp lệ (dòng ${line}, cột ${column}); hãy khai báo đúng bảng mã hoặc chuyển sang UTF-8 / the package is not valid UTF-8 (line ${line}, column ${column}); declare its real encoding or convert it to UTF-8`,
      { details: { line, column } },
    );
  }
}

/** iconv-lite's check is typed as a type guard that narrows to its own names; we only want a yes/no. */
function isKnownEncoding(name: string): boolean {
  return iconv.encodingExists(name);
}
