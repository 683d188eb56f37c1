import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/index.ts';
import {
  importAxisDirectory,
  mergeProvinces,
  parseAxisDirectory,
  parseMergerMapping,
} from '../../directory/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';

export type DirectoryRouteDeps = { prisma: PrismaClient };

const Problem = z.strictObject({ line: z.number().int(), message: z.string() });
const AgencyLine = z.object({ organId: z.string(), name: z.string(), channel: z.string() });
const PlanSchema = z
  .object({
    absorbed: z.string(),
    absorbing: z.string(),
    effectiveOn: z.string(),
    steps: z.array(
      z.object({
        kind: z.enum(['recode', 'fold', 'done']),
        line: z.number().int(),
        agency: AgencyLine.optional(),
        newCode: z.string().optional(),
        newName: z.string().optional(),
        into: z.object({ organId: z.string(), name: z.string() }).optional(),
        oldCode: z.string().optional(),
      }),
    ),
    unmapped: z.array(AgencyLine),
    warnings: z.array(z.string()),
    problems: z.array(Problem),
  })
  .describe('what the merger does, row by row of the mapping');

/**
 * The directory's history and its admin operations: former codes with the day they closed and
 * their successor, a province merger (preview first: the console shows the plan and asks before
 * it runs), and loading the national axis's agency list.
 */
export function directoryRoutes(deps: DirectoryRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/directory/former-codes',
        summary:
          'Closed agency codes: when each closed, why, and the agency that receives what is sent to it',
        tag: 'agencies',
        access: 'signed-in',
        responses: {
          200: z.strictObject({
            formerCodes: z.array(
              z.strictObject({
                code: z.string(),
                closedOn: z.string().nullable(),
                reason: z.enum(['merger', 'code_change']),
                successor: z.strictObject({ organId: z.string(), name: z.string() }),
                retiredAgency: z.strictObject({ organId: z.string(), name: z.string() }).nullable(),
              }),
            ),
          }),
        },
      },
      async () => {
        const rows = await deps.prisma.agencyAlias.findMany({
          include: {
            agency: { select: { organId: true, name: true } },
            retiredAgency: { select: { organId: true, name: true } },
          },
          orderBy: [{ closedOn: 'desc' }, { organId: 'asc' }],
          take: 5000,
        });
        return ok({
          formerCodes: rows.map((r) => ({
            code: r.organId,
            closedOn: r.closedOn ? r.closedOn.toISOString().slice(0, 10) : null,
            reason: r.reason,
            successor: r.agency,
            retiredAgency: r.retiredAgency,
          })),
        });
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/directory/merge',
        summary:
          'Merge a province into another by the official mapping (CSV oldCode,newCode,newName); dryRun only shows the plan',
        tag: 'agencies',
        access: 'admin',
        body: z.strictObject({
          absorbed: z
            .string()
            .trim()
            .min(1)
            .max(3)
            .describe('level-1 code of the absorbed province, e.g. H43'),
          absorbing: z
            .string()
            .trim()
            .min(1)
            .max(3)
            .describe('level-1 code of the province that keeps its code'),
          effectiveOn: z.iso.date().describe('the day the old codes close'),
          mapping: z
            .string()
            .min(1)
            .max(16 * 1_048_576)
            .describe('the mapping CSV as text'),
          dryRun: z.boolean().default(false),
        }),
        bodyLimit: 24 * 1_048_576,
        responses: { 200: z.strictObject({ kind: z.enum(['planned', 'merged']), plan: PlanSchema }) },
      },
      async ({ body, actor }) => {
        const mapping = parseMergerMapping(body.mapping);
        if (mapping.kind === 'invalid')
          return fail(
            'WEB_UNPROCESSABLE',
            `Không sáp nhập: ${mapping.problems.length} lỗi trong bảng ánh xạ / nothing merged: ${mapping.problems.length} problem(s) in the mapping`,
            { problems: mapping.problems },
          );
        const outcome = await mergeProvinces(
          deps.prisma,
          actor,
          {
            absorbed: body.absorbed,
            absorbing: body.absorbing,
            effectiveOn: body.effectiveOn,
            mapping: mapping.rows,
          },
          { dryRun: body.dryRun },
        );
        if (outcome.kind === 'refused')
          return fail(
            'WEB_UNPROCESSABLE',
            `Không sáp nhập: ${outcome.plan.problems.length} lỗi / nothing merged: ${outcome.plan.problems.length} problem(s)`,
            { problems: outcome.plan.problems, plan: outcome.plan },
          );
        return ok(outcome);
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/directory/import-axis',
        summary:
          'Load the national axis’s agency list (getAgenciesList: [{code, name, mail}]); new agencies get channel national',
        tag: 'agencies',
        access: 'admin',
        body: z.strictObject({
          json: z
            .string()
            .min(2)
            .max(96 * 1_048_576)
            .describe('the getAgenciesList answer as text'),
          source: z.string().max(200).default('api'),
        }),
        bodyLimit: 128 * 1_048_576,
        responses: {
          200: z.strictObject({
            added: z.number().int(),
            renamed: z.number().int(),
            unchanged: z.number().int(),
            keptChannel: z.number().int(),
            mailsTaken: z.number().int(),
            elapsedMs: z.number(),
            problems: z.array(Problem),
          }),
        },
      },
      async ({ body, actor }) => {
        const parsed = parseAxisDirectory(body.json);
        if (parsed.kind === 'invalid')
          return fail('WEB_UNPROCESSABLE', parsed.problems[0]?.message ?? 'not readable', {
            problems: parsed.problems,
          });
        const outcome = await importAxisDirectory(deps.prisma, actor, parsed.entries, body.source);
        const { skipped, ...counts } = outcome;
        return ok({ ...counts, problems: [...parsed.problems, ...skipped].sort((a, b) => a.line - b.line) });
      },
    );
  };
}
