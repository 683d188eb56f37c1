import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { ensureFirstAdmin } from './access/index.ts';
import { type HubConfig, redactUrl } from './config/index.ts';
import { openDatabase, type Database } from './db/index.ts';
import { attachDirectoryCache, createPrismaAgencyDirectory, ensureOwnAgency } from './directory/index.ts';
import {
  cachedTrust,
  createAxisService,
  createBrokerConnection,
  createDeadLetters,
  createRelayService,
  deadLetterDepth,
  failDeliveryOnBounce,
  inboxStates,
  inboxQueuesOf,
  issuePartnerBrokerAccess,
  managementApiProblem,
  sendOutgoingDocument,
  submitPackage,
  vhostOf,
  type RelayDeps,
  type BrokerConnection,
  type AxisService,
  type AxisState,
  type BrokerState,
} from './exchange/index.ts';
import {
  readingBacklog,
  startAuditAnchoring,
  startAuditTimestamping,
  type AuditTimestamping,
  type TimestampingState,
} from './registry/index.ts';
import { systemClock, type Logger } from './shared/index.ts';
import {
  agencyKeyCertificates,
  agencyKeyDir,
  certificatesOfFile,
  fileAgencyKeyStore,
  seedTrustDirectory,
  timestampAuthority,
  trustDirectoryCertificates,
  VerifyPool,
} from './signing/index.ts';
import { pingClamd, startIngest, type IngestService } from './ingest/index.ts';
import { createMailTransport } from './outbound-mail/index.ts';
import { startReading } from './reading/index.ts';
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
  /** where the SMTP listener took mail (the configured port, or the one the system gave for 0) */
  readonly smtp: { host: string; port: number };
  readonly database: Database;
  /** Set on the first start only: the admin account created with a one-time password. */
  readonly firstAdmin: { username: string; password: string } | undefined;
  stop(): Promise<void>;
};

/** How long /readyz waits for each dependency that it asks over the network. */
const READINESS_PROBE_MS = 2_000;

/** What does not work while a dependency is down, as /readyz says it (docs/api.md). */
const WITHOUT = {
  database:
    'nothing can be accepted or read: mail is answered 451 (senders retry), packages and uploads are refused, the console and the API answer errors',
  broker:
    'no package is delivered, to partners or hosted agencies, and partner submissions are not read; accepted packages wait in the outbox and go out when the broker is back',
  brokerManagement:
    'partner broker users cannot be created or rotated (lienthong agency credentials, the agency directory), and the relay dashboard shows no queue depths or dead-letter count',
  mailRelay:
    'receipts, admin alerts and deliveries to agencies reached by e-mail are not sent; each failed send is recorded, and deliveries by e-mail are retried',
  malwareScanner:
    'attachments cannot be scanned: mail with attachments is quarantined as not scanned until an admin releases it',
  mailbox: 'mail in this mailbox is not collected; it stays on the server until the mailbox answers again',
  nationalAxis:
    'Không nhận và không gửi được văn bản qua trục liên thông quốc gia; văn bản chờ gửi nằm an toàn trong hàng đợi và được gửi khi trục trả lời lại / documents are neither received from nor sent to the national axis; outgoing ones wait durably and go when it answers again',
  timestampAuthority:
    'Nhật ký kiểm toán không được đóng dấu thời gian hằng ngày: các mục vẫn được ghi và được neo bằng khóa của hệ thống, hệ thống thử lại sau mỗi 10 phút, và bằng chứng của văn bản mới chỉ xuất được khi đã có dấu thời gian / the audit chain is not time-stamped daily: entries are still written and anchored with the hub’s own key, the hub tries again every 10 minutes, and proofs of newer documents can be exported only once a time stamp covers them',
} as const;

