import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/index.ts';
import {
  deliveriesOfDocument,
  listSentFiles,
  maxOutgoingPdfBytes,
  readSentFile,
  type OutgoingInput,
  type OutgoingOutcome,
} from '../../exchange/index.ts';

import { ND30_DOCUMENT_TYPES } from '../../text/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';
import { DispositionQuery, download, IdParams, refusal } from './registry-replies.ts';
import { type Actor } from '../../shared/index.ts';

/**
 * Documents an agency sends: a clerk composes one in the console (PDF + metadata + recipients)
 * and the hub builds, signs, numbers (số đi) and relays it in one step; then each recipient's
 * delivery state, and the files it was sent with (read back from the signed package: an outgoing
 * document has no intake item, so `…/attachments/:attachmentId` cannot serve them). JSON with the PDF in base64, like paper uploads: one schema validates and
 * documents it, and the console sends it with `fetch` and no library.
 */
export type OutgoingRouteDeps = {
  prisma: PrismaClient;
  maxMessageBytes: number;
  send: (actor: Actor, input: OutgoingInput) => Promise<OutgoingOutcome>;
};

const ORGAN_ID = z.string().min(1).max(20);
const TYPE_NUMBERS = ND30_DOCUMENT_TYPES.map((t) => t.no);

const OutgoingBody = z.strictObject({
  notation: z
    .string()
    .trim()
    .min(1)
    .max(30)
    .regex(/^[^/\s][^\s]*$/, 'the ký hiệu without the number, e.g. UBND-VP (the hub puts số đi in front)')
    .describe('ký hiệu without the number, e.g. "UBND-VP"; the hub assigns số đi'),
  documentType: z
    .number()
    .int()
    .refine(
      (n) => TYPE_NUMBERS.includes(n),
      'a row number of the Nghị định 30 table (GET /api/v1/document-types)',
    )
    .describe('row of the Nghị định 30 table'),
  subject: z.string().trim().min(1).max(500).describe('trích yếu'),
  promulgatedOn: z.iso.date().describe('ngày ban hành'),
  place: z.string().trim().min(1).max(50).optional().describe('địa danh'),
  signer: z.strictObject({
    fullName: z.string().trim().min(1).max(50),
    position: z.string().trim().min(1).max(100).optional(),
    competence: z.string().trim().min(1).max(100).optional().describe('e.g. "KT. CHỦ TỊCH"'),
  }),
  priority: z.number().int().min(0).max(4).default(0).describe('0 thường … 4 hỏa tốc hẹn giờ'),
  dueOn: z.iso.date().optional().describe('hạn xử lý'),
  recipients: z.array(ORGAN_ID).max(200).describe('OrganIds from the directory'),
  pdf: z.strictObject({
    name: z.string().trim().min(1).max(200),
    content: z.base64().describe('the PDF, base64'),
  }),
});

const DeliverySchema = z.object({
  packageId: z.uuid(),
  toOrganId: z.string(),
  toName: z.string().nullable(),
  state: z.string(),
  reason: z.string().nullable().describe('the recipient’s refusal as written, or the relay’s last error'),
  reasonWords: z
    .object({ vi: z.string(), en: z.string() })
    .nullable()
    .describe('the relay’s last error in words for a clerk: what is wrong and who can fix it'),
  retry: z
    .object({ attempts: z.number().int(), nextAttemptAt: z.iso.datetime() })
    .nullable()
    .describe('while the relay keeps trying: attempts so far and the next one'),
  updatedAt: z.iso.datetime(),
  history: z.array(z.unknown()),
});

const SentFileSchema = z.object({
  index: z.number().int().describe('position in the signed package: GET …/files/{index} serves its bytes'),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
});

// By position, not by name: a name in a package may repeat or hold `/`, `..` or anything else.
const SentFileParams = z.strictObject({ id: z.uuid(), index: z.coerce.number().int().min(0).max(9_999) });

