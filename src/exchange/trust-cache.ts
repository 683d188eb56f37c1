import { fileTrustStore, type TrustMaterial } from '../signing/index.ts';

/**
 * The trust directory read at most once a minute: anchors, intermediates, CRLs and pins change
 * rarely, and re-reading them for every package would cost more than the verification itself.
 */
export function cachedTrust(trustDir: string, maxAgeMs = 60_000): () => Promise<TrustMaterial> {
  const store = fileTrustStore([trustDir]);
  let cached: { at: number; material: Promise<TrustMaterial> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > maxAgeMs) {
      const material = store.load();
      cached = { at: Date.now(), material };
      material.catch(() => {
        cached = undefined;
      });
    }
    return cached.material;
  };
}
