import { COMMON_SYLLABLES } from './common-syllables.ts';
import { bytesBehindWindows1252 } from './mojibake.ts';
import { decodeFrom, decodeUtf8Strict } from './legacy-decoders.ts';
import type { DetectableEncoding, TextEncoding } from './text-encoding.ts';
import { isVietnameseSyllable } from './vietnamese-syllable.ts';

/**
 * Guesses the encoding of unlabeled Vietnamese text by decoding it every plausible way and scoring
 * each result as Vietnamese: words that spell valid syllables (frequent ones more) count for it,
 * unspellable words, stray symbols between letters and control or undefined characters against it.
 * Text that reached us as windows-1252 *characters* saved as UTF-8 (`CÃ´ng`, `C«ng`) is also
 * tried through the bytes those characters stand for.
 */

/** An encoding reading: `viaWindows1252` = the bytes were shown as windows-1252 characters and saved as UTF-8. */
export type EncodingGuess = {
  readonly encoding: DetectableEncoding;
  readonly viaWindows1252: boolean;
};

export type EncodingDetection = {
  /** `ascii`: nothing to decide, the bytes are 7-bit and stay as they are. */
  readonly encoding: TextEncoding | 'ascii';
  readonly viaWindows1252: boolean;
  /**
   * 0–1. Grows with the score margin over the runner-up and with the amount of Vietnamese evidence:
   * a sentence gives ≥ 0.9, two or three words around 0.5–0.8, text with no Vietnamese letters 0.
   * ASCII is 1 (there is nothing to get wrong).
   */
  readonly confidence: number;
  readonly runnerUp: EncodingGuess | null;
  /** Words with Vietnamese letters in the winning reading (the evidence confidence rests on). */
  readonly evidence: number;
};

type Scored = EncodingGuess & { readonly text: string; readonly score: number; readonly evidence: number };

// Enough text to decide; detection cost then stays flat however large the input.
const SAMPLE_BYTES = 64 * 1024;
// Order breaks ties: keep valid UTF-8 as it is, then the reading that changes Latin-1 text least.
const RAW_ORDER: readonly DetectableEncoding[] = ['utf-8', 'windows-1258', 'tcvn3', 'vni', 'viscii'];
const TYPOGRAPHIC = /[\u00a0-\u00bf\u00d7\u00f7\u2010-\u203a\u20ab\u20ac]/u;

const count = (text: string, pattern: RegExp): number => (text.match(pattern) ?? []).length;

/** Replacement characters and control codes other than tab, line feed, form feed and carriage return. */
function isJunk(codePoint: number): boolean {
  if (codePoint === 0xfffd) return true;
  if (codePoint < 0x20) return ![0x09, 0x0a, 0x0c, 0x0d].includes(codePoint);
  return codePoint >= 0x7f && codePoint <= 0x9f;
}

function scoreText(text: string, cache: Map<string, boolean>): { score: number; evidence: number } {
  let score = 0;
  let evidence = 0;
  for (const char of text) if (isJunk(char.codePointAt(0) ?? 0)) score -= 3;
  // A symbol inside a word is the signature of a wrong single-byte reading ("C«ng", "v¨n", "CÃ´ng").
  score -= 2 * count(text, /(?<=\p{L})[^\p{L}\p{M}\p{N}\s\p{ASCII}](?=\p{L})/gu);
  for (const symbol of text.match(/[^\s\p{L}\p{M}\p{N}\p{ASCII}]/gu) ?? [])
    if (!TYPOGRAPHIC.test(symbol)) score -= 1;
  // A combining mark with no letter to sit on (windows-1258 tone byte read in the wrong place).
  score -= 2 * count(text, /(?<!\p{L})\p{M}/gu);
  for (const word of text.match(/[\p{L}\p{M}]+/gu) ?? []) {
    // ASCII words read the same in every encoding; capital acronyms (NĐ, QĐ-UBND) are not syllables.
    if (/^[a-z]*$/iu.test(word) || /^[A-ZĐ]{2,}$/u.test(word)) continue;
    evidence++;
    if (/\p{Ll}\p{Lu}/u.test(word)) {
      score -= 1.5;
      continue;
    }
    const lower = word.toLowerCase();
    let valid = cache.get(lower);
    if (valid === undefined) {
      valid = isVietnameseSyllable(lower);
      cache.set(lower, valid);
    }
    score += valid ? (COMMON_SYLLABLES.has(lower) ? 1.5 : 1) : -1.5;
  }
  return { score, evidence };
}

