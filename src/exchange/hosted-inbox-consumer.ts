import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { resolveAgency } from '../directory/index.ts';
import { parseEdxml } from '../edxml/index.ts';
import { HubError } from '../shared/index.ts';
import {
  contentDedupKey,
  queueStatus,
  receiveIntakeItems,
  type IncomingAttachment,
} from '../registry/index.ts';
import type { BrokerConnection } from './broker-connection.ts';
import type { RelayDeps } from './relay-deps.ts';
import { moveAside, storeOrMoveAside } from './poison-messages.ts';
import { ackUnlessClosed, nackUnlessClosed } from './submit-consumer.ts';
import { settleInbox } from './inbox-names.ts';
import { EXCHANGES } from './topology.ts';

/**
 * The hub is the "partner system" of the agencies it hosts: it consumes their inboxes, turns each
 * document package into an intake item for their clerks, and answers status 01 (received) to the
 * sender the same day, as Nghị định 30 requires. Ack only after both are committed; a redelivered
 * package finds its item (dedup by sender + bytes) and its 01 already queued. A message that cannot
 * be stored for a reason of its own is moved to dead letters after a few tries (poison-messages.ts):
 * one message never stops an agency's inbox; a database outage is waited out, never counted.
 */
export type HostedInboxConsumer = { refresh(): Promise<void>; stop(): Promise<void> };

export function createHostedInboxConsumer(deps: RelayDeps, broker: BrokerConnection): HostedInboxConsumer {
  const log = deps.log.child({ component: 'hosted-inbox' });
  let channel: ConfirmChannel | undefined;
  let connection: ChannelModel | undefined;
  /** agency → the inbox queue consumed for it */
  const consuming = new Map<string, string>();
  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  async function receiveDocument(organId: string, message: ConsumeMessage): Promise<void> {
    // The inbox's code may have closed since the message was queued (a merger): its successor takes it.
    const agency = await resolveAgency(deps.prisma, organId);
    if (!agency)
      throw new HubError('EXCHANGE_AGENCY_MISSING', `hosted agency ${organId} is not in the directory`);
    const from = (message.properties.headers?.['x-lienthong-from'] as string | undefined) ?? 'unknown';
    const messageId = message.properties.messageId as string | undefined;
    const relayed = messageId
      ? await deps.prisma.relayPackage.findUnique({ where: { id: messageId } }).catch(() => null)
      : null;
    let metadata: Record<string, unknown> = {};
    let subject: string | null = null;
    let documentKey: string | null =
      (message.properties.headers?.['x-lienthong-document-id'] as string | undefined) ?? null;
    let businessType = 0;
    let quarantineReason: string | null = null;
    let attachments: IncomingAttachment[] = [];
    try {
      const pkg = parseEdxml(message.content, { withContent: true });
      if (pkg.kind === 'edoc') {
        // The clerk sees the package's files as the item's attachments (a PDF opens inline), as
        // for mail; the metadata keeps their facts, not their bytes.
        attachments = pkg.attachments.map((file) => ({
          name: file.name ?? file.contentId,
          contentType: file.contentType ?? 'application/octet-stream',
          content: Buffer.from(file.content ?? '', 'base64'),
        }));
        metadata = {
          ...pkg,
          attachments: pkg.attachments.map((file) => ({ ...file, content: undefined })),
        };
        subject = pkg.subject ?? null;
        documentKey = pkg.documentId ?? documentKey;
        businessType = pkg.businessDocType ?? 0;
      }
    } catch (error) {
      // The hub validated it at submission; this would be a package sent around the hub. Keep it.
      quarantineReason = `unreadable package: ${(error as Error).message}`;
    }
    await receiveIntakeItems(
      deps.prisma,
      { kind: 'system', component: 'exchange.hosted-inbox' },
      {
        source: 'amqp',
        raw: message.content,
        agencyIds: [agency.id],
        dedupKey: contentDedupKey(from, message.content),
        senderOrganId: from,
        documentKey,
        businessType,
        subject,
        metadata,
        verdicts: relayed ? [relayed.verdict] : [],
        quarantineReason,
        attachments,
      },
    );
    if (from === organId || from === agency.organId || from === 'unknown') return;
    await deps.prisma.$transaction(async (tx) => {
      const owed = await tx.outboxMessage.findFirst({
        where: {
          kind: 'status',
          targetOrganId: from,
          AND: [
            { headers: { path: ['statusCode'], equals: '01' } },
            { headers: { path: ['documentKey'], equals: documentKey ?? '' } },
            { headers: { path: ['fromOrganId'], equals: agency.organId } },
          ],
        },
      });
      if (!owed)
        await queueStatus(tx, {
          fromOrganId: agency.organId,
          toOrganId: from,
          code: '01',
          documentKey,
          description: 'Đã đến',
        });
    });
    deps.outboxChanged?.();
  }

  async function handle(
    open: ConfirmChannel,
    organId: string,
    queue: string,
    message: ConsumeMessage,
  ): Promise<void> {
    const messageId = message.properties.messageId as string | undefined;
    const outcome = await storeOrMoveAside({
      prisma: deps.prisma,
      log,
      stopping: () => stopping,
      fields: { organId, messageId },
      store: async () => {
        if (message.properties.type === 'edoc') await receiveDocument(organId, message);
        else log.info({ organId, type: message.properties.type as string, messageId }, 'inbox message noted');
      },
      moveAside: (reason, tries) =>
        moveAside(
          open,
          message,
          { queue, exchange: EXCHANGES.deliver, routingKey: organId },
          `Không lưu được vào hộp thư của ${organId} sau ${tries} lần thử / could not be stored for ${organId} after ${tries} tries: ${reason}`,
          tries,
        ),
    }).catch((error: unknown) => {
      // The dead-letter copy was not confirmed: the message goes back to the queue, and the
      // queue's delivery limit dead-letters it in the end if this keeps happening.
      log.error({ err: error, organId, messageId }, 'could not move a message aside; returned to the queue');
      nackUnlessClosed(open, message);
      return 'returned' as const;
    });
    if (outcome === 'stored' || outcome === 'moved-aside') ackUnlessClosed(open, message);
  }

  async function consume(open: ConfirmChannel, via: ChannelModel, organId: string): Promise<void> {
    if (consuming.has(organId)) return;
    // Before the first message is read: an inbox still under its old, guessable name is moved.
    const queue = await settleInbox(via, deps.prisma, { organId, channel: 'hosted' });
    await open.consume(queue, (message) => {
      if (!message) return;
      const work = handle(open, organId, queue, message);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    });
    consuming.set(organId, queue);
  }

  async function refresh(): Promise<void> {
    const open = channel;
    const via = connection;
    if (!open || !via) return;
    const hosted = (await deps.directory.list()).filter((a) => a.channel === 'hosted');
    for (const agency of hosted) await consume(open, via, agency.organId);
  }

  broker.onConnected(async (opened) => {
    // A confirm channel: a message is moved aside only once the broker has its dead-letter copy.
    const open = await opened.createConfirmChannel();
    open.on('error', (error: unknown) => log.warn({ err: error }, 'inbox channel error'));
    await open.prefetch(16);
    consuming.clear();
    channel = open;
    connection = opened;
    await refresh();
  });

  return {
    refresh,
    async stop() {
      stopping = true;
      await Promise.allSettled([...inFlight]);
      await channel?.close().catch(() => undefined);
    },
  };
}
