import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type ComponentState = { status: 'up' | 'down' | 'connecting'; detail?: string; since?: string };
export type Readiness = { database: ComponentState; broker: ComponentState };

export type HealthDeps = { readiness: () => Promise<Readiness>; metrics: Registry };

/**
 * /healthz: the process answers. /readyz: the hub can accept work durably, which needs the
 * database only; the broker's state is reported because relay waits for it, but it does not make
 * the hub unready (work queues in the outbox meanwhile).
 */
export function healthRoutes(deps: HealthDeps) {
  return (app: FastifyInstance) => {
    app.get('/healthz', () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const readiness = await deps.readiness();
      const ready = readiness.database.status === 'up';
      const reasons = ready
        ? []
        : [`database ${readiness.database.status}: ${readiness.database.detail ?? ''}`.trim()];
      return reply.code(ready ? 200 : 503).send({ ready, ...readiness, reasons });
    });
    app.get('/metrics', async (_request, reply) =>
      reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.metrics()),
    );
  };
}
