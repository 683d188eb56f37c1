import { z } from 'zod';
import { fail, type ApiReply } from '../api-route.ts';

/**
 * How the registry's refusals become HTTP answers. A resource of another agency is reported by the
 * registry as `not-found`, and the message here names no id, so the two answers are identical.
 */
export type Refusal =
  | { kind: 'not-found' }
  | { kind: 'forbidden'; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'invalid-cursor' };

export function refusal(outcome: Refusal, what: string): ApiReply {
  switch (outcome.kind) {
    case 'not-found':
      return fail('WEB_NOT_FOUND', `no such ${what}`);
    case 'forbidden':
      return fail('WEB_FORBIDDEN', outcome.message);
    case 'conflict':
      return fail('WEB_CONFLICT', outcome.message);
    case 'invalid':
      return fail('WEB_UNPROCESSABLE', outcome.problems.join('; '), { problems: outcome.problems });
    case 'invalid-cursor':
      return fail('WEB_INVALID_REQUEST', 'the cursor is not one this API gave out');
  }
}

export const IdParams = z.strictObject({ id: z.uuid() });
export const AttachmentParams = z.strictObject({ id: z.uuid(), attachmentId: z.uuid() });
export const ListLimit = z.coerce.number().int().min(1).max(200).optional();

// Types a browser may show inline without running anything; everything else downloads as bytes.
const INLINE_SAFE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/tiff', 'text/plain']);

/** An attachment's bytes as a download that can never run as a page of the hub's origin. */
export function download(bytes: Buffer, name: string, contentType: string): ApiReply {
  const type = INLINE_SAFE.has(contentType.toLowerCase()) ? contentType : 'application/octet-stream';
  const ascii =
    name
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\]/g, '_') || 'attachment';
  return {
    status: 200,
    body: bytes,
    headers: {
      'content-type': type,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    },
  };
}

/** Drops keys whose value is undefined: the registry's optional fields are absent, not undefined. */
export function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
