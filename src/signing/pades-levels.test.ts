/**
 * PAdES baseline levels (ETSI EN 319 142-1) recognised and reported per signature, on PDFs built
 * with openssl (`cms -cades`, `ts`) and our writer: B-B, B-T by a signature timestamp or a later
 * document timestamp, B-LT with the path's revocation evidence in the DSS, B-LTA with a document
 * timestamp over the DSS; a plain adbe.pkcs7.detached signature has no level.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyPdf } from './pdf-verify.ts';
import { ocspResponse } from './test-support/ocsp-responses.ts';
import {
  appendCadesSignature,
  appendDocumentTimestamp,
  appendDss,
  appendSignature,
  newPdf,
  type PdfDraft,
} from './test-support/pdf-writer.ts';
import { createTestPki, type TestIdentity, type TestPki } from './test-support/test-pki.ts';

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki();
});

const levels = async (draft: PdfDraft) =>
  (await verifyPdf(draft.bytes, pki.material, { at: new Date() })).signatures.map((s) => s.level);

const good = (certificate: TestIdentity, issuer: TestIdentity) =>
  ocspResponse({
    certificate: certificate.certificate,
    issuer,
    status: 'good',
    thisUpdate: new Date(Date.now() - 3_600_000),
  });

const cades = () => appendCadesSignature(newPdf('Quyết định'), pki.leaf, pki.chainPath, 'Ky');
const stamp = (draft: PdfDraft) =>
  appendDocumentTimestamp(draft, pki.tsa, pki.intermediate.certPath, pki.dir);
const withDss = async (draft: PdfDraft) =>
  appendDss(draft, {
    certificates: [],
    crls: [],
    ocsps: [await good(pki.leaf, pki.intermediate), await good(pki.intermediate, pki.root)],
    vriKey: 'C'.repeat(40),
  });

describe('PAdES baseline levels', () => {
  it('a plain adbe.pkcs7.detached signature has no level; a CAdES one is B-B', async () => {
    expect(await levels(appendSignature(newPdf('Công văn'), pki.leaf, pki.chainPath, 'Ky'))).toEqual([null]);
    expect(await levels(cades())).toEqual(['PAdES-B-B']);
  });

  it('a signature timestamp makes it B-T, with the time it proves and the authority', async () => {
    const draft = appendCadesSignature(newPdf('Quyết định'), pki.leaf, pki.chainPath, 'Ky', {
      timestamp: { tsa: pki.tsa, chain: pki.intermediate.certPath, workDir: pki.dir },
    });
    const [signature] = (await verifyPdf(draft.bytes, pki.material, { at: new Date() })).signatures;
    expect(signature?.level).toBe('PAdES-B-T');
    expect(signature?.signatureTimestamp?.tsa).toContain('Test TSA');
    expect(Math.abs(Date.parse(signature?.signatureTimestamp?.at ?? '') - Date.now())).toBeLessThan(120_000);
  });

  it('a later document timestamp makes it B-T too; the timestamp itself has no level', async () => {
    expect(await levels(stamp(cades()))).toEqual(['PAdES-B-T', null]);
  });

  it('the path’s revocation evidence in the DSS makes it B-LT, a document timestamp over the DSS B-LTA', async () => {
    const lt = await withDss(stamp(cades()));
    expect(await levels(lt)).toEqual(['PAdES-B-LT', null]);
    expect(await levels(stamp(lt))).toEqual(['PAdES-B-LTA', null, null]);
  });

  it('a signature that is not trusted reaches no level, whatever follows it', async () => {
    const draft = appendCadesSignature(newPdf('Tờ trình'), pki.untrustedLeaf, pki.chainPath, 'Ky');
    expect(await levels(stamp(draft))).toEqual([null, null]);
  });
});
