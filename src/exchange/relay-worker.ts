import type { ConfirmChannel, Message } from 'amqplib';
import type { BrokerConnection } from './broker-connection.ts';
import { applyPublishedHubStatus, moveDelivery } from './apply-status.ts';
import { settleInbox } from './inbox-names.ts';
import { EXCHANGES } from './topology.ts';
import type { MailSender } from '../outbound-mail/index.ts';
import { toOutboundMessage, type OutboxRow } from './outbound-message.ts';
import type { RelayDeps } from './relay-deps.ts';

/**
 * Outbox → `lienthong.deliver`. Rows are leased with FOR UPDATE SKIP LOCKED, so several hub
 * processes share the work without publishing a row twice at once; a lease left by a killed
 * process expires and another publishes the row again (consumers deduplicate by message_id).
 * A row is done only after the broker confirms it; an unroutable message (mandatory flag, no
 * inbox bound) is retried after asserting the inbox. Retries back off; after the last one the row
 * and its delivery are failed, with the reason, for an admin to resend. Rows for agencies reached
 * through the national axis are the axis sender's (national/axis-sender.ts), never published here.
 */
export type RelayWorkerOptions = {
  leaseMs?: number;
  confirmTimeoutMs?: number;
  maxAttempts?: number;
  batchSize?: number;
  idleDelayMs?: number;
};

export type RelayWorker = {
  start(): void;
  stop(): Promise<void>;
  /** publishes what is due now; for tests */ drain(): Promise<number>;
  /** ends the idle wait: new outbox rows were committed */
  wake(): void;
};

const BROKER_KINDS = ['edoc', 'status', 'error'];
const MAIL_KINDS = ['mail'];

export function backoffMs(attempts: number): number {
  return Math.min(5 * 60_000, 1000 * 2 ** Math.min(attempts, 10));
}

