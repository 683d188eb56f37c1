/**
 * PDF object syntax (ISO 32000-1 §7.2–7.3), read from bytes: just enough of a parser for the
 * signature checks, hardened like the rest of the hub. Nesting is bounded (no recursion bombs),
 * strings and objects are bounded in size, and malformed input throws a HubError naming the
 * byte offset, never a crash or a hang.
 */
import { HubError } from '../shared/index.ts';

export type PdfName = { readonly kind: 'name'; readonly name: string };
export type PdfRef = { readonly kind: 'ref'; readonly num: number; readonly gen: number };
/** Bytes of a literal or hex string, as latin1 text. */
export type PdfString = { readonly kind: 'string'; readonly bytes: string };
export type PdfDict = { readonly kind: 'dict'; readonly map: ReadonlyMap<string, PdfValue> };
export type PdfValue = null | boolean | number | PdfName | PdfRef | PdfString | PdfDict | readonly PdfValue[];

/** An indirect object `N G obj … endobj`; `stream` is the byte range of its stream data. */
export type PdfIndirect = {
  readonly num: number;
  readonly gen: number;
  readonly value: PdfValue;
  readonly stream: { readonly start: number; readonly end: number } | null;
  readonly end: number;
};

const MAX_DEPTH = 64;
const MAX_STRING = 8 * 1024 * 1024;
const MAX_ENTRIES = 1_000_000;
/** How far `endstream` is looked for when /Length is indirect or wrong. */
const MAX_STREAM_SEARCH = 256 * 1024 * 1024;

const WHITE = new Set([0, 9, 10, 12, 13, 32]);
const DELIMITERS = new Set(Array.from(Buffer.from('()<>[]{}/%', 'latin1')));

export function pdfSyntaxError(message: string, offset: number): HubError {
  return new HubError('SIGNING_PDF_UNREADABLE', `${message} at byte ${offset}`, { details: { offset } });
}

export function isName(value: PdfValue | undefined, name?: string): value is PdfName {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'name'
    ? name === undefined || value.name === name
    : false;
}
export function isRef(value: PdfValue | undefined): value is PdfRef {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'ref';
}
export function isDict(value: PdfValue | undefined): value is PdfDict {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'dict';
}
export function isString(value: PdfValue | undefined): value is PdfString {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'string';
}
export function isArray(value: PdfValue | undefined): value is readonly PdfValue[] {
  return Array.isArray(value);
}

/** A PDF text string (UTF-16BE with a byte order mark, else PDFDocEncoding ≈ latin1) as text. */
export function textOf(value: PdfValue | undefined): string | null {
  if (!isString(value)) return null;
  const raw = value.bytes;
  if (raw.startsWith('\u00fe\u00ff')) return Buffer.from(raw.slice(2), 'latin1').swap16().toString('utf16le');
  return raw;
}

