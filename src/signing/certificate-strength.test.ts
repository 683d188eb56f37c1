/**
 * Algorithms and key sizes in the certificate path, the same for XMLDSig, S/MIME and the CMS of
 * PDFs because all go through checkCertificateChain: MD5 (or MD2/MD4) issued → not trusted, named;
 * SHA-1 issued → a warning, named; RSA < 2048 or ECDSA < 256 bits → not trusted (Thông tư
 * 15/2025/TT-BKHCN). openssl confirms that each test certificate is what its name says.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCertificateChain } from './certificate-chain.ts';
import { verifyPdf } from './pdf-verify.ts';
import { verifySmime } from './smime-verify.ts';
import { runTool } from './test-support/external-tools.ts';
import { appendSignature, newPdf } from './test-support/pdf-writer.ts';
import { signSmime } from './test-support/smime-builder.ts';
import { createTestPki, type TestIdentity, type TestPki } from './test-support/test-pki.ts';

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki();
});

const english = (reasons: readonly string[]) => reasons.map((r) => r.split(' / ').slice(1).join(' / '));
const vietnamese = (reasons: readonly string[]) => reasons.map((r) => r.split(' / ')[0]);

const MD5 = 'The certificate chain uses MD5: "Ký MD5" is signed with md5WithRSAEncryption.';
const SHA1 = 'The certificate chain uses SHA-1: "Ký SHA-1" is signed with sha1WithRSAEncryption.';
const RSA_1024 =
  'Key too short: RSA 1024 bits, the rule requires at least 2048 (TT 15/2025/TT-BKHCN); certificate "Khóa RSA Ngắn".';
const EC_192 =
  'Key too short: ECDSA 192 bits, the rule requires at least 256 (TT 15/2025/TT-BKHCN); certificate "Khóa EC Ngắn".';

type Row = {
  name: string;
  identity: (pki: TestPki) => TestIdentity;
  chain: string;
  reasons: string[];
  warning?: string;
};
const ROWS: Row[] = [
  { name: 'MD5-issued certificate', identity: (p) => p.md5Signed, chain: 'untrusted', reasons: [MD5] },
  {
    name: 'SHA-1-issued certificate',
    identity: (p) => p.sha1Signed,
    chain: 'trusted',
    reasons: [],
    warning: SHA1,
  },
  { name: 'RSA 1024-bit key', identity: (p) => p.shortRsa, chain: 'untrusted', reasons: [RSA_1024] },
  { name: 'ECDSA P-192 key', identity: (p) => p.shortEc, chain: 'untrusted', reasons: [EC_192] },
];

describe('certificate path: algorithms and key sizes', () => {
  it.each(ROWS)('$name → $chain with the reason named', async ({ identity, chain, reasons, warning }) => {
    const check = await checkCertificateChain(identity(pki).certificate, pki.material, { at: new Date() });
    expect(check.chain).toBe(chain);
    // The path reaches the configured root: the reason is the algorithm or key, never "does not chain".
    expect(check.path.length).toBe(3);
    expect(english(check.reasons)).toEqual(reasons);
    if (warning) expect(english(check.warnings)).toContain(warning);
    for (const text of vietnamese([...check.reasons, ...check.warnings])) expect(text).toMatch(/[À-ỹ]/u);
  });

  it('names a short key in Vietnamese with the rule', async () => {
    const check = await checkCertificateChain(pki.shortRsa.certificate, pki.material, { at: new Date() });
    expect(vietnamese(check.reasons)).toEqual([
      'Khóa của chứng thư "Khóa RSA Ngắn" quá ngắn: RSA 1024 bit, quy định yêu cầu tối thiểu 2048 bit (Thông tư 15/2025/TT-BKHCN); đề nghị người ký dùng chứng thư có khóa đủ dài.',
    ]);
  });

  it('still names a short key when the certificate chains to no configured root', async () => {
    const material = { ...pki.material, anchors: [pki.untrustedRoot.certificate], intermediates: [] };
    const check = await checkCertificateChain(pki.shortRsa.certificate, material, { at: new Date() });
    expect(english(check.reasons)).toEqual(['The certificate does not chain to a trusted root.', RSA_1024]);
  });

  it('openssl agrees: each certificate chains to the root and has the algorithm and key its reason names', () => {
    const describe = (identity: TestIdentity) =>
      runTool('openssl', ['x509', '-in', identity.certPath, '-noout', '-text']).output;
    const chains = (identity: TestIdentity) =>
      runTool('openssl', [
        'verify',
        '-CAfile',
        pki.root.certPath,
        '-untrusted',
        pki.intermediate.certPath,
        identity.certPath,
      ]).ok;
    expect(describe(pki.md5Signed)).toContain('Signature Algorithm: md5WithRSAEncryption');
    expect(describe(pki.sha1Signed)).toContain('Signature Algorithm: sha1WithRSAEncryption');
    expect(describe(pki.shortRsa)).toContain('Public-Key: (1024 bit)');
    expect(describe(pki.shortEc)).toMatch(/Public-Key: \(192 bit\)[\s\S]*prime192v1/);
    for (const identity of [pki.md5Signed, pki.sha1Signed, pki.shortRsa, pki.shortEc])
      expect(chains(identity)).toBe(true);
  });
});

describe('S/MIME and PDF signers: the same rule as XMLDSig', () => {
  // The ECDSA P-192 signer has its own row below: WebCrypto (pkijs) cannot check a P-192 signature.
  const CMS_ROWS = ROWS.filter((row) => row.name !== 'ECDSA P-192 key');

  it.each(CMS_ROWS)(
    'S/MIME signed with the $name → $chain',
    async ({ identity, chain, reasons, warning }) => {
      const message = signSmime([identity(pki)], pki.intermediate.certPath);
      const verdict = await verifySmime(message, pki.material, { at: new Date() });
      const [signature] = verdict.signatures;
      expect({ status: signature?.status, chain: signature?.chain }).toEqual({ status: 'valid', chain });
      expect(verdict.trusted).toBe(chain === 'trusted');
      expect(english(signature?.reasons ?? [])).toEqual(reasons);
      if (warning) expect(english(signature?.warnings ?? [])).toContain(warning);
    },
  );

  it.each(CMS_ROWS)('PDF signed with the $name → $chain', async ({ identity, chain, reasons }) => {
    const pdf = appendSignature(newPdf(), identity(pki), pki.intermediate.certPath, 'Chu ky');
    const verdict = await verifyPdf(pdf.bytes, pki.material, { at: new Date() });
    const [signature] = verdict.signatures;
    expect({ status: signature?.status, chain: signature?.chain }).toEqual({ status: 'valid', chain });
    expect(english(signature?.reasons ?? [])).toEqual(reasons);
  });

  it('S/MIME signed with an ECDSA P-192 key → unverifiable, the short key named, never "does not verify"', async () => {
    const message = signSmime([pki.shortEc], pki.intermediate.certPath);
    const [signature] = (await verifySmime(message, pki.material, { at: new Date() })).signatures;
    expect({ status: signature?.status, chain: signature?.chain, trusted: signature?.trusted }).toEqual({
      status: 'unverifiable',
      chain: 'untrusted',
      trusted: false,
    });
    expect(english(signature?.reasons ?? [])).toEqual([
      EC_192,
      'The signature cannot be checked: its key is ECDSA prime192v1 (192 bits).',
    ]);
    // openssl can check it: the signature itself is sound, so "does not verify" would have been false.
    expect(runTool('openssl', ['smime', '-verify', '-noverify', '-out', '/dev/null'], message).ok).toBe(true);
  });
});
