import type { ChannelModel } from 'amqplib';
import type { BrokerConnection } from './broker-connection.ts';
import { createHostedInboxConsumer } from './hosted-inbox-consumer.ts';
import { createMailSender, prismaOutboundMailLog, type MailTransport } from '../outbound-mail/index.ts';
import type { RelayDeps } from './relay-deps.ts';
import { createRelayWorker, type RelayWorkerOptions } from './relay-worker.ts';
import { createSubmitConsumer } from './submit-consumer.ts';
import { settleInbox } from './inbox-names.ts';
import { assertTopology } from './topology.ts';

/**
 * The relay as one service: on every (re)connect the topology is asserted (with an inbox for
 * every hosted and partner agency), then the outbox publisher, the submission consumer and the
 * hosted agencies' inbox consumers resume. Stopping drains in-flight work before closing.
 */
export type RelayService = {
  start(): void;
  /** After the directory changed: new inboxes, new hosted agencies to consume for. */
  refresh(): Promise<void>;
  /** Publish what is due now (tests, `lienthong send`). */
  drainOutbox(): Promise<number>;
  /** New outbox rows were committed: publish without waiting for the next poll. */
  wake(): void;
  stop(): Promise<void>;
};

export function createRelayService(
  deps: RelayDeps,
  broker: BrokerConnection,
  options: {
    worker?: RelayWorkerOptions;
    /** the hub's mail transport, for agencies reached only by e-mail; none when no relay is set */
    mailTransport?: MailTransport | undefined;
    mailFrom?: string;
  } = {},
): RelayService {
  const assertAll = async (connection: ChannelModel) => {
    const channel = await connection.createChannel();
    try {
      await assertTopology(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
    const agencies = (await deps.directory.list()).filter((a) => a.channel !== 'email');
    for (const agency of agencies) await settleInbox(connection, deps.prisma, agency);
  };
  broker.onConnected(assertAll);
  const mail = createMailSender(
    deps.prisma,
    options.mailTransport,
    options.mailFrom ?? `lienthong@${deps.ownOrganId}.invalid`,
    prismaOutboundMailLog(deps.prisma, deps.log.child({ module: 'exchange.mail' })),
  );
  const worker = createRelayWorker(deps, broker, mail, options.worker);
  const submissions = createSubmitConsumer(deps, broker);
  const hosted = createHostedInboxConsumer(deps, broker);
  // Agencies added while the hub runs (CLI through the hub, the console) get their inbox, and hosted
  // ones a consumer, within half a minute.
  let refreshTimer: NodeJS.Timeout | undefined;
  const service: RelayService = {
    start() {
      worker.start();
      refreshTimer = setInterval(() => {
        service.refresh().catch((error: unknown) => deps.log.warn({ err: error }, 'relay refresh failed'));
      }, 30_000);
      refreshTimer.unref();
    },
    async refresh() {
      const connection = broker.current();
      if (connection) await assertAll(connection);
      await hosted.refresh();
    },
    drainOutbox: () => worker.drain(),
    wake: () => worker.wake(),
    async stop() {
      clearInterval(refreshTimer);
      await submissions.stop();
      await hosted.stop();
      await worker.stop();
    },
  };
  return service;
}
