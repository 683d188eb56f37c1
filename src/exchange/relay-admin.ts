import type { PrismaClient } from '../db/index.ts';
import { appendAudit, sha256Hex } from '../registry/index.ts';
import { actorLabel, agencyScope, type Actor, type Clock, said, type Said } from '../shared/index.ts';
import type { InboxState } from './broker-users.ts';
import type { AxisState } from './national/axis-service.ts';
import type { DeadLetter, DeadLetters } from './dead-letters.ts';
import { describePayload, headersForAudit, type DeadLetterPayload } from './dead-letter-payload.ts';
import { resendTransition } from './domain/delivery-state.ts';

/**
 * The relay's admin views and actions, as use cases of the module that owns its tables
 * (`relay_package`, `relay_delivery`, `outbox_message`): the HTTP routes only translate. Every
 * action writes its audit entry in the transaction of the change it records.
 */

export type ResendOutcome = { kind: 'resent'; requeued: string[] } | { kind: 'not-found' };

/**
 * Queues a package's failed deliveries again. A failure is final for the relay's own state
 * machine (no late result revives it); only this admin action, through `resendTransition`, starts
 * a new attempt — the failure stays in the delivery's history, the outbox row is pending again.
 */
export async function resendFailedDeliveries(
  prisma: PrismaClient,
  clock: Clock,
  actor: Actor,
  packageId: string,
): Promise<ResendOutcome> {
  return prisma.$transaction(async (tx) => {
    const record = await tx.relayPackage.findUnique({ where: { id: packageId }, select: { id: true } });
    if (!record) return { kind: 'not-found' } as const;
    // Locked first, as moveDelivery locks: a late status landing now is kept in the history.
    await tx.$executeRaw`SELECT 1 FROM relay_delivery WHERE package_id = ${packageId}::uuid FOR UPDATE`;
    const failed = await tx.relayDelivery.findMany({ where: { packageId, state: 'failed' } });
    const now = clock.now();
    const requeued: string[] = [];
    for (const delivery of failed) {
      const move = resendTransition(delivery.state);
      if (move.kind !== 'moved') continue;
      const history = [
        ...(Array.isArray(delivery.history) ? delivery.history : []),
        { state: move.to, at: now.toISOString(), note: `resent by ${actorLabel(actor)}`, outcome: 'moved' },
      ];
      await tx.relayDelivery.update({
        where: { packageId_toOrganId: { packageId, toOrganId: delivery.toOrganId } },
        data: { state: move.to, lastError: null, history },
      });
      await tx.outboxMessage.updateMany({
        where: {
          state: 'failed',
          targetOrganId: delivery.toOrganId,
          headers: { path: ['packageId'], equals: packageId },
        },
        data: { state: 'pending', attempts: 0, availableAt: now, lastError: null },
      });
      requeued.push(delivery.toOrganId);
    }
    if (requeued.length > 0)
      await appendAudit(tx, {
        actor: actorLabel(actor),
        action: 'relay.deliveries-resent',
        subject: `package:${packageId}`,
        data: { recipients: requeued },
      });
    return { kind: 'resent', requeued } as const;
  });
}

export type DeadLetterRequeueOutcome = 'requeued' | 'not-found' | 'not-requeueable';

/**
 * Publishes a dead letter again to where it died, audited. The entry is committed after the
 * broker confirmed the new copy and before the dead letter is acknowledged: if the entry cannot be
 * written, the dead letter stays where it was (the new copy is a duplicate its recipient's
 * duplicate check absorbs), so nothing leaves the dead-letter queue unrecorded.
 */
export async function requeueDeadLetter(
  deps: { prisma: PrismaClient; deadLetters: DeadLetters },
  actor: Actor,
  messageId: string,
): Promise<DeadLetterRequeueOutcome> {
  return deps.deadLetters.requeue(messageId, async (letter) => {
    await deps.prisma.$transaction((tx) =>
      appendAudit(tx, {
        actor: actorLabel(actor),
        action: 'relay.dead-letter-requeued',
        subject: `message:${messageId}`.slice(0, 200),
        data: {
          type: letter.type,
          from: letter.from,
          documentId: letter.documentId,
          reason: letter.reason,
          queue: letter.queue,
          exchange: letter.exchange,
          routingKeys: letter.routingKeys,
        },
      }),
    );
  });
}

export type DeadLetterView = { deadLetter: DeadLetter; payload: DeadLetterPayload };

/** One dead letter with what may be shown of its payload (dead-letter-payload.ts); null when none has the id. */
export async function readDeadLetter(
  deadLetters: DeadLetters,
  messageId: string,
): Promise<DeadLetterView | null> {
  const held = await deadLetters.read(messageId);
  if (!held) return null;
  return { deadLetter: held.letter, payload: describePayload(held.content, held.contentType) };
}

