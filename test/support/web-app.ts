import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Registry } from 'prom-client';
import { changePassword, createUser, LoginThrottle, type NewUser } from '../../src/access/index.ts';
import { createPrismaAgencyDirectory } from '../../src/directory/index.ts';
import { openDatabase, type Database, type PrismaClient } from '../../src/db/index.ts';
import { sendOutgoingDocument, submitPackage, type RelayDeps } from '../../src/exchange/index.ts';
import { systemClock, type Clock } from '../../src/shared/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { memoryTrustStore, type AgencyKeyStore, type TrustMaterial } from '../../src/signing/index.ts';
import { buildWebApp, startLiveEvents, type LiveEvents, type WebAppDeps } from '../../src/web/index.ts';
import type { EventStreamOptions } from '../../src/web/live/event-streams.ts';
import type { PackageRouteDeps } from '../../src/web/routes/package-routes.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/** The password every person made by `addPerson` ends up with. */
export const TEST_PASSWORD = 'correct horse battery staple';

export type TestWebApp = {
  app: FastifyInstance;
  prisma: PrismaClient;
  database: Database;
  live: LiveEvents;
  controlToken: string;
  /** What the app's submit path runs with: a test may start a relay service on the same deps. */
  relayDeps: RelayDeps;
  close(): Promise<void>;
};

/** The real web app on a fresh PostgreSQL database, for `app.inject()`. */
export async function startTestWebApp(
  label: string,
  options: {
    loginThrottle?: LoginThrottle;
    bodyLimitBytes?: number;
    /** The broker views of the relay routes, for tests that run a broker. */
    broker?: Pick<PackageRouteDeps, 'deadLetters' | 'inboxStates' | 'deadLetterDepth' | 'mailServer'>;
    /** The app's clock (sessions, "today" of the follow-up); the system clock when absent. */
    clock?: Clock;
    /** Trust anchors the submit path verifies with (default: none, so every signature is untrusted). */
    trust?: TrustMaterial;
    /** Agencies' signing keys for documents composed in the console (default: none configured). */
    agencyKeys?: AgencyKeyStore;
    /** Called after outbox rows were committed (a test's relay service wakes on it). */
    outboxChanged?: () => void;
    /** The admin pages' ports: audit verification, broker users, certificates, ingest sources. */
    admin?: Partial<
      Pick<
        WebAppDeps,
        'verifyAuditTrail' | 'issueBrokerCredentials' | 'heldCertificates' | 'ingestSources' | 'agencyKeyDir'
      >
    >;
    /** Event stream limits and timers (live-update tests shorten them). */
    liveOptions?: Partial<EventStreamOptions>;
  } = {},
): Promise<TestWebApp> {
  const testDb: TestDatabase = await createTestDatabase(label);
  const database: Database = await openDatabase(
    { kind: 'postgres', url: testDb.url },
    { log: createSilentLogger(), purpose: `test ${label}`, migrate: false },
  );
  const live = await startLiveEvents(database, createSilentLogger());
  const controlToken = `control-${label}-secret`;
  const trust = options.trust ?? { anchors: [], intermediates: [], crls: [], pins: new Map() };
  const relayDeps: RelayDeps = {
    prisma: database.prisma,
    directory: createPrismaAgencyDirectory(database.prisma),
    trust: () => memoryTrustStore(trust).load(),
    clock: options.clock ?? systemClock,
    log: createSilentLogger(),
    ownOrganId: '000.00.00.H53',
    maxMessageBytes: options.bodyLimitBytes ?? 52_428_800,
    outboxChanged: () => options.outboxChanged?.(),
  };
  const app = await buildWebApp({
    log: createSilentLogger(),
    bodyLimitBytes: options.bodyLimitBytes ?? 52_428_800,
    readiness: () =>
      Promise.resolve({
        database: { status: 'up' },
        broker: { status: 'down', detail: 'not in this test' },
        brokerManagement: { status: 'down', detail: 'not in this test' },
      }),
    metrics: new Registry(),
    directory: createPrismaAgencyDirectory(database.prisma),
    prisma: database.prisma,
    controlToken,
    secureCookies: false,
    packages: {
      ...options.broker,
      ownOrganId: '000.00.00.H53',
      submit: (submitter, bytes) => submitPackage(relayDeps, submitter, bytes),
    },
    outgoing: {
      send: (actor, input) =>
        sendOutgoingDocument(
          {
            ...relayDeps,
            agencyKeys: options.agencyKeys ?? { signingKeyFor: () => Promise.resolve(null) },
          },
          actor,
          input,
        ),
    },
    ...(options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...options.admin,
    live: { events: live, ...(options.liveOptions ? { options: options.liveOptions } : {}) },
  });
  await app.ready();
  return {
    app,
    prisma: database.prisma,
    database,
    live,
    controlToken,
    relayDeps,
    close: async () => {
      await app.close();
      await live.stop();
      await database.close();
      await testDb.drop();
    },
  };
}

export async function addAgency(
  prisma: PrismaClient,
  organId: string,
  name = `Sở ${organId}`,
): Promise<string> {
  const row = await prisma.agency.create({ data: { organId, name, channel: 'hosted' } });
  return row.id;
}

/** A person who has already replaced the one-time password with TEST_PASSWORD. */
export async function addPerson(prisma: PrismaClient, input: NewUser): Promise<{ id: string }> {
  const created = await createUser(prisma, input, 'system:test');
  if (created.kind !== 'created') throw new Error(created.reason.en);
  const changed = await changePassword(prisma, created.user.id, created.oneTimePassword, TEST_PASSWORD);
  if (changed.kind !== 'changed') throw new Error(changed.problems.map((p) => p.en).join('; '));
  return { id: created.user.id };
}

export type SignedInPerson = { cookie: string; csrfToken: string; headers: Record<string, string> };

/** Signs in through the API; `headers` carry the cookie and the CSRF token for later requests. */
export async function signInAs(
  app: FastifyInstance,
  username: string,
  password = TEST_PASSWORD,
): Promise<SignedInPerson> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in of ${username} failed: ${response.body}`);
  const cookie = sessionCookieOf(response);
  const csrfToken = response.json<{ csrfToken: string }>().csrfToken;
  return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
}

export function sessionCookieOf(response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie'];
  const first = Array.isArray(header) ? header[0] : header;
  if (!first) throw new Error('no set-cookie header');
  return first.split(';')[0] ?? '';
}
