import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/index.ts';
import { readMailHtml } from '../../ingest/index.ts';
import {
  findDuplicateCandidates,
  getIntakeItem,
  getItemText,
  listIntake,
  markIntakeDuplicate,
  readIntakeBytes,
  readIntakeHeaders,
  registerIntakeItem,
  rejectIntakeItem,
  releaseIntakeItem,
  RegistrationFormSchema,
} from '../../registry/index.ts';
import { apiRoute, ok } from '../api-route.ts';
import {
  AttachmentParams,
  definedOnly,
  DispositionQuery,
  download,
  IdParams,
  ListLimit,
  PassageSchema,
  TextQuery,
  refusal,
} from './registry-replies.ts';

export type IntakeRouteDeps = { prisma: PrismaClient };

/**
 * A mail's own HTML is someone else's page: no script, no plug-in, no request to anywhere (not even
 * for an image: a remote image tells the sender who read the mail and when), no form, no navigation
 * of the console; only the frame of the console may show it, and `sandbox` gives it a unique origin.
 */
const MAIL_BODY_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "font-src 'none'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
  'sandbox',
].join('; ');

const INTAKE_STATES = ['new', 'registered', 'rejected', 'duplicate', 'quarantined'] as const;
const INTAKE_SOURCES = ['smtp', 'imap', 'amqp', 'http', 'upload'] as const;

const IntakeSummarySchema = z.object({
  id: z.uuid(),
  agencyId: z.uuid(),
  source: z.enum(INTAKE_SOURCES),
  state: z.enum(INTAKE_STATES),
  subject: z.string().nullable(),
  senderOrganId: z.string().nullable(),
  senderAddress: z.string().nullable(),
  senderName: z
    .string()
    .nullable()
    .describe("the sender's name: the package's OrganName, else the directory's"),
  receivedAt: z.iso.datetime(),
  reason: z.string().nullable(),
  priority: z
    .number()
    .int()
    .describe('độ khẩn: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ'),

  passage: PassageSchema,
});

export const READING_STATES = ['pending', 'reading', 'read', 'not_read', 'failed'] as const;
export const READING_METHODS = ['text_layer', 'ocr', 'office', 'none'] as const;

const FileTextSchema = z.object({
  attachmentId: z.uuid(),
  name: z.string(),
  contentType: z.string(),
  state: z.enum(READING_STATES),
  method: z.enum(READING_METHODS).nullable(),
  pagesTotal: z.number().int().nullable(),
  pagesRead: z
    .number()
    .int()
    .nullable()
    .describe('fewer than pagesTotal when the page budget ended the reading'),
  reason: z
    .string()
    .nullable()
    .describe(
      'a catalogue key (docs/reading.md): pages_over_budget, time_budget, pdf_encrypted, file_damaged, …',
    ),
  text: z.string().nullable().describe('Unicode NFC'),
  finishedAt: z.iso.datetime().nullable(),
});

