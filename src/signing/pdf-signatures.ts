/**
 * Finds the signatures of a PDF: every signature dictionary (an object with a /ByteRange, or a
 * /Type /Sig or /DocTimeStamp one with /Contents), read with the object parser. Its byte range
 * must be two ranges from byte 0 whose hole is exactly its /Contents hex string; anything else is
 * a broken signature with the problem named, never "unsigned". Incremental updates keep earlier
 * bytes intact, so every earlier signature stays findable.
 */
import type { FinalRevision } from './pdf-update-analysis.ts';
import {
  isArray,
  isDict,
  isName,
  isRef,
  isString,
  PdfLexer,
  readIndirect,
  textOf,
  type PdfDict,
} from './pdf-syntax.ts';
import { isHubError } from '../shared/index.ts';

export type PdfRangeProblem =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'start' | 'order' | 'hole' | 'missing' }
  | { readonly kind: 'beyond'; readonly end: number; readonly size: number }
  | { readonly kind: 'unreadable'; readonly detail: string };

export type PdfSignatureSlot = {
  /** The /ByteRange numbers as written (four when well-formed). */
  readonly byteRange: readonly number[];
  /** DER of the CMS (hex decoded, zero padding kept: DER parsing stops at the end of the value). */
  readonly contents: Uint8Array;
  readonly subFilter: string | null;
  readonly field: string | null;
  /** /M of the signature dictionary, as an ISO date when readable. */
  readonly claimedTime: string | null;
  /** The indirect object holding the signature dictionary. */
  readonly objectNumber: number | null;
  /** What is wrong with the range itself; null when it is two ranges around /Contents. */
  readonly problem: PdfRangeProblem | null;
};

