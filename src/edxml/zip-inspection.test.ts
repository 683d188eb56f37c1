import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { inspectZip, isZipAttachment } from './zip-inspection.ts';
import { zipFiles } from './zip-writer.ts';

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
      reason: expect.stringContaining('10 entries with the nested archives, over the limit of 8') as string,
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

describe('hostile archives (issue 13: the same verdict at every door)', () => {
  const fixture = (name: string) =>
    readFileSync(new URL(`../../test/fixtures/edxml/archives/${name}`, import.meta.url));

  it('refuses a nested bomb: 10 inner ZIPs of 96 MiB, about 5 KB in all, naming the inner archive', () => {
    const inner = zipFiles([{ name: 'zeros.bin', content: Buffer.alloc(96 * 1024 * 1024) }]);
    const outer = zipFiles(
      Array.from({ length: 10 }, (_, i) => ({ name: `phan-${i + 1}.zip`, content: inner })),
    );
    expect(outer.length).toBeLessThan(1_000_000);
    const verdict = inspectZip(outer);
    expect(verdict).toMatchObject({ kind: 'unsafe', flag: 'zip-bomb' });
    expect(verdict.kind === 'unsafe' && verdict.reason).toMatch(
      /compression ratio over 100:1 \(phan-1\.zip\)/,
    );
  });

  it.each([
    ['zbsm.zip', 'zip-bomb'],
    ['zip-slip.zip', 'zip-path-traversal'],
    ['zip-slip-win.zip', 'zip-path-traversal'],
  ])('refuses %s (RecursiveExtractor corpus) as %s', (name, flag) => {
    expect(inspectZip(fixture(name))).toMatchObject({ kind: 'unsafe', flag });
  });

  it('refuses archives nested deeper than the limit', () => {
    let archive = zipFiles([{ name: 'a.txt', content: Buffer.from('a') }]);
    for (let i = 0; i < 4; i += 1) archive = zipFiles([{ name: `level-${i}.zip`, content: archive }]);
    expect(inspectZip(archive)).toMatchObject({ kind: 'unsafe', flag: 'zip-nested' });
  });
});
