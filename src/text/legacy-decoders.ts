import {
  LEGACY_LETTERS,
  VISCII_C0,
  VISCII_HIGH,
  VN1_HIGH,
  WINDOWS_1258_HIGH,
} from './legacy-tables.generated.ts';
import type { TextEncoding } from './text-encoding.ts';
import { decodeViqr } from './viqr.ts';
import { windows1252Char } from './windows-1252.ts';

/** Decodes bytes with a byte → code point function; undefined bytes become U+FFFD so detection can count them. */
function decodeSingleByte(bytes: Uint8Array, codePointOf: (byte: number) => number): string {
  let out = '';
  for (const byte of bytes) out += String.fromCodePoint(codePointOf(byte));
  return out;
}

// TCVN3 (VN3) agrees with VN1 on 0xA0–0xFF; its 0x80–0x9F are the cp1252 quotes and dashes of
// .VnTime documents, not VN1's capitals (NOTES.md §5, pitfall 1). 0xB0–0xB4 are combining tones.
const tcvn3CodePoint = (byte: number): number =>
  byte < 0x80 ? byte : byte < 0xa0 ? windows1252Char(byte) : (VN1_HIGH[byte - 0x80] ?? 0xfffd);

const VISCII_C0_MAP = new Map(VISCII_C0);
const visciiCodePoint = (byte: number): number =>
  byte < 0x80 ? (VISCII_C0_MAP.get(byte) ?? byte) : (VISCII_HIGH[byte - 0x80] ?? 0xfffd);

const windows1258CodePoint = (byte: number): number =>
  byte < 0x80 ? byte : (WINDOWS_1258_HIGH[byte - 0x80] ?? 0xfffd);

// VPS: trusted entries first; a doubtful byte is shared by a capital and its lowercase letter, and the
// lowercase reading is kept because the capital is the one the keyboard moved out of a C0 slot.
const VPS_MAP = new Map<number, number>();
for (const letter of LEGACY_LETTERS.filter((l) => !l.vpsDoubtful && l.vps >= 0x80))
  VPS_MAP.set(letter.vps, letter.char.codePointAt(0) ?? 0);
for (const letter of LEGACY_LETTERS.filter((l) => l.vpsDoubtful && l.char === l.char.toLowerCase()))
  if (!VPS_MAP.has(letter.vps)) VPS_MAP.set(letter.vps, letter.char.codePointAt(0) ?? 0);
const vpsCodePoint = (byte: number): number =>
  byte < 0x80 ? byte : (VPS_MAP.get(byte) ?? windows1252Char(byte));

/** Bytes of the VPS table a decoder reads as a lowercase letter although the table doubts them. */
export const VPS_DOUBTFUL_BYTES: ReadonlySet<number> = new Set(
  LEGACY_LETTERS.filter((l) => l.vpsDoubtful).map((l) => l.vps),
);

// VNI-Windows: a letter is one byte (ơ, ư, đ, ì, í …) or an ASCII base plus one modifier byte.
const VNI_SINGLE = new Map<number, string>();
const VNI_PAIR = new Map<number, string>();
const pairKey = (base: number, modifier: number): number => (base << 8) | modifier;
for (const letter of LEGACY_LETTERS) {
  const [first, second] = letter.vni;
  if (first === undefined) continue;
  if (second === undefined) {
    if (first >= 0x80) VNI_SINGLE.set(first, letter.char);
  } else VNI_PAIR.set(pairKey(first, second), letter.char);
}
// Typists mix the capital and small modifier glyphs (caps lock, retyped titles); the base letter
// decides the case, so also accept each base with the other case's modifier.
for (const letter of LEGACY_LETTERS) {
  const [base] = letter.vni;
  const other = LEGACY_LETTERS.find(
    (l) => l.char !== letter.char && l.char.toLowerCase() === letter.char.toLowerCase(),
  );
  const otherModifier = other?.vni[1];
  if (base !== undefined && letter.vni.length === 2 && otherModifier !== undefined) {
    const key = pairKey(base, otherModifier);
    if (!VNI_PAIR.has(key)) VNI_PAIR.set(key, letter.char);
  }
}

function decodeVni(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    const next = bytes[i + 1];
    const pair = next === undefined ? undefined : VNI_PAIR.get(pairKey(byte, next));
    if (pair !== undefined) {
      out += pair;
      i++;
    } else if (byte < 0x80) out += String.fromCharCode(byte);
    else out += VNI_SINGLE.get(byte) ?? String.fromCodePoint(windows1252Char(byte));
  }
  return out;
}

/** UTF-8 strictly: undefined when the bytes are not UTF-8. A BOM is dropped. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * TCVN3 has no codes for toned capitals: titles were typed with the small letters' bytes in a
 * capital font (.VnTimeH). Bytes alone cannot show the font (NOTES.md §5, pitfall 5), so a word is
 * raised to capitals only when its other letters say so: a line in capitals, or a word with at least
 * two ASCII capitals and no small ASCII letter ("CéNG" → "CỘNG"). "Xã" inside a capital line is
 * fixed by the line rule; a lone "Xã" stays as it is.
 */
export function restoreTcvn3Capitals(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const words = line.match(/\p{L}+/gu) ?? [];
      const asciiWords = words.filter((word) => /[A-Za-z]/.test(word));
      const capsShaped = (word: string): boolean => !/[a-z]/.test(word);
      const lineInCaps =
        asciiWords.length >= 2 &&
        asciiWords.every(capsShaped) &&
        asciiWords.filter((word) => (word.match(/[A-Z]/g) ?? []).length >= 2).length >= 2;
      return line.replace(/\p{L}+/gu, (word) =>
        lineInCaps || (capsShaped(word) && (word.match(/[A-Z]/g) ?? []).length >= 2)
          ? word.toUpperCase()
          : word,
      );
    })
    .join('\n');
}

/** Decodes bytes from one named encoding to Unicode NFC. Never throws: undefined bytes become U+FFFD. */
export function decodeFrom(bytes: Uint8Array, encoding: TextEncoding): string {
  switch (encoding) {
    case 'utf-8':
      return new TextDecoder('utf-8').decode(bytes).normalize('NFC');
    case 'tcvn3':
      return restoreTcvn3Capitals(decodeSingleByte(bytes, tcvn3CodePoint).normalize('NFC'));
    case 'vni':
      return decodeVni(bytes).normalize('NFC');
    case 'viscii':
      return decodeSingleByte(bytes, visciiCodePoint).normalize('NFC');
    case 'vps':
      return decodeSingleByte(bytes, vpsCodePoint).normalize('NFC');
    case 'windows-1258':
      return decodeSingleByte(bytes, windows1258CodePoint).normalize('NFC');
    case 'viqr':
      // VIQR is 7-bit; stray high bytes are most likely UTF-8 (a VIQR file edited in a modern editor).
      return decodeViqr(decodeUtf8Strict(bytes) ?? decodeSingleByte(bytes, windows1252Char));
  }
}