export function outgoingRoutes(deps: OutgoingRouteDeps) {
  const maxPdf = maxOutgoingPdfBytes(deps.maxMessageBytes);
  const limits = { maxPackageBytes: deps.maxMessageBytes };
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/outgoing',
        summary:
          'Send a document (clerks): PDF + metadata → signed edXML to the recipients, numbered in the outgoing book (số đi)',
        tag: 'outgoing',
        access: 'signed-in',
        body: OutgoingBody,
        bodyLimit: Math.ceil((maxPdf * 4) / 3) + 65_536,
        responses: {
          201: z.object({
            documentId: z.uuid(),
            year: z.number().int(),
            number: z.number().int().describe('số đi'),
            notation: z.string(),
            packageId: z.uuid(),
            recipients: z.array(z.string()),
          }),
        },
      },
      async ({ body, actor }) => {
        const { pdf, place, dueOn, signer, ...rest } = body;
        const outcome = await deps.send(actor, {
          ...rest,
          ...(place ? { place } : {}),
          ...(dueOn ? { dueOn } : {}),
          signer: {
            fullName: signer.fullName,
            ...(signer.position ? { position: signer.position } : {}),
            ...(signer.competence ? { competence: signer.competence } : {}),
          },
          pdf: { name: pdf.name, content: Buffer.from(pdf.content, 'base64') },
        });
        switch (outcome.kind) {
          case 'sent':
            return ok(
              {
                documentId: outcome.documentId,
                year: outcome.year,
                number: outcome.number,
                notation: outcome.notation,
                packageId: outcome.packageId,
                recipients: outcome.recipients,
              },
              201,
            );
          case 'forbidden':
            return fail('WEB_FORBIDDEN', outcome.message);
          case 'invalid':
            return fail('WEB_UNPROCESSABLE', outcome.problems.join('; '), { problems: outcome.problems });
          case 'unknown-recipients':
            return fail(
              'WEB_UNPROCESSABLE',
              `Không có trong danh bạ / not in the directory (or your own agency): ${outcome.organIds.join(', ')}`,
              { unknownRecipients: outcome.organIds },
            );
          case 'no-key':
            return fail('WEB_CONFLICT', outcome.message);
          case 'refused':
            return fail('WEB_UNPROCESSABLE', outcome.reasons.join('; '), { reasons: outcome.reasons });
        }
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/documents/:id/deliveries',
        summary:
          'Where each recipient stands with a document the agency sent: queued, published, received (01), rejected (02, with the reason)…',
        tag: 'outgoing',
        access: 'signed-in',
        params: IdParams,
        responses: { 200: z.object({ deliveries: z.array(DeliverySchema) }) },
      },
      async ({ params, actor }) => {
        const deliveries = await deliveriesOfDocument(deps.prisma, actor, params.id);
        return deliveries ? ok({ deliveries }) : refusal({ kind: 'not-found' }, 'document');
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/documents/:id/files',
        summary:
          'The files a document of the agency was sent with (the PDF…), read from its signed edXML package; none for an incoming document',
        tag: 'outgoing',
        access: 'signed-in',
        params: IdParams,
        responses: { 200: z.object({ files: z.array(SentFileSchema) }) },
      },
      async ({ params, actor }) => {
        const outcome = await listSentFiles(deps.prisma, actor, params.id, limits);
        if (outcome.kind === 'files') return ok({ files: outcome.files });
        return outcome.kind === 'too-large'
          ? refusal({ kind: 'conflict', message: outcome.message }, 'document')
          : refusal(outcome, 'document');
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/documents/:id/files/:index',
        summary: 'The bytes of one file of a sent document, as they are in its signed edXML package',
        tag: 'outgoing',
        access: 'signed-in',
        params: SentFileParams,
        query: DispositionQuery,
        responses: { 200: z.string().describe('the file bytes') },
      },
      async ({ params, query, actor }) => {
        const outcome = await readSentFile(deps.prisma, actor, params.id, params.index, limits);
        if (outcome.kind === 'file')
          return download(outcome.bytes, outcome.file.name, outcome.file.contentType, query.disposition);
        return outcome.kind === 'too-large'
          ? refusal({ kind: 'conflict', message: outcome.message }, 'file')
          : refusal(outcome, 'file');
      },
    );
  };
}
