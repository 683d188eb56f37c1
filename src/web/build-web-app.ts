import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../shared/logger.ts';
import { installErrorShape } from './error-shape.ts';
import { healthRoutes, type HealthDeps } from './routes/health-routes.ts';
import { agencyRoutes, type AgencyRouteDeps } from './routes/agency-routes.ts';

export type WebAppDeps = HealthDeps & AgencyRouteDeps & { log: Logger; bodyLimitBytes: number };

/** The HTTP surface, without listen(): tests use inject(), main.ts listens. */
export async function buildWebApp(deps: WebAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger carries more than Fastify's base type; the instance is the same pino logger.
    // pino's Logger type carries more than Fastify's base logger type, which makes the instance's
    // type incompatible with plain FastifyInstance plugins; it is the same pino logger either way.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    // Drain: keep-alive sockets are closed when the hub stops, so close() cannot hang on them.
    forceCloseConnections: 'idle',
  });
  installErrorShape(app);
  await app.register(healthRoutes(deps));
  await app.register(agencyRoutes(deps));
  return app;
}
