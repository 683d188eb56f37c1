/**
 * The revisions of a PDF as a reader sees them: cross-reference tables and streams (ISO 32000-1
 * §7.5.4–7.5.8) followed through /Prev and /XRefStm, object streams, and one view of the objects
 * per revision. Every walk is bounded (sections, entries, decoded bytes, reference hops) and a
 * damaged structure throws a HubError that says where, which the callers turn into a reason.
 */
import { createHash } from 'node:crypto';
import { constants, inflateSync } from 'node:zlib';
import {
  canonical,
  isArray,
  isDict,
  isName,
  isRef,
  PdfLexer,
  pdfSyntaxError,
  readIndirect,
  type PdfDict,
  type PdfIndirect,
  type PdfValue,
} from './pdf-syntax.ts';

export type XrefEntry =
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'compressed'; readonly stream: number; readonly index: number }
  | { readonly kind: 'free' };

export type XrefState = {
  readonly startxref: number;
  readonly entries: ReadonlyMap<number, XrefEntry>;
  readonly trailer: PdfDict;
};

export type PdfObject = { readonly value: PdfValue; readonly stream: { start: number; end: number } | null };

const MAX_SECTIONS = 4096;
const MAX_XREF_ENTRIES = 10_000_000;
const MAX_DECODED = 128 * 1024 * 1024;
const MAX_REF_HOPS = 32;

function entryKey(entry: XrefEntry | undefined): string {
  if (!entry) return 'none';
  if (entry.kind === 'offset') return `o${entry.offset}`;
  if (entry.kind === 'compressed') return `c${entry.stream}.${entry.index}`;
  return 'free';
}

