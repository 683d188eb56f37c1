/**
 * CMS SignedData (RFC 5652) verification shared by S/MIME and PDF: every SignerInfo is checked
 * over its content with pkijs, then the signer certificate goes through the hub's own chain
 * checks (the certificates inside the CMS are only path-building candidates).
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { checkCertificateChain } from './certificate-chain.ts';
import { factsOf } from './certificate-facts.ts';
import type { TrustMaterial } from './trust-store.ts';
import { makeVerdict, REASONS, summarizeSigner, type EmbeddedSignatureVerdict } from './verdict.ts';
import { ocspOfSignedData, type OcspEvidence } from './ocsp.ts';
import { timestampWords, verifyTimestampToken } from './timestamp-token.ts';
import { X509Certificate, X509Crl } from './x509.ts';

export type CmsVerifyOptions = {
  readonly at: Date;
  readonly crls?: readonly X509Crl[];
  /** OCSP responses from outside the CMS (a PDF's DSS, evidence stored at receipt) */
  readonly ocsp?: readonly OcspEvidence[];
  /** certificates from outside the CMS (a PDF's DSS): path-building candidates only */
  readonly certificates?: readonly X509Certificate[];
  readonly organId?: string;
};

/** The CRLs a SignedData carries (RevocationInfoChoices); one that does not parse is left out. */
function crlsOfSignedData(signed: pkijs.SignedData): X509Crl[] {
  const found: X509Crl[] = [];
  for (const choice of signed.crls ?? []) {
    if (!(choice instanceof pkijs.CertificateRevocationList)) continue;
    try {
      found.push(new X509Crl((choice.toSchema() as asn1js.Sequence).toBER(false)));
    } catch {
      // unreadable: no evidence, which the chain check reports as such
    }
  }
  return found;
}

const SIGNING_TIME = '1.2.840.113549.1.9.5';
const LEGACY_DIGESTS = new Set(['1.3.14.3.2.26']);
/** Broken digests, named in the reason with their OID. */
const REFUSED_DIGESTS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.2.5', 'MD5'],
  ['1.2.840.113549.2.2', 'MD2'],
]);

/** The curves WebCrypto (and so pkijs) verifies with; RSA of any size it verifies too. */
const WEBCRYPTO_CURVES: ReadonlySet<string> = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

function webCryptoChecks(certificate: X509Certificate): boolean {
  const { key } = factsOf(certificate);
  return key.type === 'RSA' || (key.type === 'ECDSA' && WEBCRYPTO_CURVES.has(key.curve ?? ''));
}

function notCheckedReason(certificate: X509Certificate): string {
  const { key } = factsOf(certificate);
  return REASONS.cmsKeyNotChecked(key.curve === null ? key.type : `${key.type} ${key.curve}`, key.bits);
}

export type CmsSignerResult = Omit<EmbeddedSignatureVerdict, 'field' | 'coversWholeFile'> & {
  /** the signer's certificate is named in a signed attribute (ESS signing-certificate, v1 or v2), as CAdES requires */
  readonly signingCertificateAttribute?: boolean;
};

const SIGNING_CERTIFICATE: ReadonlySet<string> = new Set([
  '1.2.840.113549.1.9.16.2.12',
  '1.2.840.113549.1.9.16.2.47',
]);

function toBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Parses DER (trailing zero padding, as in PDF /Contents, is ignored). */
export function parseSignedData(der: Uint8Array): pkijs.SignedData | null {
  try {
    const asn = asn1js.fromBER(toBuffer(der));
    if (asn.offset === -1) return null;
    const info = new pkijs.ContentInfo({ schema: asn.result });
    if (info.contentType !== pkijs.ContentInfo.SIGNED_DATA) return null;
    return new pkijs.SignedData({ schema: info.content });
  } catch {
    return null;
  }
}

function toX509(certificate: pkijs.Certificate): X509Certificate {
  return new X509Certificate(certificate.toSchema().toBER(false));
}

function signingTimeOf(signerInfo: pkijs.SignerInfo): string | null {
  const attribute = signerInfo.signedAttrs?.attributes.find((a) => a.type === SIGNING_TIME);
  const value: unknown = attribute?.values[0];
  if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime)
    return value.toDate().toISOString();
  return null;
}

const TST_INFO = '1.2.840.113549.1.9.16.1.4';

/** genTime of an RFC 3161 timestamp token: the TSA's time, better than any time the signer claims. */
function timestampTime(signed: pkijs.SignedData): string | null {
  const content = signed.encapContentInfo.eContent;
  if (signed.encapContentInfo.eContentType !== TST_INFO || !content) return null;
  try {
    return pkijs.TSTInfo.fromBER(content.getValue()).genTime.toISOString();
  } catch {
    return null;
  }
}

/** The encapsulated content of an opaque (attached) SignedData, if any. */
export function encapsulatedContent(signed: pkijs.SignedData): Uint8Array | null {
  const content = signed.encapContentInfo.eContent;
  if (!content) return null;
  return new Uint8Array(content.getValue());
}

/**
 * Verifies every SignerInfo. `data` is the detached content (PDF byte ranges, S/MIME first part);
 * leave it undefined for opaque SignedData.
 */
