import { cachedTrustStore, fileTrustStore, type TrustMaterial } from '../signing/index.ts';

/** The relay's view of the trust directory, re-read at most once a minute. */
export function cachedTrust(trustDir: string): () => Promise<TrustMaterial> {
  const store = cachedTrustStore(fileTrustStore([trustDir]));
  return () => store.load();
}
