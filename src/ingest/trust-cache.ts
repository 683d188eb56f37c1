import type { TrustMaterial, TrustStore } from '../signing/index.ts';

/** The trust directory is re-read at most once a minute, not once per message. */
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