export class PdfLexer {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
  ) {}

  skipSpace(): void {
    const b = this.bytes;
    for (;;) {
      const c = b[this.pos];
      if (c === undefined) return;
      if (WHITE.has(c)) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      } else return;
    }
  }

  /** A run of regular characters (a number or a keyword) at the current position. */
  word(): string {
    const start = this.pos;
    const b = this.bytes;
    while (this.pos < b.length) {
      const c = b[this.pos] as number;
      if (WHITE.has(c) || DELIMITERS.has(c)) break;
      this.pos++;
      if (this.pos - start > 256) throw pdfSyntaxError('token too long', start);
    }
    return Buffer.from(b.subarray(start, this.pos)).toString('latin1');
  }

  keyword(expected: string): void {
    this.skipSpace();
    const at = this.pos;
    const got = this.word();
    if (got !== expected) throw pdfSyntaxError(`expected "${expected}", found "${got}"`, at);
  }

  integer(): number {
    this.skipSpace();
    const at = this.pos;
    const w = this.word();
    if (!/^\d{1,15}$/.test(w)) throw pdfSyntaxError(`expected an integer, found "${w}"`, at);
    return Number(w);
  }

  /**
   * One value. Arrays and dictionaries are read with an explicit stack, so a deep nesting costs
   * memory proportional to MAX_DEPTH at most, never the call stack.
   */
  value(): PdfValue {
    type Frame =
      { kind: 'array'; items: PdfValue[] } | { kind: 'dict'; map: Map<string, PdfValue>; key: string | null };
    const stack: Frame[] = [];
    let entries = 0;
    for (;;) {
      this.skipSpace();
      const at = this.pos;
      const b = this.bytes;
      const c = b[at];
      if (c === undefined) throw pdfSyntaxError('unexpected end of data', at);
      let produced: PdfValue;
      const top = stack.at(-1);
      if (c === 0x5b) {
        this.pos++;
        if (stack.length >= MAX_DEPTH) throw pdfSyntaxError('nesting too deep', at);
        stack.push({ kind: 'array', items: [] });
        continue;
      } else if (c === 0x3c && b[at + 1] === 0x3c) {
        this.pos += 2;
        if (stack.length >= MAX_DEPTH) throw pdfSyntaxError('nesting too deep', at);
        stack.push({ kind: 'dict', map: new Map(), key: null });
        continue;
      } else if (c === 0x5d) {
        this.pos++;
        if (top?.kind !== 'array') throw pdfSyntaxError('unexpected "]"', at);
        stack.pop();
        produced = top.items;
      } else if (c === 0x3e && b[at + 1] === 0x3e) {
        this.pos += 2;
        if (top?.kind !== 'dict' || top.key !== null) throw pdfSyntaxError('unexpected ">>"', at);
        stack.pop();
        produced = { kind: 'dict', map: top.map };
      } else if (c === 0x2f) {
        produced = this.name();
      } else if (c === 0x28) {
        produced = this.literalString();
      } else if (c === 0x3c) {
        produced = this.hexString();
      } else {
        produced = this.scalar();
      }
      if (++entries > MAX_ENTRIES) throw pdfSyntaxError('too many values in one object', at);
      const parent = stack.at(-1);
      if (!parent) return produced;
      if (parent.kind === 'array') parent.items.push(produced);
      else if (parent.key === null) {
        if (!isName(produced)) throw pdfSyntaxError('dictionary key is not a name', at);
        parent.key = produced.name;
      } else {
        parent.map.set(parent.key, produced);
        parent.key = null;
      }
    }
  }

  private name(): PdfName {
    this.pos++;
    const raw = this.word();
    return {
      kind: 'name',
      name: raw.replace(/#([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    };
  }

  private literalString(): PdfString {
    const start = this.pos;
    const b = this.bytes;
    this.pos++;
    let depth = 1;
    const out: number[] = [];
    while (this.pos < b.length) {
      const c = b[this.pos++] as number;
      if (c === 0x5c) {
        const e = b[this.pos++];
        if (e === undefined) break;
        const simple: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 102: 12 };
        if (simple[e] !== undefined) out.push(simple[e]);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let i = 0; i < 2 && (b[this.pos] ?? 0) >= 0x30 && (b[this.pos] ?? 0) <= 0x37; i++)
            v = v * 8 + ((b[this.pos++] as number) - 0x30);
          out.push(v & 0xff);
        } else if (e === 13) {
          if (b[this.pos] === 10) this.pos++;
        } else if (e !== 10) out.push(e);
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (--depth === 0) return { kind: 'string', bytes: Buffer.from(out).toString('latin1') };
        out.push(c);
      } else out.push(c);
      if (out.length > MAX_STRING) throw pdfSyntaxError('string too long', start);
    }
    throw pdfSyntaxError('unterminated string', start);
  }

  private hexString(): PdfString {
    const start = this.pos;
    const end = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).indexOf(
      0x3e,
      start,
    );
    if (end === -1 || end - start > MAX_STRING * 2) throw pdfSyntaxError('unterminated hex string', start);
    const hex = Buffer.from(this.bytes.subarray(start + 1, end))
      .toString('latin1')
      .replace(/[\0\t\n\f\r ]/g, '');
    if (!/^[0-9A-Fa-f]*$/.test(hex)) throw pdfSyntaxError('bad hex string', start);
    this.pos = end + 1;
    return { kind: 'string', bytes: Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex').toString('latin1') };
  }

  private scalar(): PdfValue {
    const at = this.pos;
    const w = this.word();
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (/^\d{1,10}$/.test(w)) {
      // `N G R` is a reference: look ahead without consuming when it is not.
      const save = this.pos;
      this.skipSpace();
      const gen = this.word();
      if (/^\d{1,5}$/.test(gen)) {
        this.skipSpace();
        if (this.word() === 'R') return { kind: 'ref', num: Number(w), gen: Number(gen) };
      }
      this.pos = save;
      return Number(w);
    }
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) return Number(w);
    throw pdfSyntaxError(`unexpected "${w || String.fromCharCode(this.bytes[at] ?? 0)}"`, at);
  }
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The indirect object at `offset`. A stream's end comes from a direct /Length when `endstream`
 * follows it, else from the next `endstream` (a /Length by reference is not trusted blindly).
 */
