/**
 * OCSP responses (RFC 6960) made with pkijs from the test PKI, as a CA's responder would sign them:
 * by the issuer itself or by a delegated responder (its certificate carries id-kp-OCSPSigning),
 * good, revoked at a time, or unknown. Also the forgeries the verifier must ignore (signed by a key
 * that is not the issuer's, a "responder" without the OCSP-signing usage).
 */
import { randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '../x509.ts';
import type { TestIdentity } from './test-pki.ts';

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
const DAY = 86_400_000;

const importKey = (pem: string) =>
  webcrypto.subtle.importKey(
    'pkcs8',
    Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'),
    ALGORITHM,
    true,
    ['sign'],
  );

export type Responder = { readonly certificate: X509Certificate; readonly keyPem: string };

/** A responder certificate issued by `issuer`; without `ocspSigning` it is one the verifier must not believe. */
export async function delegatedResponder(issuer: TestIdentity, ocspSigning = true): Promise<Responder> {
  const keys = await webcrypto.subtle.generateKey(
    { ...ALGORITHM, publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
    true,
    ['sign', 'verify'],
  );
  const now = Date.now();
  const certificate = await X509CertificateGenerator.create({
    serialNumber: randomBytes(8)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    subject: `CN=Test OCSP ${ocspSigning ? 'responder' : 'impostor'}, O=Ban Cơ yếu Chính phủ, C=VN`,
    issuer: issuer.certificate.subject,
    publicKey: keys.publicKey,
    signingKey: await importKey(issuer.keyPem),
    notBefore: new Date(now - 30 * DAY),
    notAfter: new Date(now + 365 * DAY),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      ...(ocspSigning ? [new ExtendedKeyUsageExtension([ExtendedKeyUsage.ocspSigning], false)] : []),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64')}\n-----END PRIVATE KEY-----\n`;
  return { certificate, keyPem };
}

export type OcspAnswer = {
  /** the certificate asked about, and its issuer */
  readonly certificate: X509Certificate;
  readonly issuer: TestIdentity;
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly revokedAt?: Date;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** who signs: the issuer (default), a delegated responder (its certificate goes in the response), or any key */
  readonly signer?: Responder | { readonly keyPem: string };
  readonly hash?: 'SHA-1' | 'SHA-256';
};

function statusBlock(answer: OcspAnswer): asn1js.BaseBlock {
  if (answer.status === 'good') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
  if (answer.status === 'unknown') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
  return new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 1 },
    value: [new asn1js.GeneralizedTime({ valueDate: answer.revokedAt ?? new Date() })],
  });
}

/** The BasicOCSPResponse, DER. */
export async function basicOcspResponse(answer: OcspAnswer): Promise<Buffer> {
  const issuerCert = pkijs.Certificate.fromBER(answer.issuer.certificate.rawData);
  const certID = await pkijs.CertID.create(pkijs.Certificate.fromBER(answer.certificate.rawData), {
    hashAlgorithm: answer.hash ?? 'SHA-256',
    issuerCertificate: issuerCert,
  });
  const signer = answer.signer ?? { keyPem: answer.issuer.keyPem };
  const delegated = 'certificate' in signer ? (signer as Responder) : null;
  const signerCert = delegated ? pkijs.Certificate.fromBER(delegated.certificate.rawData) : issuerCert;
  const basic = new pkijs.BasicOCSPResponse();
  basic.tbsResponseData.responderID = signerCert.subject;
  basic.tbsResponseData.producedAt = new Date();
  basic.tbsResponseData.responses.push(
    new pkijs.SingleResponse({
      certID,
      certStatus: statusBlock(answer),
      thisUpdate: answer.thisUpdate,
      ...(answer.nextUpdate ? { nextUpdate: answer.nextUpdate } : {}),
    }),
  );
  if (delegated) basic.certs = [signerCert];
  await basic.sign(await importKey(signer.keyPem), 'SHA-256');
  return Buffer.from(basic.toSchema().toBER(false));
}

/** The OCSPResponse (status successful) around it, DER: what a responder answers over HTTP. */
export async function ocspResponse(answer: OcspAnswer): Promise<Buffer> {
  const response = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: 0 }),
    responseBytes: new pkijs.ResponseBytes({
      responseType: '1.3.6.1.5.5.7.48.1.1',
      response: new asn1js.OctetString({ valueHex: new Uint8Array(await basicOcspResponse(answer)).buffer }),
    }),
  });
  return Buffer.from(response.toSchema().toBER(false));
}
