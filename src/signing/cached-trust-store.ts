import type { TrustMaterial, TrustStore } from './trust-store.ts';

/**
 * A trust store read at most once a minute: anchors, intermediates, CRLs and pins change rarely,
 * and re-reading them for every package or message would cost more than the verification itself.
 * A failed read is not cached.
 */
export function cachedTrustStore(store: TrustStore, maxAgeMs = 60_000): TrustStore {
  let cached: { at: number; material: Promise<TrustMaterial> } | undefined;
  return {
    load() {
      if (!cached || Date.now() - cached.at > maxAgeMs) {
        const material = store.load();
        cached = { at: Date.now(), material };
        material.catch(() => {
          cached = undefined;
        });
      }
      return cached.material;
    },
  };
}