/** Stream data after its filters: FlateDecode (with PNG predictors) only, bounded in size. */
export function decodeStream(bytes: Buffer, object: PdfIndirect, limit = MAX_DECODED): Buffer {
  if (!object.stream || !isDict(object.value)) throw pdfSyntaxError('not a stream', object.end);
  const dict = object.value;
  const raw = bytes.subarray(object.stream.start, object.stream.end);
  const filter = dict.map.get('Filter');
  const filters = isArray(filter) ? filter : filter === undefined ? [] : [filter];
  let data: Buffer = raw;
  for (const f of filters) {
    if (!isName(f, 'FlateDecode') && !isName(f, 'Fl'))
      throw pdfSyntaxError(
        `stream filter ${isName(f) ? f.name : '?'} is not supported here`,
        object.stream.start,
      );
    try {
      data = inflateSync(data, { maxOutputLength: limit, finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      throw pdfSyntaxError('compressed stream unreadable or too large', object.stream.start);
    }
  }
  const parms = dict.map.get('DecodeParms');
  const p = isDict(parms) ? parms : isArray(parms) && isDict(parms[0]) ? parms[0] : null;
  const predictor = p?.map.get('Predictor');
  if (typeof predictor === 'number' && predictor >= 10) {
    const columns = Number(p?.map.get('Columns') ?? 1);
    const colors = Number(p?.map.get('Colors') ?? 1);
    const bpc = Number(p?.map.get('BitsPerComponent') ?? 8);
    const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
    const row = Math.ceil((colors * bpc * columns) / 8);
    if (!(row > 0 && row < 1 << 20)) throw pdfSyntaxError('bad predictor columns', object.stream.start);
    const rows = Math.floor(data.length / (row + 1));
    const out = Buffer.alloc(rows * row);
    for (let r = 0; r < rows; r++) {
      const type = data[r * (row + 1)];
      for (let i = 0; i < row; i++) {
        const x = data[r * (row + 1) + 1 + i] as number;
        const left = i >= bpp ? (out[r * row + i - bpp] as number) : 0;
        const up = r > 0 ? (out[(r - 1) * row + i] as number) : 0;
        const upLeft = r > 0 && i >= bpp ? (out[(r - 1) * row + i - bpp] as number) : 0;
        let v = x;
        if (type === 1) v = x + left;
        else if (type === 2) v = x + up;
        else if (type === 3) v = x + ((left + up) >> 1);
        else if (type === 4) {
          const base = left + up - upLeft;
          const [pa, pb, pc] = [Math.abs(base - left), Math.abs(base - up), Math.abs(base - upLeft)];
          v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
        }
        out[r * row + i] = v & 0xff;
      }
    }
    data = out;
  } else if (typeof predictor === 'number' && predictor > 1) {
    throw pdfSyntaxError(`predictor ${predictor} is not supported`, object.stream.start);
  }
  return data;
}

/** One PDF file: the byte-level caches shared by the views of its revisions. */
export class PdfFile {
  readonly bytes: Buffer;
  private readonly indirects = new Map<number, PdfIndirect>();
  private readonly objectStreams = new Map<number, { data: Buffer; first: number; offsets: number[] }>();
  private readonly states = new Map<number, XrefState>();

  constructor(bytes: Uint8Array) {
    this.bytes = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  indirectAt(offset: number, expected?: number): PdfIndirect {
    const cached = this.indirects.get(offset);
    if (cached && (expected === undefined || cached.num === expected)) return cached;
    if (!(offset >= 0 && offset < this.bytes.length))
      throw pdfSyntaxError('object offset outside the file', offset);
    const object = readIndirect(this.bytes, offset, expected);
    this.indirects.set(offset, object);
    return object;
  }

  /** The offset after `startxref` that a reader of bytes [0, end) would start from. */
  startxrefBefore(end: number): number {
    const at = this.bytes.lastIndexOf('startxref', end - 1, 'latin1');
    if (at === -1) throw pdfSyntaxError('no startxref', end);
    const lexer = new PdfLexer(this.bytes, at + 9);
    return lexer.integer();
  }

  /** The cross-reference state from one startxref: the newest section wins for each object. */
  state(startxref: number): XrefState {
    const cached = this.states.get(startxref);
    if (cached) return cached;
    const entries = new Map<number, XrefEntry>();
    let trailer: PdfDict | null = null;
    const seen = new Set<number>();
    const pending: number[] = [startxref];
    while (pending.length > 0) {
      const offset = pending.shift() as number;
      if (seen.has(offset)) continue;
      seen.add(offset);
      if (seen.size > MAX_SECTIONS) throw pdfSyntaxError('too many cross-reference sections', offset);
      const section = this.section(offset);
      for (const [num, entry] of section.entries) if (!entries.has(num)) entries.set(num, entry);
      if (entries.size > MAX_XREF_ENTRIES) throw pdfSyntaxError('too many objects', offset);
      trailer ??= section.trailer;
      // A hybrid file's /XRefStm comes before /Prev (§7.5.8.4).
      const hidden = section.trailer.map.get('XRefStm');
      const prev = section.trailer.map.get('Prev');
      if (typeof hidden === 'number') pending.unshift(hidden);
      if (typeof prev === 'number') pending.push(prev);
    }
    const state = { startxref, entries, trailer: trailer as PdfDict };
    this.states.set(startxref, state);
    return state;
  }

  private section(offset: number): { entries: [number, XrefEntry][]; trailer: PdfDict } {
    if (!(offset >= 0 && offset < this.bytes.length))
      throw pdfSyntaxError('cross-reference offset outside the file', offset);
    const lexer = new PdfLexer(this.bytes, offset);
    lexer.skipSpace();
    if (this.bytes.toString('latin1', lexer.pos, lexer.pos + 4) === 'xref') return this.table(lexer);
    return this.xrefStream(this.indirectAt(lexer.pos));
  }

  private table(lexer: PdfLexer): { entries: [number, XrefEntry][]; trailer: PdfDict } {
    lexer.keyword('xref');
    const entries: [number, XrefEntry][] = [];
    for (;;) {
      lexer.skipSpace();
      const at = lexer.pos;
      if (this.bytes.toString('latin1', at, at + 7) === 'trailer') break;
      const first = lexer.integer();
      const count = lexer.integer();
      if (count > MAX_XREF_ENTRIES || count * 18 > this.bytes.length - lexer.pos)
        throw pdfSyntaxError('cross-reference subsection larger than the file', at);
      for (let i = 0; i < count; i++) {
        const field = lexer.integer();
        lexer.integer();
        lexer.skipSpace();
        const type = lexer.word();
        if (type !== 'n' && type !== 'f') throw pdfSyntaxError('bad cross-reference entry', lexer.pos);
        // Object 0 is the head of the free list, never an object.
        if (first + i === 0) continue;
        entries.push([first + i, type === 'n' ? { kind: 'offset', offset: field } : { kind: 'free' }]);
      }
    }
    lexer.keyword('trailer');
    const trailer = lexer.value();
    if (!isDict(trailer)) throw pdfSyntaxError('trailer is not a dictionary', lexer.pos);
    return { entries, trailer };
  }

  private xrefStream(object: PdfIndirect): { entries: [number, XrefEntry][]; trailer: PdfDict } {
    const dict = object.value;
    if (!isDict(dict) || !isName(dict.map.get('Type'), 'XRef'))
      throw pdfSyntaxError('startxref points at neither a table nor a cross-reference stream', object.end);
    const w = dict.map.get('W');
    if (!isArray(w) || w.length !== 3 || !w.every((x) => typeof x === 'number' && x >= 0 && x <= 8))
      throw pdfSyntaxError('cross-reference stream /W unreadable', object.end);
    const [w0, w1, w2] = w as [number, number, number];
    const size = Number(dict.map.get('Size') ?? 0);
    const index = dict.map.get('Index');
    const ranges = isArray(index) ? index.map(Number) : [0, size];
    const data = decodeStream(this.bytes, object);
    const width = w0 + w1 + w2;
    if (width === 0) throw pdfSyntaxError('cross-reference stream /W is empty', object.end);
    const read = (at: number, n: number) => {
      let v = 0;
      for (let i = 0; i < n; i++) v = v * 256 + (data[at + i] ?? 0);
      return v;
    };
    const entries: [number, XrefEntry][] = [];
    let at = 0;
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      const first = ranges[r] as number;
      const count = ranges[r + 1] as number;
      if (!(count >= 0 && count <= MAX_XREF_ENTRIES)) throw pdfSyntaxError('bad /Index', object.end);
      for (let i = 0; i < count; i++, at += width) {
        if (at + width > data.length)
          throw pdfSyntaxError('cross-reference stream shorter than its /Index', object.end);
        const type = w0 === 0 ? 1 : read(at, w0);
        const f1 = read(at + w0, w1);
        const f2 = read(at + w0 + w1, w2);
        if (first + i === 0) continue;
        if (type === 0) entries.push([first + i, { kind: 'free' }]);
        else if (type === 1) entries.push([first + i, { kind: 'offset', offset: f1 }]);
        else if (type === 2) entries.push([first + i, { kind: 'compressed', stream: f1, index: f2 }]);
      }
    }
    return { entries, trailer: dict };
  }

  objectStream(offset: number, num: number): { data: Buffer; first: number; offsets: number[] } {
    const cached = this.objectStreams.get(offset);
    if (cached) return cached;
    const object = this.indirectAt(offset, num);
    if (!isDict(object.value) || !isName(object.value.map.get('Type'), 'ObjStm'))
      throw pdfSyntaxError(`object ${num} is not an object stream`, offset);
    const n = Number(object.value.map.get('N'));
    const first = Number(object.value.map.get('First'));
    const data = decodeStream(this.bytes, object);
    if (!(n >= 0 && n <= MAX_XREF_ENTRIES && first >= 0 && first <= data.length))
      throw pdfSyntaxError(`object stream ${num} header unreadable`, offset);
    const lexer = new PdfLexer(data, 0);
    const offsets: number[] = [];
    for (let i = 0; i < n; i++) {
      lexer.integer();
      offsets.push(first + lexer.integer());
    }
    const parsed = { data, first, offsets };
    this.objectStreams.set(offset, parsed);
    return parsed;
  }

  view(state: XrefState): PdfView {
    return new PdfView(this, state);
  }
}

/** The objects of one revision, resolved lazily and cached. */
export class PdfView {
  private readonly cache = new Map<number, PdfObject | null>();

  constructor(
    readonly file: PdfFile,
    readonly state: XrefState,
  ) {}

  entryKey(num: number): string {
    const entry = this.state.entries.get(num);
    if (entry?.kind === 'compressed') {
      const holder = this.state.entries.get(entry.stream);
      return `${entryKey(entry)}@${entryKey(holder)}`;
    }
    return entryKey(entry);
  }

  has(num: number): boolean {
    const entry = this.state.entries.get(num);
    return entry !== undefined && entry.kind !== 'free';
  }

  object(num: number): PdfObject | null {
    if (this.cache.has(num)) return this.cache.get(num) ?? null;
    const entry = this.state.entries.get(num);
    let result: PdfObject | null = null;
    if (entry?.kind === 'offset') {
      const indirect = this.file.indirectAt(entry.offset, num);
      result = { value: indirect.value, stream: indirect.stream };
    } else if (entry?.kind === 'compressed') {
      const holder = this.state.entries.get(entry.stream);
      if (holder?.kind !== 'offset') throw pdfSyntaxError(`object stream ${entry.stream} not found`, 0);
      const objstm = this.file.objectStream(holder.offset, entry.stream);
      const at = objstm.offsets[entry.index];
      if (at === undefined)
        throw pdfSyntaxError(`object ${num} not in object stream ${entry.stream}`, holder.offset);
      result = { value: new PdfLexer(objstm.data, at).value(), stream: null };
    }
    this.cache.set(num, result);
    return result;
  }

  /** A value with references followed (a missing object is null, as the standard says). */
  resolve(value: PdfValue | undefined): PdfValue {
    let v = value ?? null;
    for (let hops = 0; isRef(v); hops++) {
      if (hops >= MAX_REF_HOPS) throw pdfSyntaxError('reference chain too long', 0);
      v = this.object(v.num)?.value ?? null;
    }
    return v;
  }

  dict(value: PdfValue | undefined): PdfDict | null {
    const v = this.resolve(value);
    return isDict(v) ? v : null;
  }

  get catalog(): PdfDict | null {
    return this.dict(this.state.trailer.map.get('Root'));
  }

  /** What an object is, to compare two revisions: its value (keys sorted) and its stream bytes. */
  fingerprint(num: number): string {
    const object = this.object(num);
    if (!object) return 'missing';
    const text = canonical(object.value, new Set(['Length']));
    if (!object.stream) return text;
    const data = this.file.bytes.subarray(object.stream.start, object.stream.end);
    return `${text}#${createHash('sha256').update(data).digest('hex')}`;
  }
}
