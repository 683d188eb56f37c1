import { HubError } from '../shared/index.ts';
import { LEGACY_LETTERS, VISCII_C0, VISCII_HIGH, WINDOWS_1258_HIGH } from './legacy-tables.generated.ts';
import type { TextEncoding } from './text-encoding.ts';
import { encodeViqr } from './viqr.ts';
import { windows1252Byte } from './windows-1252.ts';

/**
 * Unicode → legacy bytes. The hub itself only reads legacy text; the encoders exist so tests and
 * operators can produce legacy samples from the same tables, and to prove the tables round-trip.
 */

type ByteMap = ReadonlyMap<string, readonly number[]>;

/** cp1252 punctuation (quotes, dashes, bullet, ellipsis) that TCVN3 and VNI documents carry in 0x80–0x9F. */
function addWindows1252Punctuation(map: Map<string, readonly number[]>): void {
  for (let codePoint = 0x152; codePoint <= 0x2122; codePoint++) {
    const byte = windows1252Byte(codePoint);
    if (byte !== undefined && byte >= 0x80 && byte < 0xa0) map.set(String.fromCodePoint(codePoint), [byte]);
  }
}

function highTableMap(high: readonly number[]): Map<string, readonly number[]> {
  const map = new Map<string, readonly number[]>();
  high.forEach((codePoint, index) => {
    if (codePoint !== 0xfffd) map.set(String.fromCodePoint(codePoint), [0x80 + index]);
  });
  return map;
}

const TCVN3_MAP: ByteMap = (() => {
  const map = new Map<string, readonly number[]>();
  addWindows1252Punctuation(map);
  // Only the small letters and the seven base capitals have VN3 codes (no VN1 capitals in 0xA0–0xFF).
  for (const letter of LEGACY_LETTERS) if (letter.tcvn3) map.set(letter.char, letter.tcvn3);
  map.set('\u00a0', [0xa0]);
  // A toned capital has no VN3 code: it is written with the small letter's byte (meant for a capital font).
  for (const letter of LEGACY_LETTERS) {
    const small = letter.char.toLowerCase();
    const smallBytes = map.get(small);
    if (letter.tcvn3 === null && smallBytes) map.set(letter.char, smallBytes);
  }
  return map;
})();

const VNI_MAP: ByteMap = (() => {
  const map = new Map<string, readonly number[]>();
  addWindows1252Punctuation(map);
  for (const letter of LEGACY_LETTERS) map.set(letter.char, letter.vni);
  return map;
})();

const VISCII_MAP: ByteMap = (() => {
  const map = highTableMap(VISCII_HIGH);
  for (const [byte, codePoint] of VISCII_C0) map.set(String.fromCodePoint(codePoint), [byte]);
  return map;
})();

const VPS_MAP: ByteMap = new Map(LEGACY_LETTERS.map((letter) => [letter.char, [letter.vps]]));

const WINDOWS_1258_MAP: ByteMap = highTableMap(WINDOWS_1258_HIGH);
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/gu;

/** Windows-1258 keeps base letters with quality marks (â, ơ …) precomposed and adds the tone as a combining byte. */
function windows1258Bytes(char: string): readonly number[] | undefined {
  const direct = WINDOWS_1258_MAP.get(char);
  if (direct) return direct;
  const decomposed = char.normalize('NFD');
  const tones = decomposed.match(TONE_MARKS) ?? [];
  const base = decomposed.replace(TONE_MARKS, '').normalize('NFC');
  const baseBytes =
    base.length === 1 && base.charCodeAt(0) < 0x80 ? [base.charCodeAt(0)] : WINDOWS_1258_MAP.get(base);
  if (!baseBytes) return undefined;
  const toneBytes = tones.map((tone) => WINDOWS_1258_MAP.get(tone)?.[0]);
  if (toneBytes.some((byte) => byte === undefined)) return undefined;
  return [...baseBytes, ...(toneBytes as number[])];
}

function encodeWith(
  text: string,
  encoding: TextEncoding,
  bytesOf: (char: string) => readonly number[] | undefined,
): Uint8Array {
  const out: number[] = [];
  let index = 0;
  for (const char of text.normalize('NFC')) {
    const code = char.codePointAt(0) ?? 0;
    const bytes =
      code < 0x80 && !(encoding === 'viscii' && VISCII_C0.some(([b]) => b === code)) ? [code] : bytesOf(char);
    if (!bytes) {
      throw new HubError(
        'TEXT_UNENCODABLE',
        `Ký tự "${char}" (U+${code.toString(16).toUpperCase().padStart(4, '0')}) ở vị trí ${index} không có trong ${encoding} / character not representable in ${encoding}`,
        { details: { encoding, index, codePoint: code } },
      );
    }
    out.push(...bytes);
    index += char.length;
  }
  return Uint8Array.from(out);
}

/**
 * Encodes Unicode text in a legacy encoding (or UTF-8). Throws `TEXT_UNENCODABLE` for a character the
 * encoding cannot hold. TCVN3 writes toned capitals with the small letter's byte, as VN3 documents did.
 */
export function encodeTo(text: string, encoding: TextEncoding): Uint8Array {
  switch (encoding) {
    case 'utf-8':
      return new TextEncoder().encode(text.normalize('NFC'));
    case 'viqr':
      return encodeWith(encodeViqr(text), encoding, () => undefined);
    case 'tcvn3':
      return encodeWith(text, encoding, (char) => TCVN3_MAP.get(char));
    case 'vni':
      return encodeWith(text, encoding, (char) => VNI_MAP.get(char));
    case 'viscii':
      return encodeWith(text, encoding, (char) => VISCII_MAP.get(char));
    case 'vps':
      return encodeWith(text, encoding, (char) => VPS_MAP.get(char));
    case 'windows-1258':
      return encodeWith(text, encoding, windows1258Bytes);
  }
}
