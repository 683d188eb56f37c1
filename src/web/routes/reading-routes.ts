import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/index.ts';
import { readingOverview } from '../../registry/index.ts';
import { apiRoute, ok } from '../api-route.ts';
import { READING_METHODS, READING_STATES } from './intake-routes.ts';

export type ReadingRouteDeps = { prisma: PrismaClient };

/** The readers of received files, for admins: how far behind, how fast, what they could not read. */
export function readingRoutes(deps: ReadingRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/admin/reading',
        summary:
          'Reading the text of received files: backlog, pages per second, failures by reason, the latest 50',
        tag: 'reading',
        access: 'admin',
        responses: {
          200: z.object({
            backlog: z.number().int().describe('files waiting or being read'),
            reading: z.number().int(),
            oldestWaitingSince: z.iso.datetime().nullable(),
            readLastHour: z.number().int(),
            pagesPerSecond: z.number().describe('pages read over the last 10 minutes, per second'),
            failures: z.array(
              z.object({
                reason: z.string().nullable(),
                state: z.enum(READING_STATES),
                count: z.number().int(),
              }),
            ),
            latest: z.array(
              z.object({
                attachmentId: z.uuid(),
                intakeItemId: z.uuid(),
                name: z.string(),
                agency: z.string(),
                state: z.enum(READING_STATES),
                method: z.enum(READING_METHODS).nullable(),
                reason: z.string().nullable(),
                pagesTotal: z.number().int().nullable(),
                pagesRead: z.number().int().nullable(),
                durationMs: z.number().int().nullable(),
                finishedAt: z.iso.datetime().nullable(),
              }),
            ),
          }),
        },
      },
      async () => ok(await readingOverview(deps.prisma)),
    );
  };
}
