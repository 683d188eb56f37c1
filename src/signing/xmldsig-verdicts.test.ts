import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';
import { certificateFingerprint } from './trust-store.ts';
import { buildXmlCases, type XmlCase } from './test-support/xmldsig-cases.ts';
import { DSIG_NS } from './xmldsig-algorithms.ts';
import { verifyEdxmlSignature } from './xmldsig-verify.ts';

let pki: TestPki;
let cases: XmlCase[];

beforeAll(async () => {
  pki = await createTestPki();
  cases = buildXmlCases(pki);
});

/** xml-crypto on its own, given the right certificate: what the attack meets without our profile. */
function plainXmlCryptoAccepts(xml: string, certificatePem: string): boolean {
  try {
    const document = new DOMParser().parseFromString(xml, 'text/xml');
    const signature = document.getElementsByTagNameNS(DSIG_NS, 'Signature')[0];
    if (!signature) return false;
    const verifier = new SignedXml({ publicCert: certificatePem });
    verifier.loadSignature(signature);
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}

const CASE_NAMES = [
  'valid',
  'content changed',
  'SignedInfo changed (digest re-computed for forged content)',
  'wrong key with a trusted certificate in KeyInfo',
  'certificate expired',
  'certificate not yet valid',
  'untrusted root (attacker re-signed with own cert in KeyInfo, CVE-2024-32962 pattern)',
  'revoked by CRL',
  'no signing key usage',
  'certificate issued with MD5',
  'certificate issued with SHA-1',
  'RSA key of 1024 bits (TT 15/2025/TT-BKHCN)',
  'pinned mismatch',
  'wrapping: partial reference with a forged unsigned header beside it',
  'wrapping: signed element moved under a forged header',
  'wrapping: signed header duplicated with a forged copy',
  'comment inside DigestValue (CVE-2025-29775)',
  'two SignedInfo (CVE-2025-29774)',
  'HMAC signature method (key confusion, GHSA-c27r-x354-4m68)',
  'enveloping signature (the package inside its own Object)',
  'Object element beside an enveloped signature',
  'XAdES signed properties in an Object',
  'XSLT transform',
  'XPath Filter 2.0 transform (signed content filtered out)',
  'Signature without SignedInfo',
  'unexpected element inside Signature',
  'MD5 digest',
  'unknown algorithm',
  'unsigned',
  'SDK placeholder',
  'RSA-SHA1 legacy',
];

describe('edXML XMLDSig verdicts (acceptance item 1)', () => {
  it('covers exactly the cases of the issue', () => {
    expect(cases.map((c) => c.name)).toEqual(CASE_NAMES);
  });

  it.each(CASE_NAMES)('%s', async (name) => {
    const row = cases.find((c) => c.name === name)!;
    const { verdict, signedXml } = await verifyEdxmlSignature(row.xml, row.material, { at: new Date() });
    expect({ status: verdict.status, chain: verdict.chain, trusted: verdict.trusted }).toEqual({
      status: row.expected.status,
      chain: row.expected.chain,
      trusted: row.expected.trusted,
    });
    if (row.expected.reason) expect(verdict.reasons.join('\n')).toContain(row.expected.reason);
    if (row.expected.warning) expect(verdict.warnings.join('\n')).toContain(row.expected.warning);
    if (row.expected.reasons)
      expect(verdict.reasons.map((reason) => reason.split(' / ').slice(1).join(' / '))).toEqual(
        row.expected.reasons,
      );
    // Data is handed on only from what was signed, and only for a valid signature.
    expect(signedXml === null).toBe(verdict.status !== 'valid');
    // Acceptance item 3: every verdict that is not trusted says why, Vietnamese first.
    if (!verdict.trusted) expect(verdict.reasons.length).toBeGreaterThan(0);
    for (const reason of [...verdict.reasons, ...verdict.warnings]) {
      expect(reason).toContain(' / ');
      expect(reason.split(' / ')[0]).toMatch(/[À-ỹ]/u);
    }
  });

  it.each(CASE_NAMES.map((name) => [name]))(
    '%s: plain xml-crypto 6.3.2 rejects it too when the attack reaches crypto',
    (name) => {
      const row = cases.find((c) => c.name === name)!;
      if (row.plainXmlCryptoRejects === undefined) return;
      expect(plainXmlCryptoAccepts(row.xml, pki.leaf.certificatePem)).toBe(!row.plainXmlCryptoRejects);
    },
  );

  it('the partial-reference wrapping passes plain xml-crypto: only the whole-document profile stops it', () => {
    const row = cases.find((c) => c.name.startsWith('wrapping: partial'))!;
    expect(plainXmlCryptoAccepts(row.xml, pki.leaf.certificatePem)).toBe(true);
  });

  it('refuses a certificate pinned to another agency signing for an agency without pins', async () => {
    const row = cases[0]!;
    const material = {
      ...pki.material,
      pins: new Map([['000.00.00.G22', [certificateFingerprint(pki.leaf.certificate)]]]),
    };
    const { verdict } = await verifyEdxmlSignature(row.xml, material, { at: new Date() });
    expect(verdict).toMatchObject({ status: 'valid', chain: 'pinned-mismatch', trusted: false });
    const ownAgency = {
      ...pki.material,
      pins: new Map([['000.00.11.H53', [certificateFingerprint(pki.leaf.certificate)]]]),
    };
    expect((await verifyEdxmlSignature(row.xml, ownAgency, { at: new Date() })).verdict.trusted).toBe(true);
  });

  it('judges an archived package at its time of receipt', async () => {
    const row = cases.find((c) => c.name === 'certificate expired')!;
    const receivedAt = new Date(pki.expired.certificate.notBefore.getTime() + 86_400_000);
    const { verdict } = await verifyEdxmlSignature(row.xml, row.material, { at: receivedAt });
    expect(verdict).toMatchObject({
      status: 'valid',
      chain: 'trusted',
      trusted: true,
      checkedAt: receivedAt.toISOString(),
    });
  });

  it('hands back the signed XML with the signature removed, to read data from', async () => {
    const { signedXml } = await verifyEdxmlSignature(cases[0]!.xml, pki.material, { at: new Date() });
    expect(signedXml).toContain('000.00.11.H53');
    expect(signedXml).not.toContain('SignatureValue');
  });
});
