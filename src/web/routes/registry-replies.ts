import { z } from 'zod';
import { joinSaid, said, type Said } from '../../shared/index.ts';
import { fail, type ApiReply } from '../api-route.ts';

/**
 * How the registry's refusals become HTTP answers. A resource of another agency is reported by the
 * registry as `not-found`, and the message here names no id, so the two answers are identical.
 */
export type Refusal =
  | { kind: 'not-found' }
  | { kind: 'forbidden'; message: string | Said }
  | { kind: 'conflict'; message: string | Said }
  | { kind: 'invalid'; problems: string[]; said?: Said[] }
  | { kind: 'invalid-cursor' };

// What was not found, in words; the same answer for another agency's as for a missing one.
const THINGS: Record<string, [string, string]> = {
  agency: ['cơ quan', 'agency'],
  attachment: ['tệp đính kèm', 'attachment'],
  document: ['văn bản', 'document'],
  file: ['tệp', 'file'],
  'intake item': ['văn bản đến', 'incoming document'],
  'mail body': ['nội dung thư', 'mail body'],
  page: ['trang', 'page'],
};

export function refusal(outcome: Refusal, what: string): ApiReply {
  switch (outcome.kind) {
    case 'not-found': {
      const [vi, en] = THINGS[what] ?? [what, what];
      return fail(
        'WEB_NOT_FOUND',
        said(
          `Không tìm thấy ${vi} này: có thể nó đã bị xóa, hoặc không thuộc cơ quan của bạn.`,
          `No such ${en}: it may have been removed, or it is not your agency's.`,
        ),
      );
    }
    case 'forbidden':
      return fail('WEB_FORBIDDEN', outcome.message);
    case 'conflict':
      return fail('WEB_CONFLICT', outcome.message);
    case 'invalid':
      return fail(
        'WEB_UNPROCESSABLE',
        outcome.said
          ? { ...joinSaid(outcome.said), en: outcome.problems.join('; ') }
          : outcome.problems.join('; '),
        { problems: outcome.problems },
        outcome.said?.map((s) => ({ field: s.field ?? '', vi: s.vi, en: s.en })),
      );
    case 'invalid-cursor':
      return fail(
        'WEB_INVALID_REQUEST',
        said(
          'Trang tiếp theo không còn hợp lệ: hãy tải lại danh sách.',
          'the cursor is not one this API gave out: reload the list',
        ),
      );
  }
}

export const IdParams = z.strictObject({ id: z.uuid() });
export const AttachmentParams = z.strictObject({ id: z.uuid(), attachmentId: z.uuid() });
export const ListLimit = z.coerce.number().int().min(1).max(200).optional();

/** Full-text search's passage under a result: `marks` are [start, end) ranges of `text` to highlight. */
export const PassageSchema = z
  .object({
    field: z.enum(['text', 'subject', 'notation', 'sender']),
    text: z.string(),
    marks: z.array(z.tuple([z.number().int(), z.number().int()])),
    cut: z.tuple([z.boolean(), z.boolean()]).describe('whether the field goes on before and after it'),
  })
  .nullable()
  .optional()
  .describe('with q: where its words occur, the files’ text preferred');

/** What q accepts: words, "a phrase", a notation such as 12/QĐ-UBND; tone marks optional. */
export const TextQuery = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe(
    'words (all must occur), "a phrase", or a notation such as 12/QĐ-UBND, in subject, notation, sender and the files’ text; tone marks optional ("quyet dinh" finds "Quyết định"), exact tone marks first',
  );

// Types a browser may show inline without running anything; everything else downloads as bytes.
const INLINE_SAFE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/tiff', 'text/plain']);

/** `?disposition=inline` asks for a PDF to be shown in the console's viewer frame instead of saved. */
export const DispositionQuery = z.strictObject({
  disposition: z
    .enum(['attachment', 'inline'])
    .optional()
    .describe('inline: a PDF is shown in a frame of the console (other types always download)'),
});

const isPdf = (bytes: Buffer, contentType: string) =>
  contentType.toLowerCase().split(';')[0]?.trim() === 'application/pdf' &&
  bytes.subarray(0, 5).toString('latin1') === '%PDF-';

/**
 * An attachment's bytes that can never run as a page of the hub's origin: `nosniff`, a sandboxing
 * policy, and only a few inert types kept. A PDF (by declared type AND by its `%PDF-` header) may be
 * asked for inline, for the browser's PDF viewer in a frame of the console only (`frame-ancestors 'self'`);
 * anything else is a download whatever is asked.
 */
export function download(
  bytes: Buffer,
  name: string,
  contentType: string,
  disposition: 'attachment' | 'inline' = 'attachment',
): ApiReply {
  const inline = disposition === 'inline' && isPdf(bytes, contentType);
  const type = inline
    ? 'application/pdf'
    : INLINE_SAFE.has(contentType.toLowerCase())
      ? contentType
      : 'application/octet-stream';
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
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'self'; sandbox",
      'x-frame-options': 'SAMEORIGIN',
      'cache-control': 'private, no-cache',
    },
  };
}

/** Drops keys whose value is undefined: the registry's optional fields are absent, not undefined. */
export function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
