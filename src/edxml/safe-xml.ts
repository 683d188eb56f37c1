import { HubError, type HubErrorCode } from '../shared/index.ts';
import { decodeXmlText } from './xml-encoding.ts';

/**
 * Pre-parse guard for every XML the hub reads. One linear pass over the text, before any parser
 * sees it: a DTD (and with it XXE and entity expansion) never reaches a parser, and size, depth and
 * attribute count are bounded so a hostile package costs milliseconds, not gigabytes.
 */
export type SafeXmlLimits = {
  /** Bytes of the raw package; docs/contract.md `LIENTHONG_MAX_MESSAGE_BYTES` defaults to 50 MB. */
  readonly maxBytes: number;
  /** Element nesting; real edXML is about 8 deep. */
  readonly maxDepth: number;
  /** Attributes on one element (namespace declarations included). */
  readonly maxAttributes: number;
};

export const DEFAULT_SAFE_XML_LIMITS: SafeXmlLimits = {
  maxBytes: 52_428_800,
  maxDepth: 128,
  maxAttributes: 64,
};

export type WellFormedResult =
  | { readonly wellFormed: true }
  | { readonly wellFormed: false; readonly line: number; readonly column: number; readonly message: string };

type ScanFailure = { readonly offset: number; readonly vi: string; readonly en: string };

const PREDEFINED_ENTITIES = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);
// Simplified XML Name: enough to catch garbage, permissive for any non-ASCII letter.
const NAME = /^[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]*$/;
const REFERENCE = /^(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z_][A-Za-z0-9_.-]*)$/;

