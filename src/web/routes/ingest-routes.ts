import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/index.ts';
import { afterKey, decodeCursor, encodeCursor } from '../../registry/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';
import { ListLimit, refusal } from './registry-replies.ts';

export type IngestRouteDeps = {
  prisma: PrismaClient;
  /** Absent, or undefined while ingest is not (yet) running in this process. */
  ingestSources?: () => Promise<IngestSourcesView | undefined>;
};

const Counts = z.record(z.string(), z.number());

const SourcesSchema = z.object({
  smtp: z.strictObject({
    port: z.number().int(),
    accepted: Counts.describe('messages stored, by placement (queue, quarantine, duplicate)'),
    refused: Counts.describe('messages and commands refused, by reason code'),
    bytes: z.number().describe('raw bytes stored'),
  }),
  imap: z.array(
    z.strictObject({
      name: z.string(),
      agency: z.string().describe('OrganId whose queue receives the mailbox'),
      host: z.string(),
      folder: z.string(),
      up: z.boolean().describe('holds an IMAP session now'),
      lastSuccessAt: z.iso.datetime().nullable().describe('end of the last successful fetch cycle'),
      lastError: z.strictObject({ at: z.iso.datetime(), message: z.string() }).nullable(),
    }),
  ),
  spool: z
    .object({
      pending: z.number().int(),
      failed: z.number().int(),
      oldestAgeSeconds: z.number().nullable(),
    })
    .optional()
    .describe('mail stored but not yet turned into intake items'),
});

/**
 * The mail ingest edges as main.ts hands them over: SMTP counters, IMAP pollers, the spool's
 * backlog. The web keeps its own port type (it does not import ingest), read off the schema the
 * API answers with, so the two cannot drift apart.
 */
export type IngestSourcesView = z.infer<typeof SourcesSchema>;

// Outcomes of a report that say the mail did not reach its reader: a DSN failure, an MDN denial.
const BOUNCED = ['failed', 'denied'];

/**
 * What became of a mail the hub sent (table outbound_mail), one state per row, and the filter of
 * the same name: `failed` the mail server did not take it (send_error, whatever an older report
 * said); `bounced` a report says it failed; `pending` handed over, no report yet or only a
 * `delayed` DSN; `delivered` any other report (delivered, relayed, displayed…).
 */
const OUTBOUND_STATES = ['failed', 'bounced', 'pending', 'delivered'] as const;
type OutboundState = (typeof OUTBOUND_STATES)[number];

const outboundStateWhere = (state: OutboundState) => {
  switch (state) {
    case 'failed':
      return { sendFailedAt: { not: null } };
    case 'bounced':
      return { sendFailedAt: null, outcome: { in: BOUNCED } };
    case 'pending':
      return { sendFailedAt: null, OR: [{ outcome: null }, { outcome: 'delayed' }] };
    case 'delivered':
      return { sendFailedAt: null, outcome: { notIn: [...BOUNCED, 'delayed'] } };
  }
};

const outboundStateOf = (row: { sendFailedAt: Date | null; outcome: string | null }): OutboundState =>
  row.sendFailedAt
    ? 'failed'
    : row.outcome === null || row.outcome === 'delayed'
      ? 'pending'
      : BOUNCED.includes(row.outcome)
        ? 'bounced'
        : 'delivered';

const OutboundMailSchema = z.object({
  id: z.uuid(),
  messageId: z.string(),
  kind: z.string().describe('receipt, alert or relay_delivery'),
  state: z.enum(OUTBOUND_STATES),
  recipients: z.array(z.string()),
  subject: z.string().nullable(),
  sentAt: z.iso.datetime().describe('when it was (last) handed to the mail server'),
  outcome: z.string().nullable().describe('from a DSN or MDN: delivered, delayed, failed, displayed…'),
  outcomeStatus: z.string().nullable().describe('DSN Status (5.1.1) or the MDN disposition'),
  outcomeDiagnostic: z.string().nullable().describe('DSN Diagnostic-Code'),
  outcomeAt: z.iso.datetime().nullable(),
  reportItemId: z.uuid().nullable().describe('the intake item holding the report'),
  sendError: z.string().nullable().describe('why the mail server did not take the mail'),
  sendFailedAt: z.iso.datetime().nullable(),
  packageId: z.uuid().nullable().describe('relay deliveries by e-mail: the package'),
  toOrganId: z.string().nullable().describe('relay deliveries by e-mail: the recipient agency'),
});

/**
 * The mail edges, for admins: where mail comes in (the SMTP listener's counters, each IMAP
 * mailbox's health) and the mail the hub sent.
 */
export function ingestRoutes(deps: IngestRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/ingest/sources',
        summary: 'SMTP listener counters and the state of each IMAP poller',
        tag: 'ingest',
        access: 'admin',
        responses: { 200: SourcesSchema },
      },
      async () => {
        const sources = await deps.ingestSources?.();
        if (!sources) return fail('WEB_UNAVAILABLE', 'mail ingest is not running in this hub process');
        return ok(sources);
      },
    );

    // Mail the hub sent (receipts, alerts, relay deliveries by e-mail) and what became of it.
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/ingest/outbound-mail',
        summary: 'Mail the hub sent, newest first: send failures, bounces and reports',
        tag: 'ingest',
        access: 'admin',
        query: z.strictObject({
          state: z
            .enum(['all', ...OUTBOUND_STATES])
            .optional()
            .describe('all (the default); failed: not taken by the mail server; bounced; pending; delivered'),
          cursor: z.string().max(200).optional(),
          limit: ListLimit,
        }),
        responses: {
          200: z.object({ mails: z.array(OutboundMailSchema), nextCursor: z.string().nullable() }),
        },
      },
      async ({ query }) => {
        const cursor = decodeCursor(query.cursor);
        if (cursor === 'invalid') return refusal({ kind: 'invalid-cursor' }, 'page');
        const limit = query.limit ?? 50;
        const state = query.state ?? 'all';
        const rows = await deps.prisma.outboundMail.findMany({
          where: {
            AND: [state === 'all' ? {} : outboundStateWhere(state), afterKey('sentAt', cursor)],
          },
          orderBy: [{ sentAt: 'desc' }, { id: 'desc' }],
          take: limit + 1,
          omit: { intakeItemIds: true },
        });
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return ok({
          mails: page.map((row) => ({ ...row, state: outboundStateOf(row) })),
          nextCursor: rows.length > limit && last ? encodeCursor({ at: last.sentAt, id: last.id }) : null,
        });
      },
    );
  };
}
