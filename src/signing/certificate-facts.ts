/**
 * Per-certificate facts computed once. Parsing a certificate and decoding its names and
 * extensions costs more than the rest of the trust decision, and the same few signer and CA
 * certificates arrive with thousands of different packages; every fact here depends only on the
 * certificate bytes, never on the package or the time of checking.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { SignerSummary } from './verdict.ts';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509Certificate } from './x509.ts';

export type CertificateFacts = {
  readonly fingerprint: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: number;
  readonly notAfter: number;
  /** digitalSignature or nonRepudiation present (an absent extension does not count). */
  readonly signingUsage: boolean;
  /** basicConstraints cA, and keyCertSign when a key usage is present. */
  readonly ca: boolean;
  readonly summary: SignerSummary;
  /** CN of the subject (else the whole subject): how a reason names this certificate. */
  readonly name: string;
  /** How the issuer signed this certificate: the algorithm's name and its hash (null when unknown). */
  readonly signature: { readonly algorithm: string; readonly hash: string | null };
  /** The subject's public key: RSA or ECDSA with its size in bits (and curve), else what node:crypto calls it. */
  readonly key: { readonly type: string; readonly bits: number | null; readonly curve: string | null };
};

/**
 * Signature algorithms WebCrypto does not know, by OID, so that a chain using them can be named.
 * @peculiar/x509 reports these as the bare OID.
 */
const LEGACY_SIGNATURE_OIDS: Readonly<Record<string, { algorithm: string; hash: string }>> = {
  '1.2.840.113549.1.1.2': { algorithm: 'md2WithRSAEncryption', hash: 'MD2' },
  '1.2.840.113549.1.1.3': { algorithm: 'md4WithRSAEncryption', hash: 'MD4' },
  '1.2.840.113549.1.1.4': { algorithm: 'md5WithRSAEncryption', hash: 'MD5' },
  '1.3.14.3.2.29': { algorithm: 'sha1WithRSASignature', hash: 'SHA-1' },
  '1.2.840.10040.4.3': { algorithm: 'dsa-with-sha1', hash: 'SHA-1' },
};

function signatureOf(certificate: X509Certificate): CertificateFacts['signature'] {
  let algorithm: { name: string; hash?: { name: string } };
  try {
    algorithm = certificate.signatureAlgorithm as typeof algorithm;
  } catch {
    return { algorithm: 'unknown', hash: null };
  }
  const legacy = LEGACY_SIGNATURE_OIDS[algorithm.name];
  if (legacy) return legacy;
  const hash = algorithm.hash?.name ?? null;
  if (hash === null) return { algorithm: algorithm.name, hash };
  // The names certificates use (RFC 4055, RFC 5758) for what WebCrypto calls algorithm + hash.
  const bare = hash.replace('-', ''); // SHA-256 → SHA256
  if (algorithm.name === 'RSASSA-PKCS1-v1_5')
    return { algorithm: `${bare.toLowerCase()}WithRSAEncryption`, hash };
  if (algorithm.name === 'ECDSA') return { algorithm: `ecdsa-with-${bare}`, hash };
  return { algorithm: `${algorithm.name} with ${hash}`, hash };
}

/** Bits of the named curves node:crypto reports; others by the number in the name (sect163k1 → 163). */
const CURVE_BITS: Readonly<Record<string, number>> = {
  prime192v1: 192,
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
};

function keyOf(certificate: X509Certificate): CertificateFacts['key'] {
  try {
    const key = createPublicKey({
      key: Buffer.from(certificate.publicKey.rawData),
      format: 'der',
      type: 'spki',
    });
    const details = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss')
      return { type: 'RSA', bits: details.modulusLength ?? null, curve: null };
    if (key.asymmetricKeyType === 'ec') {
      const curve = details.namedCurve ?? '';
      const bits = CURVE_BITS[curve] ?? Number(/\d{3}/.exec(curve)?.[0] ?? Number.NaN);
      return { type: 'ECDSA', bits: Number.isFinite(bits) ? bits : null, curve: curve || null };
    }
    return { type: key.asymmetricKeyType ?? 'unknown', bits: null, curve: null };
  } catch {
    return { type: 'unknown', bits: null, curve: null };
  }
}

const factsByCertificate = new WeakMap<X509Certificate, CertificateFacts>();
const parsedByBase64 = new Map<string, X509Certificate>();
const MAX_PARSED = 1000;

export function factsOf(certificate: X509Certificate): CertificateFacts {
  let facts = factsByCertificate.get(certificate);
  if (facts) return facts;
  const usage = certificate.getExtension(KeyUsagesExtension);
  const constraints = certificate.getExtension(BasicConstraintsExtension);
  const subject = certificate.subject;
  const issuer = certificate.issuer;
  const signature = signatureOf(certificate);
  const key = keyOf(certificate);
  facts = {
    fingerprint: createHash('sha256').update(new Uint8Array(certificate.rawData)).digest('hex'),
    subject,
    issuer,
    notBefore: certificate.notBefore.getTime(),
    notAfter: certificate.notAfter.getTime(),
    signingUsage:
      usage !== null &&
      (usage.usages & (KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation)) !== 0,
    ca: constraints?.ca === true && (usage === null || (usage.usages & KeyUsageFlags.keyCertSign) !== 0),
    name: certificate.subjectName.getField('CN')[0] ?? subject,
    signature,
    key,
    summary: {
      subject,
      organization: certificate.subjectName.getField('O')[0] ?? null,
      serial: certificate.serialNumber.toUpperCase(),
      issuer,
      notBefore: certificate.notBefore.toISOString(),
      notAfter: certificate.notAfter.toISOString(),
      key: `${key.type}${key.bits === null ? '' : ` ${key.bits}`}${key.curve ? ` (${key.curve})` : ''}`,
      certificateSignature: signature.algorithm,
    },
  };
  factsByCertificate.set(certificate, facts);
  return facts;
}

/** Parses a base64 DER certificate, reusing the parsed object for bytes seen before. */
export function parseCertificateBase64(base64: string): X509Certificate {
  let certificate = parsedByBase64.get(base64);
  if (!certificate) {
    certificate = new X509Certificate(Buffer.from(base64, 'base64'));
    if (parsedByBase64.size >= MAX_PARSED) parsedByBase64.clear();
    parsedByBase64.set(base64, certificate);
  }
  return certificate;
}
