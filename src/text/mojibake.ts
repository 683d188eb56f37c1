import { COMMON_SYLLABLES } from './common-syllables.ts';
import { decodeUtf8Strict } from './legacy-decoders.ts';
import { isVietnameseSyllable } from './vietnamese-syllable.ts';
import { windows1252Byte } from './windows-1252.ts';

/**
 * The bytes behind text that was shown through windows-1252 and saved as UTF-8. Browsers and
 * Windows show the five bytes windows-1252 leaves undefined as C1 controls, which map straight back;
 * other converters (Java, Python `errors='replace'`, iconv-lite) show them as U+FFFD, losing them.
 * Those bytes sit inside Đ (C4 90), ề ọ ỏ Ố ờ (E1 BB 81/8D/8F/90/9D) and the combining acute of
 * decomposed text (CC 81), so a lost byte is guessed: the candidate that makes its word a
 * (frequent) Vietnamese syllable wins.
 */
// Order breaks ties between equally plausible guesses: ờ, ề, ọ, ỏ are far more frequent than Ố.
const UNDEFINED_BYTES = [0x9d, 0x81, 0x8d, 0x8f, 0x90] as const;

/** Undefined when some character has no windows-1252 byte. */
export function bytesBehindWindows1252(text: string): Uint8Array | undefined {
  const bytes: number[] = [];
  const lost: number[] = [];
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint === 0xfffd) {
      lost.push(bytes.length);
      bytes.push(UNDEFINED_BYTES[0]);
      continue;
    }
    const byte = windows1252Byte(codePoint);
    if (byte === undefined) return undefined;
    bytes.push(byte);
  }
  for (const position of lost) bytes[position] = bestLostByte(bytes, position);
  return Uint8Array.from(bytes);
}

const isWordByte = (byte: number): boolean => byte >= 0x80 || /[A-Za-z]/.test(String.fromCharCode(byte));

function bestLostByte(bytes: readonly number[], position: number): number {
  let start = position;
  while (start > 0 && isWordByte(bytes[start - 1] ?? 0)) start--;
  let end = position + 1;
  while (end < bytes.length && isWordByte(bytes[end] ?? 0)) end++;
  let best: number = UNDEFINED_BYTES[0];
  let bestScore = -Infinity;
  for (const candidate of UNDEFINED_BYTES) {
    const word = Uint8Array.from(bytes.slice(start, end));
    word[position - start] = candidate;
    const shown = decodeUtf8Strict(word)?.normalize('NFC');
    if (shown === undefined) continue;
    const text = shown.toLowerCase();
    // A capital after a small letter ("dỐn") is never the right guess.
    const caseFits = !/\p{Ll}\p{Lu}/u.test(shown);
    const score = (COMMON_SYLLABLES.has(text) ? 2 : isVietnameseSyllable(text) ? 1 : 0) + (caseFits ? 1 : -1);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
