/**
 * The PDF incremental-update cases of issue #18: what a later revision changed after each
 * signature, allowed or not, with and without certification, LTV data after a document
 * timestamp, laundering by a second signature, and broken byte ranges. Shared by the verdict
 * test and the pdfsig cross-check.
 */
import { createHash } from 'node:crypto';
import {
  appendAnnotation,
  appendDocumentTimestamp,
  appendDss,
  appendFormFill,
  appendPageChange,
  appendSignature,
  appendUpdate,
  appearanceStream,
  extractForOpenssl,
  newPdf,
  pageContent,
  pdfkitPdf,
  withByteRange,
  type PdfDraft,
} from './pdf-writer.ts';
import type { TestPki } from './test-pki.ts';

export type ExpectedSignature = {
  readonly field: string;
  readonly status: 'valid' | 'invalid';
  readonly chain: string;
  /** A part of one reason (English side), exactly as the hub words it. */
  readonly reason?: string;
  readonly warning?: string;
};

export type UpdateCase = {
  readonly name: string;
  readonly bytes: Buffer;
  readonly trusted: boolean;
  readonly coversWholeFile: boolean;
  readonly signatures: readonly ExpectedSignature[];
};

const LEADER = 'Chu ky lanh dao';
const SEAL = 'Con dau co quan';
const STAMP = 'Dau thoi gian';

/** Validation data for the last signature, keyed in /VRI by the SHA-1 of its /Contents. */
function ltv(
  draft: PdfDraft,
  pki: TestPki,
  alsoWrite?: (d: PdfDraft) => readonly { number: number; body: string }[],
) {
  const last = extractForOpenssl(draft.bytes).at(-1);
  const vriKey = createHash('sha1')
    .update(last?.der ?? Buffer.alloc(0))
    .digest('hex')
    .toUpperCase();
  return appendDss(
    draft,
    {
      certificates: [pki.leaf, pki.intermediate, pki.tsa].map((i) => Buffer.from(i.certificate.rawData)),
      crls: [Buffer.from(pki.crl.rawData)],
      vriKey,
    },
    alsoWrite ? { alsoWrite } : {},
  );
}

const ok = (field: string, warning?: string): ExpectedSignature => ({
  field,
  status: 'valid',
  chain: 'trusted',
  ...(warning ? { warning } : {}),
});
const refused = (field: string, reason: string): ExpectedSignature => ({
  field,
  status: 'invalid',
  chain: 'trusted',
  reason,
});
const broken = (field: string, reason: string): ExpectedSignature => ({
  field,
  status: 'invalid',
  chain: 'unknown',
  reason,
});

