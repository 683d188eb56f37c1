import { z } from 'zod';
import { documentTypeOf } from '../text/index.ts';

/** What a clerk confirms when registering: prefilled from the package or mail, editable. */
export const RegistrationFormSchema = z.strictObject({
  subject: z.string().trim().min(1, 'trích yếu (subject) is required').max(2000),
  notation: z.string().trim().max(100).optional(),
  documentType: z.string().trim().max(100).optional(),
  senderName: z.string().trim().max(500).optional(),
  senderOrganId: z.string().trim().max(20).optional(),
  promulgatedOn: z.iso.date('promulgatedOn must be a date YYYY-MM-DD').optional(),
  signer: z.string().trim().max(200).optional(),
  priority: z.number().int().min(0).max(4).optional(),
  dueOn: z.iso.date('dueOn must be a date YYYY-MM-DD').optional(),
  departmentId: z.uuid().optional(),
});

export type RegistrationForm = z.infer<typeof RegistrationFormSchema>;
/** A clerk's edits: any field of the form; absent or undefined keeps the prefilled value. */
export type RegistrationEdits = { [K in keyof RegistrationForm]?: RegistrationForm[K] | undefined };

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;
const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

/**
 * Số and ký hiệu as the register book's column "Số, ký hiệu văn bản" (NĐ 30 Phụ lục IV) reads
 * them: `12/UBND-VP`. Packages carry them apart (Code/CodeNumber, Code/CodeNotation) and the mail
 * reader splits them too; a ký hiệu that already starts with its number is kept as it is.
 */
export function documentNotation(code: unknown, whole?: unknown): string | undefined {
  const number = text(field(code, 'number'));
  const notation = text(field(code, 'notation'));
  if (number && notation) return notation.startsWith(`${number}/`) ? notation : `${number}/${notation}`;
  return text(whole) ?? notation ?? number;
}

/**
 * The NĐ 30 type of a received document: its TypeName, else its notation (12/GM-UBND is a Giấy
 * mời, for a package or a mail subject alike), never the producer-specific DocumentType/Type number
 * alone (text/document-type-of.ts).
 */
function prefilledDocumentType(m: unknown): string | undefined {
  const type = field(m, 'documentType');
  const code = field(m, 'code');
  const notation = text(field(code, 'notation'));
  const number = text(field(code, 'number'));
  const typeNumber = field(type, 'type');
  return documentTypeOf({
    typeName: text(field(type, 'name')) ?? text(type),
    notation: notation === undefined ? undefined : `${number ?? '1'}/${notation.replace(/^\d+\//, '')}`,
    type: typeof typeNumber === 'number' ? typeNumber : undefined,
  }).name;
}

/** A field read from the document's own first (or last) page, and how sure the reader is (0..1). */
export type ReadField = { value: string | number; confidence: number };
/** What the reader found on the page, by form field (text/first-page-fields.ts, through src/reading). */
export type ReadFields = Partial<Record<keyof RegistrationForm, ReadField>>;

/** Where a prefilled value came from: the package's header, the mail, or the document's page. */
export type FieldSource = { from: 'package' | 'mail' | 'page'; confidence?: number };

// Below this a value read from the page is offered only where nothing else knows the field.
const TRUSTED_READING = 0.6;
const MAIL_SOURCES = new Set(['smtp', 'imap', 'upload']);

type PrefillItem = {
  subject: string | null;
  senderOrganId: string | null;
  metadata: unknown;
  senderAgencyName?: string | null;
  /** smtp, imap, amqp, http, upload: a package's header is signed structure, a mail's is a subject line */
  source?: string;
  readFields?: ReadFields | null;
};

function fromMetadata(item: PrefillItem): Record<keyof RegistrationForm, unknown> {
  const m = item.metadata;
  const priority = field(m, 'priority');
  return {
    subject: text(field(m, 'subject')) ?? item.subject ?? undefined,
    notation: documentNotation(field(m, 'code'), field(m, 'notation')),
    documentType: prefilledDocumentType(m) ?? text(field(m, 'documentType')),
    senderName: text(field(field(m, 'from'), 'organName')) ?? item.senderAgencyName ?? undefined,
    senderOrganId: text(field(field(m, 'from'), 'organId')) ?? item.senderOrganId ?? undefined,
    promulgatedOn: text(field(field(m, 'promulgation'), 'date')),
    signer: text(field(field(m, 'signer'), 'fullName')),
    priority: typeof priority === 'number' ? priority : undefined,
    dueOn: text(field(m, 'dueDate')),
    departmentId: undefined,
  };
}

/**
 * Which source fills each field. A package's header (signed, structured) wins over the page; a
 * mail's subject line is a sender's typing, so for mail and uploads the document's own first page
 * wins where the reader is sure of it. A page reading nobody is sure of only fills gaps.
 */
function chooseSources(item: PrefillItem) {
  const header = fromMetadata(item);
  const read = item.readFields ?? {};
  const pageFirst = item.source !== undefined && MAIL_SOURCES.has(item.source);
  const values: Partial<Record<keyof RegistrationForm, unknown>> = {};
  const sources: Partial<Record<keyof RegistrationForm, FieldSource>> = {};
  for (const key of Object.keys(header) as (keyof RegistrationForm)[]) {
    const fromHeader = header[key];
    const fromPage = read[key];
    const pageWins =
      fromPage !== undefined &&
      (fromHeader === undefined || (pageFirst && fromPage.confidence >= TRUSTED_READING));
    if (pageWins) {
      values[key] = fromPage.value;
      sources[key] = { from: 'page', confidence: fromPage.confidence };
    } else if (fromHeader !== undefined) {
      values[key] = fromHeader;
      sources[key] = { from: pageFirst ? 'mail' : 'package' };
    }
  }
  return { values, sources };
}

/**
 * The form prefilled from an intake item's parsed metadata (the normalized edXML JSON of
 * docs/contract.md, or what the mail parser found) and what was read from its document's page,
 * with the clerk's edits on top. The sender's name comes from the package, else from the directory
 * (`senderAgencyName`): a clerk registers "Tác giả" as a name, never as an OrganId.
 */
export function prefillRegistrationForm(
  item: PrefillItem,
  edits: RegistrationEdits,
): Partial<RegistrationForm> {
  const merged = Object.entries({ ...chooseSources(item).values, ...edits }).filter(
    ([, value]) => value !== undefined,
  );
  return Object.fromEntries(merged);
}

/** Where each prefilled field came from, with the reader's confidence for page readings: the console shows it. */
export function prefillSources(item: PrefillItem): Partial<Record<keyof RegistrationForm, FieldSource>> {
  return chooseSources(item).sources;
}

/**
 * What the clerk changed of the prefilled form, kept with the document: the data to improve the
 * reader with (which readings were right, which were corrected, and to what).
 */
export function prefillRecord(item: PrefillItem, registered: Partial<RegistrationForm>) {
  const { values, sources } = chooseSources(item);
  const changed = (Object.keys(registered) as (keyof RegistrationForm)[]).filter(
    (key) => JSON.stringify(registered[key] ?? null) !== JSON.stringify(values[key] ?? null),
  );
  return { read: item.readFields ?? {}, prefilled: values, sources, changed };
}
