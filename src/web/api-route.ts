import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Actor, HubError, type Said } from '../shared/index.ts';
import { describeUnsafeCharacter, findUnsafeCharacter } from '../text/index.ts';
import { apiError, type FieldProblem, WEB_ERROR_STATUS, type WebErrorCode } from './error-shape.ts';

/**
 * Who may call a route. Agency scope is not decided here: registry use cases take the actor and
 * confine it themselves; this is only the coarse gate in front of them.
 * - `public`: anyone (login, health, the OpenAPI document);
 * - `person`: a signed-in person, including one who must still change the one-time password;
 * - `signed-in`: any person, partner token or the local control credential;
 * - `admin`: an admin, or the local control credential (the CLI through a running hub).
 */
export type RouteAccess = 'public' | 'person' | 'signed-in' | 'admin';

type Schema = z.ZodType;
type Infer<S> = S extends Schema ? z.output<S> : undefined;

export type ApiRouteSpec<
  B extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  P extends Schema | undefined = Schema | undefined,
> = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  access: RouteAccess;
  body?: B;
  query?: Q;
  params?: P;
  /** Success responses by status, for the OpenAPI document; errors are always ApiError. */
  responses: Partial<Record<200 | 201 | 202 | 204, Schema>>;
  /** JSON routes take 1 MiB by default; uploads name the hub's message limit. */
  bodyLimit?: number;
};

/** How the request was authenticated; `via` matters for CSRF and for `person` routes. */
export type RequestAuth =
  | { via: 'session'; actor: Actor; sessionToken: string; csrfToken: string; mustChangePassword: boolean }
  | { via: 'token'; actor: Actor }
  | { via: 'control'; actor: Actor };

export type ApiReply = { status: number; body?: unknown; headers?: Record<string, string> };

export type ApiContext<B, Q, P> = {
  request: FastifyRequest;
  reply: FastifyReply;
  body: Infer<B>;
  query: Infer<Q>;
  params: Infer<P>;
  auth: RequestAuth | null;
  /** The caller's actor; only on routes that are not `public`. */
  actor: Actor;
};

export const DEFAULT_JSON_BODY_LIMIT = 1_048_576;

declare module 'fastify' {
  interface FastifyContextConfig {
    api?: ApiRouteSpec;
  }
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
}

export function ok(body: unknown, status = 200): ApiReply {
  return { status, body };
}

/**
 * A refusal. Give `message` as words (`said(vi, en, field?)`) wherever a person can meet it: the
 * console shows `text` in its language, next to the field when one is named.
 */
export function fail(
  code: WebErrorCode,
  message: string | Said,
  details?: unknown,
  problems?: FieldProblem[],
): ApiReply {
  return { status: WEB_ERROR_STATUS[code], body: apiError(code, message, details, problems) };
}

/** Registers a JSON route whose zod schemas both validate the request and document it. */
export function apiRoute<
  B extends Schema | undefined,
  Q extends Schema | undefined,
  P extends Schema | undefined,
>(
  app: FastifyInstance,
  spec: ApiRouteSpec<B, Q, P>,
  handler: (context: ApiContext<B, Q, P>) => Promise<ApiReply>,
): void {
  // The route table keeps the spec without its type parameters.
  const api = spec as ApiRouteSpec;
  app.route({
    method: spec.method,
    url: spec.url,
    bodyLimit: spec.bodyLimit ?? DEFAULT_JSON_BODY_LIMIT,
    config: { api },
    schema: {
      ...(spec.body ? { body: spec.body } : {}),
      ...(spec.query ? { querystring: spec.query } : {}),
      ...(spec.params ? { params: spec.params } : {}),
    },
    handler: async (request, reply) => {
      const auth = request.auth;
      const result = await handler({
        request,
        reply,
        body: request.body as Infer<B>,
        query: request.query as Infer<Q>,
        params: request.params as Infer<P>,
        auth,
        get actor(): Actor {
          if (!auth) throw new HubError('WEB_UNAUTHENTICATED', 'sign in or send a bearer token');
          return auth.actor;
        },
      });
      // A route that took the response over (the event stream) has answered by itself.
      if (reply.sent) return reply;
      for (const [name, value] of Object.entries(result.headers ?? {})) void reply.header(name, value);
      return reply.code(result.status).send(result.body);
    },
  });
}

/**
 * Zod schemas in route options validate through this compiler (Fastify's own is Ajv/JSON Schema).
 * Before the schema, every string of the body, query and path goes through the hub's one text
 * rule (src/text): a NUL, a control character, a lone surrogate, a noncharacter or a bidi control
 * is refused with the field and what to remove, so no form or API call stores such text.
 */
export function installZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema }) => (data: unknown) => {
    const unsafe = unsafeTextIssues(data);
    // Through zod itself, so the error is the ZodError Fastify and the error shape expect.
    const refused = unsafe.length > 0 ? refuseText(unsafe).safeParse(data) : undefined;
    if (refused && !refused.success) return { error: refused.error };
    const result = (schema as Schema).safeParse(data);
    return result.success ? { value: result.data } : { error: result.error };
  });
}

const MAX_TEXT_ISSUES = 20;

type TextIssue = { path: PropertyKey[]; message: string };

const refuseText = (issues: readonly TextIssue[]) =>
  z.unknown().superRefine((_, context) => {
    for (const issue of issues)
      context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

function unsafeTextIssues(data: unknown): TextIssue[] {
  const issues: TextIssue[] = [];
  const visit = (value: unknown, path: PropertyKey[]): void => {
    if (issues.length >= MAX_TEXT_ISSUES) return;
    if (typeof value === 'string') {
      const found = findUnsafeCharacter(value);
      if (found) {
        const words = describeUnsafeCharacter(found);
        issues.push({ path, message: `${words.vi} / ${words.en}` });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        // A field name is text too (it is echoed in errors, and some bodies are stored whole).
        if (findUnsafeCharacter(key)) visit(key, [...path, '(field name)']);
        else visit(item, [...path, key]);
      }
    }
  };
  visit(data, []);
  return issues;
}
