import { buildEdxml } from '../edxml/index.ts';
import type { PrismaClient } from '../db/index.ts';
import { HubError } from '../shared/index.ts';

/**
 * Turns an outbox row into the AMQP message docs/contract.md fixes: persistent, message_id, type
 * (edoc | status | error), headers x-lienthong-from and x-lienthong-document-id. Package bytes are
 * sent exactly as submitted; statuses owed by hosted agencies are built here as edXML.
 */
export type OutboxRow = {
  id: string;
  kind: string;
  targetOrganId: string;
  bodySha256: string | null;
  headers: unknown;
};

export type OutboundMessage = {
  routingKey: string;
  body: Buffer;
  messageId: string;
  type: 'edoc' | 'status' | 'error';
  contentType: string;
  from: string;
  documentKey: string | null;
};

const header = (headers: unknown, key: string): string | null => {
  const value =
    headers && typeof headers === 'object' ? (headers as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : null;
};

/**
 * Code and promulgation date of the document a status answers, when its DocumentId has the
 * canonical form `<OrganId>,<yyyy/MM/dd>,<number>/<notation>` (standards NOTES §1.6); a status's
 * ResponseFor carries both, and the national axis lists a status by that code.
 */
export function codeOfDocumentId(documentId: string): { code?: string; promulgationDate?: string } {
  const match = /^[^,]+,(\d{4}\/\d{2}\/\d{2}),(.+\/.+)$/.exec(documentId);
  return match?.[1] && match[2] ? { code: match[2], promulgationDate: match[1].replaceAll('/', '-') } : {};
}

/** Vietnam local time with its offset, as edXML times are (docs/contract.md). */
export function vietnamTimestamp(at: Date): string {
  return `${new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
}

export async function toOutboundMessage(
  prisma: PrismaClient,
  row: OutboxRow,
  ownOrganId: string,
  now: Date,
): Promise<OutboundMessage> {
  const documentKey = header(row.headers, 'documentKey');
  const body = row.bodySha256
    ? (await prisma.blob.findUnique({ where: { sha256: row.bodySha256 } }))?.content
    : undefined;
  if (row.bodySha256 && !body)
    throw new HubError('EXCHANGE_BODY_MISSING', `outbox ${row.id}: blob ${row.bodySha256} is missing`);
  switch (row.kind) {
    case 'edoc':
      return {
        routingKey: row.targetOrganId,
        body: Buffer.from(body as Uint8Array),
        messageId: header(row.headers, 'packageId') ?? row.id,
        type: 'edoc',
        contentType: 'application/xml',
        from: header(row.headers, 'from') ?? ownOrganId,
        documentKey,
      };
    case 'status': {
      if (body) {
        return {
          routingKey: row.targetOrganId,
          body: Buffer.from(body),
          messageId: header(row.headers, 'packageId') ?? row.id,
          type: 'status',
          contentType: 'application/xml',
          from: header(row.headers, 'from') ?? ownOrganId,
          documentKey,
        };
      }
      const from = header(row.headers, 'fromOrganId') ?? ownOrganId;
      const staff = (row.headers as { staff?: Record<string, string> }).staff ?? {};
      const xml = buildEdxml({
        kind: 'status',
        responseFor: {
          organId: row.targetOrganId,
          ...(documentKey ? { documentId: documentKey, ...codeOfDocumentId(documentKey) } : {}),
        },
        from: { organId: from },
        statusCode: header(row.headers, 'statusCode') ?? undefined,
        description: header(row.headers, 'description') ?? undefined,
        timestamp: vietnamTimestamp(now),
        staff,
        warnings: [],
      });
      return {
        routingKey: row.targetOrganId,
        body: xml,
        messageId: row.id,
        type: 'status',
        contentType: 'application/xml',
        from,
        documentKey,
      };
    }
    case 'error':
      return {
        routingKey: row.targetOrganId,
        body: Buffer.from(body ?? Buffer.from('{}')),
        messageId: row.id,
        type: 'error',
        contentType: 'application/json',
        from: ownOrganId,
        documentKey,
      };
    default:
      throw new HubError(
        'EXCHANGE_UNKNOWN_OUTBOX_KIND',
        `outbox ${row.id} has kind ${row.kind}, which the relay does not publish`,
      );
  }
}