export function readIndirect(bytes: Uint8Array, offset: number, expected?: number): PdfIndirect {
  const lexer = new PdfLexer(bytes, offset);
  const num = lexer.integer();
  const gen = lexer.integer();
  lexer.keyword('obj');
  if (expected !== undefined && num !== expected)
    throw pdfSyntaxError(`object ${expected} expected, found object ${num}`, offset);
  const value = lexer.value();
  lexer.skipSpace();
  const buffer = bufferOf(bytes);
  let stream: PdfIndirect['stream'] = null;
  if (buffer.toString('latin1', lexer.pos, lexer.pos + 6) === 'stream') {
    if (!isDict(value)) throw pdfSyntaxError('stream without a dictionary', lexer.pos);
    let start = lexer.pos + 6;
    if (buffer[start] === 13) start++;
    if (buffer[start] === 10) start++;
    const length = value.map.get('Length');
    let end = -1;
    if (typeof length === 'number' && length >= 0 && start + length <= buffer.length) {
      const after = new PdfLexer(bytes, start + length);
      after.skipSpace();
      if (buffer.toString('latin1', after.pos, after.pos + 9) === 'endstream') end = start + length;
    }
    if (end === -1) {
      const found = buffer.indexOf('endstream', start, 'latin1');
      if (found === -1 || found - start > MAX_STREAM_SEARCH)
        throw pdfSyntaxError('stream without endstream', start);
      end = found;
      if (buffer[end - 1] === 10) end--;
      if (buffer[end - 1] === 13) end--;
    }
    stream = { start, end };
    lexer.pos = buffer.indexOf('endstream', end, 'latin1') + 9;
  }
  return { num, gen, value, stream, end: lexer.pos };
}

/** A canonical text of a value (dictionary keys sorted), to compare two versions of an object. */
export function canonical(value: PdfValue, skipKeys: ReadonlySet<string> = new Set()): string {
  const out: string[] = [];
  const work: (PdfValue | { close: string })[] = [value];
  let steps = 0;
  while (work.length > 0) {
    if (++steps > 4 * MAX_ENTRIES) throw pdfSyntaxError('object too large to compare', 0);
    const item = work.pop() as PdfValue | { close: string };
    if (typeof item === 'object' && item !== null && 'close' in item) {
      out.push(item.close, ' ');
      continue;
    }
    const v: PdfValue = item;
    if (v === null) out.push('null');
    else if (typeof v === 'boolean' || typeof v === 'number') out.push(String(v));
    else if (isArray(v)) {
      out.push('[');
      work.push({ close: ']' });
      for (let i = v.length - 1; i >= 0; i--) work.push(v[i] as PdfValue);
    } else if (v.kind === 'name') out.push(`/${v.name}`);
    else if (v.kind === 'ref') out.push(`${v.num} ${v.gen} R`);
    else if (v.kind === 'string') out.push(`<${Buffer.from(v.bytes, 'latin1').toString('hex')}>`);
    else {
      out.push('<<');
      work.push({ close: '>>' });
      const keys = [...v.map.keys()]
        .filter((k) => !skipKeys.has(k))
        .sort()
        .reverse();
      for (const key of keys) {
        work.push(v.map.get(key) as PdfValue);
        work.push({ kind: 'name', name: key });
      }
    }
    out.push(' ');
  }
  return out.join('');
}
