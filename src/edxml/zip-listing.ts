import { createHash } from 'node:crypto';
import { crc32, inflateRawSync } from 'node:zlib';
import { HubError, type HubErrorCode } from '../shared/index.ts';

/**
 * Lists a ZIP attachment from memory, never touching disk: reads the central directory, refuses
 * names that climb out of the extraction folder and archives that would expand beyond the limits,
 * then inflates each member (bounded by its declared size) to hash it.
 */
export type ZipLimits = {
  readonly maxEntries: number;
  /** Sum of the members' uncompressed sizes. */
  readonly maxTotalBytes: number;
  /** Uncompressed/compressed, checked for members over `ratioFloorBytes` and for the archive. */
  readonly maxRatio: number;
  readonly ratioFloorBytes: number;
};

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1000,
  maxTotalBytes: 100 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

export type ZipEntry = { readonly name: string; readonly size: number; readonly sha256: string };

/** `entries` when the archive could be listed; `unreadable` says why not (a warning, not a danger). */
export type ZipListing = { readonly entries: ZipEntry[] } | { readonly unreadable: string };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function looksLikeZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 3 || bytes[2] === 5) &&
    bytes[3] === bytes[2] + 1
  );
}

function refuse(code: HubErrorCode, vi: string, en: string, details: Record<string, unknown>): never {
  throw new HubError(code, `Tệp ZIP đính kèm bị từ chối: ${vi} / ZIP attachment refused: ${en}`, { details });
}

/** A member name that would land outside the target folder: `..`, absolute, drive letter, UNC, NUL. */
export function isUnsafeEntryName(name: string): boolean {
  if (name.includes('\0') || /^[\\/]/.test(name) || /^[A-Za-z]:/.test(name)) return true;
  return name.split(/[\\/]/).some((segment) => segment === '..');
}

