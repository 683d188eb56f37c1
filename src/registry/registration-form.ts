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

/**
 * The form prefilled from an intake item's parsed metadata (the normalized edXML JSON of
 * docs/contract.md, or what the mail parser found), with the clerk's edits on top. The sender's
 * name comes from the package, else from the directory (`senderAgencyName`): a clerk registers
 * "Tác giả" as a name, never as an OrganId.
 */
export function prefillRegistrationForm(
  item: {
    subject: string | null;
    senderOrganId: string | null;
    metadata: unknown;
    senderAgencyName?: string | null;
  },
  edits: RegistrationEdits,
): Partial<RegistrationForm> {
  const m = item.metadata;
  const priority = field(m, 'priority');
  const prefilled: Record<keyof RegistrationForm, unknown> = {
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
  const merged = Object.entries({ ...prefilled, ...edits }).filter(([, value]) => value !== undefined);
  return Object.fromEntries(merged);
}
