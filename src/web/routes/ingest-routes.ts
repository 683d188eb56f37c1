import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiRoute, fail, ok } from '../api-route.ts';

/** The mail ingest edges as main.ts hands them over: SMTP counters, IMAP pollers, later the spool. */
export type IngestSourcesView = {
  smtp: { port: number; accepted: Record<string, number>; refused: Record<string, number>; bytes: number };
  imap: {
    name: string;
    agency: string;
    host: string;
    folder: string;
    up: boolean;
    lastSuccessAt: string | null;
    lastError: { at: string; message: string } | null;
  }[];
  spool?: { pending: number; failed: number; oldestAgeSeconds: number | null };
};

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
