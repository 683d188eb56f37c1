import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { LoginThrottle } from '../access/index.ts';
import { agencyIdOf } from '../directory/index.ts';
import type { PrismaClient } from '../db/index.ts';
import { systemClock, type Clock, type Logger } from '../shared/index.ts';
import { installZodValidation } from './api-route.ts';
import { installRequestAuth } from './auth/request-auth.ts';
import { installErrorShape } from './error-shape.ts';
import { installRequestLog } from './request-log.ts';
import { collectRoutes, type RouteTable } from './route-table.ts';
import { agencyRoutes, type AgencyRouteDeps } from './routes/agency-routes.ts';
import { directoryRoutes } from './routes/directory-routes.ts';
import { auditRoutes, type AuditRouteDeps } from './routes/audit-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { certificateRoutes, type CertificateRouteDeps } from './routes/certificate-routes.ts';
import { consoleRoutes } from './routes/console-routes.ts';
import { documentRoutes } from './routes/document-routes.ts';
import { followUpRoutes } from './routes/follow-up-routes.ts';
import { eventRoutes, type EventRouteDeps } from './routes/event-routes.ts';
import { healthRoutes, type HealthDeps } from './routes/health-routes.ts';
import { ingestRoutes, type IngestRouteDeps } from './routes/ingest-routes.ts';
import { intakeRoutes } from './routes/intake-routes.ts';
import { readingRoutes } from './routes/reading-routes.ts';
import { openApiRoutes } from './routes/openapi-routes.ts';
import { outgoingRoutes, type OutgoingRouteDeps } from './routes/outgoing-routes.ts';
import { packageRoutes, type PackageRouteDeps } from './routes/package-routes.ts';
import { tokenRoutes } from './routes/token-routes.ts';
import { uploadRoutes } from './routes/upload-routes.ts';
import { userRoutes } from './routes/user-routes.ts';

export type WebAppDeps = HealthDeps & {
  /** The relay's submit path and broker view, for the packages and relay routes. */
  packages: Omit<PackageRouteDeps, 'prisma' | 'bodyLimitBytes'>;
} & AgencyRouteDeps &
  Pick<AuditRouteDeps, 'verifyAuditTrail'> &
  // Admin pages of the data centre: certificates close to expiry, mail ingest sources.
  Pick<CertificateRouteDeps, 'heldCertificates'> &
  IngestRouteDeps & {
    log: Logger;
    bodyLimitBytes: number;
    prisma: PrismaClient;
    /** The local CLI's credential (control.json); it acts as an admin. */
    controlToken: string;
    /** Secure cookies: true when the hub serves HTTPS. */
    secureCookies: boolean;
    clock?: Clock;
    loginThrottle?: LoginThrottle;
    /** Documents composed in the console: built, signed, numbered and submitted by `exchange`. */
    outgoing: Pick<OutgoingRouteDeps, 'send'>;
    /** Live updates: the hub's event bus, and stream limits (tests shorten the timers). */
    live: Pick<EventRouteDeps, 'events' | 'options'>;
  };

const routeTables = new WeakMap<FastifyInstance, RouteTable>();

/** Every route of an app built here, as Fastify registered it (tests enumerate it). */
export function routeTableOf(app: FastifyInstance): RouteTable {
  const table = routeTables.get(app);
  if (!table) throw new TypeError('not an app from buildWebApp');
  return table;
}

/** The HTTP surface, without listen(): tests use inject(), main.ts listens. */
export async function buildWebApp(deps: WebAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger type carries more than Fastify's base logger type, which makes the instance's
    // type incompatible with plain FastifyInstance plugins; it is the same pino logger either way.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    // One line per request instead of Fastify's two (request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    // Drain: keep-alive sockets are closed when the hub stops, so close() cannot hang on them.
    forceCloseConnections: 'idle',
  });
  // First, so the table sees every route registered after it.
  const routeTable = collectRoutes(app);
  routeTables.set(app, routeTable);
  installRequestLog(app);
  installErrorShape(app);
  installZodValidation(app);
  const clock = deps.clock ?? systemClock;
  installRequestAuth(app, { prisma: deps.prisma, controlToken: deps.controlToken, clock });
  await app.register(healthRoutes(deps));
  await app.register(openApiRoutes({ routeTable, version: '1' }));
  await app.register(
    authRoutes({
      prisma: deps.prisma,
      clock,
      secureCookies: deps.secureCookies,
      loginThrottle: deps.loginThrottle ?? new LoginThrottle(),
    }),
  );
  await app.register(userRoutes(deps));
  await app.register(tokenRoutes(deps));
  await app.register(agencyRoutes(deps));
  await app.register(directoryRoutes(deps));
  await app.register(intakeRoutes(deps));
  await app.register(readingRoutes(deps));
  await app.register(uploadRoutes({ prisma: deps.prisma, maxMessageBytes: deps.bodyLimitBytes }));
  await app.register(
    documentRoutes({ prisma: deps.prisma, agencyIdOf: (code) => agencyIdOf(deps.prisma, code) }),
  );
  await app.register(
    followUpRoutes({
      prisma: deps.prisma,
      clock,
      agencyIdOf: (code) => agencyIdOf(deps.prisma, code),
    }),
  );
  await app.register(auditRoutes(deps));
  await app.register(certificateRoutes({ ...deps, clock }));
  await app.register(ingestRoutes(deps));
  await app.register(
    packageRoutes({ ...deps.packages, prisma: deps.prisma, bodyLimitBytes: deps.bodyLimitBytes }),
  );
  await app.register(
    outgoingRoutes({ ...deps.outgoing, prisma: deps.prisma, maxMessageBytes: deps.bodyLimitBytes }),
  );
  await app.register(
    eventRoutes({
      ...deps.live,
      prisma: deps.prisma,
      clock,
      log: deps.log,
      ...(deps.packages.inboxStates ? { inboxStates: deps.packages.inboxStates } : {}),
      ...(deps.packages.deadLetterDepth ? { deadLetterDepth: deps.packages.deadLetterDepth } : {}),
    }),
  );
  await app.register(consoleRoutes());
  return app;
}
