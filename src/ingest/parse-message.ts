import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import { normalizeText } from '../text/index.ts';
import { readDeliveryReport, type DeliveryReport } from './delivery-report.ts';
import { unpackTnef } from './tnef.ts';

/**
 * mailparser → IncomingMessage: what the hub needs to know about one mail, bounded in time and size.
 * It never throws for bad input: whatever cannot be understood becomes a `problem`, which the
 * caller turns into a quarantine reason (the raw bytes are kept either way).
 */
export type MessageKind = 'document' | 'delivery-status' | 'disposition-notification' | 'feedback-report';

export type ExtractedAttachment = {
  name: string;
  contentType: string;
  content: Buffer;
  /** where it was found: "1", "2/forwarded/1", "3/winmail.dat/2" */
  path: string;
};

export type IncomingMessage = {
  messageId: string | null;
  subject: string | null;
  fromAddress: string | null;
  date: string | null;
  kind: MessageKind;
  /** Message-IDs a DSN/MDN answers (Original-Message-ID, In-Reply-To, References). */
  answers: string[];
  /** DSN/MDN: its machine-readable part, read (null for documents and ARF) */
  report: DeliveryReport | null;
  /** plain-text body, NFC, capped (mailparser derives it from the HTML part when there is no text part) */
  text: string;
  /** the HTML part as sent (decoded to a string, capped), shown only in a sandboxed frame; null if none */
  html: string | null;
  textEncoding: { encoding: string; confidence: number } | null;
  attachments: ExtractedAttachment[];
  /** top-level Content-Type of the message, e.g. multipart/signed */
  contentType: string;
  problems: string[];
};

export const PARSE_LIMITS = {
  maxHtmlBytes: 256 * 1024,
  maxTextChars: 200_000,
  maxNestedDepth: 5,
  maxAttachments: 200,
};

const REPORT_KINDS: Record<string, MessageKind> = {
  'delivery-status': 'delivery-status',
  'disposition-notification': 'disposition-notification',
  'feedback-report': 'feedback-report',
};

export async function parseMessage(raw: Buffer): Promise<IncomingMessage> {
  const problems: string[] = [];
  const mail = await simpleParser(raw, {
    maxHtmlLengthToParse: PARSE_LIMITS.maxHtmlBytes,
    skipImageLinks: true,
    skipTextLinks: true,
    skipTextToHtml: true,
  });
  const attachments: ExtractedAttachment[] = [];
  await collectAttachments(mail, '', 0, attachments, problems);
  const contentType = headerValue(mail, 'content-type');
  const kind = messageKind(mail, contentType);
  const rawText = (mail.text ?? '').slice(0, PARSE_LIMITS.maxTextChars);
  const body = normalizeBody(rawText);
  return {
    messageId: mail.messageId?.slice(0, 998) ?? null,
    subject: mail.subject === undefined ? null : mail.subject.normalize('NFC').slice(0, 2000),
    fromAddress: firstAddress(mail.from),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
    kind,
    answers: kind === 'document' ? [] : answeredIds(mail, rawText),
    report:
      kind === 'delivery-status' || kind === 'disposition-notification' ? reportPart(mail, raw, kind) : null,
    text: body.text,
    html: typeof mail.html === 'string' && mail.html.trim() !== '' ? mail.html.normalize('NFC') : null,
    textEncoding: body.encoding,
    attachments,
    contentType,
    problems,
  };
}

/**
 * Bodies in TCVN3/VNI/VISCII sent with a latin-1 (or no) charset come out of mailparser as
 * latin-1 mojibake. Such text maps back to its bytes losslessly; src/text then detects the legacy
 * encoding. Text with characters beyond U+00FF was decoded from a real charset and is kept.
 */
function normalizeBody(text: string): { text: string; encoding: IncomingMessage['textEncoding'] } {
  if (!/[^\p{ASCII}]/u.test(text)) return { text, encoding: null };
  if (/[\u{100}-\u{10FFFF}]/u.test(text)) return { text: text.normalize('NFC'), encoding: null };
  const normalized = normalizeText(Buffer.from(text, 'latin1'), 'auto');
  const { encoding, confidence } = normalized.detection;
  if (encoding === 'utf-8' || encoding === 'ascii' || confidence < 0.5)
    return { text: text.normalize('NFC'), encoding: null };
  return { text: normalized.text, encoding: { encoding, confidence } };
}