export async function buildUpdateCases(pki: TestPki): Promise<UpdateCase[]> {
  const chain = pki.intermediate.certPath;
  const sign = (draft: PdfDraft, name: string, options: Parameters<typeof appendSignature>[4] = {}) =>
    appendSignature(draft, name === LEADER ? pki.leaf : pki.otherLeaf, chain, name, options);
  const stamp = (draft: PdfDraft) => appendDocumentTimestamp(draft, pki.tsa, chain, pki.dir);
  const signed = sign(newPdf(), LEADER);
  const form = newPdf('Phiếu trình', { textField: true });
  const certified = (p: 1 | 2 | 3, base: PdfDraft = newPdf()) => sign(base, LEADER, { certify: p });
  const cases: UpdateCase[] = [];
  const add = (c: UpdateCase) => cases.push(c);

  add({
    name: 'a second signature only adds its own field',
    bytes: sign(signed, SEAL).bytes,
    trusted: true,
    coversWholeFile: true,
    signatures: [ok(LEADER, 'only in ways it allows: a new signature'), ok(SEAL)],
  });
  add({
    name: 'a document that opens at its page gets a second signature',
    bytes: sign(sign(newPdf('Công văn', { openAction: true }), LEADER), SEAL).bytes,
    trusted: true,
    coversWholeFile: true,
    signatures: [ok(LEADER, 'only in ways it allows: a new signature'), ok(SEAL)],
  });
  add({
    name: 'a second signature launders a changed page content',
    bytes: sign(signed, SEAL, { alsoWrite: (d) => [pageContent(d, 'Noi dung bi sua')] }).bytes,
    trusted: false,
    coversWholeFile: true,
    signatures: [refused(LEADER, 'object 4 (page 1 content) changed after this signature'), ok(SEAL)],
  });
  add({
    name: 'a second signature launders the first signature’s appearance stream',
    bytes: sign(signed, SEAL, {
      alsoWrite: (d) => [appearanceStream(d.signed[0]?.appearance ?? 0, 'Khong ky')],
    }).bytes,
    trusted: false,
    coversWholeFile: true,
    signatures: [
      refused(LEADER, `object 7 (appearance of the signed field "${LEADER}") changed after this signature`),
      ok(SEAL),
    ],
  });
  add({
    name: 'a second signature points the first widget at a new /AP',
    bytes: sign(signed, SEAL, {
      alsoWrite: () => [
        {
          number: 5,
          body: `<< /Type /Annot /Subtype /Widget /FT /Sig /F 132 /T (${LEADER}) /Rect [300 72 500 122] /P 3 0 R /V 6 0 R /AP << /N 11 0 R >> >>`,
        },
        appearanceStream(11, 'Khong ky'),
      ],
    }).bytes,
    trusted: false,
    coversWholeFile: true,
    signatures: [
      refused(
        LEADER,
        `object 5 (widget of the signed field "${LEADER}"), object 11 (appearance of the signed field "${LEADER}") changed after this signature`,
      ),
      ok(SEAL),
    ],
  });
  add({
    name: 'a page change after signing',
    bytes: appendPageChange(signed, 'Noi dung bi sua').bytes,
    trusted: false,
    coversWholeFile: false,
    signatures: [refused(LEADER, 'object 4 (page 1 content) changed after this signature')],
  });
  add({
    name: 'a page dictionary change in a cross-reference stream and an object stream',
    bytes: appendUpdate(
      signed,
      [
        {
          number: 3,
          body: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [5 0 R] /Rotate 90 >>',
        },
      ],
      { xrefStream: true },
    ).bytes,
    trusted: false,
    coversWholeFile: false,
    signatures: [refused(LEADER, 'object 3 (page 1 (/Rotate)) changed after this signature')],
  });
  add({
    name: 'a catalog change after signing (an /OpenAction)',
    bytes: appendUpdate(signed, [
      {
        number: 1,
        body: `<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /SigFlags 3 >> /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>`,
      },
    ]).bytes,
    trusted: false,
    coversWholeFile: false,
    signatures: [
      refused(LEADER, 'object 1 (the document catalog (/OpenAction)) changed after this signature'),
    ],
  });
  add({
    name: 'LTV: DSS added after a document timestamp',
    bytes: ltv(stamp(signed), pki).bytes,
    trusted: true,
    coversWholeFile: false,
    signatures: [
      ok(LEADER, 'only in ways it allows: a document timestamp, long-term validation data (DSS)'),
      ok(STAMP, 'only in ways it allows: long-term validation data (DSS)'),
    ],
  });
  add({
    name: 'a DSS update that also rewrites the page',
    bytes: ltv(stamp(signed), pki, (d) => [pageContent(d, 'Noi dung bi sua')]).bytes,
    trusted: false,
    coversWholeFile: false,
    signatures: [
      refused(LEADER, 'object 4 (page 1 content) changed after this signature'),
      refused(STAMP, 'object 4 (page 1 content) changed after this signature'),
    ],
  });
  add({
    name: 'certified P=1, then an approval signature',
    bytes: sign(certified(1), SEAL).bytes,
    trusted: false,
    coversWholeFile: true,
    signatures: [
      refused(
        LEADER,
        `the new signature "${SEAL}" (certified with no changes allowed, P=1)) changed after this signature`,
      ),
      ok(SEAL),
    ],
  });
  add({
    name: 'certified P=1, then a document timestamp and DSS',
    bytes: ltv(stamp(certified(1)), pki).bytes,
    trusted: true,
    coversWholeFile: false,
    signatures: [ok(LEADER, 'a document timestamp'), ok(STAMP, 'long-term validation data (DSS)')],
  });
  add({
    name: 'certified P=2, then the form filled',
    bytes: appendFormFill(certified(2, form), '123/QD-UBND').bytes,
    trusted: true,
    coversWholeFile: false,
    signatures: [ok(LEADER, 'only in ways it allows: form filling')],
  });
  add({
    name: 'certified P=2, then a comment added',
    bytes: appendAnnotation(certified(2), 'Da xem').bytes,
    trusted: false,
    coversWholeFile: false,
    signatures: [
      refused(
        LEADER,
        'object 8 (a new annotation on page 1), object 9 (appearance of a new annotation on page 1) changed after this signature',
      ),
    ],
  });
  add({
    name: 'certified P=3, then a comment added',
    bytes: appendAnnotation(certified(3), 'Da xem').bytes,
    trusted: true,
    coversWholeFile: false,
    signatures: [ok(LEADER, 'only in ways it allows: annotations')],
  });
  add({
    name: 'certified P=1, then the form filled',
    bytes: appendFormFill(certified(1, form), '123/QD-UBND').bytes,
    trusted: false,
    coversWholeFile: false,
    signatures: [refused(LEADER, 'the field "So van ban" (certified with no changes allowed, P=1)')],
  });
  add({
    name: 'not certified, the form filled',
    bytes: appendFormFill(sign(form, LEADER), '123/QD-UBND').bytes,
    trusted: true,
    coversWholeFile: false,
    signatures: [ok(LEADER, 'form filling')],
  });
  add({
    name: 'not certified, a comment added (judged as P=2)',
    bytes: appendAnnotation(signed, 'Da xem').bytes,
    trusted: false,
    coversWholeFile: false,
    signatures: [
      refused(
        LEADER,
        'object 8 (a new annotation on page 1), object 9 (appearance of a new annotation on page 1) changed after this signature',
      ),
    ],
  });
  add({
    name: 'a FieldMDP lock on the filled field',
    bytes: appendFormFill(sign(form, LEADER, { lock: { action: 'Include', fields: ['So van ban'] } }), 'sua')
      .bytes,
    trusted: false,
    coversWholeFile: false,
    signatures: [refused(LEADER, 'the field "So van ban", locked by this signature')],
  });
  add({
    name: 'a FieldMDP lock that excludes the filled field',
    bytes: appendFormFill(sign(form, LEADER, { lock: { action: 'Exclude', fields: ['So van ban'] } }), 'sua')
      .bytes,
    trusted: true,
    coversWholeFile: false,
    signatures: [ok(LEADER, 'form filling')],
  });
  add({
    name: 'bytes appended that are not an incremental update',
    bytes: Buffer.concat([signed.bytes, Buffer.from('1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\n')]),
    trusted: false,
    coversWholeFile: false,
    signatures: [
      refused(LEADER, 'the bytes added after the signature are not a readable incremental update'),
    ],
  });
  add({
    name: 'a later revision whose cross-reference offset is wrong',
    bytes: Buffer.from(
      appendPageChange(signed, 'x')
        .bytes.toString('latin1')
        .replace(/startxref\n(\d+)\n%%EOF\n$/, 'startxref\n99999999\n%%EOF\n'),
      'latin1',
    ),
    trusted: false,
    coversWholeFile: false,
    signatures: [
      refused(
        LEADER,
        'cannot be analysed: the PDF structure is unreadable (cross-reference offset outside the file',
      ),
    ],
  });
  const kit = sign(await pdfkitPdf('Quyết định số 45/QĐ-UBND về việc phê duyệt'), LEADER);
  add({
    name: 'a pdfkit document changed after signing',
    bytes: appendPageChange(kit, 'Noi dung bi sua').bytes,
    trusted: false,
    coversWholeFile: false,
    signatures: [refused(LEADER, `object ${kit.content} (page 1 content) changed after this signature`)],
  });
  add({
    name: 'a pdfkit document with a second signature',
    bytes: sign(kit, SEAL).bytes,
    trusted: true,
    coversWholeFile: true,
    signatures: [ok(LEADER, 'a new signature'), ok(SEAL)],
  });
  add({
    name: '/Contents written before /ByteRange, far from the object header',
    bytes: sign(newPdf(), LEADER, { contentsFirst: true }).bytes,
    trusted: true,
    coversWholeFile: true,
    signatures: [ok(LEADER)],
  });
  add({
    name: 'a signature field under a parent field',
    bytes: sign(newPdf(), LEADER, { parent: 'Ky', contentsFirst: true }).bytes,
    trusted: true,
    coversWholeFile: true,
    signatures: [ok(`Ky.${LEADER}`)],
  });
  add({
    name: 'a signature field under a parent field, the last revision unreadable',
    bytes: Buffer.from(
      appendPageChange(sign(newPdf(), LEADER, { parent: 'Ky', contentsFirst: true }), 'x')
        .bytes.toString('latin1')
        .replace(/startxref\n(\d+)\n%%EOF\n$/, 'startxref\n99999999\n%%EOF\n'),
      'latin1',
    ),
    trusted: false,
    coversWholeFile: false,
    signatures: [refused(`Ky.${LEADER}`, 'cannot be analysed')],
  });
  const range = (make: (r: readonly number[]) => string) => withByteRange(signed.bytes, make);
  for (const [name, make, reason] of [
    [
      'a /ByteRange with a single range',
      (r: readonly number[]) => `/ByteRange [0 ${r[1]}]`,
      '/ByteRange has 2 numbers instead of 4 (a single range); a signature needs two ranges around /Contents',
    ],
    [
      'a /ByteRange whose hole is not /Contents',
      (r: readonly number[]) => `/ByteRange [0 ${(r[1] ?? 0) - 20} ${r[2]} ${r[3]}]`,
      'the gap between the signed ranges is not exactly the /Contents string',
    ],
    [
      'a /ByteRange not starting at 0',
      (r: readonly number[]) => `/ByteRange [10 ${(r[1] ?? 0) - 10} ${r[2]} ${r[3]}]`,
      'the first signed range does not start at byte 0',
    ],
    [
      'a /ByteRange beyond the end of the file',
      (r: readonly number[]) => `/ByteRange [0 ${r[1]} ${r[2]} ${(r[3] ?? 0) + 5000}]`,
      'the signed ranges end beyond the file',
    ],
    [
      'a /ByteRange with overlapping ranges',
      (r: readonly number[]) => `/ByteRange [0 ${r[2]} ${r[1]} ${r[3]}]`,
      'the signed ranges overlap or are out of order',
    ],
  ] as const)
    add({
      name,
      bytes: range(make),
      trusted: false,
      coversWholeFile: false,
      signatures: [broken(LEADER, `Broken PDF signature: ${reason}`)],
    });
  return cases;
}
