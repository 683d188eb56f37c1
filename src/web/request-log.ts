import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * One log line per request, written when the response has gone out (Fastify's own logging writes
 * two, "incoming request" and "request completed", both at info).
 *
 * Reads that succeed (GET/HEAD below 400) are at `debug`: they are the console's own polling and
 * page loads, its live stream, and health and metrics probes, and at `info` they would push the
 * start banner and the first admin's one-time password out of view within seconds. Changes
 * (POST, PUT, PATCH, DELETE) and failed requests stay at `info`, where an operator looks.
 */
const outcomes = new WeakMap<FastifyRequest, Record<string, unknown>>();

/** Fields the request's line carries (a refusal's code and reason), instead of a line of their own. */
export function noteOnRequestLine(request: FastifyRequest, fields: Record<string, unknown>): void {
  outcomes.set(request, { ...outcomes.get(request), ...fields });
}

export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const read = request.method === 'GET' || request.method === 'HEAD';
    const level = read && reply.statusCode < 400 ? 'debug' : 'info';
    request.log[level](
      {
        method: request.method,
        // the path only: a query string can carry what a clerk searched for
        path: request.url.split('?')[0],
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ...outcomes.get(request),
      },
      'request',
    );
    done();
  });
}
