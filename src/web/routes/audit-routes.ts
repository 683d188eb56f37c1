import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { agencyIdOf } from '../../directory/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import type { AuditVerdict } from '../../registry/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';
import { refusal } from './registry-replies.ts';

export type AuditRouteDeps = {
  prisma: PrismaClient;
  /** The chain checked against the exported anchors (main.ts knows where they are). */
  verifyAuditTrail?: () => Promise<AuditVerdict>;
};

// bigserial's ceiling: "before the end" for the first newest-first page.
const MAX_SEQ = 9_223_372_036_854_775_807n;

const EntrySchema = z.object({
  seq: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  agencyId: z.uuid().nullable(),
  agency: z.string().nullable().describe('OrganId of agencyId'),
  action: z.string(),
  subject: z.string().nullable(),
  data: z.unknown(),
  hash: z.string(),
});

/** The audit trail, for admins: it spans every agency and every sign-in. */
export function auditRoutes(deps: AuditRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/audit',
        summary: 'Audit entries: oldest first from afterSeq, or newest first (order=newest) before beforeSeq',
        tag: 'audit',
        access: 'admin',
        query: z.strictObject({
          agency: z.string().min(1).max(20).optional().describe('OrganId'),
          action: z
            .string()
            .regex(/^[a-z0-9._-]{1,100}$/, 'an action such as user.created, or its first part such as user')
            .optional()
            .describe('an action (user.created), or its first part (user) for every action under it'),
          order: z.enum(['oldest', 'newest']).optional().describe('oldest (the default) or newest first'),
          afterSeq: z.coerce.bigint().min(0n).optional().describe('oldest first: entries after this one'),
          beforeSeq: z.coerce.bigint().min(1n).optional().describe('newest first: entries before this one'),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
        responses: {
          200: z.object({
            entries: z.array(EntrySchema),
            nextAfterSeq: z.string().nullable(),
            nextBeforeSeq: z.string().nullable(),
          }),
        },
      },
      async ({ query }) => {
        const newest = query.order === 'newest';
        if (newest ? query.afterSeq !== undefined : query.beforeSeq !== undefined)
          return fail(
            'WEB_INVALID_REQUEST',
            newest
              ? 'newest first pages with beforeSeq, not afterSeq'
              : 'oldest first pages with afterSeq, not beforeSeq',
          );
        const agencyId = query.agency === undefined ? undefined : await agencyIdOf(deps.prisma, query.agency);
        if (agencyId === null) return refusal({ kind: 'not-found' }, 'agency');
        const limit = query.limit ?? 100;
        const action = query.action;
        const rows = await deps.prisma.auditEntry.findMany({
          where: {
            ...(agencyId ? { agencyId } : {}),
            ...(action ? { OR: [{ action }, { action: { startsWith: `${action}.` } }] } : {}),
            seq: newest ? { lt: query.beforeSeq ?? MAX_SEQ } : { gt: query.afterSeq ?? 0n },
          },
          orderBy: { seq: newest ? 'desc' : 'asc' },
          take: limit,
        });
        const agencyIds = [...new Set(rows.flatMap((row) => (row.agencyId ? [row.agencyId] : [])))];
        const organIds = new Map(
          (
            await deps.prisma.agency.findMany({
              where: { id: { in: agencyIds } },
              select: { id: true, organId: true },
            })
          ).map((a) => [a.id, a.organId]),
        );
        const entries = rows.map((row) => ({
          seq: row.seq.toString(),
          at: row.at,
          actor: row.actor,
          agencyId: row.agencyId,
          agency: row.agencyId ? (organIds.get(row.agencyId) ?? null) : null,
          action: row.action,
          subject: row.subject,
          data: row.data,
          hash: row.hash,
        }));
        const last = rows.length === limit ? (entries.at(-1)?.seq ?? null) : null;
        return ok({
          entries,
          nextAfterSeq: newest ? null : last,
          nextBeforeSeq: newest ? last : null,
        });
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/audit/verify',
        summary: 'Check the hash chain and the exported anchors (as `lienthong audit verify`)',
        tag: 'audit',
        access: 'admin',
        responses: { 200: z.record(z.string(), z.unknown()) },
      },
      async () => {
        if (!deps.verifyAuditTrail)
          return fail('WEB_UNPROCESSABLE', 'this hub has no audit anchors configured');
        return ok(await deps.verifyAuditTrail());
      },
    );
  };
}
