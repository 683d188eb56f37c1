import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isHubError, issueInWords, joinSaid, type Said, type WebErrorCode } from '../shared/index.ts';
import { noteOnRequestLine } from './request-log.ts';

/** A problem with one field of the request, in words, for the console to show next to that field. */
export type FieldProblem = { field: string; vi: string; en: string };

/**
 * Every error leaves the API as `{error: {code, message, text?, problems?, details?}}`
 * (docs/contract.md); bad input is never a 500. `message` is for a partner's developer (English);
 * `text` says it to a person in Vietnamese and English, `problems` field by field.
 */
export type ApiError = {
  error: {
    code: string;
    message: string;
    text?: { vi: string; en: string };
    problems?: FieldProblem[];
    details?: unknown;
  };
};

export function apiError(
  code: string,
  message: string | Said,
  details?: unknown,
  problems?: FieldProblem[],
): ApiError {
  const words = typeof message === 'string' ? undefined : message;
  const fieldProblems =
    problems ?? (words?.field ? [{ field: words.field, vi: words.vi, en: words.en }] : undefined);
  return {
    error: {
      code,
      message: words ? words.en : (message as string),
      ...(words ? { text: { vi: words.vi, en: words.en } } : {}),
      ...(fieldProblems?.length ? { problems: fieldProblems } : {}),
      ...(details === undefined ? {} : { details }),
    },
  };
}

/** The schema of that shape, for the OpenAPI document. */
export const ApiErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string().describe('for developers, in English'),
    text: z.strictObject({ vi: z.string(), en: z.string() }).optional().describe('for people'),
    problems: z
      .array(z.strictObject({ field: z.string(), vi: z.string(), en: z.string() }))
      .optional()
      .describe('field by field, for people: the request field each is about'),
    details: z.unknown().optional(),
  }),
});

/** HTTP status of each web error code; a HubError of another module that reaches here is a 422. */
export const WEB_ERROR_STATUS = {
  WEB_INVALID_REQUEST: 400,
  WEB_UNAUTHENTICATED: 401,
  WEB_FORBIDDEN: 403,
  WEB_CSRF_TOKEN_INVALID: 403,
  WEB_PASSWORD_CHANGE_REQUIRED: 403,
  WEB_NOT_FOUND: 404,
  WEB_CONFLICT: 409,
  WEB_BODY_TOO_LARGE: 413,
  WEB_UNSUPPORTED_MEDIA_TYPE: 415,
  WEB_UNPROCESSABLE: 422,
  WEB_RATE_LIMITED: 429,
  /** a component the request needs (the broker) is down; retry later */
  WEB_UNAVAILABLE: 503,
} as const satisfies Record<WebErrorCode, number>;
export type { WebErrorCode };

// Fastify's own 4xx codes, renamed into ours so clients see one catalogue.
const FASTIFY_CODES: Record<string, WebErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'WEB_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'WEB_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'WEB_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'WEB_UNSUPPORTED_MEDIA_TYPE',
};

function describeIssues(error: z.ZodError, where: string) {
  const issues = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    code: issue.code,
    message: issue.message,
  }));
  const problems = error.issues.map(issueInWords);
  return {
    message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    text: joinSaid(problems),
    problems: problems.map((p) => ({ field: p.field ?? '', vi: p.vi, en: p.en })),
    details: { issues },
  };
}

export function installErrorShape(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(
        apiError('WEB_NOT_FOUND', `no such resource: ${request.method} ${request.url.split('?')[0] ?? ''}`),
      );
  });
  app.setErrorHandler((error: FastifyError & { validationContext?: string }, request, reply) => {
    if (error instanceof z.ZodError) {
      const { message, text, problems, details } = describeIssues(error, error.validationContext ?? 'body');
      const body = apiError('WEB_INVALID_REQUEST', message, details, problems);
      return reply.code(400).send({ error: { ...body.error, text: { vi: text.vi, en: text.en } } });
    }
    if (isHubError(error)) {
      const status = (WEB_ERROR_STATUS as Record<string, number>)[error.code] ?? 422;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else noteOnRequestLine(request, { code: error.code, reason: error.message });
      return reply.code(status).send(apiError(error.code, error.message, error.details));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code = FASTIFY_CODES[error.code] ?? (status === 404 ? 'WEB_NOT_FOUND' : 'WEB_INVALID_REQUEST');
      return reply.code(status).send(apiError(code, error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(apiError('WEB_INTERNAL', 'internal error; the hub logged the details'));
  });
}
