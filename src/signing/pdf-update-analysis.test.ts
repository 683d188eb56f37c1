import { beforeAll, describe, expect, it } from 'vitest';
import { verifyPdf } from './pdf-verify.ts';
import { buildUpdateCases, type UpdateCase } from './test-support/pdf-update-cases.ts';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';

let pki: TestPki;
let cases: Map<string, UpdateCase>;
const NAMES: string[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  cases = new Map((await buildUpdateCases(pki)).map((c) => [c.name, c]));
  expect([...cases.keys()]).toEqual(NAMES);
});

// Listed here so that each case is its own test; beforeAll checks the list matches the builder.
NAMES.push(
  'a second signature only adds its own field',
  'a document that opens at its page gets a second signature',
  'a second signature launders a changed page content',
  'a second signature launders the first signature’s appearance stream',
  'a second signature points the first widget at a new /AP',
  'a page change after signing',
  'a page dictionary change in a cross-reference stream and an object stream',
  'a catalog change after signing (an /OpenAction)',
  'LTV: DSS added after a document timestamp',
  'a DSS update that also rewrites the page',
  'certified P=1, then an approval signature',
  'certified P=1, then a document timestamp and DSS',
  'certified P=2, then the form filled',
  'certified P=2, then a comment added',
  'certified P=3, then a comment added',
  'certified P=1, then the form filled',
  'not certified, the form filled',
  'not certified, a comment added (judged as P=2)',
  'a FieldMDP lock on the filled field',
  'a FieldMDP lock that excludes the filled field',
  'bytes appended that are not an incremental update',
  'a later revision whose cross-reference offset is wrong',
  'a pdfkit document changed after signing',
  'a pdfkit document with a second signature',
  '/Contents written before /ByteRange, far from the object header',
  'a signature field under a parent field',
  'a signature field under a parent field, the last revision unreadable',
  'a /ByteRange with a single range',
  'a /ByteRange whose hole is not /Contents',
  'a /ByteRange not starting at 0',
  'a /ByteRange beyond the end of the file',
  'a /ByteRange with overlapping ranges',
);

describe('PDF incremental updates after a signature (issue #18)', () => {
  it.each(NAMES)('%s', async (name) => {
    const row = cases.get(name)!;
    const verdict = await verifyPdf(row.bytes, pki.material, { at: new Date() });
    expect({ trusted: verdict.trusted, coversWholeFile: verdict.coversWholeFile }).toEqual({
      trusted: row.trusted,
      coversWholeFile: row.coversWholeFile,
    });
    expect(verdict.signatures.map((s) => ({ field: s.field, status: s.status, chain: s.chain }))).toEqual(
      row.signatures.map((s) => ({ field: s.field, status: s.status, chain: s.chain })),
    );
    row.signatures.forEach((want, index) => {
      const got = verdict.signatures[index]!;
      expect(got.trusted).toBe(want.status === 'valid');
      if (want.reason) expect(got.reasons.map((r) => r.split(' / ')[1]).join('\n')).toContain(want.reason);
      if (want.warning) expect(got.warnings.map((r) => r.split(' / ')[1]).join('\n')).toContain(want.warning);
      if (want.status === 'valid') expect(got.reasons).toEqual([]);
      for (const text of [...got.reasons, ...got.warnings]) expect(text.split(' / ')[0]).toMatch(/[À-ỹ]/u);
    });
  });

  it('words the changed objects in Vietnamese too', async () => {
    const verdict = await verifyPdf(cases.get('a page change after signing')!.bytes, pki.material, {
      at: new Date(),
    });
    expect(verdict.signatures[0]?.reasons[0]).toMatch(
      /^Tệp PDF đã bị sửa sau chữ ký này ở phần chữ ký không cho phép: đối tượng 4 \(nội dung trang 1\);/,
    );
  });
});
