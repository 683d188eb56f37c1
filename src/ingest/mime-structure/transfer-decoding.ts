/**
 * Content-Transfer-Encodings read to RFC 2045 §6, each decoder a single pass that also says where
 * the input leaves the standard and what a reader that resolves it the other way would get. Plus
 * the two carriers older clients put in a text body: uuencode (POSIX `uuencode`) and yEnc (1.3).
 * Input strings hold bytes as latin1 characters.
 */
export type Base64Reading = {
  bytes: Buffer;
  /** characters outside the alphabet and blanks (RFC 2045 says ignore them; some readers stop) */
  junk: number;
  /** data after a `=` pad: the strict reading stops there, others go on */
  dataAfterPad: boolean;
  /** the reading that skips pads and junk and decodes everything */
  lenient: Buffer;
  /** the alphabet characters do not fill whole 4-character groups (missing `=` or a stray one) */
  unpadded: boolean;
};

const B64 = new Int16Array(256).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < ALPHABET.length; i += 1) B64[ALPHABET.charCodeAt(i)] = i;

export function decodeBase64(text: string): Base64Reading {
  // Well-formed data decodes and encodes back to itself without its line breaks: checked with
  // Node's own coder (native code), the common case costs two passes over the bytes.
  let compact = text.replaceAll('\r\n', '');
  if (compact.includes('\n') || compact.includes('\r') || compact.includes(' ') || compact.includes('\t'))
    compact = compact.split(/[\r\n\t ]/).join('');
  const bytes = Buffer.from(compact, 'base64');
  const again = bytes.toString('base64');
  if (again === compact || (!compact.includes('=') && again.replace(/=+$/, '') === compact))
    return { bytes, junk: 0, dataAfterPad: false, lenient: bytes, unpadded: again !== compact };
  let strict = '';
  let all = '';
  let junk = 0;
  let padSeen = false;
  let dataAfterPad = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 256 && (B64[code] ?? -1) >= 0) {
      if (padSeen) dataAfterPad = true;
      else strict += text[i] as string;
      all += text[i] as string;
    } else if (code === 61) padSeen = true;
    else if (code !== 32 && code !== 9 && code !== 13 && code !== 10) junk += 1;
  }
  const decoded = Buffer.from(strict, 'base64');
  const lenient = dataAfterPad || junk > 0 ? Buffer.from(all, 'base64') : decoded;
  return { bytes: decoded, junk, dataAfterPad, lenient, unpadded: strict.length % 4 !== 0 && !padSeen };
}

export type QuotedPrintableReading = {
  bytes: Buffer;
  /** `=` not followed by two hex digits nor a line end: kept as it is here, dropped by others */
  badEscapes: number;
  lowercaseHex: number;
  /** encoded lines longer than 76 characters */
  longLines: number;
  /** the reading that drops the `=` of bad escapes */
  lenient: Buffer;
};

const HEX = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

export function decodeQuotedPrintable(text: string): QuotedPrintableReading {
  const out: number[] = [];
  const alt: number[] = [];
  let badEscapes = 0;
  let lowercaseHex = 0;
  let longLines = 0;
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    const last = nl < 0;
    if (last) nl = text.length;
    const crlf = nl > pos && text.charCodeAt(nl - 1) === 13;
    let end = crlf ? nl - 1 : nl;
    if (end - pos > 76) longLines += 1;
    while (end > pos && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end -= 1;
    let soft = false;
    for (let i = pos; i < end; i += 1) {
      const c = text.charCodeAt(i);
      if (c !== 61) {
        out.push(c & 0xff);
        alt.push(c & 0xff);
      } else if (i === end - 1) soft = true;
      else if (HEX(text.charCodeAt(i + 1)) && HEX(text.charCodeAt(i + 2))) {
        const pair = text.slice(i + 1, i + 3);
        if (pair !== pair.toUpperCase()) lowercaseHex += 1;
        const byte = parseInt(pair, 16);
        out.push(byte);
        alt.push(byte);
        i += 2;
      } else {
        badEscapes += 1;
        out.push(61);
      }
    }
    if (last) break;
    if (!soft) {
      if (crlf) {
        out.push(13);
        alt.push(13);
      }
      out.push(10);
      alt.push(10);
    }
    pos = nl + 1;
  }
  return {
    bytes: Buffer.from(out),
    badEscapes,
    lowercaseHex,
    longLines,
    lenient: Buffer.from(badEscapes > 0 ? alt : out),
  };
}

