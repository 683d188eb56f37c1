import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { findAgencyId } from '../../access/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import type { AuditVerdict } from '../../registry/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';
import { refusal } from './registry-replies.ts';

export type AuditRouteDeps = {
  prisma: PrismaClient;
  /** The chain checked against the exported anchors (main.ts knows where they are). */
  verifyAuditTrail?: () => Promise<AuditVerdict>;
};

const EntrySchema = z.object({
  seq: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  agencyId: z.uuid().nullable(),
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
        summary: 'Audit entries, oldest first from a sequence number',
        tag: 'audit',
        access: 'admin',
        query: z.strictObject({
          agency: z.string().min(1).max(20).optional().describe('OrganId'),
          afterSeq: z.coerce.bigint().min(0n).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
        responses: { 200: z.object({ entries: z.array(EntrySchema), nextAfterSeq: z.string().nullable() }) },
      },
      async ({ query }) => {
        const agencyId =
          query.agency === undefined ? undefined : await findAgencyId(deps.prisma, query.agency);
        if (agencyId === null) return refusal({ kind: 'not-found' }, 'agency');
        const limit = query.limit ?? 100;
        const rows = await deps.prisma.auditEntry.findMany({
          where: { ...(agencyId ? { agencyId } : {}), seq: { gt: query.afterSeq ?? 0n } },
          orderBy: { seq: 'asc' },
          take: limit,
        });
        const entries = rows.map((row) => ({
          seq: row.seq.toString(),
          at: row.at,
          actor: row.actor,
          agencyId: row.agencyId,
          action: row.action,
          subject: row.subject,
          data: row.data,
          hash: row.hash,
        }));
        return ok({ entries, nextAfterSeq: rows.length === limit ? (entries.at(-1)?.seq ?? null) : null });
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
