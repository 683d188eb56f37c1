import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/index.ts';
import {
  discardDeadLetter,
  listRelayRefusals,
  packageForActor,
  readDeadLetter,
  relayOverview,
  relayThroughput,
  requeueDeadLetter,
  resendFailedDeliveries,
  submitterOrganId,
  type AxisState,
  type DeadLetters,
  type InboxState,
  type Submitter,
  type SubmitOutcome,
} from '../../exchange/index.ts';
import { actorLabel, isHubError, said, systemClock, type Clock } from '../../shared/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';
import { IdParams } from './registry-replies.ts';

/**
 * Packages over HTTP (docs/contract.md): `POST /api/v1/packages` takes edXML bytes into the one submit
 * path and answers 202 only after the package and its outbox rows are committed; the delivery
 * state per recipient; an admin's resend of failed deliveries; and the relay's state for admins.
 */
export type PackageRouteDeps = {
  prisma: PrismaClient;
  /** The hub's own agency: what an admin or the local CLI submits as. */
  ownOrganId: string;
  bodyLimitBytes: number;
  submit: (submitter: Submitter, bytes: Uint8Array) => Promise<SubmitOutcome>;
  /** Queue depth and consumers per inbox (RabbitMQ management API); absent where there is no broker. */
  inboxStates?: (organIds: readonly string[]) => Promise<InboxState[]>;
  /** The dead-letter queue; absent where there is no broker. */
  deadLetters?: DeadLetters;
  /** How many dead letters wait (management API), for the live relay view. */
  deadLetterDepth?: () => Promise<number>;
  /** The national axis connector's state; absent when it is off. */
  axisState?: () => Promise<AxisState>;
  /** Whether an outgoing mail server is configured: without one, agencies reached by e-mail get nothing. */
  mailServer?: boolean;
  clock?: Clock;
};

const XmlBody = z.custom<Buffer>((value) => Buffer.isBuffer(value), {
  error: 'send the edXML package as the body, Content-Type: application/xml',
});

const MessageIdParams = z.strictObject({ messageId: z.string().min(1).max(200) });

const DeliverySchema = z.object({
  toOrganId: z.string(),
  state: z.string(),
  lastError: z.string().nullable(),
  updatedAt: z.iso.datetime(),
});

