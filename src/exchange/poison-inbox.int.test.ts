import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/hub-process.ts';
import { documentPackage } from '../../test/support/relay-fixtures.ts';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { createTestVhost, type TestVhost } from '../../test/support/test-broker.ts';
import { openDatabase, type Database, type PrismaClient } from '../db/index.ts';
import { createPrismaAgencyDirectory, type AgencyDirectory } from '../directory/index.ts';
import {
  privatePostgresAvailable,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../ingest/test-support/private-postgres.ts';
import { systemClock } from '../shared/clock.ts';
import { contentDedupKey } from '../registry/index.ts';
import { createSilentLogger } from '../shared/logger.ts';
import { memoryTrustStore } from '../signing/index.ts';
import { createBrokerConnection, type BrokerConnection } from './broker-connection.ts';
import { createDeadLetters } from './dead-letters.ts';
import { createRelayService, type RelayService } from './relay-service.ts';
import { inboxQueueOf } from './inbox-names.ts';
import { EXCHANGES, QUEUES } from './topology.ts';
import { pollUntil } from '../../test/support/wait-until.ts';

// Issue 13, defect 1: one package the hub could not store for a hosted agency was retried every
// 2 s for ever, and 16 of them (the consumer's prefetch) stopped the agency's inbox for good. The
// inbox consumer must move such a message aside (a dead letter with the reason, requeueable) and
// go on, and must still wait out a database outage without losing or dead-lettering anything.

const HUB = '000.00.00.H53';
const A = '000.00.11.H53';

const waitUntil = pollUntil({ timeoutMs: 30_000, intervalMs: 200 });

async function seedDirectory(prisma: PrismaClient): Promise<AgencyDirectory> {
  const directory = createPrismaAgencyDirectory(prisma);
  await directory.upsertAll([
    {
      organId: HUB,
      name: 'UBND tỉnh',
      channel: 'hosted',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
    {
      organId: A,
      name: 'Sở Tài chính',
      channel: 'partner',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
  ]);
  return directory;
}

function startRelay(prisma: PrismaClient, directory: AgencyDirectory, amqpUrl: string) {
  const log = createSilentLogger();
  const broker = createBrokerConnection({ url: amqpUrl, log });
  const trust = memoryTrustStore({ anchors: [], intermediates: [], crls: [], pins: new Map() });
  const relay = createRelayService(
    {
      prisma,
      directory,
      trust: () => trust.load(),
      clock: systemClock,
      log,
      ownOrganId: HUB,
      maxMessageBytes: 5_000_000,
    },
    broker,
    { worker: { idleDelayMs: 50 } },
  );
  broker.start();
  relay.start();
  return { broker, relay };
}

/**
 * What the hub's relay worker does: publish a package into a hosted agency's inbox. These bodies
 * never went through the submit path (sent before this fix, or around the hub).
 */
async function openInboxPublisher(amqpUrl: string) {
  const connection: ChannelModel = await connect(amqpUrl);
  const channel: ConfirmChannel = await connection.createConfirmChannel();
  return {
    publish(body: Buffer, messageId = randomUUID()): Promise<string> {
      return new Promise((resolve, reject) => {
        channel.publish(
          EXCHANGES.deliver,
          HUB,
          body,
          {
            persistent: true,
            messageId,
            type: 'edoc',
            contentType: 'application/xml',
            headers: { 'x-lienthong-from': A },
          },
          (error) =>
            error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(messageId),
        );
      });
    },
    async depth(queue: string): Promise<number> {
      return (await channel.checkQueue(queue)).messageCount;
    },
    close: () => connection.close(),
  };
}

/** A package with a raw NUL in its subject, as a partner's software produced it. */
function nulPackage(): Buffer {
  const body = documentPackage({ from: A, to: [HUB], subject: 'NULMARK V/v báo cáo' });
  const at = body.indexOf('NULMARK');
  body[at + 3] = 0;
  return body;
}

const storedItem = (prisma: PrismaClient, subject: string) =>
  prisma.intakeItem.findFirst({ where: { subject } });

describe('a hosted agency’s inbox with messages the hub cannot store', () => {
  let db: TestDatabase;
  let vhost: TestVhost;
  let prisma: PrismaClient;
  let broker: BrokerConnection;
  let relay: RelayService;
  let publisher: Awaited<ReturnType<typeof openInboxPublisher>>;

  beforeAll(async () => {
    [db, vhost] = await Promise.all([createTestDatabase('poison'), createTestVhost('poison')]);
    prisma = prismaFor(db.url);
    // A fault of the real database, not of a mock: PostgreSQL refuses the item the way it refused
    // a NUL (22021), for every subject that starts with POISON. The hub's code is not told.
    await prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.subject LIKE 'POISON%' THEN
          RAISE EXCEPTION 'invalid byte sequence for encoding "UTF8": 0x00' USING ERRCODE = '22021';
        END IF;
        RETURN NEW;
      END $$`);
    await prisma.$executeRawUnsafe(
      'CREATE TRIGGER refuse_poison BEFORE INSERT ON intake_item FOR EACH ROW EXECUTE FUNCTION refuse_poison()',
    );
    const directory = await seedDirectory(prisma);
    ({ broker, relay } = startRelay(prisma, directory, vhost.amqpUrl));
    await waitUntil(() => Promise.resolve(broker.state().kind === 'up'));
    publisher = await openInboxPublisher(vhost.amqpUrl);
  });

  afterAll(async () => {
    await publisher.close();
    await relay.stop();
    await broker.stop();
    await prisma.$disconnect();
    await Promise.all([db.drop(), vhost.drop()]);
  });

  it('moves a message it cannot store aside after a few tries, with the reason, and the next one flows', async () => {
    const poisonId = await publisher.publish(documentPackage({ from: A, to: [HUB], subject: 'POISON one' }));
    await publisher.publish(documentPackage({ from: A, to: [HUB], subject: 'good after one poison' }));
    await waitUntil(() => storedItem(prisma, 'good after one poison'), 20_000);

    const deadLetters = createDeadLetters(broker);
    const letter = await waitUntil(
      async () => (await deadLetters.list(50)).find((l) => l.messageId === poisonId),
      20_000,
    );
    expect(letter).toMatchObject({
      type: 'edoc',
      from: A,
      queue: await inboxQueueOf(prisma, HUB),
      exchange: EXCHANGES.deliver,
      routingKeys: [HUB],
    });
    expect(letter.reason).toContain(`could not be stored for ${HUB} after 3 tries`);
    expect(letter.reason).toContain('invalid byte sequence');
    expect(await publisher.depth(await inboxQueueOf(prisma, HUB))).toBe(0);

    // The admin fixes the cause and requeues it from the dead-letter view: it is stored once.
    await prisma.$executeRawUnsafe('DROP TRIGGER refuse_poison ON intake_item');
    expect(await deadLetters.requeue(poisonId)).toBe('requeued');
    await waitUntil(() => storedItem(prisma, 'POISON one'), 20_000);
    expect(await prisma.intakeItem.count({ where: { subject: 'POISON one' } })).toBe(1);
    await prisma.$executeRawUnsafe(
      'CREATE TRIGGER refuse_poison BEFORE INSERT ON intake_item FOR EACH ROW EXECUTE FUNCTION refuse_poison()',
    );
  });

  it('keeps flowing with 100 poison messages in front of a good one', async () => {
    // Half the database refuses; half carry a raw NUL in a text field (the incident's packages).
    const bodies = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0 ? documentPackage({ from: A, to: [HUB], subject: `POISON ${i}` }) : nulPackage(),
    );
    const ids = await Promise.all(bodies.map((body) => publisher.publish(body)));
    await publisher.publish(documentPackage({ from: A, to: [HUB], subject: 'good after 100 poison' }));
    const started = Date.now();
    await waitUntil(() => storedItem(prisma, 'good after 100 poison'), 90_000);
    const flowedAfterMs = Date.now() - started;

    // Every poison message is accounted for: a stored item (the NUL ones may be stored, cleaned or
    // quarantined) or a dead letter with its reason — none stuck, none lost.
    // (A queue's depth counts only messages not yet handed to a consumer: poll what became of each.)
    const keys = bodies.map((body) => contentDedupKey(A, body));
    const unaccounted = async () => {
      const dead = new Map((await createDeadLetters(broker).list(500)).map((l) => [l.messageId, l]));
      const stored = new Set(
        (
          await prisma.intakeItem.findMany({
            where: { dedupKey: { in: keys } },
            select: { dedupKey: true },
          })
        ).map((item) => item.dedupKey),
      );
      return { dead, missing: ids.filter((id, i) => !dead.has(id) && !stored.has(keys[i] ?? '')) };
    };
    const { dead } = await waitUntil(async () => {
      const now = await unaccounted();
      return now.missing.length === 0 ? now : null;
    }, 60_000);
    for (const [i, id] of ids.entries())
      if (i % 2 === 0) expect(dead.get(id)?.reason).toContain('invalid byte sequence');
    expect(flowedAfterMs).toBeLessThan(90_000);
  });
});

describe('a hosted agency’s inbox while the database is down', { concurrent: false }, () => {
  let pg: PrivatePostgres;
  let database: Database;
  let vhost: TestVhost;
  let broker: BrokerConnection;
  let relay: RelayService;
  let publisher: Awaited<ReturnType<typeof openInboxPublisher>>;

  // A missing service fails here, loudly: a skipped check would pass CI without checking anything.
  beforeAll(() => {
    expect(privatePostgresAvailable(), 'the PostgreSQL server binaries are missing').toBe(true);
  });
  beforeAll(async () => {
    [pg, vhost] = await Promise.all([
      freePort().then(startPrivatePostgres),
      createTestVhost('poison-outage'),
    ]);
    database = await openDatabase(
      { kind: 'postgres', url: pg.url },
      { log: pino({ level: 'silent' }), purpose: 'outage test', migrate: true },
    );
    const directory = await seedDirectory(database.prisma);
    ({ broker, relay } = startRelay(database.prisma, directory, vhost.amqpUrl));
    await waitUntil(() => Promise.resolve(broker.state().kind === 'up'));
    publisher = await openInboxPublisher(vhost.amqpUrl);
  });

  afterAll(async () => {
    await publisher.close();
    await relay.stop();
    await broker.stop();
    await database.close().catch(() => undefined);
    pg.destroy();
    await vhost.drop();
  });

  it('waits the outage out, never counting it as a poison message, and stores the package once it is back', async () => {
    pg.stop();
    const messageId = await publisher.publish(
      documentPackage({ from: A, to: [HUB], subject: 'during the outage' }),
    );
    // Longer than three tries of a poison message would take.
    await new Promise((r) => setTimeout(r, 8000));
    expect(await publisher.depth(QUEUES.dead)).toBe(0);
    pg.start();
    const item = await waitUntil(() => storedItem(database.prisma, 'during the outage'), 30_000);
    expect(item.senderOrganId).toBe(A);
    expect(await publisher.depth(QUEUES.dead)).toBe(0);
    expect(await database.prisma.intakeItem.count({ where: { subject: 'during the outage' } })).toBe(1);
    expect(messageId).toBeTruthy();
  });
});
