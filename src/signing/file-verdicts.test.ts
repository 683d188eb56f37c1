import { beforeAll, describe, expect, it } from 'vitest';
import { verifyPdf } from './pdf-verify.ts';
import { verifySmime } from './smime-verify.ts';
import { buildFileCases, type Expected, type FileCase } from './test-support/file-cases.ts';
import { appendDocumentTimestamp, appendSignature, newPdf } from './test-support/pdf-writer.ts';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';
import type { FileVerdict } from './verdict.ts';

let pki: TestPki;
let smimeCases: Map<string, FileCase>;
let pdfCases: Map<string, FileCase>;

beforeAll(async () => {
  pki = await createTestPki();
  ({ smime: smimeCases, pdf: pdfCases } = buildFileCases(pki));
});

function expectVerdict(verdict: FileVerdict, expected: Expected): void {
  expect({ trusted: verdict.trusted, coversWholeFile: verdict.coversWholeFile }).toEqual({
    trusted: expected.trusted,
    coversWholeFile: expected.coversWholeFile,
  });
  expect(verdict.signatures.map((s) => ({ status: s.status, chain: s.chain }))).toEqual(
    expected.signatures.map((s) => ({ status: s.status, chain: s.chain })),
  );
  expected.signatures.forEach((want, index) => {
    const got = verdict.signatures[index]!;
    if (want.reason) expect(got.reasons.join('\n')).toContain(want.reason);
    if (want.warning) expect(got.warnings.join('\n')).toContain(want.warning);
    expect(got.signer?.organization).toBeTruthy();
    expect(got.signingTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    for (const text of [...got.reasons, ...got.warnings]) expect(text.split(' / ')[0]).toMatch(/[À-ỹ]/u);
  });
}

const SMIME_CASES = [
  'valid',
  'valid (opaque signed-data)',
  'modified after signing',
  'untrusted',
  'expired',
  'two signatures with one broken',
];
const PDF_CASES = [
  'valid',
  'modified after signing',
  'untrusted',
  'expired',
  'two signatures, both good (signer and seal)',
  'two signatures with one broken',
];

describe('S/MIME verdicts (acceptance item 1)', () => {
  it.each(SMIME_CASES)('%s', async (name) => {
    const row = smimeCases.get(name)!;
    expectVerdict(await verifySmime(row.bytes, pki.material, { at: new Date() }), row.expected);
  });

  it('reports a PGP/MIME signed message as unverifiable, not invalid', async () => {
    const pgp = Buffer.from(
      'Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nxin chao\r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\n--b--\r\n',
    );
    const verdict = await verifySmime(pgp, pki.material, { at: new Date() });
    expect(verdict).toMatchObject({
      trusted: false,
      signatures: [{ status: 'unverifiable', chain: 'unknown' }],
    });
  });

  it('reports a plain message as unsigned', async () => {
    const verdict = await verifySmime(Buffer.from('Subject: x\r\n\r\nhello\r\n'), pki.material, {
      at: new Date(),
    });
    expect(verdict).toMatchObject({ trusted: false, signatures: [{ status: 'unsigned' }] });
  });
});

describe('PDF verdicts (acceptance item 1)', () => {
  it.each(PDF_CASES)('%s', async (name) => {
    const row = pdfCases.get(name)!;
    expectVerdict(await verifyPdf(row.bytes, pki.material, { at: new Date() }), row.expected);
  });

  it('verifies an RFC 3161 document timestamp after a signature, with the TSA time as signing time', async () => {
    const signed = appendSignature(newPdf(), pki.leaf, pki.intermediate.certPath, 'Chu ky');
    const stamped = appendDocumentTimestamp(signed, pki.tsa, pki.intermediate.certPath, pki.dir);
    const verdict = await verifyPdf(stamped.bytes, pki.material, { at: new Date() });
    expect(verdict).toMatchObject({ trusted: true, coversWholeFile: true });
    expect(verdict.signatures.map((s) => [s.field, s.status, s.chain])).toEqual([
      ['Chu ky', 'valid', 'trusted'],
      ['Dau thoi gian', 'valid', 'trusted'],
    ]);
    expect(Math.abs(Date.parse(verdict.signatures[1]!.signingTime!) - Date.now())).toBeLessThan(600_000);
    const tampered = Buffer.from(stamped.bytes);
    tampered.write('X', 200, 'latin1');
    const broken = await verifyPdf(tampered, pki.material, { at: new Date() });
    expect(broken.signatures.map((s) => s.status)).toEqual(['invalid', 'invalid']);
  });

  it('names each signature field', async () => {
    const verdict = await verifyPdf(
      pdfCases.get('two signatures, both good (signer and seal)')!.bytes,
      pki.material,
      { at: new Date() },
    );
    expect(verdict.signatures.map((s) => s.field)).toEqual(['Chu ky lanh dao', 'Con dau co quan']);
    expect(verdict.signatures.map((s) => s.signer?.subject)).toEqual([
      expect.stringContaining('Nguyễn Văn An'),
      expect.stringContaining('Trần Thị Bình'),
    ]);
  });

  it('reports a PDF without signatures as unsigned and never crashes on a broken range', async () => {
    expect(await verifyPdf(newPdf().bytes, pki.material, { at: new Date() })).toMatchObject({
      trusted: false,
      signatures: [{ status: 'unsigned' }],
    });
    const broken = Buffer.from(
      pdfCases
        .get('valid')!
        .bytes.toString('latin1')
        .replace(/\/ByteRange \[0 /, '/ByteRange [9 '),
      'latin1',
    );
    expect(await verifyPdf(broken, pki.material, { at: new Date() })).toMatchObject({
      trusted: false,
      signatures: [{ status: 'invalid' }],
    });
  });
});