/** The review queue of the caller's agency (an admin's: every agency's). */
export function intakeRoutes(deps: IntakeRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/intake',
        summary: 'The intake queue, newest first, with filters and a keyset cursor',
        tag: 'intake',
        access: 'signed-in',
        query: z.strictObject({
          state: z.enum(INTAKE_STATES).optional(),
          source: z.enum(INTAKE_SOURCES).optional(),
          sender: z
            .string()
            .min(1)
            .max(320)
            .optional()
            .describe("an OrganId, or part of the sender's name or mail address, tone marks optional"),
          receivedFrom: z.iso.datetime({ offset: true }).optional(),
          receivedTo: z.iso.datetime({ offset: true }).optional(),
          q: TextQuery,
          sort: z
            .enum(['received', 'urgency'])
            .optional()
            .describe('received (default): newest first; urgency: hỏa tốc first, each level newest first'),
          cursor: z.string().max(200).optional(),
          limit: ListLimit,
        }),
        responses: {
          200: z.object({ items: z.array(IntakeSummarySchema), nextCursor: z.string().nullable() }),
        },
      },
      async ({ query, actor }) => {
        const { receivedFrom, receivedTo, ...rest } = query;
        const page = await listIntake(deps.prisma, actor, {
          ...definedOnly(rest),
          ...(receivedFrom ? { receivedFrom: new Date(receivedFrom) } : {}),
          ...(receivedTo ? { receivedTo: new Date(receivedTo) } : {}),
        });
        if ('kind' in page) return refusal(page, 'page');
        return ok(page);
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/intake/:id',
        summary: 'One intake item with its parsed metadata, signature verdicts and attachments',
        tag: 'intake',
        access: 'signed-in',
        params: IdParams,
        responses: { 200: z.object({ item: z.record(z.string(), z.unknown()) }) },
      },
      async ({ params, actor }) => {
        const item = await getIntakeItem(deps.prisma, actor, params.id);
        if (!item) return refusal({ kind: 'not-found' }, 'intake item');
        return ok({ item });
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/intake/:id/attachments/:attachmentId',
        summary: 'The bytes of one attachment of an intake item',
        tag: 'intake',
        access: 'signed-in',
        params: AttachmentParams,
        query: DispositionQuery,
        responses: { 200: z.string().describe('the attachment bytes') },
      },
      async ({ params, query, actor }) => {
        const item = await getIntakeItem(deps.prisma, actor, params.id);
        const attachment = item?.attachments.find((a) => a.id === params.attachmentId);
        const bytes = attachment && (await readIntakeBytes(deps.prisma, actor, params.id, attachment.sha256));
        if (!attachment || !bytes) return refusal({ kind: 'not-found' }, 'attachment');
        return download(bytes, attachment.name, attachment.contentType, query.disposition);
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/intake/:id/text',
        summary:
          'The text read from each readable file of an intake item (PDF text layer or OCR, office files), with where its reading stands',
        tag: 'intake',
        access: 'signed-in',
        params: IdParams,
        responses: { 200: z.object({ files: z.array(FileTextSchema) }) },
      },
      async ({ params, actor }) => {
        const files = await getItemText(deps.prisma, actor, params.id);
        if (!files) return refusal({ kind: 'not-found' }, 'intake item');
        return ok({ files });
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/intake/:id/mail-body',
        summary:
          'The HTML part of a mail item, for a sandboxed frame of the console: the page can run no script, load nothing from anywhere (remote images and tracking pixels stay blocked), submit no form',
        tag: 'intake',
        access: 'signed-in',
        params: IdParams,
        responses: { 200: z.string().describe('text/html') },
      },
      async ({ params, actor }) => {
        const item = await getIntakeItem(deps.prisma, actor, params.id);
        const raw =
          item && (item.source === 'smtp' || item.source === 'imap')
            ? await readIntakeBytes(deps.prisma, actor, params.id, item.rawSha256)
            : undefined;
        const html = raw && (await readMailHtml(raw));
        if (!html) return refusal({ kind: 'not-found' }, 'mail body');
        return {
          status: 200,
          body: Buffer.from(html, 'utf8'),
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': MAIL_BODY_POLICY,
            'x-content-type-options': 'nosniff',
            'x-frame-options': 'SAMEORIGIN',
            'referrer-policy': 'no-referrer',
            'cache-control': 'private, no-cache',
          },
        };
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/intake/:id/headers',
        summary: 'The header section of the stored mail, read with a size cap (mail items only)',
        tag: 'intake',
        access: 'signed-in',
        params: IdParams,
        responses: {
          200: z.object({
            mail: z.boolean().describe('false for packages and uploads, which have no mail headers'),
            size: z.number().int().describe('bytes of the whole stored message'),
            fields: z.array(
              z.object({
                name: z.string(),
                value: z.string().describe('encoded words decoded'),
                raw: z.string().optional().describe('as sent, when decoding changed it'),
              }),
            ),
            truncated: z.boolean(),
            problems: z.array(z.string()),
          }),
        },
      },
      async ({ params, actor }) => {
        const headers = await readIntakeHeaders(deps.prisma, actor, params.id);
        return headers ? ok(headers) : refusal({ kind: 'not-found' }, 'intake item');
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/intake/:id/duplicate-candidates',
        summary: 'Items of the same agency that look like the same document, oldest first',
        tag: 'intake',
        access: 'signed-in',
        params: IdParams,
        responses: {
          200: z.object({
            candidates: z.array(
              IntakeSummarySchema.extend({
                document: z
                  .object({ id: z.uuid(), year: z.number().int(), number: z.number().int() })
                  .nullable(),
                matches: z.array(
                  z.enum([
                    'document-id',
                    'message-id',
                    'same-bytes',
                    'same-attachment',
                    'subject-and-sender',
                  ]),
                ),
              }),
            ),
          }),
        },
      },
      async ({ params, actor }) => {
        const candidates = await findDuplicateCandidates(deps.prisma, actor, params.id);
        return candidates ? ok({ candidates }) : refusal({ kind: 'not-found' }, 'intake item');
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/intake/:id/register',
        summary: 'Register the item: it gets the next số đến; the form is prefilled from the item',
        tag: 'intake',
        access: 'signed-in',
        params: IdParams,
        body: RegistrationFormSchema.partial(),
        responses: {
          201: z.object({ documentId: z.uuid(), year: z.number().int(), number: z.number().int() }),
          200: z.object({ documentId: z.uuid(), businessType: z.number().int() }),
        },
      },
      async ({ params, body, actor }) => {
        const outcome = await registerIntakeItem(deps.prisma, actor, params.id, definedOnly(body));
        if (outcome.kind === 'registered')
          return ok({ documentId: outcome.documentId, year: outcome.year, number: outcome.number }, 201);
        if (outcome.kind === 'versioned')
          return ok({ documentId: outcome.documentId, businessType: outcome.businessType });
        return refusal(outcome, 'intake item');
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/intake/:id/reject',
        summary: 'Reject the item with a reason (sent to the sender as status 02)',
        tag: 'intake',
        access: 'signed-in',
        params: IdParams,
        body: z.strictObject({ reason: z.string().min(1).max(2000) }),
        responses: { 200: z.object({ state: z.literal('rejected') }) },
      },
      async ({ params, body, actor }) => {
        const outcome = await rejectIntakeItem(deps.prisma, actor, params.id, body.reason);
        return outcome.kind === 'rejected' ? ok({ state: 'rejected' }) : refusal(outcome, 'intake item');
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/intake/:id/release',
        summary:
          'Release a quarantined item into the queue, with a note of what was checked (malware: admins only)',
        tag: 'intake',
        access: 'signed-in',
        params: IdParams,
        body: z.strictObject({ note: z.string().min(1).max(2000) }),
        responses: { 200: z.object({ state: z.literal('new') }) },
      },
      async ({ params, body, actor }) => {
        const outcome = await releaseIntakeItem(deps.prisma, actor, params.id, body.note);
        return outcome.kind === 'released' ? ok({ state: 'new' }) : refusal(outcome, 'intake item');
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/intake/:id/duplicate',
        summary: 'Mark the item as a duplicate of another item of the same agency',
        tag: 'intake',
        access: 'signed-in',
        params: IdParams,
        body: z.strictObject({ duplicateOf: z.uuid() }),
        responses: { 200: z.object({ state: z.literal('duplicate') }) },
      },
      async ({ params, body, actor }) => {
        const outcome = await markIntakeDuplicate(deps.prisma, actor, params.id, body.duplicateOf);
        return outcome.kind === 'marked-duplicate'
          ? ok({ state: 'duplicate' })
          : refusal(outcome, 'intake item');
      },
    );
  };
}