export async function verifySignedData(
  signed: pkijs.SignedData,
  data: Uint8Array | undefined,
  material: TrustMaterial,
  options: CmsVerifyOptions,
): Promise<CmsSignerResult[]> {
  const at = options.at;
  const bundled = [
    ...(signed.certificates ?? [])
      .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
      .map(toX509),
    ...(options.certificates ?? []),
  ];
  // Revocation evidence the signer embedded (CAdES-LT and PAdES keep it so) counts as any other:
  // authentic only when signed by the issuer or its delegated responder, read as of `at`.
  const crls = [...crlsOfSignedData(signed), ...(options.crls ?? [])];
  const ocsp = [...ocspOfSignedData(signed), ...(options.ocsp ?? [])];
  const results: CmsSignerResult[] = [];
  for (let index = 0; index < signed.signerInfos.length; index++) {
    const signerInfo = signed.signerInfos[index] as pkijs.SignerInfo;
    const signingTime = timestampTime(signed) ?? signingTimeOf(signerInfo);
    const digestOid = signerInfo.digestAlgorithm.algorithmId;
    const warnings: string[] = [];
    const refusedDigest = REFUSED_DIGESTS.get(digestOid);
    if (refusedDigest) {
      results.push({
        ...makeVerdict({
          status: 'invalid',
          chain: 'unknown',
          signer: null,
          checkedAt: at,
          reasons: [REASONS.brokenHash(refusedDigest, `${refusedDigest} (${digestOid})`)],
        }),
        signingTime,
      });
      continue;
    }
    if (LEGACY_DIGESTS.has(digestOid)) warnings.push(REASONS.sha1Legacy);
    let verified = false;
    let signerCertificate: X509Certificate | null = null;
    try {
      const result = await signed.verify({
        signer: index,
        ...(data ? { data: toBuffer(data) } : {}),
        checkChain: false,
        extendedMode: true,
      });
      verified = result.signatureVerified === true;
      signerCertificate = result.signerCertificate ? toX509(result.signerCertificate) : null;
    } catch (error) {
      // pkijs reports a bad signature or digest as SignedDataVerifyError, carrying what it found.
      if (error instanceof pkijs.SignedDataVerifyError) {
        verified = false;
        signerCertificate = error.signerCertificate ? toX509(error.signerCertificate) : null;
      }
    }
    if (!signerCertificate) {
      results.push({
        ...makeVerdict({
          status: 'unverifiable',
          chain: 'unknown',
          signer: null,
          checkedAt: at,
          reasons: [REASONS.noCertificate],
          warnings,
        }),
        signingTime,
      });
      continue;
    }
    const chain = await checkCertificateChain(signerCertificate, material, {
      at,
      untrusted: bundled,
      crls,
      ocsp,
      organId: options.organId,
    });
    // A key pkijs cannot use (an EC curve outside WebCrypto) says nothing about the signature:
    // it is not checked, and the certificate's own problems (a short key) are the reasons.
    const checkable = webCryptoChecks(signerCertificate);
    const stamp = verified ? await signatureTimestamp(signerInfo, material) : null;
    if (stamp && !stamp.ok) warnings.push(REASONS.signatureTimestampBad(stamp.words.vi, stamp.words.en));
    results.push({
      ...makeVerdict({
        status: verified ? 'valid' : checkable ? 'invalid' : 'unverifiable',
        chain: verified || !checkable ? chain.chain : 'unknown',
        signer: summarizeSigner(signerCertificate),
        checkedAt: at,
        reasons: verified
          ? chain.reasons
          : checkable
            ? [REASONS.cmsBroken]
            : [...chain.reasons, notCheckedReason(signerCertificate)],
        warnings: [...warnings, ...chain.warnings],
      }),
      signingTime,
      signingCertificateAttribute:
        signerInfo.signedAttrs?.attributes.some((a) => SIGNING_CERTIFICATE.has(a.type)) ?? false,
      ...(stamp?.ok ? { signatureTimestamp: { at: stamp.at, tsa: stamp.tsa } } : {}),
    });
  }
  return results;
}

const SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

/**
 * The signature timestamp (CAdES id-aa-signatureTimeStampToken, an unsigned attribute): an RFC 3161
 * token over the SHA-256 of the signature value, checked in full (timestamp-token.ts) — it proves
 * the signature existed at its genTime. Null when there is none.
 */
async function signatureTimestamp(
  signerInfo: pkijs.SignerInfo,
  material: TrustMaterial,
): Promise<{ ok: true; at: string; tsa: string } | { ok: false; words: { vi: string; en: string } } | null> {
  const attribute = signerInfo.unsignedAttrs?.attributes.find((a) => a.type === SIGNATURE_TIMESTAMP);
  const value = attribute?.values[0] as asn1js.BaseBlock | undefined;
  if (!value) return null;
  const digest = createHash('sha256').update(signerInfo.signature.valueBlock.valueHexView).digest();
  const check = await verifyTimestampToken(new Uint8Array(value.toBER(false)), digest, material);
  return check.ok
    ? { ok: true, at: check.genTime.toISOString(), tsa: check.tsa }
    : { ok: false, words: timestampWords(check.problem) };
}
