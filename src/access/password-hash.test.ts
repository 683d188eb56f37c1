import { describe, expect, it } from 'vitest';
import {
  generateOneTimePassword,
  hashPassword,
  passwordProblems,
  verifyAgainstNobody,
  verifyPassword,
} from './password-hash.ts';

describe('password hashing', () => {
  it('stores an argon2id PHC string with 19 MiB of memory, and verifies only the right password', async () => {
    const stored = await hashPassword('đúng mật khẩu 2026');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'đúng mật khẩu 2026')).toBe(true);
    expect(await verifyPassword(stored, 'đúng mật khẩu 2027')).toBe(false);
  });

  it('treats the NFC and NFD spellings of a Vietnamese password as the same', async () => {
    const stored = await hashPassword('Mật khẩu'.normalize('NFD'));
    expect(await verifyPassword(stored, 'Mật khẩu'.normalize('NFC'))).toBe(true);
  });

  it('refuses an over-long password without hashing it, and a malformed stored hash', async () => {
    const stored = await hashPassword('x'.repeat(256));
    expect(await verifyPassword(stored, 'x'.repeat(257))).toBe(false);
    expect(await verifyPassword('not a hash', 'anything')).toBe(false);
  });

  it('spends a real verification on a user that does not exist', async () => {
    await verifyAgainstNobody('warm-up');
    const stored = await hashPassword('a real password');
    const time = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    const nobody = await time(() => verifyAgainstNobody('guess'));
    const real = await time(() => verifyPassword(stored, 'guess'));
    // Same parameters, same work: within a generous factor on a busy machine.
    expect(nobody).toBeGreaterThan(real / 4);
  });

  it('generates distinct one-time passwords without look-alike characters', () => {
    const a = generateOneTimePassword();
    expect(a).toMatch(/^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
    expect(a).not.toMatch(/[01lIO]/);
    expect(generateOneTimePassword()).not.toBe(a);
  });

  it('names what is wrong with a chosen password', () => {
    expect(passwordProblems('short', 'vanthu')).toEqual([
      {
        vi: 'Mật khẩu mới: cần ít nhất 12 ký tự (một câu dễ nhớ là tốt nhất)',
        en: 'a password needs at least 12 characters',
        field: 'newPassword',
      },
    ]);
    expect(passwordProblems('vanthu-2026-secret', 'vanthu').map((p) => p.vi)).toEqual([
      'Mật khẩu mới: không được chứa tên đăng nhập',
    ]);
    expect(passwordProblems('a perfectly fine passphrase', 'vanthu')).toEqual([]);
  });
});
