/**
 * Revocation as of a time, from OCSP responses and CRLs that came with the signature (CMS
 * RevocationInfoChoices, a PDF's DSS) — evidence only, no network and no CRL in the trust store:
 * a certificate revoked after the signing time is valid as of the signing time and not after; a
 * response not signed by the issuer or its delegated responder is not believed.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCertificateChain } from './certificate-chain.ts';
import { parseSignedData, verifySignedData } from './cms-verify.ts';
import { parseOcspResponse, type OcspEvidence } from './ocsp.ts';
import { verifyPdf } from './pdf-verify.ts';
import { REASONS } from './verdict.ts';
import {
  basicOcspResponse,
  delegatedResponder,
  ocspResponse,
  type OcspAnswer,
} from './test-support/ocsp-responses.ts';
import { appendDss, appendSignature, extractForOpenssl, newPdf } from './test-support/pdf-writer.ts';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const beforeIt = () => new Date(revokedAt.getTime() - 6 * HOUR);
const afterIt = () => new Date(revokedAt.getTime() + 6 * HOUR);
let pki: TestPki;
/** When the leaf "was revoked", twelve hours ago (it was issued a day ago); the test PKI's own CRL is never given here. */
let revokedAt: Date;

beforeAll(async () => {
  pki = await createTestPki();
  revokedAt = new Date(Date.now() - DAY / 2);
});

const evidence = async (answer: OcspAnswer): Promise<OcspEvidence> => {
  const parsed = parseOcspResponse(await ocspResponse(answer));
  if (!parsed) throw new Error('test response does not parse');
  return parsed;
};

/** The intermediate's own status from the root, so that only the leaf's link is in question. */
const intermediateGood = () =>
  evidence({
    certificate: pki.intermediate.certificate,
    issuer: pki.root,
    status: 'good',
    thisUpdate: new Date(Date.now() - 20 * DAY),
  });

const leafAnswer = (over: Partial<OcspAnswer> = {}): OcspAnswer => ({
  certificate: pki.leaf.certificate,
  issuer: pki.intermediate,
  status: 'revoked',
  revokedAt,
  thisUpdate: new Date(revokedAt.getTime() + HOUR),
  ...over,
});

const check = async (ocsp: readonly OcspEvidence[], at: Date) =>
  checkCertificateChain(pki.leaf.certificate, pki.material, {
    at,
    untrusted: [pki.intermediate.certificate],
    ocsp,
  });

describe('OCSP evidence in the chain check, as of a time', () => {
  it('a certificate revoked after signing is valid as of the signing time and revoked after, from the response alone', async () => {
    const ocsp = [await evidence(leafAnswer()), await intermediateGood()];
    const before = await check(ocsp, beforeIt());
    expect(before.chain).toBe('trusted');
    expect(before.warnings).not.toContain(REASONS.noCrl);
    const after = await check(ocsp, afterIt());
    expect(after.chain).toBe('revoked');
    expect(after.reasons.join('\n')).toContain('Chứng thư số đã bị thu hồi');
  });

  it('a good answer checks revocation: no "not checked" warning for either link', async () => {
    const ocsp = [
      await evidence(leafAnswer({ status: 'good', thisUpdate: new Date() })),
      await intermediateGood(),
    ];
    const result = await check(ocsp, new Date());
    expect(result.chain).toBe('trusted');
    expect(result.warnings).toEqual([]);
  });

  it('without any evidence says revocation was not checked', async () => {
    const result = await check([], new Date());
    expect(result.chain).toBe('trusted');
    expect(result.warnings.filter((w) => w === REASONS.noCrl)).toHaveLength(2);
  });

  it('does not believe a response signed by a key that is not the issuer’s', async () => {
    const forged = await evidence(leafAnswer({ signer: { keyPem: pki.attackerKeyPem } }));
    const result = await check([forged, await intermediateGood()], new Date());
    expect(result.chain).toBe('trusted');
    expect(result.warnings).toContain(REASONS.noCrl);
  });

  it('believes a delegated responder with the OCSP-signing usage, not one without it', async () => {
    const responder = await delegatedResponder(pki.intermediate);
    const impostor = await delegatedResponder(pki.intermediate, false);
    const byResponder = await check(
      [await evidence(leafAnswer({ signer: responder })), await intermediateGood()],
      new Date(),
    );
    expect(byResponder.chain).toBe('revoked');
    const byImpostor = await check(
      [await evidence(leafAnswer({ signer: impostor })), await intermediateGood()],
      new Date(),
    );
    expect(byImpostor.chain).toBe('trusted');
    expect(byImpostor.warnings).toContain(REASONS.noCrl);
  });

  it('does not apply a response about another certificate', async () => {
    const other = await evidence(leafAnswer({ certificate: pki.otherLeaf.certificate }));
    const result = await check([other, await intermediateGood()], new Date());
    expect(result.chain).toBe('trusted');
    expect(result.warnings).toContain(REASONS.noCrl);
  });

  it('matches a response whose CertID is hashed with SHA-1, as many responders still answer', async () => {
    const result = await check(
      [await evidence(leafAnswer({ hash: 'SHA-1' })), await intermediateGood()],
      new Date(),
    );
    expect(result.chain).toBe('revoked');
  });

  it('says a good answer is out of date when its next update passed before the time of checking', async () => {
    const old = await evidence(
      leafAnswer({
        status: 'good',
        thisUpdate: new Date(Date.now() - 10 * DAY),
        nextUpdate: new Date(Date.now() - 9 * DAY),
      }),
    );
    const result = await check([old, await intermediateGood()], new Date());
    expect(result.chain).toBe('trusted');
    expect(result.warnings).toContain(REASONS.staleCrl);
  });

  it('reads a bare BasicOCSPResponse (as some DSS writers store it) and refuses what is not OCSP', async () => {
    expect(parseOcspResponse(await basicOcspResponse(leafAnswer()))).not.toBeNull();
    expect(parseOcspResponse(Buffer.from('not a response'))).toBeNull();
    // an OCSPResponse whose status is not "successful" (3 = tryLater) holds no answer
    const tryLater = new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: 3 }) });
    expect(parseOcspResponse(new Uint8Array(tryLater.toSchema().toBER(false)))).toBeNull();
  });
});