/** `inspect` sees each member's compressed size and bytes after they were checked (mail ingest lists nested ZIPs). */
export function listZip(
  input: Uint8Array,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  inspect?: (member: { name: string; size: number; compressed: number }, content: Buffer) => void,
): ZipListing {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const eocd = findEndOfCentralDirectory(bytes);
  if (eocd === -1) return { unreadable: 'no end of central directory' };
  const count = bytes.readUInt16LE(eocd + 10);
  const directorySize = bytes.readUInt32LE(eocd + 12);
  const directoryOffset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || directoryOffset === 0xffffffff)
    return { unreadable: 'ZIP64 archives are not listed' };
  if (count > limits.maxEntries) {
    refuse(
      'EDXML_ZIP_TOO_MANY_ENTRIES',
      `${count} mục, vượt giới hạn ${limits.maxEntries}`,
      `${count} entries, over the limit of ${limits.maxEntries}`,
      {
        entries: count,
        limit: limits.maxEntries,
      },
    );
  }
  if (directoryOffset + directorySize > bytes.length)
    return { unreadable: 'central directory outside the archive' };

  type Member = {
    name: string;
    flags: number;
    method: number;
    crc: number;
    compressed: number;
    size: number;
    offset: number;
  };
  const members: Member[] = [];
  let pos = directoryOffset;
  let declaredTotal = 0;
  for (let i = 0; i < count; i += 1) {
    if (pos + 46 > bytes.length || bytes.readUInt32LE(pos) !== CENTRAL)
      return { unreadable: 'corrupt central directory' };
    const flags = bytes.readUInt16LE(pos + 8);
    const nameLength = bytes.readUInt16LE(pos + 28);
    const rawName = bytes.subarray(pos + 46, pos + 46 + nameLength);
    // Bit 11: UTF-8 names; otherwise CP437, read as latin1 (only the safety check depends on it).
    const name = rawName.toString(flags & 0x800 ? 'utf8' : 'latin1').normalize('NFC');
    const member: Member = {
      name,
      flags,
      method: bytes.readUInt16LE(pos + 10),
      crc: bytes.readUInt32LE(pos + 16),
      compressed: bytes.readUInt32LE(pos + 20),
      size: bytes.readUInt32LE(pos + 24),
      offset: bytes.readUInt32LE(pos + 42),
    };
    if (isUnsafeEntryName(name)) {
      refuse(
        'EDXML_ZIP_UNSAFE_ENTRY_NAME',
        `tên mục "${name}" trỏ ra ngoài thư mục giải nén`,
        `entry name "${name}" escapes the extraction folder`,
        { entry: name },
      );
    }
    declaredTotal += member.size;
    checkExpansion(member.name, member.size, member.compressed, declaredTotal, limits);
    members.push(member);
    pos += 46 + nameLength + bytes.readUInt16LE(pos + 30) + bytes.readUInt16LE(pos + 32);
  }

  const entries: ZipEntry[] = [];
  let actualTotal = 0;
  for (const member of members) {
    if (member.offset + 30 > bytes.length || bytes.readUInt32LE(member.offset) !== LOCAL)
      return { unreadable: `corrupt local header for ${member.name}` };
    const localNameLength = bytes.readUInt16LE(member.offset + 26);
    const localName = bytes
      .subarray(member.offset + 30, member.offset + 30 + localNameLength)
      .toString(member.flags & 0x800 ? 'utf8' : 'latin1');
    // Extractors that trust the local header would write this name; it must be the checked one.
    if (localName.normalize('NFC') !== member.name) {
      refuse(
        'EDXML_ZIP_UNSAFE_ENTRY_NAME',
        `tên mục "${localName}" khác tên trong thư mục trung tâm`,
        `local entry name "${localName}" differs from the central directory`,
        {
          entry: localName,
        },
      );
    }
    if (member.name.endsWith('/')) continue;
    if (member.flags & 0x1) return { unreadable: `${member.name} is encrypted` };
    const start = member.offset + 30 + localNameLength + bytes.readUInt16LE(member.offset + 28);
    const data = bytes.subarray(start, start + member.compressed);
    if (data.length !== member.compressed) return { unreadable: `${member.name} is truncated` };
    const content = inflateMember(member.name, member.method, data, member.size);
    if (typeof content === 'string') return { unreadable: content };
    if (content.length !== member.size || crc32(content) !== member.crc)
      return { unreadable: `${member.name} does not match its size or CRC` };
    actualTotal += content.length;
    inspect?.({ name: member.name, size: content.length, compressed: member.compressed }, content);
    entries.push({
      name: member.name,
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
  }
  if (actualTotal > limits.maxTotalBytes) {
    refuse(
      'EDXML_ZIP_BOMB',
      `tổng dung lượng giải nén vượt ${limits.maxTotalBytes} byte`,
      `total uncompressed size exceeds ${limits.maxTotalBytes} bytes`,
      {
        limit: limits.maxTotalBytes,
      },
    );
  }
  return { entries };
}

function checkExpansion(
  name: string,
  size: number,
  compressed: number,
  total: number,
  limits: ZipLimits,
): void {
  if (total > limits.maxTotalBytes) {
    refuse(
      'EDXML_ZIP_BOMB',
      `tổng dung lượng giải nén khai báo (${total} byte) vượt ${limits.maxTotalBytes} byte`,
      `declared uncompressed size (${total} bytes) exceeds ${limits.maxTotalBytes} bytes`,
      {
        declaredTotal: total,
        limit: limits.maxTotalBytes,
      },
    );
  }
  if (size > limits.ratioFloorBytes && size > compressed * limits.maxRatio) {
    refuse(
      'EDXML_ZIP_BOMB',
      `mục "${name}" có tỉ lệ nén vượt ${limits.maxRatio}:1`,
      `entry "${name}" has a compression ratio over ${limits.maxRatio}:1`,
      {
        entry: name,
        size,
        compressed,
      },
    );
  }
}

/** The member's bytes, or why they cannot be read. */
function inflateMember(name: string, method: number, data: Buffer, declaredSize: number): Buffer | string {
  if (method === 0) return data;
  if (method !== 8) return `${name} uses unsupported compression method ${method}`;
  try {
    // The declared size was checked against the limits; never let the stream grow past it.
    return inflateRawSync(data, { maxOutputLength: Math.max(declaredSize, 1) });
  } catch (error) {
    if (error instanceof RangeError) {
      refuse(
        'EDXML_ZIP_BOMB',
        `mục "${name}" giải nén lớn hơn kích thước khai báo`,
        `entry "${name}" inflates beyond its declared size`,
        { entry: name },
      );
    }
    return `${name} is not valid deflate data`;
  }
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let pos = bytes.length - 22; pos >= lowest; pos -= 1) {
    if (bytes.readUInt32LE(pos) === EOCD) return pos;
  }
  return -1;
}
