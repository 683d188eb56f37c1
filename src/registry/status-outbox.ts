import type { Transaction } from '../db/index.ts';

/**
 * Statuses a hosted agency owes the sender of an edXML package (QCVN 102: 01 received, 02 refused,
 * 03 accepted, 04 assigned, 05 processing, 06 finished) wait in the outbox, written in the same
 * transaction as the change they report; the relay turns them into status packages.
 */
export type StatusCode = '01' | '02' | '03' | '04' | '05' | '06' | '13' | '15' | '16';

export type QueuedStatus = {
  /** the agency that sends the status (OrganId) */
  fromOrganId: string;
  /** the agency it goes to: the original sender */
  toOrganId: string;
  code: StatusCode;
  /** edXML DocumentId of the package the status answers */
  documentKey: string | null;
  description: string;
  staff?: Record<string, string>;
};

export async function queueStatus(tx: Transaction, status: QueuedStatus): Promise<string> {
  const row = await tx.outboxMessage.create({
    data: {
      kind: 'status',
      targetOrganId: status.toOrganId,
      headers: {
        statusCode: status.code,
        fromOrganId: status.fromOrganId,
        documentKey: status.documentKey,
        description: status.description,
        staff: status.staff ?? {},
      },
    },
  });
  return row.id;
}

/** Statuses are owed only for packages from another system, not for mail, uploads or our own agency. */
export function owesStatus(
  item: { source: string; senderOrganId: string | null },
  ownOrganId: string,
): item is { source: string; senderOrganId: string } {
  return (
    (item.source === 'amqp' || item.source === 'http') &&
    item.senderOrganId !== null &&
    item.senderOrganId !== ownOrganId
  );
}
