import { storableText } from '../../text/index.ts';
/**
 * The header section of a stored mail, read for a clerk who wants to see what really arrived
 * (Received, Authentication-Results, DKIM-Signature, …). Pure and bounded: it reads at most
 * `MAIL_HEADER_LIMITS.bytes` bytes, keeps at most `fields` fields of `valueChars` characters, and
 * never throws for bad input; what it cannot read becomes a `problem`. Values are shown as text, and
 * RFC 2047 encoded words (`=?utf-8?B?…?=`) are decoded for reading, the raw form kept beside them.
 */
export const MAIL_HEADER_LIMITS = { bytes: 65_536, fields: 300, valueChars: 8_000 } as const;

export type MailHeaderField = { name: string; value: string; raw?: string };
export type MailHeaderBlock = { fields: MailHeaderField[]; truncated: boolean; problems: string[] };

const NAME = /^[\x21-\x39\x3b-\x7e]{1,200}$/;

/** `bytes` may be only the start of the message; `totalSize` says whether more followed. */
export function readMailHeaders(bytes: Uint8Array, totalSize = bytes.length): MailHeaderBlock {
  const problems: string[] = [];
  const head = Buffer.from(bytes.subarray(0, MAIL_HEADER_LIMITS.bytes));
  const end = headerEnd(head);
  let truncated = false;
  if (end === -1 && totalSize > head.length) {
    truncated = true;
    problems.push(`no end of the header section within the first ${MAIL_HEADER_LIMITS.bytes} bytes`);
  }
  const text = decodeBytes(head.subarray(0, end === -1 ? head.length : end));
  const fields: MailHeaderField[] = [];
  let current: { name: string; value: string } | null = null;
  let skipped = 0;
  const flush = () => {
    if (!current) return;
    if (fields.length >= MAIL_HEADER_LIMITS.fields) {
      truncated = true;
      current = null;
      return;
    }
    const raw = visible(current.value.trim());
    const clipped = clip(raw);
    const decoded = clip(visible(decodeEncodedWords(raw.trim())));
    fields.push(
      decoded === clipped
        ? { name: current.name, value: clipped }
        : { name: current.name, value: decoded, raw: clipped },
    );
    current = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && current) {
      // A folded continuation; the total is bounded by the byte cap above.
      current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (!NAME.test(name)) {
      skipped += 1;
      continue;
    }
    current = { name, value: line.slice(colon + 1) };
  }
  flush();
  if (skipped > 0) problems.push(`${skipped} line(s) are not header fields and were left out`);
  if (fields.length >= MAIL_HEADER_LIMITS.fields && truncated)
    problems.push(`only the first ${MAIL_HEADER_LIMITS.fields} header fields are shown`);
  if (fields.length === 0) problems.push('no header fields could be read');
  return { fields, truncated, problems };
}

/** Offset of the empty line that ends the header section, or -1. */
function headerEnd(bytes: Buffer): number {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf === -1) return lf;
  if (lf === -1) return crlf;
  return Math.min(crlf, lf);
}

/** UTF-8 (RFC 6532 allows it in headers); bytes that are not UTF-8 are read as Latin-1. */
function decodeBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** Control characters (a NUL, an escape) are shown as U+FFFD, never passed on: the hub's text rule. */
function visible(text: string): string {
  return storableText(text).normalize('NFC');
}

function clip(text: string): string {
  return text.length > MAIL_HEADER_LIMITS.valueChars
    ? `${text.slice(0, MAIL_HEADER_LIMITS.valueChars)}…`
    : text;
}

const ENCODED_WORD = /=\?([^?\s]{1,40})\?([bBqQ])\?([^?\s]*)\?=/g;

/** RFC 2047: encoded words decoded; whitespace between two adjacent encoded words dropped. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const joined = value.replace(/(\?=)\s+(?==\?)/g, '$1');
  return joined.replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          );
    try {
      // RFC 2231 language suffix: utf-8*vi
      return new TextDecoder(charset.split('*')[0]?.toLowerCase() ?? 'utf-8').decode(bytes);
    } catch {
      return word;
    }
  });
}