/** The time-stamping authority as /readyz shows it: the last time stamp, the last failure. */
function timestampComponent(state: TimestampingState, url: string): ComponentState & Record<string, unknown> {
  const last = state.lastStamp
    ? `dấu thời gian gần nhất: mục số ${state.lastStamp.seq} lúc ${state.lastStamp.genTime} / last time stamp: entry ${state.lastStamp.seq} at ${state.lastStamp.genTime}`
    : 'chưa có dấu thời gian nào / no time stamp yet';
  const detail = `${url}; ${last}`;
  const facts = { lastStamp: state.lastStamp, lastAttemptAt: state.lastAttemptAt };
  const since = state.since ? { since: state.since } : {};
  if (state.status === 'up') return { status: 'up', detail, ...since, ...facts };
  if (state.status === 'connecting' || !state.lastError)
    return { status: 'connecting', detail, withoutIt: WITHOUT.timestampAuthority, ...facts };
  return {
    status: 'down',
    detail: `${state.lastError.vi} / ${state.lastError.en}; ${detail}`,
    ...since,
    withoutIt: WITHOUT.timestampAuthority,
    ...facts,
  };
}

/** The national axis as /readyz shows it: reachability, the last successful poll, what waits. */
function axisComponent(state: AxisState): ComponentState & Record<string, unknown> {
  const poll = state.lastPollAt
    ? `lần nhận gần nhất ${state.lastPollAt} (${String(state.lastListed ?? 0)} văn bản trong danh sách) / last poll`
    : 'chưa nhận lần nào / no poll yet';
  const detail = `${state.endpoint}; ${poll}; chờ gửi ${String(state.waitingOutgoing)} / waiting outgoing`;
  const facts = {
    lastPollAt: state.lastPollAt,
    lastListed: state.lastListed,
    waitingOutgoing: state.waitingOutgoing,
    unacknowledged: state.unacknowledged,
  };
  if (state.reachable === 'up')
    return { status: 'up', detail, ...(state.since ? { since: state.since } : {}), ...facts };
  if (state.reachable === 'unknown')
    return { status: 'connecting', detail, withoutIt: WITHOUT.nationalAxis, ...facts };
  return {
    status: 'down',
    detail: `${state.lastError ?? ''}; ${detail}`,
    ...(state.since ? { since: state.since } : {}),
    withoutIt: WITHOUT.nationalAxis,
    ...facts,
  };
}

/** Whether something listens at the host and port of a URL (the SMTP relay), or why not. */
function tcpProblem(url: string, timeoutMs: number): Promise<string | undefined> {
  const { hostname, port, protocol } = new URL(url);
  const target = { host: hostname, port: Number(port || (protocol === 'smtps:' ? 465 : 25)) };
  return new Promise((resolve) => {
    const socket = net.connect(target);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(`${target.host}:${target.port} did not answer within ${timeoutMs} ms`);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error) => {
      resolve(`${target.host}:${target.port}: ${error.message}`);
    });
  });
}

