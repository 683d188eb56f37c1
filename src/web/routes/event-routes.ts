import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiTokenStillActive, sessionEndKey, sessionStillActive } from '../../access/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import type { InboxState } from '../../exchange/index.ts';

import { type Clock, agencyScope, type Logger } from '../../shared/index.ts';
import { apiRoute, fail, type RequestAuth } from '../api-route.ts';
import {
  createEventStreams,
  DEFAULT_EVENT_STREAM_OPTIONS,
  type EventStreamOptions,
  type StreamOwner,
} from '../live/event-streams.ts';
import type { LiveEvents } from '../live/live-events.ts';

/**
 * `GET /api/v1/events`: server-sent events for the console (docs/console.md, "Live updates").
 * The browser's EventSource sends the session cookie like any same-origin GET; no credential ever
 * travels in the URL. Partner systems may listen with their bearer token.
 */
export type EventRouteDeps = {
  prisma: PrismaClient;
  clock: Clock;
  log: Logger;
  events: Pick<LiveEvents, 'subscribe' | 'publish'>;
  options?: Partial<EventStreamOptions>;
  inboxStates?: (organIds: readonly string[]) => Promise<InboxState[]>;
  deadLetterDepth?: () => Promise<number>;
};

function ownerOf(auth: RequestAuth, deps: EventRouteDeps): StreamOwner {
  const agencyId = agencyScope(auth.actor);
  switch (auth.via) {
    case 'session':
      return {
        credential: `session:${sessionEndKey(auth.sessionToken)}`,
        agencyId,
        sessionEndKey: sessionEndKey(auth.sessionToken),
        stillValid: () => sessionStillActive(deps.prisma, auth.sessionToken, deps.clock.now()),
      };
    case 'token': {
      const tokenId = auth.actor.kind === 'token' ? auth.actor.tokenId : '';
      return {
        credential: `token:${tokenId}`,
        agencyId,
        sessionEndKey: null,
        stillValid: () => apiTokenStillActive(deps.prisma, tokenId),
      };
    }
    case 'control':
      return {
        credential: 'control',
        agencyId,
        sessionEndKey: null,
        stillValid: () => Promise.resolve(true),
      };
  }
}

export function eventRoutes(deps: EventRouteDeps) {
  const options = { ...DEFAULT_EVENT_STREAM_OPTIONS, ...deps.options };
  const { inboxStates, deadLetterDepth } = deps;
  const relayDepths =
    inboxStates || deadLetterDepth
      ? async () => {
          const agencies = await deps.prisma.agency.findMany({
            where: { channel: { in: ['hosted', 'partner'] } },
            select: { organId: true },
            orderBy: { organId: 'asc' },
          });
          const [inboxes, deadLetters] = await Promise.all([
            inboxStates ? inboxStates(agencies.map((a) => a.organId)) : Promise.resolve([]),
            deadLetterDepth ? deadLetterDepth() : Promise.resolve(null),
          ]);
          return {
            inboxes: inboxes.map((i) =>
              'missing' in i
                ? { organId: i.organId, missing: true as const }
                : { organId: i.organId, messages: i.messages, consumers: i.consumers },
            ),
            deadLetters,
          };
        }
      : undefined;
  const streams = createEventStreams(deps.events, deps.log, options, relayDepths);

  return (app: FastifyInstance) => {
    // Before the server stops accepting: open streams would otherwise keep close() waiting forever.
    app.addHook('preClose', (done) => {
      streams.closeAll('shutdown');
      done();
    });

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/events',
        summary:
          'Server-sent events (text/event-stream): ids and kinds of changes the caller may see; fetch them through the API',
        tag: 'events',
        access: 'signed-in',
        responses: { 200: z.string().describe('text/event-stream') },
      },
      ({ request, reply, auth }) => {
        if (!auth) return Promise.resolve(fail('WEB_UNAUTHENTICATED', 'sign in or send a bearer token'));
        // Only a client that asks for a stream gets one (EventSource always does): a plain API
        // call here is answered at once instead of hanging on a response that never ends.
        if (!/\btext\/event-stream\b/.test(request.headers.accept ?? ''))
          return Promise.resolve(
            fail('WEB_INVALID_REQUEST', 'this route streams events: send Accept: text/event-stream'),
          );
        const owner = ownerOf(auth, deps);
        // Hijacked: Fastify leaves the response to the stream, which ends it itself.
        reply.hijack();
        const outcome = streams.open(owner, reply.raw);
        if (outcome.kind === 'too-many') {
          const refusal =
            outcome.scope === 'credential'
              ? fail(
                  'WEB_RATE_LIMITED',
                  `at most ${options.maxPerCredential} event streams per session; close another tab`,
                )
              : fail('WEB_UNAVAILABLE', 'the hub is stopping or has as many event streams as it allows');
          reply.raw.writeHead(refusal.status, {
            'content-type': 'application/json; charset=utf-8',
            'retry-after': String(Math.ceil(options.retryMs / 1000)),
          });
          reply.raw.end(JSON.stringify(refusal.body));
          return Promise.resolve({ status: refusal.status });
        }
        request.log.debug({ streams: streams.size }, 'event stream opened');
        return Promise.resolve({ status: 200 });
      },
    );
  };
}
