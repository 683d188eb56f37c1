import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { agencyIdOf } from '../../directory/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import { AUDIT_AREAS, exportAuditTrail, readAuditTrail, type AuditVerdict } from '../../registry/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';
import { refusal } from './registry-replies.ts';

export type AuditRouteDeps = {
  prisma: PrismaClient;
  /** The chain checked against the exported anchors (main.ts knows where they are). */
  verifyAuditTrail?: () => Promise<AuditVerdict>;
};

const WordsSchema = z.object({ vi: z.string(), en: z.string() });

const EntrySchema = z.object({
  seq: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  actorName: WordsSchema.describe('who, in words: a person, a partner system, a part of the hub'),
  agencyId: z.uuid().nullable(),
  agency: z.string().nullable().describe('OrganId of agencyId'),
  agencyName: z.string().nullable(),
  action: z.string(),
  actionWords: WordsSchema,
  subject: z.string().nullable(),
  subjectName: WordsSchema.nullable().describe('what the action was about, in words'),
  details: z.array(
    z.object({
      key: z.string(),
      label: WordsSchema.nullable().describe('null: a technical detail, shown on request'),
      value: z.string(),
      valueWords: WordsSchema,
    }),
  ),
  data: z.unknown(),
  hash: z.string(),
});

const FROM_AFTER_TO = 'the first day (from) comes after the last day (to): swap them';

const FILTER = {
  agency: z.string().min(1).max(20).optional().describe('OrganId'),
  action: z
    .string()
    .regex(/^[a-z0-9._-]{1,100}$/, 'an action such as user.created, or its first part such as user')
    .optional()
    .describe('an action (user.created), or its first part (user) for every action under it'),
  from: z.iso.date('from must be a date YYYY-MM-DD').optional().describe('first day (Vietnam time)'),
  to: z.iso.date('to must be a date YYYY-MM-DD').optional().describe('last day (Vietnam time), included'),
};

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
          ...FILTER,
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
            areas: z
              .array(z.object({ code: z.string(), words: WordsSchema }))
              .describe('the parts of the hub an admin filters by (action=<code>)'),
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
        if (query.from && query.to && query.from > query.to)
          return fail('WEB_INVALID_REQUEST', FROM_AFTER_TO);
        return ok({
          areas: AUDIT_AREAS,
          ...(await readAuditTrail(deps.prisma, {
            ...(agencyId ? { agencyId } : {}),
            ...(query.action ? { action: query.action } : {}),
            ...(query.from ? { from: query.from } : {}),
            ...(query.to ? { to: query.to } : {}),
            order: newest ? 'newest' : 'oldest',
            ...(query.afterSeq === undefined ? {} : { afterSeq: query.afterSeq }),
            ...(query.beforeSeq === undefined ? {} : { beforeSeq: query.beforeSeq }),
            limit: query.limit ?? 100,
          })),
        });
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/audit/export',
        summary: 'The filtered audit trail as CSV in words (UTF-8 with BOM), oldest first',
        tag: 'audit',
        access: 'admin',
        query: z.strictObject({ ...FILTER, lang: z.enum(['vi', 'en']).optional() }),
        responses: { 200: z.string().describe('text/csv') },
      },
      async ({ query }) => {
        const agencyId = query.agency === undefined ? undefined : await agencyIdOf(deps.prisma, query.agency);
        if (agencyId === null) return refusal({ kind: 'not-found' }, 'agency');
        if (query.from && query.to && query.from > query.to)
          return fail('WEB_INVALID_REQUEST', FROM_AFTER_TO);
        const lang = query.lang ?? 'vi';
        const csv = exportAuditTrail(
          deps.prisma,
          {
            ...(agencyId ? { agencyId } : {}),
            ...(query.action ? { action: query.action } : {}),
            ...(query.from ? { from: query.from } : {}),
            ...(query.to ? { to: query.to } : {}),
          },
          lang,
        );
        const range = [query.from, query.to].filter(Boolean).join('-');
        return {
          status: 200,
          body: Readable.from(csv),
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="nhat-ky${range ? `-${range}` : ''}.csv"`,
          },
        };
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
