import { describe, expect, it } from 'vitest';
import { eventFor, type StreamOwner } from './event-streams.ts';
import { parseNotification, type LiveEvent } from './live-events.ts';

const A = '0b0e7c1e-8f7d-4b7a-9a57-1f2e3d4c5b6a';
const B = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const ITEM = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
const owner = (agencyId: string | null): StreamOwner => ({
  credential: 'test',
  agencyId,
  sessionEndKey: null,
  stillValid: () => Promise.resolve(true),
});

describe('parseNotification', () => {
  it('reads the trigger’s payloads', () => {
    expect(parseNotification(JSON.stringify({ k: 'intake.created', id: ITEM, a: A, s: 'new' }))).toEqual({
      kind: 'intake',
      change: 'created',
      id: ITEM,
      state: 'new',
      agencyId: A,
    });
    expect(parseNotification(JSON.stringify({ k: 'relay.accepted', id: ITEM, s: 'held' }))).toEqual({
      kind: 'relay',
      change: 'held',
      id: ITEM,
    });
    expect(parseNotification(JSON.stringify({ k: 'session.ended', id: 'abcdef0123456789' }))).toEqual({
      kind: 'session-ended',
      key: 'abcdef0123456789',
    });
  });

  it('drops anything unexpected rather than passing it on', () => {
    for (const payload of [
      'not json',
      'null',
      '42',
      JSON.stringify({ k: 'intake.created', id: ITEM }), // no agency: nobody could be scoped
      JSON.stringify({ k: 'intake.created', id: ITEM, a: 'not-a-uuid' }),
      JSON.stringify({ k: 'document.registered', id: 'x'.repeat(41), a: A }),
      JSON.stringify({ k: 'something.else', id: ITEM, a: A }),
      JSON.stringify({ k: 'relay.refused' }),
    ])
      expect([payload, parseNotification(payload)]).toEqual([payload, null]);
  });
});

describe('eventFor', () => {
  const intakeOfA: LiveEvent = { kind: 'intake', change: 'created', id: ITEM, state: 'new', agencyId: A };
  const relay: LiveEvent = {
    kind: 'relay',
    change: 'delivery',
    id: ITEM,
    to: '000.00.11.H53',
    state: 'published',
  };
  const depths: LiveEvent = { kind: 'depths', inboxes: [], deadLetters: 2 };

  it('gives an agency’s stream its own agency’s events, without the agency id', () => {
    expect(eventFor(owner(A), intakeOfA)).toEqual({
      name: 'intake',
      data: { change: 'created', id: ITEM, state: 'new' },
    });
    expect(eventFor(owner(B), intakeOfA)).toBeNull();
    expect(eventFor(owner(B), { kind: 'document', change: 'registered', id: ITEM, agencyId: A })).toBeNull();
  });

  it('keeps relay events and depths for admins', () => {
    expect(eventFor(owner(A), relay)).toBeNull();
    expect(eventFor(owner(A), depths)).toBeNull();
    expect(eventFor(owner(null), relay)).toEqual({
      name: 'relay',
      data: { change: 'delivery', id: ITEM, to: '000.00.11.H53', state: 'published' },
    });
    expect(eventFor(owner(null), intakeOfA)?.name).toBe('intake');
    expect(eventFor(owner(null), depths)?.data).toEqual({ inboxes: [], deadLetters: 2 });
  });

  it('tells everyone to fetch again after a resync, and no one of a session’s end', () => {
    expect(eventFor(owner(A), { kind: 'resync' })).toEqual({ name: 'resync', data: {} });
    expect(eventFor(owner(null), { kind: 'session-ended', key: 'abc' })).toBeNull();
  });
});
