import { parseEdxml } from '../../edxml/index.ts';
import { isHubError } from '../../shared/index.ts';
import { applyPublishedHubStatus, moveDelivery } from '../apply-status.ts';
import { toOutboundMessage, type OutboxRow } from '../outbound-message.ts';
import type { RelayDeps } from '../relay-deps.ts';
import { queueError } from '../submit-package.ts';
import type { AxisClient, AxisMessageType, AxisSentItem } from './axis-client.ts';

/**
 * Outbox → the national axis, for agencies whose channel is `national` (the broker relay leaves
 * their rows alone). Rows are leased as the broker relay leases them (FOR UPDATE SKIP LOCKED), so
 * several hub processes share the work.
 *
 * Exactly once. The axis has no idempotency key, so before each sendEdoc the attempt is written
 * down (`axis_sent.attempt_at`); a definite answer (OK with its DocId, or FAIL) clears it in the
 * transaction that records the answer. An attempt still written down when the row comes round
 * again — a timeout, an HTTP error, a kill, all possibly after the axis took the package — is first
 * looked for in getSentEdocList: an entry from the same sender to the same recipient, of the same
 * message type and (for documents) the same code and subject, sent since the attempt, whose DocId no
 * other row already holds, is this package; only when none is found is it sent again.
 * Limits: the axis must list a package it accepted by the time we ask (its own list is the only
 * record); two ambiguous attempts of packages the list cannot tell apart (same sender, recipient,
 * code and subject, at the same time) may swap DocIds, though each is still counted once.
 *
 * A FAIL is the axis refusing the package (its own text, e.g. "Don vi gui … khong dung voi ma da
 * dang ky"): not retried; the delivery fails with that text and the sender gets an `error` message
 * like every other refusal. Anything else is retried with back-off and fails after `maxAttempts`.
 * `error` messages to an agency of the axis are not sent: the axis carries only edoc and status.
 */
export type AxisSenderOptions = {
  /** the client's deadline per call: an attempt older than this (plus a margin) is over */
  callTimeoutMs?: number;
  /** how long after a call's deadline the axis may still act on it (a slow gateway) */
  lateMarginMs?: number;
  /** how long a claimed row is this process's; well over one call's deadline */
  leaseMs?: number;
  maxAttempts?: number;
  batchSize?: number;
  /** first retry delay; doubles per attempt up to five minutes */
  retryBaseMs?: number;
  /** how far around an attempt getSentEdocList is searched (the axis's clock may differ) */
  clockSkewMs?: number;
};

export type AxisSender = {
  /** Sends what is due now; resolves with how many rows it handled. */
  drain(): Promise<number>;
};

type Claimed = OutboxRow & { attempts: number };

