import { detectEncoding, type EncodingDetection } from './detect-encoding.ts';
import { bytesBehindWindows1252 } from './mojibake.ts';
import { decodeFrom, decodeUtf8Strict, VPS_DOUBTFUL_BYTES } from './legacy-decoders.ts';
import type { SourceEncoding, TextEncoding } from './text-encoding.ts';

export type NormalizedText = {
  /** Unicode NFC (TCVN 6909:2001 text as the hub stores it). */
  readonly text: string;
  /** For `auto`, what detection decided; for a named encoding, that encoding with confidence 1. */
  readonly detection: EncodingDetection;
  /** Things a reader of the output should know (replacement characters, doubtful VPS bytes, no evidence). */
  readonly warnings: readonly string[];
};

const named = (encoding: TextEncoding): EncodingDetection => ({
  encoding,
  viaWindows1252: false,
  confidence: 1,
  runnerUp: null,
  evidence: 0,
});

function countReplacements(text: string): number {
  return (text.match(/\ufffd/gu) ?? []).length;
}

/**
 * Converts bytes in a named or detected encoding to Unicode NFC. Pure ASCII input comes back
 * byte-for-byte unchanged. Never throws for any byte sequence: what cannot be read becomes U+FFFD
 * and is reported in `warnings`.
 */
export function normalizeText(bytes: Uint8Array, from: SourceEncoding = 'auto'): NormalizedText {
  const warnings: string[] = [];
  let detection: EncodingDetection;
  let text: string;
  if (from !== 'auto') {
    detection = named(from);
    text = decodeFrom(bytes, from);
    if (from === 'utf-8' && decodeUtf8Strict(bytes) === undefined)
      warnings.push('input is not valid UTF-8; invalid bytes were replaced by U+FFFD');
    if (from === 'vps' && bytes.some((byte) => VPS_DOUBTFUL_BYTES.has(byte)))
      warnings.push('VPS bytes whose capital/small reading the table doubts were read as small letters');
  } else {
    detection = detectEncoding(bytes);
    text = decodeDetected(bytes, detection, warnings);
    if (detection.encoding !== 'ascii' && detection.confidence === 0)
      warnings.push('no Vietnamese text recognised; the encoding is a guess');
  }
  const replaced = countReplacements(text);
  if (replaced > 0 && from !== 'utf-8')
    warnings.push(`${replaced} byte(s) undefined in ${detection.encoding} were replaced by U+FFFD`);
  return { text, detection, warnings };
}

function decodeDetected(bytes: Uint8Array, detection: EncodingDetection, warnings: string[]): string {
  // 7-bit bytes read the same in UTF-8 and come back exactly as they were (no normalization needed).
  if (detection.encoding === 'ascii') return new TextDecoder('utf-8').decode(bytes);
  if (!detection.viaWindows1252) return decodeFrom(bytes, detection.encoding);
  const shown = decodeFrom(bytes, 'utf-8');
  const behind = bytesBehindWindows1252(shown);
  if (behind === undefined) {
    // Detection looked at a sample; later text holds a character no windows-1252 byte shows.
    warnings.push('only part of the input was windows-1252 mojibake; left as UTF-8');
    return shown;
  }
  return decodeFrom(behind, detection.encoding);
}
