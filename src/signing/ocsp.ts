/**
 * OCSP responses (RFC 6960) as revocation evidence: the ones a signature carries (CMS
 * RevocationInfoChoices, a PDF's DSS) or that were stored with a document at receipt. A response
 * counts only if it is signed by the certificate's issuer, or by a responder the issuer delegated
 * (a certificate it issued with the OCSP-signing extended key usage, valid when the response was
 * produced); anything else is ignored, never believed. What it says holds from its thisUpdate.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { X509Certificate } from './x509.ts';

export type OcspEvidence = {
  readonly der: Uint8Array;
  readonly basic: pkijs.BasicOCSPResponse;
  readonly producedAt: Date;
};

const BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const EXTENDED_KEY_USAGE = '2.5.29.37';
/**
 * OtherRevocationInfoFormat of an OCSP response inside CMS: RFC 5940's id-ri-ocsp-response (an
 * OCSPResponse), and id-pkix-ocsp-basic (a BasicOCSPResponse), which some signers write instead.
 */
export const CMS_OCSP_FORMATS: ReadonlySet<string> = new Set(['1.3.6.1.5.5.7.16.2', BASIC_RESPONSE]);

/** An OCSPResponse (or a bare BasicOCSPResponse, as some DSS writers store it); null when it is neither or not "successful". */
export function parseOcspResponse(der: Uint8Array): OcspEvidence | null {
  const basic = basicOf(der);
  if (!basic) return null;
  return { der, basic, producedAt: basic.tbsResponseData.producedAt };
}

function basicOf(der: Uint8Array): pkijs.BasicOCSPResponse | null {
  try {
    const response = pkijs.OCSPResponse.fromBER(der);
    if (response.responseStatus.valueBlock.valueDec !== 0 || !response.responseBytes) return null;
    if (response.responseBytes.responseType !== BASIC_RESPONSE) return null;
    return pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView);
  } catch {
    try {
      return pkijs.BasicOCSPResponse.fromBER(der);
    } catch {
      return null;
    }
  }
}

export type OcspStatus = {
  /** an authentic response about this certificate was found */
  readonly checked: boolean;
  /** when it was revoked, if an authentic response says so and the time is at or before `at` */
  readonly revokedAt: number | null;
  /** the newest matching response's nextUpdate is before `at` */
  readonly stale: boolean;
};

type Parsed = { pkijs: pkijs.Certificate; x509: X509Certificate };
const parsed = (certificate: X509Certificate): Parsed => ({
  pkijs: pkijs.Certificate.fromBER(certificate.rawData),
  x509: certificate,
});

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

/** Whether a SingleResponse's CertID names this certificate of this issuer (by its own hash algorithm). */
async function namesCertificate(id: pkijs.CertID, certificate: Parsed, issuer: Parsed): Promise<boolean> {
  if (
    !bytesEqual(
      id.serialNumber.valueBlock.valueHexView,
      certificate.pkijs.serialNumber.valueBlock.valueHexView,
    )
  )
    return false;
  const hash = HASHES[id.hashAlgorithm.algorithmId];
  if (!hash) return false;
  const name = new Uint8Array(await crypto.subtle.digest(hash, issuer.pkijs.subject.toSchema().toBER(false)));
  const key = new Uint8Array(
    await crypto.subtle.digest(
      hash,
      issuer.pkijs.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView,
    ),
  );
  return (
    bytesEqual(id.issuerNameHash.valueBlock.valueHexView, name) &&
    bytesEqual(id.issuerKeyHash.valueBlock.valueHexView, key)
  );
}

function hasOcspSigning(certificate: pkijs.Certificate): boolean {
  const extension = certificate.extensions?.find((e) => e.extnID === EXTENDED_KEY_USAGE);
  const usage = extension?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return usage?.keyPurposes.includes(OCSP_SIGNING) ?? false;
}