function isAscii(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte >= 0x80) return false;
  return true;
}

/** Every reading worth scoring, most natural first; readings that give the same text are dropped. */
function readings(sample: Uint8Array, utf8Valid: boolean): Array<EncodingGuess & { text: string }> {
  const out: Array<EncodingGuess & { text: string }> = [];
  const add = (encoding: DetectableEncoding, viaWindows1252: boolean, text: string): void => {
    if (!out.some((reading) => reading.text === text)) out.push({ encoding, viaWindows1252, text });
  };
  for (const encoding of RAW_ORDER) {
    if (encoding === 'utf-8' && !utf8Valid) continue;
    add(encoding, false, decodeFrom(sample, encoding));
  }
  const asUtf8 = utf8Valid ? decodeUtf8Strict(sample) : undefined;
  const behind = asUtf8 === undefined ? undefined : bytesBehindWindows1252(asUtf8);
  if (behind && !isAscii(behind)) {
    for (const encoding of RAW_ORDER) {
      if (encoding === 'utf-8' && decodeUtf8Strict(behind) === undefined) continue;
      add(encoding, true, decodeFrom(behind, encoding));
    }
  }
  return out;
}

/** Cuts a sample without splitting a UTF-8 sequence (so a valid file stays valid in the sample). */
function sampleOf(bytes: Uint8Array): Uint8Array {
  if (bytes.length <= SAMPLE_BYTES) return bytes;
  let end = SAMPLE_BYTES;
  while (end > SAMPLE_BYTES - 4 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** Detects the encoding of `bytes` among UTF-8, TCVN3, VNI, VISCII and windows-1258. Pure; never throws. */
export function detectEncoding(bytes: Uint8Array): EncodingDetection {
  if (isAscii(bytes)) {
    return { encoding: 'ascii', viaWindows1252: false, confidence: 1, runnerUp: null, evidence: 0 };
  }
  const utf8Valid = decodeUtf8Strict(bytes) !== undefined;
  const sample = sampleOf(bytes);
  const cache = new Map<string, boolean>();
  const scored: Scored[] = readings(sample, utf8Valid).map((reading, index) => {
    const { score, evidence } = scoreText(reading.text, cache);
    // Valid UTF-8 as it stands is the natural reading: a small head start decides near-ties.
    const prior = index === 0 && utf8Valid ? 1 : 0;
    return { ...reading, score: score + prior, evidence };
  });
  const ranked = scored
    .map((candidate, index) => ({ candidate, index }))
    .sort((a, b) => b.candidate.score - a.candidate.score || a.index - b.index)
    .map(({ candidate }) => candidate);
  const [best, second] = ranked;
  if (best === undefined) {
    return { encoding: 'utf-8', viaWindows1252: false, confidence: 0, runnerUp: null, evidence: 0 };
  }
  // Without any Vietnamese evidence, valid UTF-8 is left as it is rather than "repaired".
  const winner = best.score <= 0 && utf8Valid ? (scored[0] ?? best) : best;
  const rival = winner === best ? second : best;
  const margin = winner.score - Math.max(rival?.score ?? 0, 0);
  const confidence =
    winner.score <= 0 ? 0 : (1 - Math.exp(-Math.max(margin, 0) / 2.5)) * (1 - Math.exp(-winner.score / 2));
  return {
    encoding: winner.encoding,
    viaWindows1252: winner.viaWindows1252,
    confidence: round(confidence),
    runnerUp: rival ? { encoding: rival.encoding, viaWindows1252: rival.viaWindows1252 } : null,
    evidence: winner.evidence,
  };
}
