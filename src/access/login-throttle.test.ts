import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.ts';

const limits = {
  perUsername: { maxFailures: 3, windowMs: 60_000, maxKeys: 100 },
  perAddress: { maxFailures: 5, windowMs: 60_000, maxKeys: 100 },
};

describe('login throttle', () => {
  it('blocks a username after its failures, with the seconds left in the window', () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 3; i++) throttle.failed('VanThu', '10.0.0.1', 1000);
    expect(throttle.check('vanthu', '10.0.0.2', 1000 + 20_000)).toEqual({
      kind: 'blocked',
      retryAfterSeconds: 40,
    });
    expect(throttle.check('vanthu', '10.0.0.2', 1000 + 60_000)).toEqual({ kind: 'allowed' });
  });

  it('blocks an address that tries many usernames', () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 5; i++) throttle.failed(`user${i}`, '10.0.0.9', 0);
    expect(throttle.check('someone-else', '10.0.0.9', 1)).toMatchObject({ kind: 'blocked' });
    expect(throttle.check('someone-else', '10.0.0.8', 1)).toEqual({ kind: 'allowed' });
  });

  it('clears the account count after a success', () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 2; i++) throttle.failed('a', 'x', 0);
    throttle.succeeded('a');
    throttle.failed('a', 'x', 0);
    expect(throttle.check('a', 'y', 0)).toEqual({ kind: 'allowed' });
  });

  it('keeps memory bounded under a flood of usernames and addresses', () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 10_000; i++) throttle.failed(`u${i}`, `a${i}`, i);
    expect(throttle.trackedKeys).toBeLessThanOrEqual(200);
  });
});
