import type { FastifyError, FastifyInstance } from 'fastify';
import { isHubError } from '../shared/hub-error.ts';

/** Every error leaves the API as `{error: {code, message, details?}}` (CONTRACT.md); bad input is never a 500. */
export type ApiError = { error: { code: string; message: string; details?: unknown } };

export function apiError(code: string, message: string, details?: unknown): ApiError {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function installErrorShape(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(apiError('NOT_FOUND', `no such resource: ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isHubError(error)) {
      request.log.warn({ code: error.code }, error.message);
      return reply.code(422).send(apiError(error.code, error.message, error.details));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return reply.code(status).send(apiError(error.code || 'BAD_REQUEST', error.message, error.validation));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(apiError('INTERNAL', 'internal error; the hub logged the details'));
  });
}
