import { randomBytes } from 'node:crypto';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { ensureFirstAdmin } from './access/index.ts';
import { type HubConfig, redactUrl } from './config/index.ts';
import { openDatabase, type Database } from './db/index.ts';
import { createPrismaAgencyDirectory, type AgencyDirectory } from './directory/index.ts';
import {
  cachedTrust,
  createBrokerConnection,
  createDeadLetters,
  createRelayService,
  deadLetterDepth,
  failDeliveryOnBounce,
  inboxStates,
  issueAgencyCredentials,
  sendOutgoingDocument,
  submitPackage,
  vhostOf,
  type RelayDeps,
  type BrokerConnection,
  type BrokerState,
} from './exchange/index.ts';
import { startAuditAnchoring } from './registry/index.ts';
import { systemClock, type Logger } from './shared/index.ts';
import {
  agencyKeyCertificates,
  agencyKeyDir,
  certificatesOfFile,
  fileAgencyKeyStore,
  seedTrustDirectory,
  trustDirectoryCertificates,
} from './signing/index.ts';
import { startIngest, type IngestService } from './ingest/index.ts';
import { createMailTransport } from './outbound-mail/index.ts';
import { fileAnchorSigner, readExportedAnchors, verifyAudit } from './registry/index.ts';
import {
  buildWebApp,
  removeControlFile,
  startLiveEvents,
  writeControlFile,
  type ComponentState,
  type Readiness,
} from './web/index.ts';

/**
 * The composition root: the only place that knows every adapter. Services start in order and
 * stop in reverse; each stop is bounded by the drain timeout so SIGTERM always ends the process.
 */
type Service = { name: string; stop(): Promise<void> };

export type RunningHub = {
  readonly httpUrl: string;
  readonly database: Database;
  /** Set on the first start only: the admin account created with a one-time password. */
  readonly firstAdmin: { username: string; password: string } | undefined;
  stop(): Promise<void>;
};

function brokerComponent(state: BrokerState): ComponentState {
  switch (state.kind) {
    case 'up':
      return { status: 'up', since: state.since.toISOString() };
    case 'connecting':
      return { status: 'connecting', since: state.since.toISOString() };
    case 'down':
      return {
        status: 'down',
        since: state.since.toISOString(),
        detail: `${state.reason}; next attempt ${state.nextAttemptAt.toISOString()} (relay work waits in the outbox)`,
      };
  }
}

async function ensureOwnAgency(directory: AgencyDirectory, config: HubConfig, log: Logger): Promise<void> {
  if (await directory.find(config.organId)) return;
  await directory.upsertAll([
    {
      organId: config.organId,
      name: `Cơ quan chủ quản của hub ${config.organId}`,
      channel: 'hosted',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
  ]);
  log.info({ organId: config.organId }, 'own agency added to the directory');
}

async function stopBounded(services: Service[], timeoutMs: number, log: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const service of [...services].reverse()) {
    const left = Math.max(100, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, left);
    });
    try {
      const outcome = await Promise.race([service.stop().then(() => 'stopped' as const), timedOut]);
      if (outcome === 'timeout') log.warn({ component: service.name }, 'drain timed out; stopping anyway');
      else log.info({ component: service.name }, 'stopped');
    } catch (error) {
      log.error({ component: service.name, err: error }, 'stop failed');
    } finally {
      clearTimeout(timer);
    }
  }
}

