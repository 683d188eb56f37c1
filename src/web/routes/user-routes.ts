import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createUser,
  listUsers,
  resetPassword,
  setUserDisabled,
  updateUser,
  USER_ROLES,
} from '../../access/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import { actorLabel, said } from '../../shared/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';
import { UserSchema } from './auth-routes.ts';

export type UserRouteDeps = { prisma: PrismaClient };

const ById = z.strictObject({ id: z.uuid() });

/** People, for admins: the data centre creates accounts; there is no self-registration. */
export function userRoutes(deps: UserRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/users',
        summary: 'List every person',
        tag: 'users',
        access: 'admin',
        responses: { 200: z.strictObject({ users: z.array(UserSchema) }) },
      },
      async () => ok({ users: await listUsers(deps.prisma) }),
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/users',
        summary: 'Create a person; the answer carries a one-time password, shown only here',
        tag: 'users',
        access: 'admin',
        body: z.strictObject({
          username: z.string().min(1).max(100),
          role: z.enum(USER_ROLES),
          agency: z.string().min(1).max(20).optional().describe('OrganId; required for clerks and leaders'),
          department: z.string().min(1).max(300).optional(),
          displayName: z.string().min(1).max(200).optional(),
        }),
        responses: { 201: z.strictObject({ user: UserSchema, password: z.string() }) },
      },
      async ({ body, actor }) => {
        const outcome = await createUser(deps.prisma, body, actorLabel(actor));
        if (outcome.kind === 'refused') return fail('WEB_UNPROCESSABLE', outcome.reason);
        return ok({ user: outcome.user, password: outcome.oneTimePassword }, 201);
      },
    );

    apiRoute(
      app,
      {
        method: 'PATCH',
        url: '/api/v1/users/:id',
        summary:
          'Change a person’s role, agency or name; a change of role or agency ends their sessions. No admin can take the admin role from themselves or from the last active admin (409)',
        tag: 'users',
        access: 'admin',
        params: ById,
        body: z
          .strictObject({
            role: z.enum(USER_ROLES).optional(),
            agency: z.string().min(1).max(20).nullable().optional().describe('OrganId; null for an admin'),
            displayName: z.string().trim().min(1).max(200).optional(),
          })
          .refine((b) => b.role !== undefined || b.agency !== undefined || b.displayName !== undefined, {
            error:
              'không có gì để thay đổi: hãy chọn vai trò, cơ quan hoặc họ tên / nothing to change: give a role, an agency or a name',
          }),
        responses: { 200: z.strictObject({ user: UserSchema, changed: z.boolean() }) },
      },
      async ({ params, body, actor }) => {
        const outcome = await updateUser(deps.prisma, params.id, body, {
          label: actorLabel(actor),
          userId: actor.kind === 'user' ? actor.userId : undefined,
        });
        switch (outcome.kind) {
          case 'updated':
            return ok({ user: outcome.user, changed: outcome.changed });
          case 'not-found':
            return fail(
              'WEB_NOT_FOUND',
              said('Không có người dùng này: có thể đã bị xóa.', `no user ${params.id}`),
            );
          case 'refused':
            return fail('WEB_UNPROCESSABLE', outcome.reason);
          case 'keeps-administration':
            return fail('WEB_CONFLICT', outcome.reason);
        }
      },
    );

    for (const [verb, disabled] of [
      ['disable', true],
      ['enable', false],
    ] as const) {
      apiRoute(
        app,
        {
          method: 'POST',
          url: `/api/v1/users/:id/${verb}`,
          summary: disabled ? 'Disable a person and end their sessions' : 'Enable a disabled person again',
          tag: 'users',
          access: 'admin',
          params: ById,
          responses: { 200: z.strictObject({ user: UserSchema }) },
        },
        async ({ params, actor }) => {
          const outcome = await setUserDisabled(deps.prisma, params.id, disabled, {
            label: actorLabel(actor),
            userId: actor.kind === 'user' ? actor.userId : undefined,
          });
          switch (outcome.kind) {
            case 'changed':
              return ok({ user: outcome.user });
            case 'not-found':
              return fail('WEB_NOT_FOUND', `no user ${params.id}`);
            case 'refused':
              return fail('WEB_CONFLICT', outcome.reason);
          }
        },
      );
    }

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/users/:id/reset-password',
        summary: 'Give a person a new one-time password (shown only here) and end their sessions',
        tag: 'users',
        access: 'admin',
        params: ById,
        responses: { 200: z.strictObject({ user: UserSchema, password: z.string() }) },
      },
      async ({ params, actor }) => {
        const outcome = await resetPassword(deps.prisma, params.id, {
          label: actorLabel(actor),
          userId: actor.kind === 'user' ? actor.userId : undefined,
        });
        switch (outcome.kind) {
          case 'reset':
            return ok({ user: outcome.user, password: outcome.oneTimePassword });
          case 'not-found':
            return fail('WEB_NOT_FOUND', `no user ${params.id}`);
          case 'refused':
            return fail('WEB_UNPROCESSABLE', outcome.reason);
        }
      },
    );
  };
}
