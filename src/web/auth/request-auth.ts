import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateApiToken, constantTimeEquals, resolveSession } from '../../access/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import { type Actor, type Clock, HubError } from '../../shared/index.ts';
import type { RequestAuth, RouteAccess } from '../api-route.ts';
import { readCookie, SESSION_COOKIE } from './session-cookie.ts';

export type RequestAuthDeps = { prisma: PrismaClient; controlToken: string; clock: Clock };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

/** Who is asking: the one place a request's credentials become an Actor. */
async function authenticate(request: FastifyRequest, deps: RequestAuthDeps): Promise<RequestAuth> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    // Bearer wins over a cookie: browsers never add it by themselves, so it needs no CSRF token.
    const secret = /^Bearer ([\x21-\x7e]{1,200})$/.exec(authorization)?.[1];
    if (secret === undefined)
      throw new HubError('WEB_UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    if (constantTimeEquals(secret, deps.controlToken))
      return { via: 'control', actor: { kind: 'system', component: 'local-cli' } };
    const actor = await authenticateApiToken(deps.prisma, secret, deps.clock.now());
    if (!actor) throw new HubError('WEB_UNAUTHENTICATED', 'the bearer token is unknown or revoked');
    return { via: 'token', actor };
  }
  const sessionToken = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (sessionToken === undefined || sessionToken.length > 200)
    throw new HubError('WEB_UNAUTHENTICATED', 'sign in (POST /api/v1/auth/login) or send a bearer token');
  const session = await resolveSession(deps.prisma, sessionToken, deps.clock.now());
  if (!session) throw new HubError('WEB_UNAUTHENTICATED', 'the session has ended; sign in again');
  return {
    via: 'session',
    actor: session.actor,
    sessionToken,
    csrfToken: session.csrfToken,
    mustChangePassword: session.user.mustChangePassword,
  };
}

function isAdmin(actor: Actor): boolean {
  return actor.kind === 'system' || (actor.kind === 'user' && actor.role === 'admin');
}

function enforce(request: FastifyRequest, auth: RequestAuth, access: Exclude<RouteAccess, 'public'>): void {
  if (auth.via === 'session' && !SAFE_METHODS.has(request.method)) {
    const given = request.headers[CSRF_HEADER];
    if (typeof given !== 'string' || !constantTimeEquals(given, auth.csrfToken))
      throw new HubError(
        'WEB_CSRF_TOKEN_INVALID',
        `send the session's CSRF token (GET /api/v1/auth/session) in the ${CSRF_HEADER} header`,
      );
  }
  if (access === 'person' && auth.via !== 'session')
    throw new HubError('WEB_FORBIDDEN', 'only a signed-in person may do this');
  if (auth.via === 'session' && auth.mustChangePassword && access !== 'person')
    throw new HubError(
      'WEB_PASSWORD_CHANGE_REQUIRED',
      'change the one-time password first (POST /api/v1/auth/password)',
    );
  if (access === 'admin' && !isAdmin(auth.actor))
    throw new HubError('WEB_FORBIDDEN', 'only an admin may do this');
}

/**
 * Runs before the body is read, so an unauthenticated upload is refused without reading it.
 * Routes outside the API (health, metrics) and `public` routes skip it.
 */
export function installRequestAuth(app: FastifyInstance, deps: RequestAuthDeps): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.api?.access;
    if (access === undefined || access === 'public') return;
    const auth = await authenticate(request, deps);
    enforce(request, auth, access);
    request.auth = auth;
  });
}
