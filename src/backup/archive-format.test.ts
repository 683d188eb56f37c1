import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isHubError } from '../shared/index.ts';
import { ArchiveWriter, FILE_CHUNK_BYTES } from './archive-format.ts';
import { readArchive } from './archive-reader.ts';
import { safeDataPath } from './data-dir-files.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-archive-'));
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An archive with one data file spanning several chunks and one table, as plain text. */
async function sampleText(): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new ArchiveWriter(out);
  await w.header({
    createdAt: '2026-11-25T00:00:00.000Z',
    source: 'embedded',
    migrations: [{ name: 'm1', checksum: 'c' }],
  });
  const content = Buffer.alloc(FILE_CHUNK_BYTES * 2 + 5, 0);
  content[7] = 0xff;
  await w.beginFile({ path: 'keys/k.pem', mode: 0o600, size: content.length });
  for (let at = 0; at < content.length; at += FILE_CHUNK_BYTES)
    await w.fileChunk(content.subarray(at, at + FILE_CHUNK_BYTES));
  await w.endFile(createHash('sha256').update(content).digest('hex'));
  await w.beginTable({
    name: 't',
    columns: [
      { name: 'a', type: 'text' },
      { name: 'b', type: 'bytea' },
    ],
    rows: 2,
  });
  await w.row(['Quyết định', '\\x0000ff']);
  await w.row([null, null]);
  await w.endTable();
  await w.sequences([{ sequence: 's', table: 't', column: 'a', lastValue: '9', isCalled: true }]);
  await w.finish();
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

function archiveOf(text: string): string {
  const file = path.join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 12)}.lthb`);
  fs.writeFileSync(file, gzipSync(text));
  return file;
}

const refusal = (text: string) =>
  readArchive(archiveOf(text)).then(
    () => 'accepted',
    (e: unknown) => (isHubError(e) ? `${e.code}: ${e.message}` : String(e)),
  );

describe('the archive format', () => {
  it('reads back what was written, data files byte for byte', async () => {
    const received: Buffer[] = [];
    const rows: unknown[] = [];
    const summary = await readArchive(archiveOf(await sampleText()), {
      fileChunk: (_f, bytes) => {
        received.push(bytes);
      },
      row: (_t, values) => {
        rows.push(values);
      },
    });
    expect(summary.trailer.tables).toEqual({ t: 2 });
    expect(summary.files).toMatchObject([{ path: 'keys/k.pem', mode: 0o600 }]);
    expect(Buffer.concat(received).length).toBe(FILE_CHUNK_BYTES * 2 + 5);
    expect(Buffer.concat(received)[7]).toBe(0xff);
    expect(rows).toEqual([
      ['Quyết định', '\\x0000ff'],
      [null, null],
    ]);
    expect(summary.sequences).toEqual([
      { sequence: 's', table: 't', column: 'a', lastValue: '9', isCalled: true },
    ]);
  });

  it.each([
    ['a row changed', (t: string) => t.replace('Quyết định', 'Quyết đinh'), /rows of table t do not match/],
    [
      'a row removed',
      (t: string) => t.replace('[null,null]\n', ''),
      /rows of table t do not match|has 1 rows/,
    ],
    [
      'a row of the wrong width',
      (t: string) => t.replace('[null,null]', '[null]'),
      /is not a row of table t/,
    ],
    [
      'a data file changed',
      (t: string) => t.replace(/"AAAA/, '"AAAB'),
      /data file keys\/k.pem does not match/,
    ],
    [
      'a record after the end',
      (t: string) => `${t}{"kind":"sequences","values":[]}\n`,
      /data after the end record/,
    ],
    [
      'a section left open',
      (t: string) => t.replace(/\{"kind":"table-end"[^\n]*\n/, ''),
      /table t is not closed/,
    ],
    [
      'the end record missing',
      (t: string) => t.slice(0, t.lastIndexOf('{"kind":"end"')),
      /ends early \(truncated\)/,
    ],
    ['a line cut in two', (t: string) => t.slice(0, t.length - 3), /last line is cut off/],
    ['another format', (t: string) => t.replace('lienthong-backup', 'other'), /not a lienthong backup/],
  ])('refuses an archive with %s', async (_label, alter, reason) => {
    expect(await refusal(alter(await sampleText()))).toMatch(reason);
  });

  it('refuses an archive from a newer format version', async () => {
    const text = (await sampleText()).replace('"version":1', '"version":2');
    expect(await refusal(text)).toMatch(/DB_BACKUP_INCOMPATIBLE: .*version 2 backup/);
  });

  it('round-trips through gzip unchanged (sanity of the fixture)', async () => {
    const text = await sampleText();
    expect(gunzipSync(fs.readFileSync(archiveOf(text))).toString('utf8')).toBe(text);
  });
});

describe('data file paths from an archive', () => {
  it.each([
    '../etc/passwd',
    '/etc/passwd',
    'keys/../../x',
    'pglite/base',
    'lienthong.lock',
    'control.json',
    'a//b',
    'a\\b',
    '',
  ])('refuses %j', (name) => {
    expect(() => safeDataPath('/srv/data', name)).toThrow(/outside the data directory/);
  });

  it('accepts a plain relative path inside the data directory', () => {
    expect(safeDataPath('/srv/data', 'trust/anchors/root.pem')).toBe('/srv/data/trust/anchors/root.pem');
  });
});
