import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  changePassword,
  findUser,
  LoginThrottle,
  MAX_PASSWORD_LENGTH,
  signIn,
  signOut,
  USER_ROLES,
  type UserView,
} from '../../access/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import { type Actor, type Clock, HubError, joinSaid } from '../../shared/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';
import { clearedSessionCookie, sessionCookie } from '../auth/session-cookie.ts';

export type AuthRouteDeps = {
  prisma: PrismaClient;
  clock: Clock;
  /** Secure cookies: set when the hub serves HTTPS (LIENTHONG_TLS_CERT). */
  secureCookies: boolean;
  loginThrottle: LoginThrottle;
};

export const UserSchema = z.strictObject({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(USER_ROLES),
  agency: z.string().nullable().describe('OrganId; null for admins'),
  department: z.string().nullable(),
  mustChangePassword: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
});

const SessionSchema = z.strictObject({
  user: UserSchema,
  csrfToken: z.string().describe('send it as x-csrf-token on every state-changing request'),
  expiresAt: z.iso.datetime(),
});

const password = z.string().min(1).max(MAX_PASSWORD_LENGTH);

function userOf(auth: { actor: Actor }): string {
  if (auth.actor.kind !== 'user') throw new HubError('WEB_FORBIDDEN', 'only a signed-in person may do this');
  return auth.actor.userId;
}

async function sessionView(prisma: PrismaClient, userId: string): Promise<UserView> {
  const user = await findUser(prisma, userId);
  if (!user) throw new HubError('WEB_UNAUTHENTICATED', 'the session has ended; sign in again');
  return user;
}

/** People sign in here; partner systems use bearer tokens instead and never reach these routes. */
export function authRoutes(deps: AuthRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/auth/login',
        summary: 'Sign in; sets the session cookie and returns the CSRF token',
        tag: 'auth',
        access: 'public',
        body: z.strictObject({ username: z.string().min(1).max(100), password }),
        responses: { 200: SessionSchema },
      },
      async ({ body, request }) => {
        const verdict = deps.loginThrottle.check(body.username, request.ip);
        if (verdict.kind === 'blocked') {
          const refused = fail('WEB_RATE_LIMITED', 'too many failed sign-ins; try again later', {
            retryAfterSeconds: verdict.retryAfterSeconds,
          });
          return { ...refused, headers: { 'retry-after': String(verdict.retryAfterSeconds) } };
        }
        const now = deps.clock.now();
        const outcome = await signIn(deps.prisma, body, { address: request.ip }, now);
        if (outcome.kind === 'refused') {
          deps.loginThrottle.failed(body.username, request.ip);
          return fail('WEB_UNAUTHENTICATED', 'wrong username or password');
        }
        deps.loginThrottle.succeeded(body.username);
        const maxAge = (outcome.expiresAt.getTime() - now.getTime()) / 1000;
        return {
          status: 200,
          headers: { 'set-cookie': sessionCookie(outcome.sessionToken, maxAge, deps.secureCookies) },
          body: {
            user: outcome.user,
            csrfToken: outcome.csrfToken,
            expiresAt: outcome.expiresAt.toISOString(),
          },
        };
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/auth/session',
        summary: 'Who is signed in, and the CSRF token of the session',
        tag: 'auth',
        access: 'person',
        responses: { 200: SessionSchema.omit({ expiresAt: true }) },
      },
      async ({ auth }) => {
        if (auth?.via !== 'session') throw new HubError('WEB_UNAUTHENTICATED', 'no session');
        return ok({ user: await sessionView(deps.prisma, userOf(auth)), csrfToken: auth.csrfToken });
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/auth/logout',
        summary: 'End the session',
        tag: 'auth',
        access: 'person',
        responses: { 204: z.null() },
      },
      async ({ auth }) => {
        if (auth?.via === 'session') await signOut(deps.prisma, auth.sessionToken);
        return { status: 204, headers: { 'set-cookie': clearedSessionCookie(deps.secureCookies) } };
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/auth/password',
        summary: 'Change one’s own password (required after a one-time password)',
        tag: 'auth',
        access: 'person',
        body: z.strictObject({ currentPassword: password, newPassword: password }),
        responses: { 200: z.strictObject({ user: UserSchema }) },
      },
      async ({ auth, body }) => {
        if (!auth) throw new HubError('WEB_UNAUTHENTICATED', 'no session');
        const userId = userOf(auth);
        const outcome = await changePassword(
          deps.prisma,
          userId,
          body.currentPassword,
          body.newPassword,
          auth.via === 'session' ? auth.sessionToken : undefined,
        );
        if (outcome.kind === 'refused')
          return fail(
            'WEB_UNPROCESSABLE',
            joinSaid(outcome.problems),
            { problems: outcome.problems.map((p) => p.en) },
            outcome.problems.map((p) => ({ field: p.field ?? '', vi: p.vi, en: p.en })),
          );
        return ok({ user: await sessionView(deps.prisma, userId) });
      },
    );
  };
}
