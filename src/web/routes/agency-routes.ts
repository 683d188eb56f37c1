import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { installAgencySigningKey, issueBrokerCredentials } from '../../access/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import {
  AgencyInputSchema,
  findAgency,
  importAgencies,
  parseAgencyCsv,
  saveAgency,
  type AgencyDirectory,
  type UpsertResult,
} from '../../directory/index.ts';
import { said, splitSaid } from '../../shared/index.ts';
import { apiRoute, fail, ok, type ApiReply } from '../api-route.ts';

export type AgencyRouteDeps = {
  directory: AgencyDirectory;
  prisma: PrismaClient;
  /**
   * Creates or rotates an agency's broker user (RabbitMQ management API) and returns its new
   * password; absent where the hub has no broker. Throws the exchange module's HubError when the
   * management API does not answer or refuses.
   */
  issueBrokerCredentials?: (
    organId: string,
  ) => Promise<{ username: string; password: string; queue: string }>;
  /** Where agencies' signing keys are kept (the data directory's); absent where the hub keeps none. */
  agencyKeyDir?: string;
};

const AgencySchema = AgencyInputSchema.describe('an agency of the directory');

function conflict(result: Extract<UpsertResult, { kind: 'conflict' }>): ApiReply {
  return fail('WEB_CONFLICT', result.conflicts.map((c) => c.message).join('; '), result.conflicts);
}

/** The same refusal for the console's one-agency form, in words (each conflict as the directory says it). */
function formConflict(result: Extract<UpsertResult, { kind: 'conflict' }>): ApiReply {
  const parts = result.conflicts.map((c) => {
    const words = splitSaid(c.message);
    return words ? [words.vi, words.en] : [c.message, c.message];
  });
  return fail(
    'WEB_CONFLICT',
    said(
      `Không lưu được vì trùng với danh bạ: ${parts.map((p) => p[0]).join('; ')}`,
      `Not saved, it clashes with the directory: ${parts.map((p) => p[1]).join('; ')}`,
    ),
    result.conflicts,
  );
}

const SavedSchema = z.strictObject({
  kind: z.literal('saved'),
  created: z.number().int(),
  updated: z.number().int(),
});

/**
 * The agency directory over HTTP. Every signed-in caller may read it (clerks address outgoing
 * documents to other agencies; it holds nothing private); only admins and the local CLI change it.
 */
