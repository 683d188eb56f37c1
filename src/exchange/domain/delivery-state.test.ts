import { describe, expect, it } from 'vitest';
import {
  DELIVERY_STATES,
  resendTransition,
  STATUS_TO_STATE,
  transition,
  type DeliveryState,
} from './delivery-state.ts';

describe('delivery state machine', () => {
  it.each<[DeliveryState, DeliveryState]>([
    ['queued', 'published'],
    ['published', 'received'],
    ['received', 'accepted'],
    ['received', 'rejected'],
    ['accepted', 'assigned'],
    ['assigned', 'processing'],
    ['processing', 'finished'],
    ['published', 'finished'],
    ['queued', 'accepted'],
    ['finished', 'recall_requested'],
    ['recall_requested', 'recall_accepted'],
    ['recall_requested', 'recall_refused'],
    ['queued', 'failed'],
    ['published', 'failed'],
  ])('moves %s → %s', (from, to) => {
    expect(transition(from, to)).toEqual({ kind: 'moved', to });
  });

  it.each<[DeliveryState, DeliveryState]>([
    ['processing', 'received'],
    ['finished', 'accepted'],
    ['accepted', 'published'],
    ['accepted', 'rejected'],
    ['received', 'received'],
  ])('ignores %s → %s (a late or repeated status)', (from, to) => {
    expect(transition(from, to).kind).toBe('ignored');
  });

  it.each<[DeliveryState, DeliveryState]>([
    ['failed', 'received'],
    ['failed', 'finished'],
    ['rejected', 'accepted'],
    ['rejected', 'finished'],
    ['accepted', 'recall_accepted'],
    ['received', 'failed'],
  ])('refuses %s → %s', (from, to) => {
    expect(transition(from, to).kind).toBe('refused');
  });

  it('never leaves failed through a status or a relay event: only the admin resend revives it', () => {
    for (const to of DELIVERY_STATES) {
      if (to === 'failed') continue;
      expect(transition('failed', to), `failed → ${to}`).toMatchObject({ kind: 'refused' });
    }
    expect(resendTransition('failed')).toEqual({ kind: 'moved', to: 'queued' });
    for (const from of DELIVERY_STATES.filter((s) => s !== 'failed'))
      expect(resendTransition(from).kind, `resend of ${from}`).toBe('ignored');
  });

  it('maps every QCVN 102 status code', () => {
    expect(Object.keys(STATUS_TO_STATE).sort()).toEqual([
      '01',
      '02',
      '03',
      '04',
      '05',
      '06',
      '13',
      '15',
      '16',
    ]);
  });
});