async function collectAttachments(
  mail: ParsedMail,
  prefix: string,
  depth: number,
  out: ExtractedAttachment[],
  problems: string[],
): Promise<void> {
  let index = 0;
  for (const attachment of mail.attachments) {
    index += 1;
    if (out.length >= PARSE_LIMITS.maxAttachments) {
      problems.push(`more than ${PARSE_LIMITS.maxAttachments} attachments; the rest were not extracted`);
      return;
    }
    const path = `${prefix}${index}`;
    const contentType = normalizeContentType(attachment);
    if (contentType === 'message/rfc822' || contentType === 'message/global') {
      // mailparser leaves a forwarded message as one opaque part; its files are documents too.
      if (depth >= PARSE_LIMITS.maxNestedDepth) {
        problems.push(`forwarded messages nested deeper than ${PARSE_LIMITS.maxNestedDepth}`);
        out.push(plain(attachment, contentType, path));
        continue;
      }
      try {
        const inner = await simpleParser(attachment.content, {
          maxHtmlLengthToParse: PARSE_LIMITS.maxHtmlBytes,
        });
        await collectAttachments(inner, `${path}/forwarded/`, depth + 1, out, problems);
      } catch (error) {
        problems.push(`forwarded message ${path} unreadable: ${(error as Error).message}`);
        out.push(plain(attachment, contentType, path));
      }
      continue;
    }
    if (isTnef(attachment, contentType)) {
      const unpacked = unpackTnef(attachment.content);
      if (unpacked.problem) problems.push(`winmail.dat ${path}: ${unpacked.problem}`);
      unpacked.files.forEach((file, i) => {
        out.push({
          name: file.name,
          contentType: 'application/octet-stream',
          content: file.content,
          path: `${path}/winmail.dat/${i + 1}`,
        });
      });
      if (unpacked.files.length === 0) out.push(plain(attachment, contentType, path));
      continue;
    }
    out.push(plain(attachment, contentType, path));
  }
}

function plain(attachment: Attachment, contentType: string, path: string): ExtractedAttachment {
  const fallback =
    contentType === 'message/rfc822' ? 'forwarded.eml' : `attachment-${path.replace(/\//g, '-')}`;
  return {
    name: (attachment.filename ?? fallback).normalize('NFC'),
    contentType,
    content: attachment.content,
    path,
  };
}

/** `Content-Type: application` without a subtype comes out of mailparser as a made-up type. */
function normalizeContentType(attachment: Attachment): string {
  const type = attachment.contentType.toLowerCase();
  return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? type : 'application/octet-stream';
}

function isTnef(attachment: Attachment, contentType: string): boolean {
  return (
    contentType === 'application/ms-tnef' ||
    contentType === 'application/vnd.ms-tnef' ||
    (attachment.filename ?? '').toLowerCase() === 'winmail.dat'
  );
}

function messageKind(mail: ParsedMail, contentType: string): MessageKind {
  const reportType = /report-type\s*=\s*"?([a-z-]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (contentType.toLowerCase().startsWith('multipart/report') && reportType)
    return REPORT_KINDS[reportType] ?? 'delivery-status';
  // Some MTAs send bounces without multipart/report; their attachments still carry the status part.
  if (mail.attachments.some((a) => a.contentType === 'message/delivery-status')) return 'delivery-status';
  if (mail.attachments.some((a) => a.contentType === 'message/disposition-notification'))
    return 'disposition-notification';
  return 'document';
}

const STATUS_PARTS: Record<'delivery-status' | 'disposition-notification', string[]> = {
  'delivery-status': ['message/delivery-status', 'message/global-delivery-status'],
  'disposition-notification': ['message/disposition-notification', 'message/global-disposition-notification'],
};

/**
 * mailparser folds a `message/delivery-status` part into the text body, so the part is also looked
 * for in the raw message: its headers, a blank line, then the fields up to the next boundary line.
 */
function reportPart(
  mail: ParsedMail,
  raw: Buffer,
  kind: 'delivery-status' | 'disposition-notification',
): DeliveryReport {
  const part = mail.attachments.find((a) => STATUS_PARTS[kind].includes(a.contentType.toLowerCase()));
  if (part) return readDeliveryReport(kind, part.content);
  const text = raw.subarray(0, 1024 * 1024).toString('latin1');
  const header = new RegExp(`^Content-Type:[ \\t]*(?:${STATUS_PARTS[kind].join('|')})\\b`, 'im').exec(text);
  if (!header) return readDeliveryReport(kind, null);
  const headerEnd = /\r?\n\r?\n/.exec(text.slice(header.index));
  if (!headerEnd) return readDeliveryReport(kind, null);
  const partHeaders = text.slice(header.index, header.index + headerEnd.index);
  const start = header.index + headerEnd.index + headerEnd[0].length;
  const end = /^--/m.exec(text.slice(start));
  const body = text.slice(start, end ? start + end.index : undefined);
  const base64 = /^Content-Transfer-Encoding:[ \t]*base64/im.test(partHeaders);
  return readDeliveryReport(kind, base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'latin1'));
}

function answeredIds(mail: ParsedMail, text: string): string[] {
  const ids = new Set<string>();
  const add = (value: string | string[] | undefined) => {
    for (const id of Array.isArray(value) ? value : value ? [value] : []) ids.add(id.trim());
  };
  add(mail.inReplyTo);
  add(mail.references);
  const bodies = [text, ...mail.attachments.map((a) => a.content.subarray(0, 64 * 1024).toString('latin1'))];
  for (const body of bodies)
    for (const match of body.matchAll(/^(?:Original-Message-ID|Message-ID):\s*(<[^>\r\n]{1,500}>)/gim))
      if (match[1]) ids.add(match[1]);
  return [...ids].slice(0, 20);
}

function headerValue(mail: ParsedMail, name: string): string {
  const line = mail.headerLines.find((h) => h.key === name);
  return line
    ? line.line
        .slice(line.line.indexOf(':') + 1)
        .replace(/\s+/g, ' ')
        .trim()
    : 'text/plain';
}

function firstAddress(from: AddressObject | undefined): string | null {
  const address = from?.value[0]?.address;
  return address ? address.toLowerCase().slice(0, 320) : null;
}