/** A file carried in a text body rather than as a MIME part. */
export type EmbeddedFile = {
  carrier: 'uuencode' | 'yenc';
  name: string;
  content: Buffer;
  /** the block has no end line (`end`, `=yend`): it runs to the end of the text */
  unterminated: boolean;
};

const MAX_EMBEDDED = 50;

/** Every uuencode and yEnc block in `text`, one pass over its lines. */
export function findEmbeddedFiles(text: string): EmbeddedFile[] {
  const files: EmbeddedFile[] = [];
  let pos = 0;
  let open: {
    carrier: 'uuencode' | 'uuencode-base64' | 'yenc';
    name: string;
    chunks: Buffer[];
    b64: string;
  } | null = null;
  const close = (unterminated: boolean) => {
    if (!open) return;
    const content =
      open.carrier === 'uuencode-base64' ? Buffer.from(open.b64, 'base64') : Buffer.concat(open.chunks);
    files.push({
      carrier: open.carrier === 'yenc' ? 'yenc' : 'uuencode',
      name: open.name,
      content,
      unterminated,
    });
    open = null;
  };
  while (pos < text.length && files.length < MAX_EMBEDDED) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
    pos = nl + 1;
    if (!open) {
      const uu = /^begin(-base64)? [0-7]{3,4} (.{1,255})$/.exec(line);
      if (uu)
        open = {
          carrier: uu[1] ? 'uuencode-base64' : 'uuencode',
          name: (uu[2] as string).trim(),
          chunks: [],
          b64: '',
        };
      else if (line.startsWith('=ybegin ')) {
        const name = /\bname=(.{1,255})$/.exec(line)?.[1];
        if (name) open = { carrier: 'yenc', name: name.trim(), chunks: [], b64: '' };
      }
      continue;
    }
    if (open.carrier === 'uuencode') {
      if (line === 'end') close(false);
      else if (line === '`' || line === '' || line === ' ') continue;
      else open.chunks.push(uudecodeLine(line));
    } else if (open.carrier === 'uuencode-base64') {
      if (line === '====') close(false);
      else open.b64 += line;
    } else if (line.startsWith('=yend')) close(false);
    else if (line.startsWith('=ypart ')) continue;
    else open.chunks.push(ydecodeLine(line));
  }
  close(true);
  return files.filter((f) => f.content.length > 0 || !f.unterminated);
}

function uudecodeLine(line: string): Buffer {
  const length = (line.charCodeAt(0) - 32) & 63;
  const out = Buffer.alloc(length);
  let o = 0;
  for (let i = 1; o < length && i + 3 < line.length + 3; i += 4) {
    const c = [0, 1, 2, 3].map((k) => (i + k < line.length ? (line.charCodeAt(i + k) - 32) & 63 : 0));
    const [a = 0, b = 0, d = 0, e = 0] = c;
    const triple = [(a << 2) | (b >> 4), ((b & 15) << 4) | (d >> 2), ((d & 3) << 6) | e];
    for (const byte of triple) if (o < length) out[o++] = byte & 0xff;
  }
  return out;
}

function ydecodeLine(line: string): Buffer {
  const out = Buffer.alloc(line.length);
  let o = 0;
  for (let i = 0; i < line.length; i += 1) {
    let c = line.charCodeAt(i) & 0xff;
    if (c === 61 && i + 1 < line.length) {
      i += 1;
      c = ((line.charCodeAt(i) & 0xff) - 64) & 0xff;
    }
    out[o++] = (c - 42) & 0xff;
  }
  return out.subarray(0, o);
}