export function createAxisSender(
  deps: RelayDeps,
  client: AxisClient,
  options: AxisSenderOptions = {},
): AxisSender {
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  // An attempt is over once no request for it can still be on its way to the axis.
  const lateMarginMs = options.lateMarginMs ?? 5_000;
  const attemptOverMs = callTimeoutMs + lateMarginMs;
  const leaseMs = options.leaseMs ?? 2 * callTimeoutMs + 5_000;
  const maxAttempts = options.maxAttempts ?? 12;
  const batchSize = options.batchSize ?? 50;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const clockSkewMs = options.clockSkewMs ?? 2 * 60_000;
  const log = deps.log.child({ component: 'axis-sender' });

  const retryDelay = (attempts: number) =>
    Math.min(5 * 60_000, retryBaseMs * 2 ** Math.min(attempts - 1, 12));

  async function claim(): Promise<Claimed[]> {
    return deps.prisma.$queryRaw<Claimed[]>`
      UPDATE outbox_message SET available_at = now() + ${leaseMs} * interval '1 millisecond', attempts = attempts + 1
      WHERE id IN (
        SELECT o.id FROM outbox_message o
        WHERE o.state = 'pending' AND o.available_at <= now() AND o.kind = ANY(${['edoc', 'status', 'error']})
          AND o.target_organ_id IN (SELECT organ_id FROM agency WHERE channel = 'national')
        ORDER BY o.created_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, target_organ_id AS "targetOrganId", body_sha256 AS "bodySha256", headers, attempts`;
  }

  const packageIdOf = (row: OutboxRow) => (row.headers as { packageId?: string } | null)?.packageId;

  /** The axis took it: DocId kept with the attempt and the delivery, the row done. */
  async function accepted(row: Claimed, docId: string, learnt: 'answer' | 'reconciled'): Promise<void> {
    const packageId = packageIdOf(row);
    await deps.prisma.$transaction(async (tx) => {
      await tx.axisSent.update({
        where: { outboxId: row.id },
        data: {
          axisDocId: docId,
          acceptedAt: deps.clock.now(),
          attemptAt: null,
          attemptOverAt: null,
          learnt,
        },
      });
      await tx.outboxMessage.update({
        where: { id: row.id },
        data: { state: 'done', doneAt: deps.clock.now(), lastError: null },
      });
      if (packageId) {
        const delivery = { packageId, toOrganId: row.targetOrganId };
        await moveDelivery(
          tx,
          log,
          delivery,
          'published',
          `trục liên thông quốc gia đã nhận, DocId ${docId} / accepted by the national axis`,
        );
      }
      await applyPublishedHubStatus(tx, log, row, packageId);
    });
  }

  /** The axis said FAIL: final, with its own words, to the delivery and to the sender. */
  async function refused(row: Claimed, from: string, text: string): Promise<void> {
    const packageId = packageIdOf(row);
    const reason = `Trục liên thông quốc gia từ chối / refused by the national axis: ${text}`;
    await deps.prisma.$transaction(async (tx) => {
      await tx.axisSent.update({
        where: { outboxId: row.id },
        data: { attemptAt: null, refusal: text.slice(0, 2000) },
      });
      await tx.outboxMessage.update({ where: { id: row.id }, data: { state: 'failed', lastError: reason } });
      if (packageId) {
        const delivery = { packageId, toOrganId: row.targetOrganId };
        await moveDelivery(tx, log, delivery, 'failed', reason.slice(0, 500), reason);
        const documentKey = (row.headers as { documentKey?: string | null } | null)?.documentKey ?? null;
        const sender = await tx.agency.findUnique({ where: { organId: from }, select: { channel: true } });
        if (sender && sender.channel !== 'national')
          await queueError(tx, from, { packageId, documentId: documentKey, reasons: [reason] });
      }
    });
    log.warn(
      { outboxId: row.id, packageId, to: row.targetOrganId, reason: text },
      'national axis refused a package',
    );
    deps.outboxChanged?.();
  }

  async function retryLater(row: Claimed, error: string): Promise<void> {
    if (row.attempts < maxAttempts) {
      await deps.prisma.outboxMessage.update({
        where: { id: row.id },
        data: {
          lastError: error,
          availableAt: new Date(deps.clock.now().getTime() + retryDelay(row.attempts)),
        },
      });
      return;
    }
    const packageId = packageIdOf(row);
    log.error({ outboxId: row.id, packageId, to: row.targetOrganId, error }, 'national axis: gave up');
    await deps.prisma.$transaction(async (tx) => {
      await tx.outboxMessage.update({ where: { id: row.id }, data: { state: 'failed', lastError: error } });
      if (packageId) {
        const delivery = { packageId, toOrganId: row.targetOrganId };
        await moveDelivery(tx, log, delivery, 'failed', `gave up after ${row.attempts} attempts`, error);
      }
    });
  }

  /** The axis's clock and format: Vietnam time, `yyyy-MM-dd HH:mm:ss`. */
  const axisTime = (at: number) => {
    const local = new Date(at + 7 * 3_600_000).toISOString();
    return `${local.slice(0, 10)} ${local.slice(11, 19)}`;
  };

  /** One page of getSentEdocList, asked again twice if the axis fails to answer. */
  async function sentPage(input: Parameters<AxisClient['getSentEdocList']>[0]): Promise<AxisSentItem[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.getSentEdocList(input);
      } catch (error) {
        if (attempt >= 3 || isHubError(error, 'EXCHANGE_AXIS_REFUSED')) throw error;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  /** The earlier, unanswered attempt, if the axis lists it as sent between its start and its end. */
  async function findEarlierAttempt(sent: {
    fromOrganId: string;
    toOrganId: string;
    messageType: string;
    notation: string | null;
    title: string | null;
    attemptAt: Date;
    attemptOverAt: Date | null;
  }): Promise<string | null> {
    const start = sent.attemptAt.getTime();
    const end = sent.attemptOverAt?.getTime() ?? start + attemptOverMs;
    const window = { fromDate: axisTime(start - clockSkewMs), toDate: axisTime(end + clockSkewMs) };
    const candidates: AxisSentItem[] = [];
    for (let pageIndex = 1; pageIndex <= 100; pageIndex++) {
      const page = await sentPage({
        messageType: sent.messageType as AxisMessageType,
        ...window,
        pageIndex,
        pageSize: 500,
      });
      candidates.push(...page);
      if (page.length < 500) break;
    }
    const matching = candidates.filter(
      (item) =>
        item.senderDocId !== null &&
        (item.fromCode === null || item.fromCode === sent.fromOrganId) &&
        (item.toCode === null || item.toCode.includes(sent.toOrganId)) &&
        (item.messageType === null || item.messageType.toLowerCase() === sent.messageType) &&
        (sent.notation === null || !item.notation || item.notation === sent.notation) &&
        (sent.title === null || !item.title || item.title === sent.title),
    );
    if (matching.length === 0) return null;
    const taken = await deps.prisma.axisSent.findMany({
      where: { axisDocId: { in: matching.map((m) => m.senderDocId ?? '') } },
      select: { axisDocId: true },
    });
    const held = new Set(taken.map((t) => t.axisDocId));
    return matching.find((m) => !held.has(m.senderDocId))?.senderDocId ?? null;
  }

  async function send(row: Claimed): Promise<void> {
    if (row.kind === 'error') {
      await deps.prisma.outboxMessage.update({
        where: { id: row.id },
        data: {
          state: 'done',
          doneAt: deps.clock.now(),
          lastError: 'not sent: the national axis carries no error messages',
        },
      });
      return;
    }
    let message;
    try {
      message = await toOutboundMessage(deps.prisma, row, deps.ownOrganId, deps.clock.now());
    } catch (error) {
      await retryLater({ ...row, attempts: maxAttempts }, (error as Error).message);
      return;
    }
    const messageType: AxisMessageType = message.type === 'status' ? 'status' : 'edoc';
    let sent = await deps.prisma.axisSent.findUnique({ where: { outboxId: row.id } });
    if (!sent) {
      let notation: string | null = null;
      let title: string | null = null;
      // What getSentEdocList shows of it: a document's code and subject, a status's code and description.
      try {
        const pkg = parseEdxml(message.body);
        if (pkg.kind === 'edoc') {
          const code = [pkg.code.number, pkg.code.notation].filter(Boolean).join('/');
          notation = code ? code.slice(0, 200) : null;
          title = pkg.subject?.slice(0, 500) ?? null;
        } else {
          notation = pkg.responseFor.code?.slice(0, 200) ?? null;
          title = pkg.description?.slice(0, 500) ?? null;
        }
      } catch {
        // the submit path read it; an unreadable body here is matched without code and subject
      }
      sent = await deps.prisma.axisSent.create({
        data: {
          outboxId: row.id,
          packageId: packageIdOf(row) ?? null,
          fromOrganId: message.from.slice(0, 20),
          toOrganId: row.targetOrganId,
          messageType,
          notation,
          title,
        },
      });
    }
    if (sent.axisDocId) {
      await accepted(row, sent.axisDocId, sent.learnt === 'reconciled' ? 'reconciled' : 'answer');
      return;
    }
    if (sent.attemptAt) {
      // Reconcile only once no attempt that getSentEdocList could confuse with this one — this
      // row's or another's with the same sender, recipient, code and subject — may still be on its
      // way: a request in flight may be accepted after we looked.
      const now = deps.clock.now();
      const inFlight = await deps.prisma.axisSent.findMany({
        where: {
          fromOrganId: sent.fromOrganId,
          toOrganId: sent.toOrganId,
          messageType: sent.messageType,
          notation: sent.notation,
          title: sent.title,
          axisDocId: null,
          OR: [
            { attemptOverAt: { gt: now } },
            { attemptOverAt: null, attemptAt: { gt: new Date(now.getTime() - attemptOverMs) } },
          ],
        },
        select: { attemptAt: true, attemptOverAt: true },
      });
      if (inFlight.length > 0) {
        const over = Math.max(
          ...inFlight.map((a) => a.attemptOverAt?.getTime() ?? (a.attemptAt?.getTime() ?? 0) + attemptOverMs),
        );
        await deps.prisma.outboxMessage.update({
          where: { id: row.id },
          data: { attempts: { decrement: 1 }, availableAt: new Date(over + 50) },
        });
        return;
      }
      let earlier: string | null;
      try {
        earlier = await findEarlierAttempt({ ...sent, attemptAt: sent.attemptAt });
      } catch (error) {
        // Not an attempt of its own: it neither counts towards giving up (a package the axis may
        // hold is never failed for want of an answer to the check) nor backs off for long.
        await deps.prisma.outboxMessage.update({
          where: { id: row.id },
          data: {
            attempts: { decrement: 1 },
            lastError: `could not check an earlier attempt: ${(error as Error).message}`.slice(0, 2000),
            availableAt: new Date(deps.clock.now().getTime() + Math.min(30_000, retryBaseMs * 5)),
          },
        });
        return;
      }
      if (earlier) {
        log.info({ outboxId: row.id, docId: earlier }, 'an earlier attempt had reached the national axis');
        await accepted(row, earlier, 'reconciled');
        return;
      }
    }
    await deps.prisma.axisSent.update({
      where: { outboxId: row.id },
      data: { attemptAt: deps.clock.now(), attemptOverAt: null },
    });
    try {
      // One copy per recipient: the `to` header keeps the axis from routing this copy to every To.
      const { docId } = await client.sendEdoc({
        from: message.from,
        to: [row.targetOrganId],
        messageType,
        body: message.body,
      });
      await accepted(row, docId, 'answer');
    } catch (error) {
      if (isHubError(error, 'EXCHANGE_AXIS_REFUSED')) {
        await refused(row, message.from, error.message);
        return;
      }
      // An answer (HTTP 500, unreadable JSON) ends the attempt now; after a timeout the axis may
      // still act on it for a while.
      const timedOut = isHubError(error) && error.details?.timedOut === true;
      await deps.prisma.axisSent.update({
        where: { outboxId: row.id },
        data: { attemptOverAt: new Date(deps.clock.now().getTime() + (timedOut ? lateMarginMs : 0)) },
      });
      await retryLater(row, (error as Error).message);
    }
  }

  return {
    async drain() {
      const rows = await claim();
      await Promise.all(
        rows.map((row) =>
          send(row).catch((error: unknown) => {
            // The lease runs out and the row comes round again; an attempt written down is reconciled then.
            log.warn({ err: error, outboxId: row.id }, 'national axis: could not settle a row');
          }),
        ),
      );
      return rows.length;
    },
  };
}
