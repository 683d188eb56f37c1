/** File adapter of the key-store port: an unencrypted PEM key and its certificate, read on demand. */
import { readFile } from 'node:fs/promises';
import { HubError } from '../shared/index.ts';
import { signingKeyFromPem, type KeyStore } from './key-store.ts';

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
