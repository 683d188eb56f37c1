/**
 * Failed sign-ins counted per username and per client address in fixed windows, in bounded
 * memory: when a table is full the key seen longest ago is dropped (a Map keeps insertion
 * order and a touched key is moved to the end). Per process: several hub processes each count
 * their own, which multiplies the limit by their number but never lifts it.
 */
export type ThrottleLimits = { maxFailures: number; windowMs: number; maxKeys: number };

export type ThrottleVerdict = { kind: 'allowed' } | { kind: 'blocked'; retryAfterSeconds: number };

type Window = { failures: number; startedAt: number };

class FailureTable {
  private readonly windows = new Map<string, Window>();
  constructor(private readonly limits: ThrottleLimits) {}

  blockedFor(key: string, now: number): number {
    const window = this.windows.get(key);
    if (!window) return 0;
    const endsAt = window.startedAt + this.limits.windowMs;
    if (endsAt <= now) {
      this.windows.delete(key);
      return 0;
    }
    return window.failures >= this.limits.maxFailures ? endsAt - now : 0;
  }

  fail(key: string, now: number): void {
    const current = this.windows.get(key);
    const window =
      current && current.startedAt + this.limits.windowMs > now ? current : { failures: 0, startedAt: now };
    window.failures += 1;
    this.windows.delete(key);
    this.windows.set(key, window);
    while (this.windows.size > this.limits.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done) break;
      this.windows.delete(oldest.value);
    }
  }

  clear(key: string): void {
    this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }
}

export type LoginThrottleOptions = { perUsername: ThrottleLimits; perAddress: ThrottleLimits };

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  // Five guesses per quarter hour per account: slow for a guesser, mild for a person who mistypes.
  perUsername: { maxFailures: 5, windowMs: 15 * 60_000, maxKeys: 10_000 },
  // An office behind one NAT address shares this one, so it is looser.
  perAddress: { maxFailures: 30, windowMs: 15 * 60_000, maxKeys: 10_000 },
};

export class LoginThrottle {
  private readonly byUsername: FailureTable;
  private readonly byAddress: FailureTable;

  constructor(options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {
    this.byUsername = new FailureTable(options.perUsername);
    this.byAddress = new FailureTable(options.perAddress);
  }

  check(username: string, address: string, now = Date.now()): ThrottleVerdict {
    const ms = Math.max(
      this.byUsername.blockedFor(username.toLowerCase(), now),
      this.byAddress.blockedFor(address, now),
    );
    return ms > 0 ? { kind: 'blocked', retryAfterSeconds: Math.ceil(ms / 1000) } : { kind: 'allowed' };
  }

  failed(username: string, address: string, now = Date.now()): void {
    this.byUsername.fail(username.toLowerCase(), now);
    this.byAddress.fail(address, now);
  }

  /** A successful sign-in clears the account's count, not the address's. */
  succeeded(username: string): void {
    this.byUsername.clear(username.toLowerCase());
  }

  get trackedKeys(): number {
    return this.byUsername.size + this.byAddress.size;
  }
}