export type DeadLetterDiscardOutcome = 'discarded' | 'not-found';

/**
 * Throws a dead letter away: the one deliberate loss in a relay that otherwise loses nothing, so
 * it is recorded before it happens. The audit entry (who, why, the payload's SHA-256 and size,
 * where it was going, its headers) is committed while the broker still holds the message; only
 * then is the message acknowledged. If the entry cannot be written the dead letter stays. If the
 * acknowledgement is lost after the commit (the connection drops), the entry stands and the dead
 * letter is still listed: discarding it again writes a second entry, and nothing went unrecorded.
 */
export async function discardDeadLetter(
  deps: { prisma: PrismaClient; deadLetters: DeadLetters },
  actor: Actor,
  messageId: string,
  reason: string,
): Promise<DeadLetterDiscardOutcome> {
  return deps.deadLetters.discard(messageId, async (held) => {
    const { letter } = held;
    await deps.prisma.$transaction((tx) =>
      appendAudit(tx, {
        actor: actorLabel(actor),
        action: 'relay.dead-letter-discarded',
        subject: `message:${messageId}`.slice(0, 200),
        data: {
          reason,
          sha256: sha256Hex(held.content),
          size: held.content.length,
          type: letter.type,
          from: letter.from,
          documentId: letter.documentId,
          userId: letter.userId,
          deadReason: letter.reason,
          queue: letter.queue,
          exchange: letter.exchange,
          routingKeys: letter.routingKeys,
          contentType: held.contentType,
          headers: headersForAudit(held.headers),
        },
      }),
    );
  });
}

/** The agency (OrganId) an actor speaks for; an admin or the local CLI speaks for the hub's own. */
async function speaksFor(prisma: PrismaClient, actor: Actor, ownOrganId: string): Promise<string | null> {
  const scope = agencyScope(actor);
  if (scope === null) return ownOrganId;
  const agency = await prisma.agency.findUnique({ where: { id: scope }, select: { organId: true } });
  return agency?.organId ?? null;
}

export type PackageView = {
  package: Record<string, unknown>;
  deliveries: { toOrganId: string; state: string; lastError: string | null; updatedAt: string }[];
};

/**
 * A package and its delivery state per recipient, for its sender, its recipients and admins.
 * Another agency's package is answered exactly like a missing one (null).
 */
export async function packageForActor(
  prisma: PrismaClient,
  actor: Actor,
  ownOrganId: string,
  packageId: string,
): Promise<PackageView | null> {
  const record = await prisma.relayPackage.findUnique({
    where: { id: packageId },
    include: { deliveries: { orderBy: { toOrganId: 'asc' } } },
  });
  if (!record) return null;
  if (agencyScope(actor) !== null) {
    const organId = await speaksFor(prisma, actor, ownOrganId);
    const involved = record.fromOrganId === organId || record.deliveries.some((d) => d.toOrganId === organId);
    if (!involved) return null;
  }
  const { deliveries, ...summary } = record;
  return {
    package: { ...summary, receivedAt: summary.receivedAt.toISOString() },
    deliveries: deliveries.map((d) => ({
      toOrganId: d.toOrganId,
      state: d.state,
      lastError: d.lastError,
      updatedAt: d.updatedAt.toISOString(),
    })),
  };
}

/** The submitter a package from this actor is recorded as; null when it speaks for no agency. */
export function submitterOrganId(prisma: PrismaClient, actor: Actor, ownOrganId: string) {
  return speaksFor(prisma, actor, ownOrganId);
}

export type RelayOverview = {
  deliveries: Record<string, number>;
  outbox: { kind: string; state: string; count: number }[];
  heldPackages: number;
  inboxes: InboxState[] | { unavailable: string; words: Said };
  /** the national axis connector, when it is on: its state and its latest refusals both ways */
  nationalAxis?: AxisState & { refusals: AxisRefusal[] };
  /** channels that cannot work at all as the hub is configured, with the agencies they leave unreachable */
  channelWarnings: ChannelWarning[];
};

/** A way of delivering that cannot work as configured: nothing reaches these agencies until it is fixed. */
export type ChannelWarning = {
  channel: 'email';
  problem: 'no-mail-server';
  words: Said;
  agencies: { organId: string; name: string }[];
  /** documents waiting for them meanwhile */
  waiting: number;
};

/** A package the axis refused from us (`out`, its own text) or we refused from the axis (`in`). */
export type AxisRefusal = {
  direction: 'in' | 'out';
  at: string;
  axisDocId: string | null;
  packageId: string | null;
  from: string | null;
  to: string | null;
  reason: string;
};

