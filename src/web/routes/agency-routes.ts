import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AgencyInputSchema, type AgencyDirectory } from '../../directory/index.ts';
import { apiError } from '../error-shape.ts';

export type AgencyRouteDeps = { directory: AgencyDirectory; controlToken: string };

function bearerMatches(request: FastifyRequest, expected: string): boolean {
  const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The agency directory over HTTP. Until people and partner tokens exist (issue 5), the only
 * credential is the hub's local control token, written to the 0600 lock file in the data
 * directory: it is how the CLI on the same machine makes changes through a running hub.
 */
export function agencyRoutes(deps: AgencyRouteDeps) {
  return (app: FastifyInstance) => {
    app.addHook('onRequest', async (request, reply) => {
      if (!bearerMatches(request, deps.controlToken)) {
        await reply.code(401).send(apiError('UNAUTHENTICATED', 'a valid bearer token is required'));
      }
    });
    app.get('/api/v1/agencies', async () => ({ agencies: await deps.directory.list() }));
    app.post('/api/v1/agencies', async (request, reply) => {
      const parsed = AgencyInputSchema.safeParse(request.body);
      if (!parsed.success) {
        return reply
          .code(400)
          .send(
            apiError(
              'INVALID_AGENCY',
              parsed.error.issues.map((i) => i.message).join('; '),
              parsed.error.issues,
            ),
          );
      }
      const result = await deps.directory.upsertAll([parsed.data]);
      if (result.kind === 'conflict') {
        return reply
          .code(409)
          .send(
            apiError('AGENCY_CONFLICT', result.conflicts.map((c) => c.message).join('; '), result.conflicts),
          );
      }
      return reply
        .code(result.created ? 201 : 200)
        .send({ agency: parsed.data, created: result.created === 1 });
    });
    // All or nothing, as a CSV import must be: one bad entry and none is saved.
    app.post('/api/v1/agencies/import', async (request, reply) => {
      const parsed = AgencyInputSchema.array()
        .min(1)
        .safeParse((request.body as { agencies?: unknown } | null)?.agencies);
      if (!parsed.success) {
        return reply
          .code(400)
          .send(
            apiError(
              'INVALID_AGENCY',
              parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
              parsed.error.issues,
            ),
          );
      }
      const result = await deps.directory.upsertAll(parsed.data);
      if (result.kind === 'conflict') {
        return reply
          .code(409)
          .send(
            apiError('AGENCY_CONFLICT', result.conflicts.map((c) => c.message).join('; '), result.conflicts),
          );
      }
      return reply.send(result);
    });
  };
}