function brokerComponent(state: BrokerState): ComponentState {
  switch (state.kind) {
    case 'up':
      return { status: 'up', since: state.since.toISOString() };
    case 'connecting':
      return { status: 'connecting', since: state.since.toISOString(), withoutIt: WITHOUT.broker };
    case 'down':
      return {
        status: 'down',
        since: state.since.toISOString(),
        detail: `${state.reason}; next attempt ${state.nextAttemptAt.toISOString()}`,
        withoutIt: WITHOUT.broker,
      };
  }
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
    // Lookups by any code from memory, dropped on every directory change of any hub process; a
    // change also has the relay give new or recoded agencies their inbox at once (not at its next
    // half-minute refresh), so what a merger redirects is consumed without waiting.
    let directoryChanged = (): void => undefined;
    const directoryCache = await attachDirectoryCache(database, {
      log: log.child({ module: 'directory' }),
      onChange: () => {
        directoryChanged();
      },
    });
    services.push({ name: 'directory-cache', stop: () => directoryCache.stop() });
    const directory = createPrismaAgencyDirectory(database.prisma);
    await ensureOwnAgency(directory, config.organId, log);
    const firstAdmin = await ensureFirstAdmin(database.prisma);

    const broker: BrokerConnection = createBrokerConnection({
      url: config.amqp.url,
      log: log.child({ module: 'exchange.broker' }),
    });
    await seedTrustDirectory(config.trustDir);
    const trust = cachedTrust(config.trustDir);
    // Submitted packages' signatures are verified on worker threads (LIENTHONG_VERIFY_WORKERS), so
    // the main thread keeps serving the database and the broker; 0 verifies inline. Stopped after
    // the relay (services stop in reverse), so every submission in flight gets its verdict.
    const verifyPool =
      config.verifyWorkers > 0
        ? await VerifyPool.start({
            trust,
            size: config.verifyWorkers,
            onWorkerLost: ({ error, exitCode, jobs }) => {
              log.error(
                { err: error, exitCode, jobs },
                'signature worker stopped; replaced, its jobs posted again',
              );
            },
          })
        : undefined;
    if (verifyPool) services.push({ name: 'verify-pool', stop: () => verifyPool.close() });
    // The relay is built below from these deps; submissions wake its publisher through this.
    let wakeRelay = (): void => undefined;
    const relayDeps: RelayDeps = {
      outboxChanged: () => {
        wakeRelay();
      },
      prisma: database.prisma,
      directory,
      trust,
      ...(verifyPool
        ? {
            verifyEdxml: async (bytes: Uint8Array, at: Date) =>
              (await verifyPool.verifyEdxml(bytes, at)).verdict,
          }
        : {}),
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
    // The national axis connector, when an endpoint is configured (docs/national-axis.md).
    const axis: AxisService | undefined =
      config.axis.endpoint && config.axis.systemId && config.axis.secretFile
        ? createAxisService(relayDeps, {
            endpoint: config.axis.endpoint,
            systemId: config.axis.systemId,
            secret: (await fs.readFile(config.axis.secretFile, 'utf8')).trim(),
            pollIntervalMs: config.axis.pollSeconds * 1000,
            timeoutMs: config.axis.timeoutSeconds * 1000,
          })
        : undefined;
    wakeRelay = () => {
      relay.wake();
      axis?.wake();
    };
    directoryChanged = () => {
      relay.refresh().catch((error: unknown) => log.warn({ err: error }, 'relay refresh failed'));
    };
    broker.start();
    services.push({ name: 'broker', stop: () => broker.stop() });
    relay.start();
    services.push({ name: 'relay', stop: () => relay.stop() });
    if (axis) {
      axis.start();
      services.push({ name: 'national-axis', stop: () => axis.stop() });
    }

    const anchors = startAuditAnchoring(
      database.prisma,
      config.dataDir,
      log.child({ module: 'registry.audit' }),
    );
    services.push({ name: 'audit-anchors', stop: () => anchors.stop() });
    // Daily RFC 3161 time stamps of the chain's head, when an authority is configured (docs/signing.md).
    const timestamping: AuditTimestamping | undefined =
      config.tsa.url && config.tsa.trustFile
        ? startAuditTimestamping(
            database.prisma,
            timestampAuthority({
              url: config.tsa.url,
              trustFile: config.tsa.trustFile,
              timeoutMs: config.tsa.timeoutSeconds * 1000,
            }),
            log.child({ module: 'registry.audit' }),
          )
        : undefined;
    if (timestamping) services.push({ name: 'audit-timestamps', stop: () => timestamping.stop() });

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

    new Gauge({
      name: 'lienthong_reading_backlog',
      help: 'received files waiting for their text to be read, or being read',
      registers: [metrics],
      async collect() {
        // With the database down /metrics still answers (readiness says why); the last value stays.
        const backlog = await readingBacklog(database.prisma).catch(() => undefined);
        if (backlog !== undefined) this.set(backlog);
      },
    });

    // Ingest starts after the web app (see below); until then its admin view answers "not running".
    const running: { ingest?: IngestService } = {};
    const readiness = async (): Promise<Readiness> => {
      const [databaseState, brokerManagement, mailRelay, malwareScanner] = await Promise.all([
        database.ping().then(
          (): ComponentState => ({
            status: 'up',
            detail: database.target.kind === 'embedded' ? 'embedded (PGlite)' : 'PostgreSQL',
          }),
          (error: unknown): ComponentState => ({
            status: 'down',
            detail: (error as Error).message,
            withoutIt: WITHOUT.database,
          }),
        ),
        managementApiProblem(
          { url: config.amqp.managementUrl },
          vhostOf(config.amqp.url),
          READINESS_PROBE_MS,
        ).then((problem): ComponentState =>
          problem === undefined
            ? { status: 'up', detail: redactUrl(config.amqp.managementUrl) }
            : { status: 'down', detail: problem, withoutIt: WITHOUT.brokerManagement },
        ),
        config.smtp.relayUrl === undefined
          ? undefined
          : tcpProblem(config.smtp.relayUrl, READINESS_PROBE_MS).then((problem): ComponentState =>
              problem === undefined
                ? { status: 'up', detail: redactUrl(config.smtp.relayUrl ?? '') }
                : { status: 'down', detail: problem, withoutIt: WITHOUT.mailRelay },
            ),
        config.clamd === undefined
          ? undefined
          : pingClamd(config.clamd, READINESS_PROBE_MS).then(
              (): ComponentState => ({ status: 'up', detail: config.clamd ?? '' }),
              (error: unknown): ComponentState => ({
                status: 'down',
                detail: (error as Error).message,
                withoutIt: WITHOUT.malwareScanner,
              }),
            ),
      ]);
      const nationalAxis = axis ? axisComponent(await axis.state()) : undefined;
      const tsaState = timestamping
        ? timestampComponent(timestamping.state(), redactUrl(config.tsa.url ?? ''))
        : undefined;
      const sources = await running.ingest?.sources();
      const mailboxes = sources?.imap.length
        ? Object.fromEntries(
            sources.imap.map((mailbox): [string, ComponentState] => [
              mailbox.name,
              mailbox.up
                ? { status: 'up', detail: `${mailbox.host} ${mailbox.folder}` }
                : mailbox.lastError
                  ? {
                      status: 'down',
                      detail: mailbox.lastError.message,
                      since: mailbox.lastError.at,
                      withoutIt: WITHOUT.mailbox,
                    }
                  : { status: 'connecting', detail: mailbox.host, withoutIt: WITHOUT.mailbox },
            ]),
          )
        : undefined;
      return {
        database: databaseState,
        broker: brokerComponent(broker.state()),
        brokerManagement,
        ...(mailRelay ? { mailRelay } : {}),
        ...(malwareScanner ? { malwareScanner } : {}),
        ...(mailboxes ? { mailboxes } : {}),
        ...(nationalAxis ? { nationalAxis } : {}),
        ...(tsaState ? { timestampAuthority: tsaState } : {}),
      };
    };

    // Committed changes, announced by the database (LISTEN/NOTIFY), for the console's live pages.
    // Stopped after the web app (which ends its streams first) and before the database.
    const liveEvents = await startLiveEvents(database, log.child({ module: 'web.live' }));
    services.push({ name: 'live-events', stop: () => liveEvents.stop() });

    const controlToken = randomBytes(32).toString('base64url');
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
        inboxStates: async (organIds) =>
          inboxStates(
            { url: config.amqp.managementUrl },
            vhostOf(config.amqp.url),
            await inboxQueuesOf(database.prisma, organIds),
          ),
        deadLetterDepth: () => deadLetterDepth({ url: config.amqp.managementUrl }, vhostOf(config.amqp.url)),
        ...(axis ? { axisState: () => axis.state() } : {}),
        mailServer: config.smtp.relayUrl !== undefined,
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
        issuePartnerBrokerAccess(
          { api: { url: config.amqp.managementUrl }, amqpUrl: config.amqp.url, prisma: database.prisma },
          organId,
        ),
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
    // The text of received files, read after they were stored (never before a 250); stopped
    // first, killing its tools' children and giving unfinished files back to the queue.
    const reading = startReading({
      prisma: database.prisma,
      settings: config.reading,
      log: log.child({ module: 'reading' }),
    });
    // Woken by the database's notice of a new item (LISTEN/NOTIFY, any hub process); it also looks once a second.
    const unwake = liveEvents.subscribe((event) => {
      if (event.kind === 'intake' && event.change === 'created') reading.wake();
    });
    services.push({
      name: 'reading',
      stop: () => {
        unwake();
        return reading.stop();
      },
    });
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
      smtp: { host: config.host, port: ingest.smtpPort },
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
