import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createApiToken, listApiTokens, revokeApiToken } from '../../access/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import { actorLabel } from '../../shared/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';

export type TokenRouteDeps = { prisma: PrismaClient };

const TokenSchema = z.strictObject({
  id: z.uuid(),
  agency: z.string().describe('OrganId the token acts for'),
  name: z.string(),
  prefix: z.string().describe('first characters of the secret, to recognise it'),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revoked: z.boolean(),
});

/** Partner systems' bearer tokens, for admins. A token acts for exactly one agency. */
export function tokenRoutes(deps: TokenRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/tokens',
        summary: 'List partner-system tokens (never their secrets)',
        tag: 'tokens',
        access: 'admin',
        responses: { 200: z.strictObject({ tokens: z.array(TokenSchema) }) },
      },
      async () => ok({ tokens: await listApiTokens(deps.prisma) }),
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/tokens',
        summary: 'Create a token for an agency’s partner system; the secret is shown only here',
        tag: 'tokens',
        access: 'admin',
        body: z.strictObject({
          agency: z.string().min(1).max(20).describe('OrganId'),
          name: z.string().min(1).max(200).optional(),
        }),
        responses: { 201: z.strictObject({ token: TokenSchema, secret: z.string() }) },
      },
      async ({ body, actor }) => {
        const outcome = await createApiToken(deps.prisma, body, actorLabel(actor));
        if (outcome.kind === 'refused') return fail('WEB_UNPROCESSABLE', outcome.reason);
        return ok({ token: outcome.token, secret: outcome.secret }, 201);
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/tokens/:id/revoke',
        summary: 'Revoke a token; it is refused from the next request on',
        tag: 'tokens',
        access: 'admin',
        params: z.strictObject({ id: z.uuid() }),
        responses: { 200: z.strictObject({ token: TokenSchema }) },
      },
      async ({ params, actor }) => {
        const token = await revokeApiToken(deps.prisma, params.id, actorLabel(actor));
        return token ? ok({ token }) : fail('WEB_NOT_FOUND', `no token ${params.id}`);
      },
    );
  };
}