/** 1-based line and column (in UTF-16 code units, which equals characters for Vietnamese text). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Decodes bytes (UTF-8 or the declared encoding) after the size check; never decodes an over-limit package. */
export function decodeXmlBytes(
  input: Uint8Array | string,
  limits: SafeXmlLimits = DEFAULT_SAFE_XML_LIMITS,
): string {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > limits.maxBytes) {
    throw new HubError(
      'EDXML_TOO_LARGE',
      `Gói tin ${size} byte vượt giới hạn ${limits.maxBytes} byte / package of ${size} bytes exceeds the limit of ${limits.maxBytes} bytes`,
      { details: { size, limit: limits.maxBytes } },
    );
  }
  const text =
    typeof input === 'string'
      ? input
      : decodeXmlText(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Refuses over-size input, any DOCTYPE or ENTITY declaration, nesting deeper than `maxDepth`
 * and elements with more than `maxAttributes` attributes. Returns the decoded text (BOM removed)
 * so callers do not decode twice. Well-formedness problems are not this function's business.
 */
export function assertSafeXml(input: Uint8Array | string, limits: Partial<SafeXmlLimits> = {}): string {
  const effective = { ...DEFAULT_SAFE_XML_LIMITS, ...limits };
  const text = decodeXmlBytes(input, effective);
  scanXml(text, effective);
  return text;
}

/** Safety guard plus well-formedness: the answer carries the line and column of the first fault. */
export function checkWellFormed(
  input: Uint8Array | string,
  limits: Partial<SafeXmlLimits> = {},
): WellFormedResult {
  const effective = { ...DEFAULT_SAFE_XML_LIMITS, ...limits };
  const text = decodeXmlBytes(input, effective);
  const failure = scanXml(text, effective);
  if (failure === undefined) return { wellFormed: true };
  const { line, column } = lineAndColumn(text, failure.offset);
  return { wellFormed: false, line, column, message: `${failure.vi} / ${failure.en}` };
}

/** Like `checkWellFormed` but throws `EDXML_NOT_WELL_FORMED`; returns the decoded text. */
export function assertWellFormedXml(input: Uint8Array | string, limits: Partial<SafeXmlLimits> = {}): string {
  const effective = { ...DEFAULT_SAFE_XML_LIMITS, ...limits };
  const text = decodeXmlBytes(input, effective);
  const failure = scanXml(text, effective);
  if (failure !== undefined) {
    const { line, column } = lineAndColumn(text, failure.offset);
    throw new HubError(
      'EDXML_NOT_WELL_FORMED',
      `XML không hợp lệ tại dòng ${line}, cột ${column}: ${failure.vi} / XML is not well-formed at line ${line}, column ${column}: ${failure.en}`,
      { details: { line, column } },
    );
  }
  return text;
}

function refuse(code: HubErrorCode, text: string, offset: number, vi: string, en: string): never {
  const { line, column } = lineAndColumn(text, offset);
  throw new HubError(code, `${vi} (dòng ${line}, cột ${column}) / ${en} (line ${line}, column ${column})`, {
    details: { line, column },
  });
}

/**
 * The scan. Throws HubError for safety violations (they must stop every caller); returns the first
 * well-formedness fault instead of throwing, so the pure guard can ignore it. Every loop advances
 * `pos` or jumps with indexOf, so the cost is linear in the text.
 */
function scanXml(text: string, limits: SafeXmlLimits): ScanFailure | undefined {
  const stack: string[] = [];
  let firstFault: ScanFailure | undefined;
  let rootSeen = false;
  const fault = (offset: number, vi: string, en: string): void => {
    firstFault ??= { offset, vi, en };
  };
  let pos = 0;
  const length = text.length;
  while (pos < length) {
    const lt = text.indexOf('<', pos);
    const textEnd = lt === -1 ? length : lt;
    if (firstFault === undefined && textEnd > pos) checkText(text, pos, textEnd, stack.length > 0, fault);
    if (lt === -1) break;
    pos = lt;
    if (text.startsWith('<!--', pos)) {
      const end = text.indexOf('-->', pos + 4);
      if (end === -1)
        return firstFault ?? { offset: pos, vi: 'chú thích không được đóng', en: 'unterminated comment' };
      pos = end + 3;
    } else if (text.startsWith('<![CDATA[', pos)) {
      const end = text.indexOf(']]>', pos + 9);
      if (end === -1)
        return firstFault ?? { offset: pos, vi: 'CDATA không được đóng', en: 'unterminated CDATA section' };
      if (stack.length === 0) fault(pos, 'CDATA nằm ngoài phần tử gốc', 'CDATA outside the root element');
      pos = end + 3;
    } else if (text.startsWith('<!', pos)) {
      // DOCTYPE, ENTITY, ELEMENT, ATTLIST…: none has a place in edXML, and a DTD is how XXE and
      // entity expansion get in. Refuse before anything else looks at it.
      const keyword = /^<!([A-Za-z]*)/.exec(text.slice(pos, pos + 12))?.[1] ?? '';
      refuse(
        keyword.toUpperCase() === 'ENTITY' ? 'EDXML_ENTITY_FORBIDDEN' : 'EDXML_DOCTYPE_FORBIDDEN',
        text,
        pos,
        `Khai báo <!${keyword}> bị cấm trong gói tin (chống XXE và bom thực thể)`,
        `<!${keyword}> declarations are not allowed in a package (prevents XXE and entity expansion)`,
      );
    } else if (text.startsWith('<?', pos)) {
      const end = text.indexOf('?>', pos + 2);
      if (end === -1)
        return (
          firstFault ?? {
            offset: pos,
            vi: 'chỉ thị xử lý không được đóng',
            en: 'unterminated processing instruction',
          }
        );
      const target = /^<\?([^\s?]*)/.exec(text.slice(pos, pos + 40))?.[1] ?? '';
      if (target.toLowerCase() === 'xml' && pos !== 0)
        fault(pos, 'khai báo XML chỉ được ở đầu tệp', 'the XML declaration must come first');
      pos = end + 2;
    } else if (text.startsWith('</', pos)) {
      const end = text.indexOf('>', pos + 2);
      if (end === -1)
        return firstFault ?? { offset: pos, vi: 'thẻ đóng không kết thúc', en: 'unterminated end tag' };
      const name = text.slice(pos + 2, end).trimEnd();
      const open = stack.pop();
      if (open === undefined)
        fault(pos, `thẻ đóng </${name}> không có thẻ mở`, `end tag </${name}> has no start tag`);
      else if (open !== name)
        fault(pos, `thẻ đóng </${name}> không khớp <${open}>`, `end tag </${name}> does not match <${open}>`);
      pos = end + 1;
    } else {
      if (stack.length === 0 && rootSeen)
        fault(pos, 'có nhiều hơn một phần tử gốc', 'more than one root element');
      rootSeen = true;
      pos = scanStartTag(text, pos, stack, limits, fault);
    }
  }
  if (firstFault !== undefined) return firstFault;
  if (stack.length > 0) {
    return {
      offset: length,
      vi: `phần tử <${stack.at(-1) ?? ''}> không được đóng`,
      en: `element <${stack.at(-1) ?? ''}> is not closed`,
    };
  }
  if (!rootSeen) return { offset: 0, vi: 'không có phần tử gốc', en: 'no root element' };
  return undefined;
}

function checkText(
  text: string,
  start: number,
  end: number,
  insideRoot: boolean,
  fault: (offset: number, vi: string, en: string) => void,
): void {
  if (!insideRoot) {
    const stray = text.slice(start, end).search(/\S/);
    if (stray !== -1) fault(start + stray, 'có văn bản ngoài phần tử gốc', 'text outside the root element');
    return;
  }
  checkReferences(text, start, end, fault);
}

function checkReferences(
  text: string,
  start: number,
  end: number,
  fault: (offset: number, vi: string, en: string) => void,
): void {
  // Search within the segment only (a slice is O(1) in V8): indexOf on the whole text would rescan
  // the rest of the document for every text node, which is quadratic.
  const segment = text.slice(start, end);
  for (let i = segment.indexOf('&'); i !== -1; i = segment.indexOf('&', i + 1)) {
    const amp = start + i;
    // Look for the ';' within 40 characters only, for the same reason.
    const semi = text.slice(amp + 1, Math.min(end, amp + 42)).indexOf(';');
    const name = semi === -1 ? '' : text.slice(amp + 1, amp + 1 + semi);
    if (!REFERENCE.test(name) || (!name.startsWith('#') && !PREDEFINED_ENTITIES.has(name))) {
      fault(
        amp,
        `tham chiếu thực thể không hợp lệ hoặc không được định nghĩa`,
        `invalid or undefined entity reference`,
      );
      return;
    }
  }
}

/** Scans `<name attr="v" …>` or `…/>`, pushes the name unless self-closing; returns the next offset. */
function scanStartTag(
  text: string,
  start: number,
  stack: string[],
  limits: SafeXmlLimits,
  fault: (offset: number, vi: string, en: string) => void,
): number {
  const length = text.length;
  let pos = start + 1;
  while (pos < length && !isNameEnd(text.charCodeAt(pos))) pos += 1;
  const name = text.slice(start + 1, pos);
  if (!NAME.test(name))
    fault(
      start,
      `tên phần tử không hợp lệ "${name.slice(0, 40)}"`,
      `invalid element name "${name.slice(0, 40)}"`,
    );
  const attributes: string[] = [];
  for (;;) {
    const afterSpace = skipSpace(text, pos);
    if (afterSpace >= length) {
      fault(start, `thẻ <${name}> không kết thúc`, `unterminated start tag <${name}>`);
      return length;
    }
    const c = text[afterSpace];
    if (c === '>' || (c === '/' && text[afterSpace + 1] === '>')) {
      if (c === '>') {
        stack.push(name);
        if (stack.length > limits.maxDepth) {
          refuse(
            'EDXML_TOO_DEEP',
            text,
            start,
            `Phần tử lồng nhau quá ${limits.maxDepth} cấp`,
            `elements are nested deeper than ${limits.maxDepth} levels`,
          );
        }
        return afterSpace + 1;
      }
      return afterSpace + 2;
    }
    if (afterSpace === pos)
      fault(pos, 'thiếu khoảng trắng giữa các thuộc tính', 'missing whitespace between attributes');
    let nameEnd = afterSpace;
    while (nameEnd < length && !isNameEnd(text.charCodeAt(nameEnd)) && text[nameEnd] !== '=') nameEnd += 1;
    const attribute = text.slice(afterSpace, nameEnd);
    if (!NAME.test(attribute)) {
      fault(afterSpace, `thuộc tính không hợp lệ trong <${name}>`, `malformed attribute in <${name}>`);
      const close = text.indexOf('>', afterSpace);
      return close === -1 ? length : close + 1;
    }
    if (attributes.includes(attribute))
      fault(afterSpace, `thuộc tính ${attribute} bị lặp`, `duplicate attribute ${attribute}`);
    attributes.push(attribute);
    if (attributes.length > limits.maxAttributes) {
      refuse(
        'EDXML_TOO_MANY_ATTRIBUTES',
        text,
        start,
        `Phần tử <${name}> có quá ${limits.maxAttributes} thuộc tính`,
        `element <${name}> has more than ${limits.maxAttributes} attributes`,
      );
    }
    let eq = skipSpace(text, nameEnd);
    if (text[eq] !== '=') {
      fault(eq, `thuộc tính ${attribute} thiếu "="`, `attribute ${attribute} has no "="`);
      const close = text.indexOf('>', eq);
      return close === -1 ? length : close + 1;
    }
    eq = skipSpace(text, eq + 1);
    const quote = text[eq];
    const valueEnd = quote === '"' || quote === "'" ? text.indexOf(quote, eq + 1) : -1;
    if (valueEnd === -1) {
      fault(
        eq,
        `giá trị thuộc tính ${attribute} phải nằm trong dấu nháy`,
        `attribute ${attribute} value must be quoted`,
      );
      const close = text.indexOf('>', eq);
      return close === -1 ? length : close + 1;
    }
    const lt = text.slice(eq + 1, valueEnd).indexOf('<');
    if (lt !== -1)
      fault(
        eq + 1 + lt,
        `ký tự "<" trong giá trị thuộc tính ${attribute}`,
        `"<" inside the value of ${attribute}`,
      );
    checkReferences(text, eq + 1, valueEnd, fault);
    pos = valueEnd + 1;
  }
}

function isNameEnd(code: number): boolean {
  // whitespace, '/', '>', and '<' (a stray '<' ends the name so the fault is reported where it is)
  return (
    code === 0x20 ||
    code === 0x09 ||
    code === 0x0a ||
    code === 0x0d ||
    code === 0x2f ||
    code === 0x3e ||
    code === 0x3c
  );
}

function skipSpace(text: string, from: number): number {
  let pos = from;
  for (;;) {
    const code = text.charCodeAt(pos);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return pos;
    pos += 1;
  }
}