export async function startHub(config: HubConfig, log: Logger): Promise<RunningHub> {
  const services: Service[] = [];
  try {
    const database = await openDatabase(
      config.database.url
        ? { kind: 'postgres', url: config.database.url }
        : { kind: 'embedded', dir: config.dataDir },
      { log: log.child({ module: 'db' }), purpose: 'lienthong start', migrate: true },
    );
    services.push({ name: 'database', stop: () => database.close() });
    const directory = createPrismaAgencyDirectory(database.prisma);
    await ensureOwnAgency(directory, config, log);
    const firstAdmin = await ensureFirstAdmin(database.prisma);

    const broker: BrokerConnection = createBrokerConnection({
      url: config.amqp.url,
      log: log.child({ module: 'exchange.broker' }),
    });
    await seedTrustDirectory(config.trustDir);
    // The relay is built below from these deps; submissions wake its publisher through this.
    let wakeRelay = (): void => undefined;
    const relayDeps: RelayDeps = {
      outboxChanged: () => {
        wakeRelay();
      },
      prisma: database.prisma,
      directory,
      trust: cachedTrust(config.trustDir),
      clock: systemClock,
      log: log.child({ module: 'exchange' }),
      ownOrganId: config.organId,
      maxMessageBytes: config.maxMessageBytes,
    };
    // One connection to the outbound mail server for everything the hub mails (outbound-mail).
    const mailTransport = config.smtp.relayUrl ? createMailTransport(config.smtp.relayUrl) : undefined;
    if (mailTransport)
      services.push({
        name: 'mail-transport',
        stop: () => {
          mailTransport.close();
          return Promise.resolve();
        },
      });
    const relay = createRelayService(relayDeps, broker, {
      mailTransport,
      mailFrom: `lienthong@${config.mailDomain}`,
    });
    wakeRelay = () => {
      relay.wake();
    };
    broker.start();
    services.push({ name: 'broker', stop: () => broker.stop() });
    relay.start();
    services.push({ name: 'relay', stop: () => relay.stop() });

    const anchors = startAuditAnchoring(
      database.prisma,
      config.dataDir,
      log.child({ module: 'registry.audit' }),
    );
    services.push({ name: 'audit-anchors', stop: () => anchors.stop() });

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics, prefix: 'lienthong_' });
    new Gauge({
      name: 'lienthong_broker_up',
      help: '1 when the hub holds a broker connection',
      registers: [metrics],
      collect() {
        this.set(broker.state().kind === 'up' ? 1 : 0);
      },
    });

    const readiness = async (): Promise<Readiness> => {
      let databaseState: ComponentState;
      try {
        await database.ping();
        databaseState = {
          status: 'up',
          detail: database.target.kind === 'embedded' ? 'embedded (PGlite)' : 'PostgreSQL',
        };
      } catch (error) {
        databaseState = { status: 'down', detail: (error as Error).message };
      }
      return { database: databaseState, broker: brokerComponent(broker.state()) };
    };

    // Committed changes, announced by the database (LISTEN/NOTIFY), for the console's live pages.
    // Stopped after the web app (which ends its streams first) and before the database.
    const liveEvents = await startLiveEvents(database, log.child({ module: 'web.live' }));
    services.push({ name: 'live-events', stop: () => liveEvents.stop() });

    const controlToken = randomBytes(32).toString('base64url');
    // Ingest starts after the web app (see below); until then its admin view answers "not running".
    const running: { ingest?: IngestService } = {};
    const web = await buildWebApp({
      log: log.child({ module: 'web' }),
      bodyLimitBytes: config.maxMessageBytes,
      readiness,
      metrics,
      directory,
      prisma: database.prisma,
      controlToken,
      secureCookies: config.tls.certFile !== undefined,
      packages: {
        ownOrganId: config.organId,
        submit: (submitter, bytes) => submitPackage(relayDeps, submitter, bytes),
        deadLetters: createDeadLetters(broker),
        inboxStates: (organIds) =>
          inboxStates({ url: config.amqp.managementUrl }, vhostOf(config.amqp.url), organIds),
        deadLetterDepth: () => deadLetterDepth({ url: config.amqp.managementUrl }, vhostOf(config.amqp.url)),
      },
      outgoing: {
        send: (actor, input) =>
          sendOutgoingDocument(
            { ...relayDeps, agencyKeys: fileAgencyKeyStore(agencyKeyDir(config.dataDir)) },
            actor,
            input,
          ),
      },
      live: { events: liveEvents },
      verifyAuditTrail: () =>
        verifyAudit(database.prisma, fileAnchorSigner(config.dataDir), readExportedAnchors(config.dataDir)),
      agencyKeyDir: agencyKeyDir(config.dataDir),
      issueBrokerCredentials: (organId) =>
        issueAgencyCredentials({ url: config.amqp.managementUrl }, vhostOf(config.amqp.url), organId),
      heldCertificates: async () => {
        const { certFile } = config.tls;
        const [trust, keys, tls] = await Promise.all([
          trustDirectoryCertificates(config.trustDir),
          agencyKeyCertificates(agencyKeyDir(config.dataDir)),
          certFile ? certificatesOfFile(certFile, 'tls') : [],
        ]);
        return [...trust, ...keys, ...tls];
      },
      ingestSources: () => running.ingest?.sources() ?? Promise.resolve(undefined),
    });
    await web.listen({ host: config.host, port: config.http.port });
    services.push({ name: 'web', stop: () => web.close() });
    // Mail in after the web app: stopped first, so no 250 is promised while the database closes.
    const ingest = await startIngest({
      config,
      prisma: database.prisma,
      metrics,
      log: log.child({ module: 'ingest' }),
      mailTransport,
      relayMailBounced: failDeliveryOnBounce(log.child({ module: 'exchange.bounces' })),
    });
    running.ingest = ingest;
    services.push({ name: 'ingest', stop: () => ingest.stop() });
    const address = web.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const httpUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    database.lock?.update({ httpUrl });
    // The CLI of this machine reaches a running hub with this token (agency add while the embedded DB is held).
    writeControlFile(config.dataDir, { httpUrl, controlToken });

    log.info(
      {
        httpUrl,
        database: database.target.kind === 'postgres' ? redactUrl(database.target.url) : database.target.dir,
        broker: redactUrl(config.amqp.url),
      },
      'hub started',
    );
    return {
      httpUrl,
      database,
      firstAdmin,
      stop: async () => {
        removeControlFile(config.dataDir);
        await stopBounded(services, config.shutdownTimeoutMs, log);
      },
    };
  } catch (error) {
    await stopBounded(services, config.shutdownTimeoutMs, log);
    throw error;
  }
}
