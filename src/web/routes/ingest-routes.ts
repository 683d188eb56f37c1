import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiRoute, fail, ok } from '../api-route.ts';

export type IngestRouteDeps = {
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

/** Where mail comes in, for admins: the SMTP listener's counters and each IMAP mailbox's health. */
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
  };
}
