import { createHash } from 'node:crypto';
import { parseEdxml, type EdxmlPackage } from '../edxml/index.ts';

/**
 * What an admin may read of a dead letter's bytes: its size and SHA-256 always; its text, capped,
 * when it is text (UTF-8 without control characters); and when it is an edXML package, who sent it
 * to whom, its số/ký hiệu and trích yếu. Binary content is never returned, only described. The
 * console shows the text as text (dom.js), so nothing in a payload can become markup.
 */
export const PAYLOAD_TEXT_LIMIT = 64 * 1024;
/** Larger payloads are not parsed for a summary (a package with big attachments): text and hash only. */
export const PAYLOAD_SUMMARY_LIMIT = 8 * 1024 * 1024;

export type PayloadOrgan = { organId: string | null; name: string | null };

export type PayloadSummary =
  | {
      kind: 'edoc';
      from: PayloadOrgan;
      to: PayloadOrgan[];
      number: string | null;
      notation: string | null;
      subject: string | null;
      documentId: string | null;
    }
  | {
      kind: 'status';
      from: PayloadOrgan;
      statusCode: string | null;
      description: string | null;
      /** the document the status is about: its issuer, số/ký hiệu, DocumentId */
      about: { organId: string | null; code: string | null; documentId: string | null };
    };

export type DeadLetterPayload = {
  size: number;
  sha256: string;
  contentType: string | null;
  /** null when the bytes are not text: then only size and SHA-256 are shown */
  text: { value: string; truncated: boolean } | null;
  /** the package in a few fields, when the bytes are an edXML package the reader accepts */
  edxml: PayloadSummary | null;
  /** why there is no summary: too large to read here, or not an edXML package */
  summary: 'summarised' | 'too-large' | 'not-edxml';
};

// C0 controls other than tab, LF and CR, and DEL: bytes of a binary file, not of text.
const CONTROLS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F';
const CONTROL = new RegExp(`[${CONTROLS}]`);
// Bidirectional controls would reorder what the admin reads (a sender shown as another): made visible.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

function textOf(content: Buffer): DeadLetterPayload['text'] {
  const truncated = content.length > PAYLOAD_TEXT_LIMIT;
  const head = content.subarray(0, PAYLOAD_TEXT_LIMIT);
  // A cut may fall inside a multi-byte character: up to 3 bytes are given back.
  for (let drop = 0; drop <= (truncated ? 3 : 0); drop += 1) {
    try {
      const value = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - drop));
      if (CONTROL.test(value)) return null;
      const shown = value.replace(
        BIDI,
        (c) => `⟨U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0') ?? ''}⟩`,
      );
      return { value: shown, truncated };
    } catch {
      // not UTF-8 at this cut
    }
  }
  return null;
}

const organ = (o: { organId?: string | undefined; organName?: string | undefined }): PayloadOrgan => ({
  organId: o.organId ?? null,
  name: o.organName ?? null,
});

function summaryOf(pkg: EdxmlPackage): PayloadSummary {
  if (pkg.kind === 'edoc')
    return {
      kind: 'edoc',
      from: organ(pkg.from),
      to: pkg.to.slice(0, 50).map(organ),
      number: pkg.code.number ?? null,
      notation: pkg.code.notation ?? null,
      subject: pkg.subject ?? null,
      documentId: pkg.documentId ?? null,
    };
  return {
    kind: 'status',
    from: organ(pkg.from),
    statusCode: pkg.statusCode ?? null,
    description: pkg.description ?? null,
    about: {
      organId: pkg.responseFor.organId ?? null,
      code: pkg.responseFor.code ?? null,
      documentId: pkg.responseFor.documentId ?? null,
    },
  };
}

export function describePayload(content: Buffer, contentType: string | null): DeadLetterPayload {
  const base = {
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    contentType,
    text: textOf(content),
  };
  if (content.length > PAYLOAD_SUMMARY_LIMIT) return { ...base, edxml: null, summary: 'too-large' };
  try {
    return { ...base, edxml: summaryOf(parseEdxml(content)), summary: 'summarised' };
  } catch {
    return { ...base, edxml: null, summary: 'not-edxml' };
  }
}

/**
 * Message headers as JSON an audit entry can keep: strings capped, bytes as their size, at most
 * 50 keys and 4 levels deep. Enough to say later what a discarded message was and where it was going.
 */
export function headersForAudit(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.length > 500 ? `${value.slice(0, 500)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return { bytes: value.length };
  if (depth >= 4) return '…';
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => headersForAudit(item, depth + 1));
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .slice(0, 50)
        .map(([key, item]) => [key.slice(0, 200), headersForAudit(item, depth + 1)]),
    );
  // functions and symbols never come from the wire
  return '…';
}
