/**
 * Where one package stands for one recipient, as a strict state machine over QCVN 102 statuses:
 *   queued → published → received (01) → accepted (03) | rejected (02) → assigned (04)
 *   → processing (05) → finished (06); recall (13) answered by 15 (accepted) or 16 (refused);
 *   failed after the relay's retries run out.
 * Statuses travel independently and may arrive out of order or skip steps: a later status is
 * accepted in order of meaning, an earlier one arriving late is ignored (not an error), and a
 * transition that makes no sense (e.g. accepted after rejected) is refused. A failure is final
 * for the relay: no late success overwrites it (an admin resends, which starts a new attempt).
 */
export const DELIVERY_STATES = [
  'queued',
  'published',
  'received',
  'rejected',
  'accepted',
  'assigned',
  'processing',
  'finished',
  'recall_requested',
  'recall_accepted',
  'recall_refused',
  'failed',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** Order of meaning along the main line; recall states sit after the document's own progress. */
const RANK: Record<DeliveryState, number> = {
  queued: 0,
  published: 1,
  received: 2,
  rejected: 3,
  accepted: 3,
  assigned: 4,
  processing: 5,
  finished: 6,
  recall_requested: 7,
  recall_accepted: 8,
  recall_refused: 8,
  failed: 99,
};

export const STATUS_TO_STATE: Record<string, DeliveryState> = {
  '01': 'received',
  '02': 'rejected',
  '03': 'accepted',
  '04': 'assigned',
  '05': 'processing',
  '06': 'finished',
  '13': 'recall_requested',
  '15': 'recall_accepted',
  '16': 'recall_refused',
};

export type Transition =
  | { kind: 'moved'; to: DeliveryState }
  | { kind: 'ignored'; reason: string }
  | { kind: 'refused'; reason: string };

export function transition(from: DeliveryState, to: DeliveryState): Transition {
  if (from === to) return { kind: 'ignored', reason: `already ${to}` };
  if (from === 'failed')
    return { kind: 'refused', reason: 'the delivery failed; a late result does not overwrite the failure' };
  if (to === 'failed') {
    return RANK[from] >= RANK.received
      ? { kind: 'refused', reason: `the recipient already answered (${from}); it cannot fail now` }
      : { kind: 'moved', to };
  }
  if (from === 'rejected' && RANK[to] >= RANK.accepted && to !== 'recall_requested') {
    return { kind: 'refused', reason: `the recipient rejected the document; ${to} cannot follow` };
  }
  if ((from === 'recall_accepted' || from === 'recall_refused') && to !== 'recall_requested') {
    return RANK[to] > RANK[from]
      ? { kind: 'moved', to }
      : { kind: 'ignored', reason: `a recall was already answered (${from})` };
  }
  if ((to === 'recall_accepted' || to === 'recall_refused') && from !== 'recall_requested') {
    return { kind: 'refused', reason: `${to} answers a recall, but no recall was requested` };
  }
  if (RANK[to] < RANK[from] || (RANK[to] === RANK[from] && to !== from)) {
    return { kind: 'ignored', reason: `${to} arrived after ${from}; kept ${from}` };
  }
  return { kind: 'moved', to };
}

/**
 * An admin's resend (exchange/relay-admin.ts): the one way out of `failed`, which `transition`
 * refuses for every status. It starts a new attempt; anything but a failed delivery stays as it is.
 */
export function resendTransition(from: DeliveryState): Transition {
  return from === 'failed'
    ? { kind: 'moved', to: 'queued' }
    : { kind: 'ignored', reason: `only a failed delivery is resent; this one is ${from}` };
}
