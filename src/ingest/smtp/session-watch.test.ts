import { describe, expect, it } from 'vitest';
import { breachReply, SessionWatch, type TimeLimits } from './session-watch.ts';

const LIMITS: TimeLimits = { sessionMs: 60_000, dataMs: 20_000, minBytesPerSecond: 100, rateWindowMs: 5_000 };

/** Drives a watch with a fake clock, checking every 250 ms as the listener does. */
function clock(watch: SessionWatch, start = 0) {
  let now = start;
  return {
    get now() {
      return now;
    },
    /** advances by ms, checking each 250 ms, sending bytesPerSecond during DATA; the first breach */
    run(ms: number, bytesPerSecond = 0) {
      for (const end = now + ms; now < end;) {
        now += 250;
        watch.received(bytesPerSecond / 4);
        const breach = watch.check(now);
        if (breach) return breach;
      }
      return undefined;
    },
  };
}

describe('SessionWatch', () => {
  it('ends a session at its deadline while it is between messages', () => {
    const watch = new SessionWatch(LIMITS, 0);
    const t = clock(watch);
    expect(t.run(59_750)).toBeUndefined();
    expect(t.run(250)?.kind).toBe('session');
    expect(t.now).toBe(60_000);
  });

  it('lets a message being received at a good rate finish past the session deadline, then ends the session', () => {
    const watch = new SessionWatch(LIMITS, 0);
    const t = clock(watch);
    t.run(50_000);
    watch.dataStarted(t.now);
    expect(t.run(15_000, 10_000)).toBeUndefined(); // to 65 s: past the session, within DATA
    watch.dataEnded();
    expect(t.run(5_000)).toBeUndefined(); // the hub is storing it: never cut then
    watch.replied();
    expect(t.run(250)?.kind).toBe('session');
  });

  it('does not let a message begun after the session deadline hold the session', () => {
    const watch = new SessionWatch(LIMITS, 0);
    watch.dataStarted(60_100); // the client was quick: DATA began before the next check
    expect(watch.check(60_250)?.kind).toBe('session');
  });

  it('cuts DATA at its deadline, whatever the rate', () => {
    const watch = new SessionWatch(LIMITS, 0);
    const t = clock(watch);
    watch.dataStarted(t.now);
    expect(t.run(19_750, 1_000_000)).toBeUndefined();
    expect(t.run(250, 1_000_000)?.kind).toBe('data');
  });

  it('checks the rate only once the window has passed, over the last window', () => {
    const watch = new SessionWatch(LIMITS, 0);
    const t = clock(watch);
    watch.dataStarted(t.now);
    // nothing at all for the first window: the grace, then cut
    expect(t.run(4_750)).toBeUndefined();
    expect(t.run(250)?.kind).toBe('rate');
  });

  it('judges the recent window, not the average: a burst then a stall is cut', () => {
    const watch = new SessionWatch(LIMITS, 0);
    const t = clock(watch);
    watch.dataStarted(t.now);
    expect(t.run(6_000, 100_000)).toBeUndefined(); // 600 KB in 6 s
    const breach = t.run(10_000, 0);
    expect(breach?.kind).toBe('rate');
    // cut when the last 5 s held no byte, not when the average since DATA fell under 100 B/s
    expect(t.now).toBeGreaterThanOrEqual(11_000);
    expect(t.now).toBeLessThanOrEqual(11_250);
  });

  it('keeps a sender above the rate, through a stall shorter than the window', () => {
    const watch = new SessionWatch(LIMITS, 0);
    const t = clock(watch);
    watch.dataStarted(t.now);
    expect(t.run(6_000, 150)).toBeUndefined(); // just above 100 B/s
    expect(t.run(6_000, 1_000)).toBeUndefined();
    expect(t.run(3_000, 0)).toBeUndefined(); // the last 5 s still held 2 KB: 400 B/s
    expect(t.run(2_000, 0)?.kind).toBe('rate'); // once they hold less than 500 bytes
    expect(t.now).toBe(16_750);
  });

  it('resets the rate for each message of a session', () => {
    const watch = new SessionWatch(LIMITS, 0);
    const t = clock(watch);
    watch.dataStarted(t.now);
    expect(t.run(3_000, 1_000)).toBeUndefined();
    watch.dataEnded();
    watch.replied();
    expect(t.run(10_000)).toBeUndefined(); // idle between messages: only the session deadline counts
    watch.dataStarted(t.now);
    expect(t.run(4_750, 0)).toBeUndefined(); // a new grace
    expect(t.run(250, 0)?.kind).toBe('rate');
  });

  it('with a minimum rate of 0, only the deadlines count', () => {
    const watch = new SessionWatch({ ...LIMITS, minBytesPerSecond: 0 }, 0);
    const t = clock(watch);
    watch.dataStarted(t.now);
    expect(t.run(19_750, 0)).toBeUndefined();
    expect(t.run(250)?.kind).toBe('data');
  });

  it('stays broken once broken', () => {
    const watch = new SessionWatch(LIMITS, 0);
    const breach = watch.check(60_000);
    watch.dataStarted(60_000);
    expect(watch.check(60_250)).toBe(breach);
  });

  it('answers in ASCII, saying which limit, what was kept and what to do', () => {
    for (const kind of ['session', 'data', 'rate'] as const) {
      const text = breachReply(kind, LIMITS);
      expect(text).toMatch(/^4\.4\.2 /);
      expect(text).toMatch(/^[\x20-\x7e]+$/);
      expect(text.length).toBeLessThan(200);
    }
    expect(breachReply('session', LIMITS)).toMatch(/60 s .*already answered 250 are kept.*reconnect/);
    expect(breachReply('data', LIMITS)).toMatch(/20 s.*not kept.*send it again/);
    expect(breachReply('rate', LIMITS)).toMatch(/100 bytes per second over 5 s.*not kept.*send it again/);
  });
});