const signedBy = async (tbs: Uint8Array, basic: pkijs.BasicOCSPResponse, signer: pkijs.Certificate) => {
  try {
    return await pkijs
      .getCrypto(true)
      .verifyWithPublicKey(tbs, basic.signature, signer.subjectPublicKeyInfo, basic.signatureAlgorithm);
  } catch {
    return false;
  }
};

/** Whether the response was signed by the issuer itself or by a responder it delegated. */
async function authentic(evidence: OcspEvidence, issuer: Parsed): Promise<boolean> {
  const { basic } = evidence;
  const tbs = basic.tbsResponseData.tbsView;
  if (await signedBy(tbs, basic, issuer.pkijs)) return true;
  for (const candidate of basic.certs ?? []) {
    if (!hasOcspSigning(candidate)) continue;
    const responder = new X509Certificate(candidate.toSchema().toBER(false));
    const produced = evidence.producedAt.getTime();
    if (responder.notBefore.getTime() > produced || responder.notAfter.getTime() < produced) continue;
    if (
      !(await responder.verify({ publicKey: issuer.x509.publicKey, signatureOnly: true }).catch(() => false))
    )
      continue;
    if (await signedBy(tbs, basic, candidate)) return true;
  }
  return false;
}

/** What the responses say about `certificate` (issued by `issuer`) as of `at`. */
export async function ocspStatusOf(
  evidence: readonly OcspEvidence[],
  certificate: X509Certificate,
  issuer: X509Certificate,
  at: number,
): Promise<OcspStatus> {
  if (evidence.length === 0) return { checked: false, revokedAt: null, stale: false };
  const subject = parsed(certificate);
  const by = parsed(issuer);
  let checked = false;
  let newestNext: number | null = null;
  let newestThis = -Infinity;
  for (const item of evidence) {
    const matching: pkijs.SingleResponse[] = [];
    for (const single of item.basic.tbsResponseData.responses)
      if (await namesCertificate(single.certID, subject, by)) matching.push(single);
    if (matching.length === 0 || !(await authentic(item, by))) continue;
    for (const single of matching) {
      const status = single.certStatus as asn1js.BaseBlock;
      const tag = status.idBlock.tagNumber;
      // what a response says holds from its thisUpdate: one produced after `at` still tells
      // whether the certificate had been revoked by then (its revocationTime), one before cannot
      // speak for later unless nothing newer exists
      if (tag === 1) {
        // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] OPTIONAL }, implicitly tagged
        const inner = (status as unknown as { valueBlock: { value?: unknown[] } }).valueBlock.value?.[0];
        const revokedAt = inner instanceof asn1js.GeneralizedTime ? inner.toDate().getTime() : undefined;
        if (revokedAt !== undefined && revokedAt <= at) return { checked: true, revokedAt, stale: false };
        if (revokedAt !== undefined) checked = true;
      } else if (tag === 0) {
        checked = true;
      } else continue;
      const thisUpdate = single.thisUpdate.getTime();
      if (thisUpdate > newestThis) {
        newestThis = thisUpdate;
        newestNext = single.nextUpdate ? single.nextUpdate.getTime() : null;
      }
    }
  }
  // a "good" made before `at` whose nextUpdate passed before `at` says nothing about `at`
  const stale = checked && newestThis < at && newestNext !== null && newestNext < at;
  return { checked, revokedAt: null, stale };
}

/** The OCSP responses a CMS SignedData carries among its RevocationInfoChoices. */
export function ocspOfSignedData(signed: pkijs.SignedData): OcspEvidence[] {
  const found: OcspEvidence[] = [];
  for (const choice of signed.crls ?? []) {
    if (!(choice instanceof pkijs.OtherRevocationInfoFormat)) continue;
    if (!CMS_OCSP_FORMATS.has(choice.otherRevInfoFormat)) continue;
    const info = choice.otherRevInfo as asn1js.BaseBlock | undefined;
    if (!info) continue;
    const evidence = parseOcspResponse(new Uint8Array(info.toBER(false)));
    if (evidence) found.push(evidence);
  }
  return found;
}
