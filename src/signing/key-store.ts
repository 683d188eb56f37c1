/**
 * The key-store port and its file adapter. Callers get a signing handle: a KeyObject (which
 * never prints its bytes) and the signer certificate. An HSM adapter can replace this later.
 */
import {
  createPrivateKey,
  createPublicKey,
  X509Certificate as NodeCertificate,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HubError } from '../shared/hub-error.ts';

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

export function fileKeyStore(paths: {
  readonly keyPath: string;
  readonly certificatePath: string;
}): KeyStore {
  return {
    async signingKey() {
      const [key, certificate] = await Promise.all([
        readFile(paths.keyPath).catch((error: unknown) => {
          throw new HubError('SIGNING_KEY_UNREADABLE', `cannot read key file ${paths.keyPath}`, {
            cause: error,
          });
        }),
        readFile(paths.certificatePath).catch((error: unknown) => {
          throw new HubError(
            'SIGNING_CERTIFICATE_UNREADABLE',
            `cannot read certificate file ${paths.certificatePath}`,
            { cause: error },
          );
        }),
      ]);
      return signingKeyFromPem(key, certificate);
    },
  };
}
