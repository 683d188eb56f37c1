import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/index.ts';
import {
  exportRegisterBook,
  FOLLOW_UP_CODES,
  getDocument,
  readIntakeBytes,
  recordDocumentStatus,
  searchDocuments,
} from '../../registry/index.ts';
import { apiRoute, ok } from '../api-route.ts';
import { ND30_DOCUMENT_TYPES } from '../../text/index.ts';
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

export type DocumentRouteDeps = {
  prisma: PrismaClient;
  /** the agency's row id for a code it is named by, current or former (directory's agencyIdOf) */
  agencyIdOf: (code: string) => Promise<string | null>;
};

const DIRECTIONS = ['incoming', 'outgoing'] as const;

const DocumentSummarySchema = z.object({
  id: z.uuid(),
  agencyId: z.uuid(),
  direction: z.enum(DIRECTIONS),
  year: z.number().int(),
  number: z.number().int().describe('số đến / số đi'),
  registeredAt: z.iso.datetime(),
  notation: z.string().nullable(),
  documentType: z.string().nullable(),
  subject: z.string(),
  senderOrganId: z.string().nullable(),
  senderName: z.string().nullable(),
  promulgatedOn: z.string().nullable(),
  statusCode: z.string().nullable(),

  passage: PassageSchema,
});

/** The register of the caller's agency: search, one document, its attachments, its follow-up. */
export function documentRoutes(deps: DocumentRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/documents',
        summary: 'Search the register (accent-insensitive), newest first, with a keyset cursor',
        tag: 'documents',
        access: 'signed-in',
        query: z.strictObject({
          q: TextQuery,
          direction: z.enum(DIRECTIONS).optional(),
          notationPrefix: z.string().min(1).max(100).optional(),
          senderOrganId: z.string().min(1).max(20).optional(),
          promulgatedFrom: z.iso.date().optional(),
          promulgatedTo: z.iso.date().optional(),
          year: z.coerce.number().int().min(1900).max(2999).optional(),
          cursor: z.string().max(200).optional(),
          limit: ListLimit,
        }),
        responses: {
          200: z.object({ documents: z.array(DocumentSummarySchema), nextCursor: z.string().nullable() }),
        },
      },
      async ({ query, actor }) => {
        const page = await searchDocuments(deps.prisma, actor, definedOnly(query));
        return 'kind' in page ? refusal(page, 'page') : ok(page);
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/documents/register-book',
        summary: 'The register book (sổ đăng ký văn bản đến/đi) of a date range as CSV, Nghị định 30 columns',
        tag: 'documents',
        access: 'signed-in',
        query: z.strictObject({
          direction: z.enum(DIRECTIONS),
          from: z.iso.date(),
          to: z.iso.date(),
          agency: z.string().min(1).max(20).optional().describe('OrganId; for admins, who see every agency'),
        }),
        responses: { 200: z.string().describe('text/csv') },
      },
      async ({ query, actor }) => {
        const agencyId = query.agency === undefined ? undefined : await deps.agencyIdOf(query.agency);
        if (agencyId === null) return refusal({ kind: 'not-found' }, 'agency');
        const csv = exportRegisterBook(deps.prisma, actor, {
          direction: query.direction,
          from: query.from,
          to: query.to,
          ...(agencyId ? { agencyId } : {}),
        });
        // The first piece is read here, so a refusal (no agency chosen) is still an error answer.
        const first = await csv.next();
        const rest = Readable.from(
          (async function* () {
            if (!first.done) yield first.value;
            yield* csv;
          })(),
        );
        return {
          status: 200,
          body: rest,
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="so-${query.direction}-${query.from}-${query.to}.csv"`,
          },
        };
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/document-types',
        summary: 'The document types of Nghị định 30/2020/NĐ-CP (Điều 7) with their abbreviations',
        tag: 'documents',
        access: 'signed-in',
        responses: {
          200: z.object({
            types: z.array(
              z.object({
                no: z.number().int(),
                name: z.string(),
                abbreviation: z.string().nullable(),
                nameEn: z.string(),
                kind: z.enum(['administrative', 'copy']),
              }),
            ),
          }),
        },
      },
      () => Promise.resolve(ok({ types: ND30_DOCUMENT_TYPES })),
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/documents/:id',
        summary: 'One document with its versions, statuses and attachments',
        tag: 'documents',
        access: 'signed-in',
        params: IdParams,
        responses: { 200: z.object({ document: z.record(z.string(), z.unknown()) }) },
      },
      async ({ params, actor }) => {
        const document = await getDocument(deps.prisma, actor, params.id);
        if (!document) return refusal({ kind: 'not-found' }, 'document');
        // The folded search text is an index column, not part of the document.
        const shown: Record<string, unknown> = { ...document };
        delete shown.searchText;
        return ok({ document: shown });
      },
    );

    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/documents/:id/attachments/:attachmentId',
        summary: 'The bytes of one attachment of a document',
        tag: 'documents',
        access: 'signed-in',
        params: AttachmentParams,
        query: DispositionQuery,
        responses: { 200: z.string().describe('the attachment bytes') },
      },
      async ({ params, query, actor }) => {
        const document = await getDocument(deps.prisma, actor, params.id);
        const item = document?.intakeItem;
        const attachment = item?.attachments.find((a) => a.id === params.attachmentId);
        const bytes =
          item && attachment && (await readIntakeBytes(deps.prisma, actor, item.id, attachment.sha256));
        if (!attachment || !bytes) return refusal({ kind: 'not-found' }, 'attachment');
        return download(bytes, attachment.name, attachment.contentType, query.disposition);
      },
    );

    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/documents/:id/status',
        summary: 'Record a follow-up status: 04 assigned, 05 processing, 06 finished (sent to the sender)',
        tag: 'documents',
        access: 'signed-in',
        params: IdParams,
        body: z.strictObject({
          code: z.enum(FOLLOW_UP_CODES),
          description: z.string().min(1).max(2000).optional(),
          departmentId: z.uuid().optional(),
          assigneeId: z.uuid().optional(),
          staff: z.record(z.string().max(100), z.string().max(500)).optional(),
        }),
        responses: { 200: z.object({ code: z.enum(FOLLOW_UP_CODES), queuedForSender: z.boolean() }) },
      },
      async ({ params, body, actor }) => {
        const outcome = await recordDocumentStatus(deps.prisma, actor, params.id, {
          ...definedOnly(body),
          code: body.code,
        });
        if (outcome.kind === 'recorded')
          return ok({ code: outcome.code, queuedForSender: outcome.queuedForSender });
        return refusal(outcome, 'document');
      },
    );
  };
}
