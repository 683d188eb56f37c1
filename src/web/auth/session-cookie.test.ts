import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, readCookie, sessionCookie } from './session-cookie.ts';

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Strict, and Secure only when the hub serves TLS', () => {
    expect(sessionCookie('abc', 60.9, false)).toBe(
      'lienthong_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60',
    );
    expect(sessionCookie('abc', 60, true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toContain('Max-Age=0');
  });

  it('is read from a Cookie header among others, and not confused with look-alikes', () => {
    expect(readCookie('a=1; lienthong_session=tok; b=2', 'lienthong_session')).toBe('tok');
    expect(readCookie('xlienthong_session=tok', 'lienthong_session')).toBeUndefined();
    expect(readCookie('lienthong_session=', 'lienthong_session')).toBeUndefined();
    expect(readCookie(undefined, 'lienthong_session')).toBeUndefined();
  });
});
