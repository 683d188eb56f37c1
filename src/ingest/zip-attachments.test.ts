import { describe, expect, it } from 'vitest';
import { zipFiles } from '../edxml/index.ts';
import { inspectZip, isZipAttachment } from './zip-attachments.ts';

describe('ZIP attachments', () => {
  const zip = zipFiles([{ name: 'a.txt', content: Buffer.from('a') }]);

  it('treats .zip names and ZIP types as archives, not office files or non-ZIP bytes', () => {
    expect(isZipAttachment('ho-so.ZIP', 'application/octet-stream', zip)).toBe(true);
    expect(isZipAttachment('attachment-2', 'application/x-zip-compressed', zip)).toBe(true);
    expect(isZipAttachment('bang-tinh.xlsx', 'application/vnd.ms-excel', zip)).toBe(false);
    expect(isZipAttachment('fake.zip', 'application/zip', Buffer.from('not a zip'))).toBe(false);
  });

  it('lists members with paths through nested archives, keeping at most maxListed', () => {
    const many = zipFiles(
      Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.txt`, content: Buffer.from(`file ${i}`) })),
    );
    const outer = zipFiles([{ name: 'inner.zip', content: many }]);
    const result = inspectZip(outer, { ...inspectLimits(), maxListed: 3 });
    expect(result).toMatchObject({ kind: 'listed', truncated: true });
    expect(result.kind === 'listed' && result.entries.map((e) => e.path)).toEqual([
      'inner.zip',
      'inner.zip/f0.txt',
      'inner.zip/f1.txt',
    ]);
  });

  it('counts nested members against the entry limit', () => {
    const inner = zipFiles(
      Array.from({ length: 4 }, (_, i) => ({ name: `${i}.txt`, content: Buffer.from('x') })),
    );
    const outer = zipFiles([
      { name: 'x.zip', content: inner },
      { name: 'y.zip', content: inner },
    ]);
    expect(inspectZip(outer, { ...inspectLimits(), maxEntries: 8 })).toMatchObject({
      kind: 'unsafe',
      flag: 'zip-bomb',
      reason: '10 entries with the nested archives, over the limit of 8',
    });
  });

  it('reports a truncated archive as unreadable, not unsafe', () => {
    expect(inspectZip(zip.subarray(0, 20))).toEqual({
      kind: 'unreadable',
      reason: 'no end of central directory',
    });
  });
});

function inspectLimits() {
  return {
    maxEntries: 1000,
    maxTotalBytes: 1024 * 1024,
    maxRatio: 100,
    ratioFloorBytes: 1024 * 1024,
    maxDepth: 3,
    maxListed: 200,
  };
}
