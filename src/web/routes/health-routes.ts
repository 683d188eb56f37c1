import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type ComponentState = {
  status: 'up' | 'down' | 'connecting';
  detail?: string;
  since?: string;
  /** What does not work while the component is not up, in words an operator can act on. */
  withoutIt?: string;
};

/**
 * Every dependency of the hub with its state. The database is the only one the hub cannot accept
 * work without; the others are optional ones (present when configured) or ones whose absence only
 * delays or narrows work.
 */
export type Readiness = {
  database: ComponentState;
  broker: ComponentState;
  brokerManagement: ComponentState;
  /** the outbound SMTP relay, when LIENTHONG_SMTP_RELAY_URL is set */
  mailRelay?: ComponentState;
  /** clamd, when LIENTHONG_CLAMD is set */
  malwareScanner?: ComponentState;
  /** each IMAP mailbox the hub collects from (LIENTHONG_IMAP_MAILBOXES) */
  mailboxes?: Record<string, ComponentState>;
  /** the national document axis, when LIENTHONG_AXIS_ENDPOINT is set: also its last poll and backlog */
  nationalAxis?: ComponentState & Record<string, unknown>;
  /** the RFC 3161 time-stamping authority, when LIENTHONG_TSA_URL is set: the last time stamp, the last failure */
  timestampAuthority?: ComponentState & Record<string, unknown>;
};

export type HealthDeps = { readiness: () => Promise<Readiness>; metrics: Registry };

/** The body of /readyz: ready (200) or not (503), and what is degraded meanwhile. */
export type ReadinessReport = Readiness & {
  ready: boolean;
  status: 'ready' | 'degraded' | 'not ready';
  /** why the hub is not ready (empty when it is) */
  reasons: string[];
  /** each dependency that is not up and what does not work meanwhile */
  degraded: string[];
};

function describe(name: string, state: ComponentState): string {
  const detail = state.detail ? ` (${state.detail})` : '';
  return `${name} ${state.status}${detail}${state.withoutIt ? `: ${state.withoutIt}` : ''}`;
}

/**
 * Ready means the hub can accept work durably, which needs the database only: mail is answered
 * 250 and packages 202 after a database commit. Every other dependency that is down makes the hub
 * degraded, still 200: relay work waits in the outbox for the broker, mailboxes are collected when
 * they answer again, and so on — each says what does not work meanwhile.
 */
export function readinessReport(readiness: Readiness): ReadinessReport {
  const { database, mailboxes, ...others } = readiness;
  const ready = database.status === 'up';
  const optional: [string, ComponentState | undefined][] = [
    ...Object.entries(others),
    ...Object.entries(mailboxes ?? {}).map(([name, state]): [string, ComponentState] => [
      `mailbox ${name}`,
      state,
    ]),
  ];
  const degraded = optional.flatMap(([name, state]) =>
    state && state.status !== 'up' ? [describe(name, state)] : [],
  );
  return {
    ready,
    status: !ready ? 'not ready' : degraded.length > 0 ? 'degraded' : 'ready',
    ...readiness,
    reasons: ready ? [] : [describe('database', database)],
    degraded,
  };
}

/** /healthz: the process answers. /readyz: see readinessReport. /metrics: Prometheus text. */
export function healthRoutes(deps: HealthDeps) {
  return (app: FastifyInstance) => {
    app.get('/healthz', () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const report = readinessReport(await deps.readiness());
      return reply.code(report.ready ? 200 : 503).send(report);
    });
    app.get('/metrics', async (_request, reply) =>
      reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.metrics()),
    );
  };
}