export function createRelayWorker(
  deps: RelayDeps,
  broker: BrokerConnection,
  mail: MailSender,
  options: RelayWorkerOptions = {},
): RelayWorker {
  const leaseMs = options.leaseMs ?? 60_000;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 15_000;
  const maxAttempts = options.maxAttempts ?? 12;
  const batchSize = options.batchSize ?? 100;
  const idleDelayMs = options.idleDelayMs ?? 250;
  const log = deps.log.child({ component: 'relay-worker' });
  let channel: ConfirmChannel | undefined;
  let returned = new Set<string>();
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  broker.onConnected(async (connection) => {
    const opened = await connection.createConfirmChannel();
    opened.on('return', (message: Message) => {
      const id = message.properties.messageId as string | undefined;
      if (id) returned.add(id);
    });
    opened.on('error', (error: unknown) => log.warn({ err: error }, 'relay channel error'));
    opened.on('close', () => {
      if (channel === opened) channel = undefined;
    });
    channel = opened;
    wake?.();
  });

  /** Without a broker connection only mail can go out; broker rows wait, durable, in the outbox. */
  async function claim(kinds: string[]): Promise<(OutboxRow & { attempts: number })[]> {
    return deps.prisma.$queryRaw<(OutboxRow & { attempts: number })[]>`
      UPDATE outbox_message SET available_at = now() + ${leaseMs} * interval '1 millisecond', attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM outbox_message
        WHERE state = 'pending' AND available_at <= now() AND kind = ANY(${kinds})
          AND target_organ_id NOT IN (SELECT organ_id FROM agency WHERE channel = 'national')
        ORDER BY created_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, target_organ_id AS "targetOrganId", body_sha256 AS "bodySha256", headers, attempts`;
  }

  function publish(
    open: ConfirmChannel,
    message: Awaited<ReturnType<typeof toOutboundMessage>>,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no broker confirm within ${confirmTimeoutMs} ms`)),
        confirmTimeoutMs,
      );
      open.publish(
        EXCHANGES.deliver,
        message.routingKey,
        message.body,
        {
          persistent: true,
          mandatory: true,
          messageId: message.messageId,
          type: message.type,
          contentType: message.contentType,
          timestamp: Math.floor(Date.now() / 1000),
          headers: {
            'x-lienthong-from': message.from,
            ...(message.documentKey ? { 'x-lienthong-document-id': message.documentKey } : {}),
          },
        },
        (error) => {
          clearTimeout(timer);
          if (error) reject(error instanceof Error ? error : new Error(String(error)));
          else resolve();
        },
      );
    });
  }

  async function settle(row: OutboxRow & { attempts: number }, error: string | null): Promise<void> {
    const packageId = (row.headers as { packageId?: string } | null)?.packageId;
    if (error === null) {
      await deps.prisma.$transaction(async (tx) => {
        await tx.outboxMessage.update({
          where: { id: row.id },
          data: { state: 'done', doneAt: deps.clock.now(), lastError: null },
        });
        // Every submitted package has a delivery per recipient, a status package too (it stayed
        // `queued` on the relay view when only documents moved theirs).
        if (packageId) {
          const delivery = { packageId, toOrganId: row.targetOrganId };
          const note = row.kind === 'mail' ? 'handed to the mail server' : 'broker confirmed';
          await moveDelivery(tx, log, delivery, 'published', note);
        }
        // A status a hosted agency owed (built by the hub, not submitted) moves the sender's delivery now.
        await applyPublishedHubStatus(tx, log, row, packageId);
      });
      return;
    }
    const attempts = row.attempts;
    if (attempts < maxAttempts) {
      await deps.prisma.outboxMessage.update({
        where: { id: row.id },
        data: { lastError: error, availableAt: new Date(deps.clock.now().getTime() + backoffMs(attempts)) },
      });
      return;
    }
    log.error({ outboxId: row.id, packageId, to: row.targetOrganId, error }, 'relay gave up');
    await deps.prisma.$transaction(async (tx) => {
      await tx.outboxMessage.update({ where: { id: row.id }, data: { state: 'failed', lastError: error } });
      if (packageId) {
        const delivery = { packageId, toOrganId: row.targetOrganId };
        await moveDelivery(tx, log, delivery, 'failed', `gave up after ${attempts} attempts`, error);
      }
    });
  }

  async function sendToBroker(
    open: ConfirmChannel,
    row: OutboxRow & { attempts: number },
    now: Date,
  ): Promise<void> {
    let message;
    try {
      // Queued before a merger closed the recipient's code: published to the code's successor.
      const current = (await deps.directory.find(row.targetOrganId))?.organId ?? row.targetOrganId;
      message = await toOutboundMessage(
        deps.prisma,
        { ...row, targetOrganId: current },
        deps.ownOrganId,
        now,
      );
    } catch (error) {
      // A row that cannot become a message never will: fail it now, with the reason.
      await settle({ ...row, attempts: maxAttempts }, (error as Error).message);
      return;
    }
    try {
      returned.delete(message.messageId);
      await publish(open, message);
      if (returned.has(message.messageId)) {
        returned.delete(message.messageId);
        // No inbox bound for the recipient (yet): make it, and try again later.
        const connection = broker.current();
        const recipient = await deps.directory.find(row.targetOrganId);
        if (connection && recipient && (recipient.channel === 'hosted' || recipient.channel === 'partner'))
          await settleInbox(connection, deps.prisma, recipient).catch(() => undefined);
        await settle(row, `unroutable: no inbox queue bound for ${row.targetOrganId}`);
        return;
      }
      await settle(row, null);
    } catch (error) {
      await settle(row, (error as Error).message);
    }
  }

  async function sendByMail(row: OutboxRow & { attempts: number }): Promise<void> {
    try {
      await mail(row);
      await settle(row, null);
    } catch (error) {
      await settle(row, (error as Error).message);
    }
  }

  async function drain(): Promise<number> {
    const open = channel;
    const rows = await claim(open ? [...BROKER_KINDS, ...MAIL_KINDS] : MAIL_KINDS);
    const now = deps.clock.now();
    await Promise.all(
      rows.map((row) => (row.kind === 'mail' || !open ? sendByMail(row) : sendToBroker(open, row, now))),
    );
    return rows.length;
  }

  async function run(): Promise<void> {
    while (running) {
      let published = 0;
      try {
        published = await drain();
      } catch (error) {
        log.warn({ err: error }, 'relay pass failed; retrying');
      }
      // stop() may have cleared `running` while drain() awaited.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (published === 0 && running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleDelayMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      returned = new Set();
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await channel?.close().catch(() => undefined);
      channel = undefined;
    },
    drain,
    wake: () => wake?.(),
  };
}
