import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';

/**
 * A partner agency's system as it should be written against the hub: its own broker user,
 * submissions on a confirm channel kept until the broker confirms them (and published again after
 * a reconnect), its inbox consumed with manual acks and deduplicated by message_id — the hub may
 * publish a package again after it was killed between the broker's confirm and its own commit.
 * It survives broker restarts by reconnecting with back-off.
 */
export type ReceivedMessage = {
  messageId: string;
  type: string;
  from: string;
  documentId: string | null;
  content: Buffer;
};

export type ResilientPartner = {
  organId: string;
  /** Queues a submission; it is published (again) until the broker confirms it. */
  submit(body: Buffer): void;
  /** Distinct messages by message_id, in arrival order. */
  received: ReceivedMessage[];
  /** Copies that arrived again with a message_id already seen. */
  redeliveries: number;
  /** Submissions not yet confirmed by the broker. */
  unconfirmed(): number;
  reconnects(): number;
  close(): Promise<void>;
};

export async function startResilientPartner(options: {
  amqpUrl: string;
  organId: string;
  username: string;
  password: string;
  /** the inbox queue its credentials name */
  queue: string;
  /** Runs once per distinct message, before it is acked (a partner answers a document here). */
  onMessage?: (message: ReceivedMessage, partner: ResilientPartner) => void;
}): Promise<ResilientPartner> {
  const url = new URL(options.amqpUrl);
  url.username = encodeURIComponent(options.username);
  url.password = encodeURIComponent(options.password);
  url.searchParams.set('heartbeat', '5');
  const pending = new Map<string, Buffer>();
  const seen = new Set<string>();
  let connection: ChannelModel | undefined;
  let channel: ConfirmChannel | undefined;
  let closed = false;
  let reconnects = 0;

  const publish = (open: ConfirmChannel, id: string, body: Buffer) => {
    try {
      open.publish(
        'lienthong.submit',
        '',
        body,
        { persistent: true, contentType: 'application/xml', userId: options.username, messageId: id },
        (error) => {
          if (!error) pending.delete(id);
          // else: stays pending; published again on the next connection
        },
      );
    } catch {
      // the channel closed under us; the reconnect publishes it again
    }
  };

  const partner: ResilientPartner = {
    organId: options.organId,
    received: [],
    redeliveries: 0,
    submit(body) {
      const id = randomUUID();
      pending.set(id, body);
      if (channel) publish(channel, id, body);
    },
    unconfirmed: () => pending.size,
    reconnects: () => reconnects,
    async close() {
      closed = true;
      await connection?.close().catch(() => undefined);
    },
  };

  const open = async (): Promise<void> => {
    const opened = await connect(url.toString(), { timeout: 5000 });
    opened.on('error', () => undefined);
    const confirm = await opened.createConfirmChannel();
    confirm.on('error', () => undefined);
    await confirm.prefetch(64);
    await confirm.consume(options.queue, (message: ConsumeMessage | null) => {
      if (!message) return;
      const messageId = String(message.properties.messageId);
      const headers = message.properties.headers ?? {};
      if (seen.has(messageId)) {
        partner.redeliveries += 1;
      } else {
        seen.add(messageId);
        const received: ReceivedMessage = {
          messageId,
          type: String(message.properties.type),
          from: String(headers['x-lienthong-from']),
          documentId:
            typeof headers['x-lienthong-document-id'] === 'string'
              ? headers['x-lienthong-document-id']
              : null,
          content: message.content,
        };
        partner.received.push(received);
        options.onMessage?.(received, partner);
      }
      try {
        confirm.ack(message);
      } catch {
        // channel gone: the broker redelivers it and the message_id dedupes it
      }
    });
    opened.on('close', () => {
      if (connection !== opened) return;
      connection = undefined;
      channel = undefined;
      if (!closed) void reconnect();
    });
    connection = opened;
    channel = confirm;
    for (const [id, body] of pending) publish(confirm, id, body);
  };

  const reconnect = async (): Promise<void> => {
    reconnects += 1;
    for (let delay = 250; !closed; delay = Math.min(delay * 2, 2000)) {
      await new Promise((r) => setTimeout(r, delay));
      try {
        await open();
        return;
      } catch {
        // broker still down
      }
    }
  };

  await open();
  return partner;
}
