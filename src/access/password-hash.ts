import { said, type Said } from '../shared/index.ts';
import { randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Passwords are hashed with argon2id (memory-hard), with OWASP's 2024 minimum of 19 MiB, two
 * passes, one lane. @node-rs/argon2 runs on libuv's thread pool, so a sign-in does not stall the
 * event loop the way a WebAssembly hash on the main thread would.
 */
// The library's default algorithm is argon2id (its `Algorithm` is a const enum, which isolated
// modules cannot reference); password-hash.test.ts pins that the stored string says argon2id.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Longer inputs are refused before hashing, so a megabyte "password" cannot cost the hub anything. */
export const MAX_PASSWORD_LENGTH = 256;
export const MIN_PASSWORD_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(passwordHash, password.normalize('NFC'));
  } catch {
    // A malformed stored hash refuses, like a wrong password; it never signs anyone in.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Work as long as a real verification, for a username that does not exist, so the answer's
 * timing does not tell which usernames are real.
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummyHash ??= hashPassword('no such user; this hash only burns time');
  await verifyPassword(await dummyHash, password);
  return false;
}

// No 0/O, 1/l/I: the one-time password is read off a terminal and typed by a person.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 20 characters from 55 ≈ 115 bits, grouped in fives for reading aloud. */
export function generateOneTimePassword(): string {
  const chars = Array.from({ length: 20 }, () => ALPHABET[randomInt(ALPHABET.length)] ?? 'x');
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

/** A rule the new password breaks, in words; `field` is the request field it is about. */
export type PasswordProblem = Said;

/** Rules for a password a person chooses (the one-time password is generated, not checked here). */
export function passwordProblems(password: string, username: string): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  if (password.length < MIN_PASSWORD_LENGTH)
    problems.push(
      said(
        `Mật khẩu mới: cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự (một câu dễ nhớ là tốt nhất)`,
        `a password needs at least ${MIN_PASSWORD_LENGTH} characters`,
        'newPassword',
      ),
    );
  if (password.length > MAX_PASSWORD_LENGTH)
    problems.push(
      said(
        `Mật khẩu mới: tối đa ${MAX_PASSWORD_LENGTH} ký tự`,
        `a password has at most ${MAX_PASSWORD_LENGTH} characters`,
        'newPassword',
      ),
    );
  if (password.toLowerCase().includes(username.toLowerCase()))
    problems.push(
      said(
        'Mật khẩu mới: không được chứa tên đăng nhập',
        'a password must not contain the username',
        'newPassword',
      ),
    );
  return problems;
}