describe('evidence carried by the signature', () => {
  it('a CMS with the OCSP responses among its RevocationInfoChoices (RFC 5940) is judged by them', async () => {
    const draft = appendSignature(newPdf('Công văn'), pki.leaf, pki.chainPath, 'Ký');
    const [cms] = extractForOpenssl(draft.bytes);
    if (!cms) throw new Error('no CMS in the test PDF');
    const signed = parseSignedData(cms.der);
    if (!signed) throw new Error('CMS does not parse');
    signed.crls = [
      ...(signed.crls ?? []),
      ...(
        await Promise.all([
          ocspResponse(leafAnswer()),
          ocspResponse({
            certificate: pki.intermediate.certificate,
            issuer: pki.root,
            status: 'good',
            thisUpdate: new Date(Date.now() - 20 * DAY),
          }),
        ])
      ).map(
        (der) =>
          new pkijs.OtherRevocationInfoFormat({
            otherRevInfoFormat: '1.3.6.1.5.5.7.16.2',
            otherRevInfo: asn1js.fromBER(new Uint8Array(der)).result,
          }),
      ),
    ];
    const info = new pkijs.ContentInfo({
      contentType: pkijs.ContentInfo.SIGNED_DATA,
      content: signed.toSchema(true),
    });
    const reparsed = parseSignedData(new Uint8Array(info.toSchema().toBER(false)));
    if (!reparsed) throw new Error('CMS with evidence does not parse');
    const [before] = await verifySignedData(reparsed, cms.data, pki.material, {
      at: beforeIt(),
    });
    expect(before?.status).toBe('valid');
    expect(before?.chain).toBe('trusted');
    expect(before?.warnings).not.toContain(REASONS.noCrl);
    const [after] = await verifySignedData(reparsed, cms.data, pki.material, {
      at: afterIt(),
    });
    expect(after?.chain).toBe('revoked');
  });

  it('a PDF whose DSS holds the OCSP responses (PAdES LTV) is judged by them as of the time asked', async () => {
    const signedPdf = appendSignature(newPdf('Quyết định'), pki.leaf, pki.chainPath, 'Ký');
    const ltv = appendDss(signedPdf, {
      certificates: [Buffer.from(pki.intermediate.certificate.rawData)],
      crls: [],
      ocsps: [
        await ocspResponse(leafAnswer()),
        await ocspResponse({
          certificate: pki.intermediate.certificate,
          issuer: pki.root,
          status: 'good',
          thisUpdate: new Date(Date.now() - 20 * DAY),
        }),
      ],
      vriKey: 'A'.repeat(40),
    });
    const before = await verifyPdf(ltv.bytes, pki.material, { at: beforeIt() });
    expect(before.signatures.map((s) => [s.status, s.chain])).toEqual([['valid', 'trusted']]);
    expect(before.signatures[0]?.warnings).not.toContain(REASONS.noCrl);
    const after = await verifyPdf(ltv.bytes, pki.material, { at: afterIt() });
    expect(after.signatures.map((s) => s.chain)).toEqual(['revoked']);
    expect(after.trusted).toBe(false);
    // the same PDF without its DSS update: nothing to judge revocation by
    const bare = await verifyPdf(signedPdf.bytes, pki.material, { at: afterIt() });
    expect(bare.signatures.map((s) => s.chain)).toEqual(['trusted']);
    expect(bare.signatures[0]?.warnings).toContain(REASONS.noCrl);
  });

  it('a PDF whose DSS holds a CRL is judged by it as by the trust store’s', async () => {
    const signedPdf = appendSignature(newPdf('Tờ trình'), pki.revoked, pki.chainPath, 'Ký');
    const ltv = appendDss(signedPdf, {
      certificates: [],
      crls: [Buffer.from(pki.crl.rawData)],
      vriKey: 'B'.repeat(40),
    });
    const result = await verifyPdf(ltv.bytes, pki.material, { at: new Date() });
    expect(result.signatures.map((s) => s.chain)).toEqual(['revoked']);
  });
});