export function agencyRoutes(deps: AgencyRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/agencies',
        summary: 'The agency directory',
        tag: 'agencies',
        access: 'signed-in',
        responses: { 200: z.strictObject({ agencies: z.array(AgencySchema) }) },
      },
      async () => ok({ agencies: await deps.directory.list() }),
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/agencies',
        summary: 'Add an agency, or replace the one with the same OrganId',
        tag: 'agencies',
        access: 'admin',
        body: AgencySchema,
        responses: {
          200: z.strictObject({ agency: AgencySchema, created: z.literal(false) }),
          201: z.strictObject({ agency: AgencySchema, created: z.literal(true) }),
        },
      },
      async ({ body, actor }) => {
        const result = await saveAgency(
          deps.directory,
          actor,
          body,
          actor.kind === 'system' ? 'cli' : 'form',
        );
        if (result.kind === 'conflict') return conflict(result);
        return ok({ agency: body, created: result.created === 1 }, result.created ? 201 : 200);
      },
    );

    // The console's form for one agency: adding never replaces an agency already there, and an
    // edit never creates one; a code is changed only by a merger or a recode (directory-routes.ts).
    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/agencies/new',
        summary:
          'Add one agency; refused (409) when its code, a rule-equivalent form of it or a former code is already in the directory',
        tag: 'agencies',
        access: 'admin',
        body: AgencySchema,
        responses: { 201: z.strictObject({ agency: AgencySchema }) },
      },
      async ({ body, actor }) => {
        const existing = await findAgency(deps.prisma, body.organId);
        if (existing)
          return fail(
            'WEB_CONFLICT',
            said(
              `Mã định danh cơ quan: mã ${body.organId} đã có trong danh bạ (${existing.organId} — ${existing.name}); hãy sửa cơ quan đó thay vì thêm mới`,
              `Agency code: ${body.organId} is already in the directory (${existing.organId} — ${existing.name}); edit that agency instead`,
              'organId',
            ),
          );
        const result = await saveAgency(deps.directory, actor, body, 'form');
        if (result.kind === 'conflict') return formConflict(result);
        return ok({ agency: body }, 201);
      },
    );

    apiRoute(
      app,
      {
        method: 'PUT',
        url: '/api/v1/agencies/:organId',
        summary:
          'Change one agency of the directory (name, channel, addresses, former codes, signature policy); its code stays',
        tag: 'agencies',
        access: 'admin',
        params: z.strictObject({ organId: z.string().min(1).max(20) }),
        body: AgencySchema,
        responses: { 200: z.strictObject({ agency: AgencySchema }) },
      },
      async ({ params, body, actor }) => {
        const stored = await deps.prisma.agency.findUnique({
          where: { organId: params.organId },
          select: { organId: true, retiredOn: true },
        });
        if (!stored || stored.retiredOn !== null)
          return fail(
            'WEB_NOT_FOUND',
            said(
              `Không có cơ quan mã ${params.organId} trong danh bạ.`,
              `no agency ${params.organId} in the directory`,
            ),
          );
        if (body.organId !== stored.organId)
          return fail(
            'WEB_UNPROCESSABLE',
            said(
              'Mã định danh cơ quan: không đổi được ở đây; mã mới của một cơ quan được đặt khi sáp nhập hoặc đổi mã',
              'Agency code: it cannot be changed here; an agency gets a new code through a merger or a recode',
              'organId',
            ),
          );
        const result = await saveAgency(deps.directory, actor, body, 'form');
        if (result.kind === 'conflict') return formConflict(result);
        return ok({ agency: body });
      },
    );

    // All or nothing, as a CSV import must be: one bad entry and none is saved.
    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/agencies/import',
        summary: 'Add or replace many agencies in one transaction, all or none',
        tag: 'agencies',
        access: 'admin',
        body: z.strictObject({ agencies: z.array(AgencySchema).min(1).max(10_000) }),
        bodyLimit: 16 * 1_048_576,
        responses: { 200: SavedSchema },
      },
      async ({ body, actor }) => {
        const result = await importAgencies(deps.directory, actor, body.agencies, 'json');
        if (result.kind === 'conflict') return conflict(result);
        return ok({ kind: result.kind, created: result.created, updated: result.updated });
      },
    );

    // The CLI's `agency import FILE.csv` from the console: the same parser, the same all-or-nothing
    // save, and every refusal named with the line of the file it comes from.
    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/agencies/import-csv',
        summary:
          'Import the directory CSV (organId,name,channel,emails,aliases,signaturePolicy), all rows or none',
        tag: 'agencies',
        access: 'admin',
        body: z.strictObject({
          csv: z
            .string()
            .min(1)
            .max(16 * 1_048_576)
            .describe('the CSV file as text'),
        }),
        bodyLimit: 24 * 1_048_576,
        responses: {
          200: SavedSchema.extend({
            rows: z.array(
              z.strictObject({
                line: z.number().int(),
                organId: z.string(),
                outcome: z.enum(['created', 'updated']),
              }),
            ),
          }),
        },
      },
      async ({ body, actor }) => {
        const csv = parseAgencyCsv(body.csv);
        if (csv.kind === 'invalid')
          return fail(
            'WEB_UNPROCESSABLE',
            `nothing imported: ${csv.problems.length} problem(s) in the file`,
            { problems: csv.problems },
          );
        if (csv.agencies.length === 0)
          return fail('WEB_UNPROCESSABLE', 'nothing imported: the file has no agency rows');
        const result = await importAgencies(deps.directory, actor, csv.agencies, 'csv');
        if (result.kind === 'conflict') {
          const problems = result.conflicts.map((c) => ({
            line: csv.lineOf.get(c.organId) ?? 0,
            message: `${c.organId}: ${c.message}`,
          }));
          return fail('WEB_CONFLICT', `nothing imported: ${problems.length} conflict(s) with the directory`, {
            problems,
          });
        }
        return ok({
          kind: result.kind,
          created: result.created,
          updated: result.updated,
          rows: result.outcomes.map((o) => ({ line: csv.lineOf.get(o.organId) ?? 0, ...o })),
        });
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/agencies/:organId/broker-credentials',
        summary:
          'Create or rotate a partner agency’s broker user and give its inbox a new name; the password and the inbox name are shown only here',
        tag: 'agencies',
        access: 'admin',
        params: z.strictObject({ organId: z.string().min(1).max(20) }),
        responses: {
          201: z.strictObject({
            username: z.string(),
            password: z.string(),
            queue: z
              .string()
              .describe(
                'the inbox queue the partner’s system reads from now on; what waited in the old one is moved',
              ),
          }),
        },
      },
      async ({ params, actor }) => {
        const issue = deps.issueBrokerCredentials;
        if (!issue)
          return fail(
            'WEB_UNAVAILABLE',
            said(
              'Hệ thống chưa được cấu hình để quản lý tài khoản trên máy chủ chuyển tin (RabbitMQ management API).',
              'this hub has no broker management API configured',
            ),
          );
        const outcome = await issueBrokerCredentials(
          { prisma: deps.prisma, directory: deps.directory, issue },
          actor,
          params.organId,
        );
        switch (outcome.kind) {
          case 'issued':
            return ok({ username: outcome.username, password: outcome.password, queue: outcome.queue }, 201);
          case 'not-found':
            return fail(
              'WEB_NOT_FOUND',
              said(`Không có cơ quan mã ${params.organId} trong danh bạ.`, outcome.message),
            );
          case 'not-partner':
            return fail(
              'WEB_UNPROCESSABLE',
              said(
                'Chỉ cơ quan nhận qua hệ thống đối tác (kênh đối tác) mới được cấp tài khoản kết nối; cơ quan này nhận theo kênh khác.',
                outcome.message,
              ),
            );
          case 'unavailable':
            return fail(
              'WEB_UNAVAILABLE',
              said(
                'Không kết nối được máy chủ chuyển tin, chưa cấp mật khẩu nào. Hãy thử lại sau ít phút; nếu vẫn lỗi, kiểm tra máy chủ RabbitMQ.',
                outcome.message,
              ),
            );
        }
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/agencies/:organId/signing-key',
        summary:
          'Install the key an agency’s documents sent from the console are signed with (RSA key and its certificate, PEM); audited',
        tag: 'agencies',
        access: 'admin',
        params: z.strictObject({ organId: z.string().min(1).max(20) }),
        body: z.strictObject({
          keyPem: z
            .string()
            .min(1)
            .max(64 * 1024)
            .describe('the private key, PEM'),
          certificatePem: z
            .string()
            .min(1)
            .max(64 * 1024)
            .describe('its certificate, PEM'),
        }),
        responses: {
          201: z.strictObject({
            subject: z.string(),
            serial: z.string(),
            notAfter: z.iso.datetime(),
            fingerprint: z.string(),
          }),
        },
      },
      async ({ params, body, actor }) => {
        if (deps.agencyKeyDir === undefined)
          return fail('WEB_UNAVAILABLE', 'this hub keeps no agency signing keys');
        const outcome = await installAgencySigningKey(
          { prisma: deps.prisma, directory: deps.directory, keyDir: deps.agencyKeyDir },
          actor,
          params.organId,
          Buffer.from(body.keyPem),
          Buffer.from(body.certificatePem),
        );
        switch (outcome.kind) {
          case 'installed':
            return ok(
              {
                subject: outcome.subject,
                serial: outcome.serial,
                notAfter: outcome.notAfter,
                fingerprint: outcome.fingerprint,
              },
              201,
            );
          case 'not-found':
            return fail('WEB_NOT_FOUND', outcome.message);
          case 'refused':
            return fail('WEB_UNPROCESSABLE', outcome.message);
        }
      },
    );
  };
}