const CANDIDATE = /\/ByteRange\s*\[|\/Type\s*\/(?:Sig|DocTimeStamp)(?![A-Za-z0-9])/g;
/** How far before a /ByteRange the object header may be (a /Contents written first can be large). */
const MAX_OBJECT_BACK = 4 * 1024 * 1024;
const MAX_PARENT_HOPS = 32;

function pdfDate(value: string): string | null {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Z+-])?(\d{2})?'?(\d{2})?/.exec(value);
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = m;
  const offset = !sign || sign === 'Z' ? 'Z' : `${sign}${oh}:${om}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * The header offset of the indirect object around `offset`: the last `N G obj` before it with no
 * `endobj` in between. A hex /Contents holds no "obj", so even a large one is skipped safely.
 */
function objectStartAround(text: string, offset: number): number | null {
  const floor = Math.max(0, offset - MAX_OBJECT_BACK);
  let at = offset;
  for (;;) {
    at = text.lastIndexOf('obj', at - 1);
    if (at < floor || at === -1) return null;
    const head = /(\d+)\s+(\d+)\s+$/.exec(text.slice(Math.max(0, at - 24), at));
    if (!head) continue;
    const start = at - head[0].length;
    const end = text.indexOf('endobj', at);
    return end !== -1 && end < offset ? null : start;
  }
}

type Found = { readonly num: number; readonly dict: PdfDict; readonly offset: number };

function signatureDictionaryAt(bytes: Uint8Array, start: number): Found | { error: string } | null {
  try {
    const object = readIndirect(bytes, start);
    const top = object.value;
    if (!isDict(top)) return null;
    const isSig = (d: PdfDict) =>
      d.map.has('ByteRange') ||
      ((isName(d.map.get('Type'), 'Sig') || isName(d.map.get('Type'), 'DocTimeStamp')) &&
        d.map.has('Contents'));
    if (isSig(top)) return { num: object.num, dict: top, offset: start };
    // A field may carry its signature dictionary directly as /V.
    const v = top.map.get('V');
    if (isDict(v) && isSig(v)) return { num: object.num, dict: v, offset: start };
    return null;
  } catch (error) {
    if (isHubError(error, 'SIGNING_PDF_UNREADABLE')) return { error: error.message };
    throw error;
  }
}

function rangeProblem(text: string, size: number, range: readonly number[]): PdfRangeProblem | null {
  if (range.length !== 4 || !range.every((n) => Number.isSafeInteger(n) && n >= 0))
    return { kind: 'count', count: range.length };
  const [a, b, c, d] = range as [number, number, number, number];
  if (a !== 0) return { kind: 'start' };
  if (a + b >= c) return { kind: 'order' };
  if (c + d > size) return { kind: 'beyond', end: c + d, size };
  const hole = text.slice(a + b, c);
  const hex = /^<[0-9A-Fa-f\s]*>$/.test(hole);
  const afterContents = /\/Contents\s*$/.test(text.slice(Math.max(0, a + b - 32), a + b));
  return hex && afterContents ? null : { kind: 'hole' };
}

/** Field names by signature object, when the document structure could not be walked: by text. */
function fieldNameByText(bytes: Uint8Array, text: string, objectNumber: number): string | null {
  const reference = new RegExp(`/V\\s+${objectNumber}\\s+\\d+\\s+R\\b`, 'g');
  for (const match of text.matchAll(reference)) {
    const start = objectStartAround(text, match.index);
    if (start === null) continue;
    const names: string[] = [];
    let at: number | null = start;
    for (let hops = 0; at !== null && hops < MAX_PARENT_HOPS; hops++) {
      let dict: PdfDict;
      try {
        const value = readIndirect(bytes, at).value;
        if (!isDict(value)) break;
        dict = value;
      } catch {
        break;
      }
      const partial = textOf(dict.map.get('T'));
      if (partial !== null) names.unshift(partial);
      const parent = dict.map.get('Parent');
      if (!isRef(parent)) break;
      const header = new RegExp(`(?:^|[\\s>\\]])${parent.num}\\s+${parent.gen}\\s+obj\\b`).exec(text);
      at = header ? header.index + header[0].indexOf(String(parent.num)) : null;
    }
    if (names.length > 0) return names.join('.');
  }
  return null;
}

export function findPdfSignatures(pdf: Uint8Array, final: FinalRevision | null = null): PdfSignatureSlot[] {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const slots = new Map<number, PdfSignatureSlot>();
  for (const match of text.matchAll(CANDIDATE)) {
    const start = objectStartAround(text, match.index);
    if (start === null || slots.has(start)) continue;
    const found = signatureDictionaryAt(pdf, start);
    if (found === null) continue;
    if ('error' in found) {
      let numbers: number[] = [];
      if (match[0].startsWith('/ByteRange'))
        try {
          const value = new PdfLexer(pdf, match.index + match[0].length - 1).value();
          numbers = isArray(value) ? value.map(Number) : [];
        } catch {
          numbers = [];
        }
      slots.set(start, {
        byteRange: numbers,
        contents: new Uint8Array(),
        subFilter: null,
        field: null,
        claimedTime: null,
        objectNumber: null,
        problem: { kind: 'unreadable', detail: found.error },
      });
      continue;
    }
    const { dict, num } = found;
    const rawRange = dict.map.get('ByteRange');
    const byteRange = isArray(rawRange) ? rawRange.map((n) => (typeof n === 'number' ? n : Number.NaN)) : [];
    const problem: PdfRangeProblem | null =
      rawRange === undefined ? { kind: 'missing' } : rangeProblem(text, pdf.byteLength, byteRange);
    const contents = dict.map.get('Contents');
    const subFilter = dict.map.get('SubFilter');
    const time = textOf(dict.map.get('M'));
    const merged = final?.roles.fields.get(num)?.name;
    const field =
      final?.roles.signatureFields.get(num) ??
      (merged === undefined || merged === '' ? null : merged) ??
      fieldNameByText(pdf, text, num);
    slots.set(start, {
      byteRange,
      contents: isString(contents) ? Buffer.from(contents.bytes, 'latin1') : new Uint8Array(),
      subFilter: isName(subFilter) ? subFilter.name : null,
      field,
      claimedTime: time === null ? null : pdfDate(time),
      objectNumber: num,
      problem,
    });
  }
  return [...slots.values()];
}

/** Where the signed bytes end (the end of the revision the signature signs). */
export function signedEnd(slot: PdfSignatureSlot): number {
  const [, , c = 0, d = 0] = slot.byteRange;
  return c + d;
}

export function signedBytes(pdf: Uint8Array, slot: PdfSignatureSlot): Uint8Array {
  const [a = 0, b = 0, c = 0, d = 0] = slot.byteRange;
  return Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
}

/** True when the range reaches the end of the file (trailing whitespace after %%EOF changes nothing). */
export function coversWholeFile(pdf: Uint8Array, slot: PdfSignatureSlot): boolean {
  if (slot.problem) return false;
  const end = signedEnd(slot);
  if (end > pdf.byteLength) return false;
  return /^[\s\0]*$/.test(Buffer.from(pdf.subarray(end)).toString('latin1'));
}
