/**
 * Finds the signatures of a PDF without a full PDF parser: each signature dictionary carries a
 * /ByteRange [a b c d] whose hole (b..c) must be exactly its /Contents hex string. Incremental
 * updates keep earlier bytes intact, so every earlier signature stays findable by its range.
 */

export type PdfSignatureSlot = {
  readonly byteRange: readonly [number, number, number, number];
  /** DER of the CMS (hex decoded, zero padding kept: DER parsing stops at the end of the value). */
  readonly contents: Uint8Array;
  readonly subFilter: string | null;
  readonly field: string | null;
  /** /M of the signature dictionary, as an ISO date when readable. */
  readonly claimedTime: string | null;
  /** Problems with the range itself (not starting at 0, hole not /Contents, beyond the file). */
  readonly malformed: boolean;
};

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
const DICTIONARY_WINDOW = 4096;

function pdfDate(value: string): string | null {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Z+-])?(\d{2})?'?(\d{2})?/.exec(value);
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = m;
  const offset = !sign || sign === 'Z' ? 'Z' : `${sign}${oh}:${om}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The object `N G obj … endobj` around an offset, as text (bounded window). */
function enclosingObject(text: string, offset: number): { number: string | null; body: string } {
  const start = Math.max(0, offset - DICTIONARY_WINDOW);
  const before = text.slice(start, offset);
  const objects = [...before.matchAll(/(\d+)\s+\d+\s+obj\b/g)];
  const last = objects.at(-1);
  const objStart = last ? start + last.index : start;
  const end = text.indexOf('endobj', offset);
  return {
    number: last?.[1] ?? null,
    body: text.slice(objStart, end === -1 ? offset + DICTIONARY_WINDOW : end),
  };
}

function literalString(body: string, key: string): string | null {
  const match = new RegExp(`/${key}\\s*\\(((?:\\\\.|[^\\\\)])*)\\)`).exec(body);
  if (!match?.[1]) return null;
  const raw = match[1].replace(/\\(.)/g, '$1');
  // PDF text strings are either UTF-16BE with a BOM or PDFDocEncoding (close to Latin-1).
  if (raw.startsWith('\u00fe\u00ff')) return Buffer.from(raw.slice(2), 'latin1').swap16().toString('utf16le');
  return raw;
}

function fieldNameFor(text: string, objectNumber: string | null): string | null {
  if (objectNumber === null) return null;
  const reference = new RegExp(`/V\\s+${objectNumber}\\s+0\\s+R\\b`, 'g');
  for (const match of text.matchAll(reference)) {
    const name = literalString(enclosingObject(text, match.index).body, 'T');
    if (name !== null) return name;
  }
  return null;
}

export function findPdfSignatures(pdf: Uint8Array): PdfSignatureSlot[] {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const slots = new Map<string, PdfSignatureSlot>();
  for (const match of text.matchAll(BYTE_RANGE)) {
    const [a, b, c, d] = [match[1], match[2], match[3], match[4]].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const key = `${a} ${b} ${c} ${d}`;
    if (slots.has(key)) continue;
    const holeStart = a + b;
    const holeEnd = c;
    const inFile = a === 0 && holeStart < holeEnd && c + d <= pdf.byteLength;
    const hole = inFile ? text.slice(holeStart, holeEnd) : '';
    const isHex = /^<[0-9A-Fa-f\s]*>$/.test(hole);
    const precededByContents =
      inFile && /\/Contents\s*$/.test(text.slice(Math.max(0, holeStart - 32), holeStart));
    const { number, body } = enclosingObject(text, match.index);
    const subFilterMatch = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/.exec(body);
    const time = literalString(body, 'M');
    slots.set(key, {
      byteRange: [a, b, c, d],
      contents: isHex ? Buffer.from(hole.slice(1, -1).replace(/\s+/g, ''), 'hex') : new Uint8Array(),
      subFilter: subFilterMatch?.[1] ?? null,
      field: fieldNameFor(text, number),
      claimedTime: time === null ? null : pdfDate(time),
      malformed: !inFile || !isHex || !precededByContents,
    });
  }
  return [...slots.values()];
}

export function signedBytes(pdf: Uint8Array, slot: PdfSignatureSlot): Uint8Array {
  const [a, b, c, d] = slot.byteRange;
  return Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
}

/** True when the range reaches the end of the file (trailing whitespace after %%EOF changes nothing). */
export function coversWholeFile(pdf: Uint8Array, slot: PdfSignatureSlot): boolean {
  const [, , c, d] = slot.byteRange;
  const end = c + d;
  if (end > pdf.byteLength) return false;
  return /^[\s\0]*$/.test(Buffer.from(pdf.subarray(end)).toString('latin1'));
}
