import { describe, expect, it } from 'vitest';
import { createAlertTracker, ingestConditions, type AlertCondition } from './ingest-alerts.ts';
import type { PolledMailbox } from './ingest-sources.ts';

const down = (active: boolean): AlertCondition => ({
  key: 'imap:so-tc',
  active,
  subject: 'mailbox so-tc unreachable',
  detail: 'connection refused',
});

describe('admin alerts about states', () => {
  it('alerts once a condition has lasted the grace period, once per episode, and says when it ends', () => {
    const tracker = createAlertTracker({ graceMs: 60_000 });
    expect(tracker.observe([down(true)], 0)).toEqual([]);
    expect(tracker.observe([down(true)], 59_999)).toEqual([]);
    const raised = tracker.observe([down(true)], 120_000);
    expect(raised).toEqual([
      {
        subject: 'mailbox so-tc unreachable',
        text: 'connection refused\n\nTình trạng kéo dài 2 phút / lasting 2 min.',
      },
    ]);
    expect(tracker.observe([down(true)], 600_000)).toEqual([]);
    expect(tracker.observe([down(false)], 660_000)).toEqual([
      {
        subject: 'Đã trở lại bình thường / resolved: mailbox so-tc unreachable',
        text: 'Tình trạng đã kết thúc / The condition is over: mailbox so-tc unreachable',
      },
    ]);
    expect(tracker.observe([down(false)], 700_000)).toEqual([]);
  });

  it('says nothing about a blip shorter than the grace period, and starts a new episode after it', () => {
    const tracker = createAlertTracker({ graceMs: 60_000 });
    tracker.observe([down(true)], 0);
    expect(tracker.observe([down(false)], 30_000)).toEqual([]);
    expect(tracker.observe([down(true)], 40_000)).toEqual([]);
    expect(tracker.observe([down(true)], 99_999)).toEqual([]);
    expect(tracker.observe([down(true)], 100_000)).toHaveLength(1);
  });

  it('a condition that disappears from the list (a mailbox removed) ends like one that cleared', () => {
    const tracker = createAlertTracker({ graceMs: 0 });
    expect(tracker.observe([down(true)], 0)).toHaveLength(1);
    expect(tracker.observe([], 1)).toEqual([
      expect.objectContaining({ subject: expect.stringContaining('resolved') as string }),
    ]);
  });
});

describe('the conditions of mail ingest', () => {
  const mailbox = (up: boolean): PolledMailbox => ({
    name: 'so-tc',
    agency: '000.00.11.H53',
    host: 'imap.stc.example.vn',
    folder: 'INBOX',
    health: () => ({
      up,
      lastSuccessAt: null,
      lastError: up ? null : { at: new Date('2026-11-26T01:00:00Z'), message: 'connect ECONNREFUSED' },
    }),
  });

  it('a mailbox is down while its poller holds no session; the spool by its failed and pending counts', () => {
    const quiet = ingestConditions({
      mailboxes: [mailbox(true)],
      backlog: { pending: 10, failed: 0, oldestAgeSeconds: 1 },
      spoolMax: 100,
    });
    expect(quiet.map((c) => [c.key, c.active])).toEqual([
      ['imap:so-tc', false],
      ['spool:store', false],
      ['spool:full', false],
    ]);
    const trouble = ingestConditions({
      mailboxes: [mailbox(false)],
      backlog: { pending: 100, failed: 3, oldestAgeSeconds: 95 },
      spoolMax: 100,
    });
    expect(trouble.map((c) => c.active)).toEqual([true, true, true]);
    expect(trouble[0]?.detail).toContain('connect ECONNREFUSED (2026-11-26T01:00:00.000Z)');
    expect(trouble[1]?.detail).toContain('3 acknowledged messages failed to be stored');
    expect(trouble[2]?.detail).toContain('100 messages wait to be read (limit 100)');
  });
});
