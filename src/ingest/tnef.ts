/**
 * TNEF (winmail.dat) unpacking: Outlook wraps attachments in this container, and a clerk needs the
 * files inside, not the wrapper. Reads only what it needs (attachment titles, data and the MAPI
 * long file name), checks every length against the buffer and never throws.
 */
export type TnefFile = { name: string; content: Buffer };
export type TnefResult = { files: TnefFile[]; problem: string | null };

const SIGNATURE = 0x223e9f78;
const ATT_ATTACH_RENDDATA = 0x9002;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACHMENT = 0x9005;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const LEVEL_ATTACHMENT = 2;
const MAX_FILES = 200;

type Draft = { title?: string; longName?: string; data?: Buffer };

export function unpackTnef(bytes: Buffer): TnefResult {
  if (bytes.length < 6 || bytes.readUInt32LE(0) !== SIGNATURE)
    return { files: [], problem: 'not a TNEF stream' };
  const drafts: Draft[] = [];
  let offset = 6;
  let problem: string | null = null;
  while (offset < bytes.length) {
    if (offset + 9 > bytes.length) {
      problem = 'truncated attribute header';
      break;
    }
    const level = bytes.readUInt8(offset);
    const id = bytes.readUInt32LE(offset + 1) & 0xffff;
    const length = bytes.readUInt32LE(offset + 5);
    const start = offset + 9;
    if (start + length + 2 > bytes.length) {
      problem = 'attribute longer than the stream';
      break;
    }
    const data = bytes.subarray(start, start + length);
    offset = start + length + 2;
    if (level !== LEVEL_ATTACHMENT) continue;
    if (id === ATT_ATTACH_RENDDATA) {
      if (drafts.length >= MAX_FILES) {
        problem = `more than ${MAX_FILES} attachments`;
        break;
      }
      drafts.push({});
      continue;
    }
    const current = drafts.at(-1);
    if (!current) continue;
    if (id === ATT_ATTACH_TITLE) current.title = cString(data);
    else if (id === ATT_ATTACH_DATA) current.data = Buffer.from(data);
    else if (id === ATT_ATTACHMENT) {
      const name = longFileName(data);
      if (name !== undefined) current.longName = name;
    }
  }
  const files = drafts
    .filter((d): d is Draft & { data: Buffer } => d.data !== undefined)
    .map((d, i) => ({
      name: (d.longName ?? d.title ?? `attachment-${i + 1}`).normalize('NFC'),
      content: d.data,
    }));
  return { files, problem };
}

function cString(data: Buffer): string {
  const end = data.indexOf(0);
  return data.subarray(0, end < 0 ? data.length : end).toString('latin1');
}

const FIXED_SIZES: Record<number, number> = {
  0x0002: 4,
  0x0003: 4,
  0x0004: 4,
  0x0005: 8,
  0x0006: 8,
  0x0007: 8,
  0x000a: 4,
  0x000b: 4,
  0x0014: 8,
  0x0040: 8,
  0x0048: 16,
};
const VARIABLE_TYPES = new Set([0x001e, 0x001f, 0x0102, 0x000d]);

/** Walks a MAPI property list for PR_ATTACH_LONG_FILENAME; undefined when absent or malformed. */
function longFileName(data: Buffer): string | undefined {
  let offset = 0;
  const need = (n: number) => offset + n <= data.length;
  if (!need(4)) return undefined;
  const count = data.readUInt32LE(0);
  offset = 4;
  for (let p = 0; p < count && p < 10_000; p += 1) {
    if (!need(4)) return undefined;
    const rawType = data.readUInt16LE(offset);
    const propId = data.readUInt16LE(offset + 2);
    offset += 4;
    if (propId >= 0x8000) {
      if (!need(20)) return undefined;
      const kind = data.readUInt32LE(offset + 16);
      offset += 20;
      if (kind === 0) offset += 4;
      else {
        if (!need(4)) return undefined;
        const length = data.readUInt32LE(offset);
        offset += 4 + pad4(length);
      }
    }
    const multi = (rawType & 0x1000) !== 0;
    const type = rawType & 0x0fff;
    let values = 1;
    if (multi || VARIABLE_TYPES.has(type)) {
      if (!need(4)) return undefined;
      values = data.readUInt32LE(offset);
      offset += 4;
    }
    for (let v = 0; v < values && v < 10_000; v += 1) {
      if (VARIABLE_TYPES.has(type)) {
        if (!need(4)) return undefined;
        const length = data.readUInt32LE(offset);
        offset += 4;
        if (!need(length)) return undefined;
        const value = data.subarray(offset, offset + length);
        if (propId === PR_ATTACH_LONG_FILENAME) return decodeName(value, type);
        offset += pad4(length);
      } else {
        const size = FIXED_SIZES[type];
        if (size === undefined) return undefined;
        offset += size;
      }
    }
  }
  return undefined;
}

function decodeName(value: Buffer, type: number): string {
  const text = type === 0x001f ? value.toString('utf16le') : value.toString('latin1');
  return text.replace(/\0+$/, '');
}

const pad4 = (n: number) => (n + 3) & ~3;
