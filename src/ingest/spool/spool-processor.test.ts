import { describe, expect, it } from 'vitest';
import { readingPauseMs } from './spool-processor.ts';

const arriving = { msSinceArrival: 5, oldestAgeMs: 500, share: 0.25, maxDeferMs: 10_000 };

describe('reading gives way to arriving mail', () => {
  it('keeps its share while mail arrives: 1 ms of reading at 25% is followed by 3 ms of pause', () => {
    expect(readingPauseMs({ ...arriving, spentMs: 1 })).toBeCloseTo(3, 6);
    expect(readingPauseMs({ ...arriving, spentMs: 2, share: 0.5 })).toBeCloseTo(2, 6);
  });

  it('reads flat out once no mail has arrived for 100 ms', () => {
    expect(readingPauseMs({ ...arriving, spentMs: 4, msSinceArrival: 99 })).toBeGreaterThan(0);
    expect(readingPauseMs({ ...arriving, spentMs: 4, msSinceArrival: 100 })).toBe(0);
  });

  it('stops giving way when the oldest spooled message has waited its limit (never starved)', () => {
    expect(readingPauseMs({ ...arriving, spentMs: 4, oldestAgeMs: 9_999 })).toBeGreaterThan(0);
    expect(readingPauseMs({ ...arriving, spentMs: 4, oldestAgeMs: 10_000 })).toBe(0);
  });

  it('never pauses longer than a second, whatever one message cost, nor at all with a full share', () => {
    expect(readingPauseMs({ ...arriving, spentMs: 5_000 })).toBe(1_000);
    expect(readingPauseMs({ ...arriving, spentMs: 4, share: 1 })).toBe(0);
    expect(readingPauseMs({ ...arriving, spentMs: 1, share: 0 })).toBe(100);
  });
});
