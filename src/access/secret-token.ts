import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets (session cookies, partner API tokens): 256 random bits, shown once; only the
 * sha256 is stored, so a copy of the database does not let anyone sign in.
 */
export type IssuedSecret = { secret: string; sha256: string };

export function issueSecret(prefix = ''): IssuedSecret {
  const secret = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { secret, sha256: sha256Hex(secret) };
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Equality that takes the same time wherever the strings differ (CSRF tokens, the control token). */
export function constantTimeEquals(given: string, expected: string): boolean {
  // Comparing digests keeps the time independent of the lengths as well.
  return timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(expected).digest(),
  );
}
