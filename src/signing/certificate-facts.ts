/**
 * Per-certificate facts computed once. Parsing a certificate and decoding its names and
 * extensions costs more than the rest of the trust decision, and the same few signer and CA
 * certificates arrive with thousands of different packages; every fact here depends only on the
 * certificate bytes, never on the package or the time of checking.
 */
import { createHash } from 'node:crypto';
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
};

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
    summary: {
      subject,
      organization: certificate.subjectName.getField('O')[0] ?? null,
      serial: certificate.serialNumber.toUpperCase(),
      issuer,
      notBefore: certificate.notBefore.toISOString(),
      notAfter: certificate.notAfter.toISOString(),
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
