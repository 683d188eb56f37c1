import type { Prisma, Transaction } from '../db/index.ts';
import type { RelayMailBounced } from '../outbound-mail/index.ts';
import type { Logger } from '../shared/index.ts';
import { STATUS_TO_STATE, transition, type DeliveryState } from './domain/delivery-state.ts';

/**
 * A status moves the delivery of the document it answers: the package sent by `originalSender`
 * (for 13, by the status sender) to the agency that sent the status. Refused transitions are kept
 * in the delivery's history and logged, never applied.
 */
/**
 * A status the hub built itself for a hosted agency (not a submitted package: no package id) moves
 * the sender's delivery once it has gone out, whichever channel carried it (broker or axis).
 */
export async function applyPublishedHubStatus(
  tx: Transaction,
  log: Logger,
  row: { kind: string; targetOrganId: string; headers: unknown },
  packageId: string | null | undefined,
): Promise<void> {
  const headers = row.headers as {
    statusCode?: string;
    fromOrganId?: string;
    documentKey?: string | null;
    description?: string;
  } | null;
  if (row.kind !== 'status' || packageId || !headers?.statusCode || !headers.fromOrganId) return;
  await applyStatusToDelivery(tx, log, {
    documentKey: headers.documentKey ?? null,
    originalSender: [row.targetOrganId],
    statusSender: headers.fromOrganId,
    code: headers.statusCode,
    ...(headers.description ? { description: headers.description } : {}),
  });
}

export async function applyStatusToDelivery(
  tx: Transaction,
  log: Logger,
  status: {
    documentKey: string | null;
    /** every code the original sender is known by (current and former: a merger may have closed the one it sent under) */
    originalSender: readonly string[];
    statusSender: string;
    /** the status sender's former codes: the delivery may be recorded under one of them */
    statusSenderFormerCodes?: readonly string[];
    code: string;
    /** the status's Description: a refusal's reason (02) is what the sender needs to read */
    description?: string;
  },
): Promise<void> {
  const to = STATUS_TO_STATE[status.code];
  if (!to || !status.documentKey) return;
  // For a recall (13) the status sender is the original sender, and every recipient's delivery moves.
  const senderCodes = [status.statusSender, ...(status.statusSenderFormerCodes ?? [])];
  const where =
    status.code === '13'
      ? { package: { kind: 'edoc', documentKey: status.documentKey, fromOrganId: { in: senderCodes } } }
      : {
          toOrganId: { in: senderCodes },
          package: {
            kind: 'edoc',
            documentKey: status.documentKey,
            fromOrganId: { in: [...status.originalSender] },
          },
        };
  const deliveries = await tx.relayDelivery.findMany({ where, select: { packageId: true, toOrganId: true } });
  const note = status.description ? `status ${status.code}: ${status.description}` : `status ${status.code}`;
  const fields = {
    statusCode: status.code,
    ...(status.description ? { description: status.description } : {}),
  };
  for (const delivery of deliveries) await moveDelivery(tx, log, delivery, to, note, undefined, fields);
}

/** Fields a history entry carries when a status moved it (migration 20261202180000 backfilled them). */
export type DeliveryHistoryStatus = { statusCode: string; description?: string };

/** One recipient's delivery of one package. */
export type DeliveryKey = { packageId: string; toOrganId: string };

/**
 * Moves one delivery through the state machine. The row is read here, locked (FOR UPDATE), not
 * taken from the caller: a status from the recipient and the sender's own "published" can land
 * at the same moment (the axis accepted, the hub's call timed out, the answer came before the
 * retry), and an update from a stale read would drop the other's move and its history entry.
 * Returns false when there is no such delivery or the move was ignored or refused.
 */
export async function moveDelivery(
  tx: Transaction,
  log: Logger,
  key: DeliveryKey,
  to: DeliveryState,
  note: string,
  lastError?: string,
  /** what a status said, as fields (the note is for people): its code and its Description */
  status?: DeliveryHistoryStatus,
): Promise<boolean> {
  const [delivery] = await tx.$queryRaw<{ state: DeliveryState; history: Prisma.JsonValue }[]>`
    SELECT state::text AS state, history FROM relay_delivery
    WHERE package_id = ${key.packageId}::uuid AND to_organ_id = ${key.toOrganId} FOR UPDATE`;
  if (!delivery) return false;
  const outcome = transition(delivery.state, to);
  const history = [
    ...(Array.isArray(delivery.history) ? delivery.history : []),
    { state: to, at: new Date().toISOString(), note, outcome: outcome.kind, ...status },
  ];
  if (outcome.kind === 'refused') {
    log.warn(
      {
        packageId: key.packageId,
        to: key.toOrganId,
        from: delivery.state,
        wanted: to,
        reason: outcome.reason,
      },
      'delivery transition refused',
    );
  }
  await tx.relayDelivery.update({
    where: { packageId_toOrganId: key },
    data: {
      history,
      ...(outcome.kind === 'moved' ? { state: outcome.to } : {}),
      ...(lastError ? { lastError } : {}),
    },
  });
  return outcome.kind === 'moved';
}

/**
 * A relay delivery sent by e-mail bounced (a DSN read by ingest): the delivery fails, through the
 * state machine, so a delivery the recipient already answered is not failed by a late bounce.
 * The port `outbound-mail` calls; main.ts hands it to ingest.
 */
export function failDeliveryOnBounce(log: Logger): RelayMailBounced {
  return async (tx, bounce) => {
    await moveDelivery(
      tx,
      log,
      { packageId: bounce.packageId, toOrganId: bounce.toOrganId },
      'failed',
      bounce.reason.slice(0, 500),
      bounce.reason,
    );
  };
}