export function packageRoutes(deps: PackageRouteDeps) {
  return (app: FastifyInstance) => {
    // edXML arrives as bytes; the submit path guards and reads them itself.
    app.addContentTypeParser(
      ['application/xml', 'text/xml'],
      { parseAs: 'buffer', bodyLimit: deps.bodyLimitBytes },
      (_request, body, done) => {
        done(null, body);
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/packages',
        summary: 'Submit an edXML package for relay (202 after validation and durable storage)',
        tag: 'packages',
        access: 'signed-in',
        body: XmlBody,
        bodyLimit: deps.bodyLimitBytes,
        responses: {
          202: z.object({
            packageId: z.uuid(),
            outcome: z.enum(['accepted', 'duplicate', 'held']),
            recipients: z.array(z.string()),
            held: z.string().optional(),
          }),
        },
      },
      async ({ body, actor }) => {
        const organId = await submitterOrganId(deps.prisma, actor, deps.ownOrganId);
        if (!organId) return fail('WEB_FORBIDDEN', 'this credential speaks for no agency');
        const outcome = await deps.submit({ via: 'http', organId, label: actorLabel(actor) }, body);
        switch (outcome.kind) {
          case 'refused':
            return fail('WEB_UNPROCESSABLE', outcome.reasons.join('; '), {
              reasons: outcome.reasons,
              documentId: outcome.documentKey,
            });
          case 'accepted':
            return ok(
              { packageId: outcome.packageId, outcome: 'accepted', recipients: outcome.recipients },
              202,
            );
          case 'duplicate':
            return ok({ packageId: outcome.packageId, outcome: 'duplicate', recipients: [] }, 202);
          case 'held':
            return ok(
              { packageId: outcome.packageId, outcome: 'held', recipients: [], held: outcome.reason },
              202,
            );
        }
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/packages/:id',
        summary: 'A package and its delivery state per recipient (its sender, its recipients and admins)',
        tag: 'packages',
        access: 'signed-in',
        params: IdParams,
        responses: {
          200: z.object({ package: z.record(z.string(), z.unknown()), deliveries: z.array(DeliverySchema) }),
        },
      },
      async ({ params, actor }) => {
        const view = await packageForActor(deps.prisma, actor, deps.ownOrganId, params.id);
        // Another agency's package is answered exactly like a missing one.
        return view ? ok(view) : fail('WEB_NOT_FOUND', 'no such package');
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/packages/:id/resend',
        summary: 'Queue failed deliveries of a package again (admins)',
        tag: 'packages',
        access: 'admin',
        params: IdParams,
        responses: { 200: z.object({ requeued: z.array(z.string()) }) },
      },
      async ({ params, actor }) => {
        const outcome = await resendFailedDeliveries(
          deps.prisma,
          deps.clock ?? systemClock,
          actor,
          params.id,
        );
        return outcome.kind === 'not-found'
          ? fail('WEB_NOT_FOUND', 'no such package')
          : ok({ requeued: outcome.requeued });
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/relay',
        summary:
          'The relay: deliveries by state, waiting and failed outbox rows, each inbox’s depth and consumers (admins)',
        tag: 'relay',
        access: 'admin',
        responses: { 200: z.record(z.string(), z.unknown()) },
      },
      async () =>
        ok(
          await relayOverview(deps.prisma, deps.inboxStates, deps.axisState, {
            mailServer: deps.mailServer ?? true,
          }),
        ),
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/relay/throughput',
        summary:
          'Packages accepted, copies delivered and submissions refused per minute over the last hour (admins)',
        tag: 'relay',
        access: 'admin',
        query: z.strictObject({ minutes: z.coerce.number().int().min(1).max(180).optional() }),
        responses: {
          200: z.object({
            minutes: z.array(
              z.object({
                minute: z.iso.datetime(),
                accepted: z.number().int(),
                delivered: z.number().int(),
                refused: z.number().int(),
              }),
            ),
          }),
        },
      },
      async ({ query }) =>
        ok({
          minutes: await relayThroughput(deps.prisma, (deps.clock ?? systemClock).now(), query.minutes ?? 60),
        }),
    );

    const Words = z.object({ vi: z.string(), en: z.string() });
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/relay/refusals',
        summary:
          'Submissions the relay refused, newest first: when, the submitting agency, how it came, the reasons in words (admins)',
        tag: 'relay',
        access: 'admin',
        query: z.strictObject({
          agency: z.string().min(1).max(20).optional().describe('the submitting agency’s OrganId'),
          from: z.iso.date().optional().describe('first day (Vietnam time), YYYY-MM-DD'),
          to: z.iso.date().optional().describe('last day (Vietnam time), included'),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).optional(),
        }),
        responses: {
          200: z.object({
            refusals: z.array(
              z.object({
                id: z.uuid(),
                refusedAt: z.iso.datetime(),
                organId: z.string(),
                agencyName: z.string().nullable(),
                via: z.string().describe('amqp | http | cli | console | axis'),
                documentKey: z.string().nullable(),
                reasons: z.array(Words),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
      async ({ query }) => {
        if (query.from && query.to && query.from > query.to)
          return fail(
            'WEB_INVALID_REQUEST',
            said(
              'Từ ngày: phải trước hoặc bằng “Đến ngày”, hãy đổi lại hai ngày',
              'From: must be on or before “To”: swap the two days',
              'from',
            ),
          );
        const page = await listRelayRefusals(deps.prisma, {
          organId: query.agency,
          from: query.from,
          to: query.to,
          cursor: query.cursor,
          limit: query.limit ?? 50,
        });
        if (page.kind === 'bad-cursor')
          return fail(
            'WEB_INVALID_REQUEST',
            said(
              'Trang tiếp theo: không hợp lệ, hãy tải lại danh sách',
              'cursor: not valid; reload the list',
              'cursor',
            ),
          );
        return ok({ refusals: page.refusals, nextCursor: page.nextCursor });
      },
    );

    const withDeadLetters = async (work: (dead: DeadLetters) => Promise<ReturnType<typeof ok>>) => {
      if (!deps.deadLetters) return fail('WEB_UNAVAILABLE', 'this hub has no broker connection configured');
      try {
        return await work(deps.deadLetters);
      } catch (error) {
        if (isHubError(error, 'EXCHANGE_BROKER_DOWN')) return fail('WEB_UNAVAILABLE', error.message);
        throw error;
      }
    };

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/relay/dead-letters',
        summary: 'Messages the broker dead-lettered, with why and where they were going (admins)',
        tag: 'relay',
        access: 'admin',
        query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() }),
        responses: { 200: z.object({ deadLetters: z.array(z.record(z.string(), z.unknown())) }) },
      },
      ({ query }) =>
        withDeadLetters(async (dead) => ok({ deadLetters: await dead.list(query.limit ?? 100) })),
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/relay/dead-letters/:messageId/requeue',
        summary:
          'Publish a dead letter again to where it died (admins); a partner’s submission must be resubmitted by the partner',
        tag: 'relay',
        access: 'admin',
        params: MessageIdParams,
        responses: { 200: z.object({ requeued: z.string() }) },
      },
      ({ params, actor }) =>
        withDeadLetters(async (deadLetters) => {
          const outcome = await requeueDeadLetter(
            { prisma: deps.prisma, deadLetters },
            actor,
            params.messageId,
          );
          if (outcome === 'not-found') return fail('WEB_NOT_FOUND', 'no such dead letter');
          if (outcome === 'not-requeueable') {
            return fail(
              'WEB_CONFLICT',
              'a partner’s own submission cannot be published again as the partner; ask the partner to submit it again',
            );
          }
          return ok({ requeued: params.messageId });
        }),
    );

    const NO_DEAD_LETTER = said(
      'Không còn thư lỗi này trong hàng đợi: có thể đã được gửi lại hoặc hủy.',
      'no such dead letter: it may have been requeued or discarded',
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/relay/dead-letters/:messageId',
        summary:
          'One dead letter and its payload for an admin: size and SHA-256; the text (first 64 KiB) when it is text; an edXML package summarised (admins)',
        tag: 'relay',
        access: 'admin',
        params: MessageIdParams,
        responses: {
          200: z.object({
            deadLetter: z.record(z.string(), z.unknown()),
            payload: z.object({
              size: z.number().int(),
              sha256: z.string(),
              contentType: z.string().nullable(),
              text: z.object({ value: z.string(), truncated: z.boolean() }).nullable(),
              edxml: z.record(z.string(), z.unknown()).nullable(),
              summary: z.enum(['summarised', 'too-large', 'not-edxml']),
            }),
          }),
        },
      },
      ({ params }) =>
        withDeadLetters(async (deadLetters) => {
          const view = await readDeadLetter(deadLetters, params.messageId);
          return view ? ok(view) : fail('WEB_NOT_FOUND', NO_DEAD_LETTER);
        }),
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/relay/dead-letters/:messageId/discard',
        summary:
          'Throw a dead letter away (admins): audited with who, why, the payload’s SHA-256 and its headers before it leaves the queue',
        tag: 'relay',
        access: 'admin',
        params: MessageIdParams,
        body: z.strictObject({
          reason: z.string().trim().min(3).max(500).describe('why it is thrown away, for the audit trail'),
        }),
        responses: { 200: z.object({ discarded: z.string() }) },
      },
      ({ params, body, actor }) =>
        withDeadLetters(async (deadLetters) => {
          const outcome = await discardDeadLetter(
            { prisma: deps.prisma, deadLetters },
            actor,
            params.messageId,
            body.reason,
          );
          return outcome === 'not-found'
            ? fail('WEB_NOT_FOUND', NO_DEAD_LETTER)
            : ok({ discarded: params.messageId });
        }),
    );
  };
}
