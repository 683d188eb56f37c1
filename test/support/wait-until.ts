/**
 * A poll loop for tests that wait on real services: `probe` is asked every `intervalMs` until it
 * answers something truthy (returned) or `timeoutMs` passes (an error). Each test file sets the
 * pace its services need and may give one wait a longer bound.
 */
export function pollUntil(defaults: { timeoutMs: number; intervalMs: number }) {
  return async function waitUntil<T>(
    probe: () => Promise<T | null | undefined | false>,
    timeoutMs = defaults.timeoutMs,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, defaults.intervalMs));
    }
  };
}
