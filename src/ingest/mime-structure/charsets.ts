/**
 * Charsets for the strict reading: bytes → text through the WHATWG decoders Node carries (utf-8,
 * iso-8859-*, windows-125*, koi8, gb18030, shift_jis, …), and RFC 2047 encoded words. An unknown
 * charset is reported, never guessed at.
 */
export function decodeCharset(bytes: Buffer, charset: string): string | null {
  const label = charset.trim().toLowerCase().replace(/\*.*$/, '');
  if (label === '' || label === 'us-ascii' || label === 'ascii') return utf8OrLatin1(bytes);
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return null;
  }
}

/** Raw 8-bit header text (RFC 6532 UTF-8, else the bytes as they are). */
export function utf8OrLatin1(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.includes('\ufffd') ? bytes.toString('latin1') : text;
}

export type DecodedWords = { text: string; decoded: boolean; unknownCharset: string | null };

const ENCODED_WORD = /=\?([^?\s]{1,75})\?([bBqQ])\?([^?\s]*)\?=/g;

/**
 * RFC 2047 §6: encoded words decoded, the blanks between two adjacent ones dropped, adjacent words
 * of one charset joined as bytes first (a character split across two words stays whole). `text` is
 * a latin1 string of header bytes; the text between words is read as UTF-8 when it is UTF-8.
 */
export function decodeEncodedWords(text: string): DecodedWords {
  let out = '';
  let last = 0;
  let decoded = false;
  let unknownCharset: string | null = null;
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (!pending) return;
    const joined = Buffer.concat(pending.bytes);
    const value = decodeCharset(joined, pending.charset);
    if (value === null) unknownCharset = pending.charset;
    out += value ?? joined.toString('latin1');
    pending = null;
  };
  for (const match of text.matchAll(ENCODED_WORD)) {
    const between = text.slice(last, match.index);
    const charset = (match[1] as string).toLowerCase().replace(/\*.*$/, '');
    const bytes = wordBytes(match[2] as string, match[3] as string);
    if (pending && /^[ \t\r\n]*$/.test(between) && pending.charset === charset) pending.bytes.push(bytes);
    else {
      const adjacent = pending !== null && /^[ \t\r\n]*$/.test(between);
      flush();
      if (!adjacent) out += utf8OrLatin1(Buffer.from(between, 'latin1'));
      pending = { charset, bytes: [bytes] };
    }
    decoded = true;
    last = match.index + match[0].length;
  }
  flush();
  out += utf8OrLatin1(Buffer.from(text.slice(last), 'latin1'));
  return { text: out, decoded, unknownCharset };
}

function wordBytes(encoding: string, payload: string): Buffer {
  if (encoding === 'b' || encoding === 'B') return Buffer.from(payload, 'base64');
  const bytes: number[] = [];
  for (let i = 0; i < payload.length; i += 1) {
    const c = payload[i] as string;
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9a-fA-F]{2}$/.test(payload.slice(i + 1, i + 3))) {
      bytes.push(parseInt(payload.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}
