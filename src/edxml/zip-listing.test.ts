import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isHubError } from '../shared/index.ts';
import { parseEdxml } from './reader.ts';
import { validateEdxml } from './validator.ts';
import { isUnsafeEntryName, listZip } from './zip-listing.ts';
import { zipFiles } from './zip-writer.ts';

const FIXTURES = new URL('../../test/fixtures/edxml/', import.meta.url);
const read = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const SMALL = read('truclienthong-example/dc0bdef0-c7a3-4aaf-b717-777303442973.edxml').toString('utf8');

/** The small SDK sample with its attachment replaced by `zip`. */
function packageWithAttachment(zip: Buffer): string {
  return SMALL.replace(/(<edXML:ContentTransferEncoded[^>]*>)[^<]*</, `$1${zip.toString('base64')}<`);
}

/** A minimal ZIP writer (deflate, UTF-8 names) for crafted cases. */
function makeZip(members: readonly { name: string; content: Buffer; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    const data = deflateRawSync(member.content);
    const size = member.declaredSize ?? member.content.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(member.content), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(member.content), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function refusal(act: () => unknown): { code: string; message: string; ms: number } {
  const start = performance.now();
  try {
    act();
  } catch (error) {
    if (isHubError(error)) return { code: error.code, message: error.message, ms: performance.now() - start };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('isUnsafeEntryName', () => {
  it.each([
    ['../evil.txt', true],
    ['a/../../evil.txt', true],
    ['..\\..\\Temp\\evil.txt', true],
    ['/etc/passwd', true],
    ['\\\\server\\share\\x', true],
    ['C:\\Windows\\evil.dll', true],
    ['c:evil', true],
    ['nul\0byte', true],
    ['docs/quyết định.pdf', false],
    ['..hidden', false],
    ['a..b/c', false],
  ])('%j → %s', (name, unsafe) => {
    expect(isUnsafeEntryName(name)).toBe(unsafe);
  });
});

describe('listZip', () => {
  it('lists members with size and sha256', () => {
    const zip = makeZip([
      { name: 'văn bản.txt', content: Buffer.from('Kính gửi') },
      { name: 'thư mục/phụ lục.txt', content: Buffer.from('Phụ lục') },
    ]);
    const listing = listZip(zip);
    expect(listing).toEqual({
      entries: [
        {
          name: 'văn bản.txt',
          size: Buffer.byteLength('Kính gửi'),
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        },
        {
          name: 'thư mục/phụ lục.txt',
          size: Buffer.byteLength('Phụ lục'),
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        },
      ],
    });
  });

  it('lists exactly what zipFiles wrote (the SDK-style writer)', () => {
    const content = Buffer.from('Quyết định số 59/2014/QĐ-UBND');
    const listing = listZip(zipFiles([{ name: 'quyết định.pdf', content }]));
    expect(listing).toEqual({
      entries: [
        {
          name: 'quyết định.pdf',
          size: content.length,
          sha256: createHash('sha256').update(content).digest('hex'),
        },
      ],
    });
  });

  it('refuses the RecursiveExtractor zip-slip archive (../)', () => {
    const result = refusal(() => listZip(read('archives/zip-slip.zip')));
    expect(result.code).toBe('EDXML_ZIP_UNSAFE_ENTRY_NAME');
    expect(result.message).toContain('tmp/evil.txt');
    expect(result.message).toContain('escapes the extraction folder');
  });

  it('refuses the Windows zip-slip archive (..\\)', () => {
    expect(refusal(() => listZip(read('archives/zip-slip-win.zip'))).code).toBe(
      'EDXML_ZIP_UNSAFE_ENTRY_NAME',
    );
  });

  it('refuses the zbsm zip bomb from its central directory, quickly', () => {
    const result = refusal(() => listZip(read('archives/zbsm.zip')));
    expect(result.code).toBe('EDXML_ZIP_BOMB');
    expect(result.message).toMatch(/compression ratio|uncompressed size/);
    expect(result.ms).toBeLessThan(1000);
  });

  it('refuses a member whose compression ratio is over the limit', () => {
    const zip = makeZip([{ name: 'zeros.bin', content: Buffer.alloc(20 * 1024 * 1024) }]);
    expect(refusal(() => listZip(zip)).message).toContain('compression ratio over 100:1');
  });

  it('refuses archives over the total size limit', () => {
    const zip = makeZip([{ name: 'a.txt', content: Buffer.from('0123456789') }]);
    const limits = { maxEntries: 10, maxTotalBytes: 5, maxRatio: 100, ratioFloorBytes: 1024 };
    expect(refusal(() => listZip(zip, limits)).code).toBe('EDXML_ZIP_BOMB');
  });

  it('refuses too many entries before reading them', () => {
    const zip = makeZip(
      Array.from({ length: 11 }, (_, i) => ({ name: `${i}.txt`, content: Buffer.from('x') })),
    );
    const limits = { maxEntries: 10, maxTotalBytes: 1000, maxRatio: 100, ratioFloorBytes: 1024 };
    expect(refusal(() => listZip(zip, limits)).code).toBe('EDXML_ZIP_TOO_MANY_ENTRIES');
  });

  it('refuses a member that inflates beyond its declared size', () => {
    const zip = makeZip([{ name: 'liar.txt', content: Buffer.alloc(4096, 0x41), declaredSize: 10 }]);
    expect(refusal(() => listZip(zip)).message).toContain('inflates beyond its declared size');
  });

  it('reports a truncated archive as unreadable instead of throwing', () => {
    const zip = makeZip([{ name: 'a.txt', content: Buffer.from('abc') }]);
    expect(listZip(zip.subarray(0, 20))).toEqual({ unreadable: 'no end of central directory' });
  });
});

describe('hostile ZIP attachments inside a package', () => {
  it.each([
    ['archives/zip-slip.zip', 'EDXML_ZIP_UNSAFE_ENTRY_NAME'],
    ['archives/zip-slip-win.zip', 'EDXML_ZIP_UNSAFE_ENTRY_NAME'],
    ['archives/zbsm.zip', 'EDXML_ZIP_BOMB'],
  ])('parse refuses a package carrying %s', (archive, code) => {
    const result = refusal(() => parseEdxml(packageWithAttachment(read(archive))));
    expect(result.code).toBe(code);
    expect(result.ms).toBeLessThan(1000);
  });

  it('validate reports the refusal as an error instead of crashing', () => {
    const result = validateEdxml(packageWithAttachment(read('archives/zip-slip.zip')), {});
    expect(result.valid).toBe(false);
    expect(result.problems).toContainEqual({
      path: '/edXML/AttachmentEncoded/Attachment[1]',
      code: 'EDXML_ZIP_UNSAFE_ENTRY_NAME',
      severity: 'error',
      message: expect.stringContaining('ZIP attachment refused') as string,
      rule: 'Lienthong docs/edxml.md §Safety',
    });
  });
});
