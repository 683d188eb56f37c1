/**
 * The key-store port. Callers get a signing handle: a KeyObject (which never prints its bytes)
 * and the signer certificate. `file-key-store.ts` is the adapter for now; an HSM can replace it.
 */
import {
  createPrivateKey,
  createPublicKey,
  X509Certificate as NodeCertificate,
  type KeyObject,
} from 'node:crypto';
import { HubError } from '../shared/index.ts';

export type SigningKey = {
  readonly privateKey: KeyObject;
  /** Signer certificate (PEM), put in KeyInfo. */
  readonly certificatePem: string;
};

export interface KeyStore {
  signingKey(): Promise<SigningKey>;
}

/** Builds a handle from PEM text; errors name what is wrong, never the key material. */
export function signingKeyFromPem(keyPem: string | Buffer, certificatePem: string | Buffer): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch {
    throw new HubError(
      'SIGNING_KEY_UNREADABLE',
      'the private key cannot be read (expected an unencrypted PEM RSA key)',
    );
  }
  let certificate: NodeCertificate;
  try {
    certificate = new NodeCertificate(certificatePem);
  } catch {
    throw new HubError(
      'SIGNING_CERTIFICATE_UNREADABLE',
      'the signer certificate cannot be read (expected PEM)',
    );
  }
  if (privateKey.asymmetricKeyType !== 'rsa')
    throw new HubError('SIGNING_KEY_UNSUPPORTED', 'only RSA keys can sign edXML (RSA-SHA256)');
  const fromKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const fromCert = certificate.publicKey.export({ type: 'spki', format: 'der' });
  if (!fromKey.equals(fromCert))
    throw new HubError('SIGNING_KEY_CERT_MISMATCH', 'the private key does not belong to the certificate');
  return { privateKey, certificatePem: certificate.toString() };
}