async function axisRefusals(prisma: PrismaClient): Promise<AxisRefusal[]> {
  const [incoming, outgoing] = await Promise.all([
    prisma.axisReceived.findMany({
      where: { outcome: { in: ['refused', 'given-up', 'unreadable'] } },
      orderBy: { storedAt: 'desc' },
      take: 50,
    }),
    prisma.axisSent.findMany({ where: { refusal: { not: null } }, orderBy: { outboxId: 'desc' }, take: 50 }),
  ]);
  const outboxTimes = new Map(
    (
      await prisma.outboxMessage.findMany({
        where: { id: { in: outgoing.map((o) => o.outboxId) } },
        select: { id: true, createdAt: true },
      })
    ).map((o) => [o.id, o.createdAt]),
  );
  return [
    ...incoming.map((row): AxisRefusal => ({
      direction: 'in',
      at: row.storedAt.toISOString(),
      axisDocId: row.docId,
      packageId: row.packageId,
      from: row.fromOrganId,
      to: null,
      reason: row.reason ?? row.outcome,
    })),
    ...outgoing.map((row): AxisRefusal => ({
      direction: 'out',
      at: (outboxTimes.get(row.outboxId) ?? new Date(0)).toISOString(),
      axisDocId: row.axisDocId,
      packageId: row.packageId,
      from: row.fromOrganId,
      to: row.toOrganId,
      reason: row.refusal ?? '',
    })),
  ]
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, 50);
}

/** Deliveries by state, outbox rows by kind and state, held packages, each inbox's depth. */
export async function relayOverview(
  prisma: PrismaClient,
  inboxStates: ((organIds: readonly string[]) => Promise<InboxState[]>) | undefined,
  axisState?: () => Promise<AxisState>,
  channels: { mailServer: boolean } = { mailServer: true },
): Promise<RelayOverview> {
  const [byState, outbox, held, agencies] = await Promise.all([
    prisma.relayDelivery.groupBy({ by: ['state'], _count: { _all: true } }),
    prisma.outboxMessage.groupBy({ by: ['kind', 'state'], _count: { _all: true } }),
    prisma.relayPackage.count({ where: { heldReason: { not: null } } }),
    prisma.agency.findMany({ where: { channel: { in: ['hosted', 'partner'] } }, select: { organId: true } }),
  ]);
  let inboxes: RelayOverview['inboxes'] = {
    unavailable: 'no broker management API configured',
    words: said(
      'Hệ thống chưa được cấu hình để đọc trạng thái máy chủ chuyển tin (RabbitMQ management API).',
      'The hub is not configured to read the message broker’s state (RabbitMQ management API).',
    ),
  };
  if (inboxStates) {
    try {
      inboxes = await inboxStates(agencies.map((a) => a.organId));
    } catch (error) {
      inboxes = {
        unavailable: (error as Error).message,
        words: said(
          'Không đọc được trạng thái máy chủ chuyển tin lúc này; trang sẽ tự thử lại.',
          'The message broker’s state cannot be read right now; the page tries again by itself.',
        ),
      };
    }
  }
  return {
    deliveries: Object.fromEntries(byState.map((row) => [row.state, row._count._all])),
    outbox: outbox.map((row) => ({ kind: row.kind, state: row.state, count: row._count._all })),
    heldPackages: held,
    inboxes,
    ...(axisState ? { nationalAxis: { ...(await axisState()), refusals: await axisRefusals(prisma) } } : {}),
    channelWarnings: channels.mailServer ? [] : await mailChannelWarning(prisma),
  };
}

/** Agencies reached only by e-mail on a hub with no outgoing mail server: none of them can receive. */
async function mailChannelWarning(prisma: PrismaClient): Promise<ChannelWarning[]> {
  const agencies = await prisma.agency.findMany({
    where: { channel: 'email', retiredOn: null },
    select: { organId: true, name: true },
    orderBy: { organId: 'asc' },
    take: 50,
  });
  if (agencies.length === 0) return [];
  const waiting = await prisma.outboxMessage.count({ where: { kind: 'mail', state: 'pending' } });
  return [
    {
      channel: 'email',
      problem: 'no-mail-server',
      words: said(
        `Chưa cấu hình máy chủ gửi thư (biến LIENTHONG_SMTP_RELAY_URL), nên ${agencies.length} cơ quan chỉ nhận bằng thư điện tử không nhận được văn bản nào. Hãy cấu hình máy chủ thư đi rồi khởi động lại hệ thống; văn bản đang chờ sẽ được gửi đi.`,
        `No outgoing mail server is configured (LIENTHONG_SMTP_RELAY_URL), so ${agencies.length} agencies reached only by e-mail receive nothing. Configure it and restart the hub; what waits then goes out.`,
      ),
      agencies,
      waiting,
    },
  ];
}
