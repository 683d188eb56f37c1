import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AgencyInputSchema, type AgencyDirectory, type UpsertResult } from '../../directory/index.ts';
import { apiRoute, fail, ok, type ApiReply } from '../api-route.ts';

export type AgencyRouteDeps = { directory: AgencyDirectory };

const AgencySchema = AgencyInputSchema.describe('an agency of the directory');

function conflict(result: Extract<UpsertResult, { kind: 'conflict' }>): ApiReply {
  return fail('WEB_CONFLICT', result.conflicts.map((c) => c.message).join('; '), result.conflicts);
}

/**
 * The agency directory over HTTP. Every signed-in caller may read it (clerks address outgoing
 * documents to other agencies; it holds nothing private); only admins and the local CLI change it.
 */
export function agencyRoutes(deps: AgencyRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/agencies',
        summary: 'The agency directory',
        tag: 'agencies',
        access: 'signed-in',
        responses: { 200: z.strictObject({ agencies: z.array(AgencySchema) }) },
      },
      async () => ok({ agencies: await deps.directory.list() }),
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/agencies',
        summary: 'Add an agency, or replace the one with the same OrganId',
        tag: 'agencies',
        access: 'admin',
        body: AgencySchema,
        responses: {
          200: z.strictObject({ agency: AgencySchema, created: z.literal(false) }),
          201: z.strictObject({ agency: AgencySchema, created: z.literal(true) }),
        },
      },
      async ({ body }) => {
        const result = await deps.directory.upsertAll([body]);
        if (result.kind === 'conflict') return conflict(result);
        return ok({ agency: body, created: result.created === 1 }, result.created ? 201 : 200);
      },
    );

    // All or nothing, as a CSV import must be: one bad entry and none is saved.
    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/agencies/import',
        summary: 'Add or replace many agencies in one transaction, all or none',
        tag: 'agencies',
        access: 'admin',
        body: z.strictObject({ agencies: z.array(AgencySchema).min(1).max(10_000) }),
        bodyLimit: 16 * 1_048_576,
        responses: {
          200: z.strictObject({
            kind: z.literal('saved'),
            created: z.number().int(),
            updated: z.number().int(),
          }),
        },
      },
      async ({ body }) => {
        const result = await deps.directory.upsertAll(body.agencies);
        return result.kind === 'conflict' ? conflict(result) : ok(result);
      },
    );
  };
}
