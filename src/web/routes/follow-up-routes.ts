import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/index.ts';
import {
  assignDocument,
  createDepartment,
  followUpByDepartment,
  listDepartments,
  listFollowUp,
} from '../../registry/index.ts';
import type { Clock } from '../../shared/index.ts';
import { apiRoute, ok, type ApiReply } from '../api-route.ts';
import { definedOnly, IdParams, ListLimit, refusal } from './registry-replies.ts';

export type FollowUpRouteDeps = {
  prisma: PrismaClient;
  clock: Clock;
  /** the agency's row id for a code it is named by, current or former (directory's agencyIdOf) */
  agencyIdOf: (code: string) => Promise<string | null>;
};

const AgencyQuery = z
  .string()
  .min(1)
  .max(20)
  .optional()
  .describe('OrganId; admins choose an agency, others may only name their own');
const DaysQuery = z.coerce
  .number()
  .int()
  .min(0)
  .max(60)
  .optional()
  .describe('the due-soon window in days, today included (default 3)');

const LoadSchema = z.object({
  total: z.number().int(),
  open: z.number().int(),
  overdue: z.number().int(),
  dueSoon: z.number().int(),
});

const FollowUpItemSchema = z.object({
  id: z.uuid(),
  agencyId: z.uuid(),
  direction: z.enum(['incoming', 'outgoing']),
  year: z.number().int(),
  number: z.number().int(),
  notation: z.string().nullable(),
  subject: z.string(),
  senderName: z.string().nullable(),
  senderOrganId: z.string().nullable(),
  statusCode: z.string().nullable(),
  dueOn: z.iso.date(),
  overdue: z.boolean(),
  daysLeft: z.number().int().describe('0 due today, negative when overdue'),
  department: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  assignee: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
});

/**
 * Theo dõi, đôn đốc: the leader's follow-up of due dates, the load of each department, the
 * departments and people documents are assigned to, and the assignment itself. Reads are open to
 * every caller of the agency; assigning and adding departments are for leaders and admins.
 */
export function followUpRoutes(deps: FollowUpRouteDeps) {
  /** The agency an `agency` query names, as an id; an unknown one is answered as not found. */
  const agencyOf = async (organId: string | undefined): Promise<string | undefined | null> =>
    organId === undefined ? undefined : deps.agencyIdOf(organId);
  const noAgency = (): ApiReply => refusal({ kind: 'not-found' }, 'agency');

  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/follow-up',
        summary:
          'Open documents that are overdue or due soon (Vietnam dates), incoming first, earliest due first',
        tag: 'follow-up',
        access: 'signed-in',
        query: z.strictObject({
          due: z.enum(['overdue', 'due-soon']).optional().describe('only one of the two; both when absent'),
          days: DaysQuery,
          direction: z.enum(['incoming', 'outgoing']).optional(),
          agency: AgencyQuery,
          cursor: z.string().max(200).optional(),
          limit: ListLimit,
        }),
        responses: {
          200: z.object({
            today: z.iso.date().describe('the date in Vietnam the answer was computed for'),
            items: z.array(FollowUpItemSchema),
            nextCursor: z.string().nullable(),
          }),
        },
      },
      async ({ query, actor }) => {
        const { agency, ...filter } = query;
        const agencyId = await agencyOf(agency);
        if (agencyId === null) return noAgency();
        const page = await listFollowUp(deps.prisma, actor, deps.clock.now(), {
          ...definedOnly(filter),
          ...(agencyId ? { agencyId } : {}),
        });
        if ('kind' in page) return refusal(page, page.kind === 'not-found' ? 'agency' : 'page');
        return ok(page);
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/follow-up/departments',
        summary: 'Incoming documents per department: total, open, overdue, due soon; and those unassigned',
        tag: 'follow-up',
        access: 'signed-in',
        query: z.strictObject({ days: DaysQuery, agency: AgencyQuery }),
        responses: {
          200: z.object({
            today: z.iso.date(),
            departments: z.array(LoadSchema.extend({ id: z.uuid(), name: z.string(), agencyId: z.uuid() })),
            unassigned: LoadSchema,
          }),
        },
      },
      async ({ query, actor }) => {
        const agencyId = await agencyOf(query.agency);
        if (agencyId === null) return noAgency();
        const counts = await followUpByDepartment(deps.prisma, actor, deps.clock.now(), {
          ...(query.days === undefined ? {} : { days: query.days }),
          ...(agencyId ? { agencyId } : {}),
        });
        return 'kind' in counts ? noAgency() : ok(counts);
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/departments',
        summary: 'The departments of the agency and the people documents may be assigned to',
        tag: 'follow-up',
        access: 'signed-in',
        query: z.strictObject({ agency: AgencyQuery }),
        responses: {
          200: z.object({
            departments: z.array(z.object({ id: z.uuid(), name: z.string(), agencyId: z.uuid() })),
            people: z.array(
              z.object({
                id: z.uuid(),
                displayName: z.string(),
                role: z.enum(['clerk', 'leader']),
                departmentId: z.uuid().nullable(),
                agencyId: z.uuid(),
              }),
            ),
          }),
        },
      },
      async ({ query, actor }) => {
        const agencyId = await agencyOf(query.agency);
        if (agencyId === null) return noAgency();
        const list = await listDepartments(deps.prisma, actor, agencyId ? { agencyId } : {});
        return 'kind' in list ? noAgency() : ok(list);
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/departments',
        summary: 'Add a department (phòng ban) to the agency: leaders to their own, admins to the one named',
        tag: 'follow-up',
        access: 'signed-in',
        body: z.strictObject({ name: z.string().trim().min(1).max(300), agency: AgencyQuery }),
        responses: {
          201: z.object({ department: z.object({ id: z.uuid(), name: z.string(), agencyId: z.uuid() }) }),
        },
      },
      async ({ body, actor }) => {
        const agencyId = await agencyOf(body.agency);
        const outcome = await createDepartment(deps.prisma, actor, {
          name: body.name,
          ...(agencyId === undefined ? {} : { agencyId }),
        });
        if (outcome.kind === 'created') return ok({ department: outcome.department }, 201);
        return refusal(outcome, 'agency');
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/documents/:id/assign',
        summary:
          'Assign a document to a department and/or a person, with a due date (leaders); null clears a field',
        tag: 'follow-up',
        access: 'signed-in',
        params: IdParams,
        body: z.strictObject({
          departmentId: z.uuid().nullable().optional(),
          assigneeId: z.uuid().nullable().optional(),
          dueOn: z.iso.date().nullable().optional().describe('hạn xử lý, YYYY-MM-DD'),
        }),
        responses: {
          200: z.object({
            document: z.object({
              id: z.uuid(),
              departmentId: z.uuid().nullable(),
              assigneeId: z.uuid().nullable(),
              dueOn: z.iso.date().nullable(),
            }),
            statusRecorded: z.literal('04').nullable().describe('04 (phân công) recorded by this assignment'),
            queuedForSender: z.boolean(),
          }),
        },
      },
      async ({ params, body, actor }) => {
        const outcome = await assignDocument(deps.prisma, actor, params.id, definedOnly(body));
        if (outcome.kind !== 'assigned') return refusal(outcome, 'document');
        return ok({
          document: outcome.document,
          statusRecorded: outcome.statusRecorded,
          queuedForSender: outcome.queuedForSender,
        });
      },
    );
  };
}
