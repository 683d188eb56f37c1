import type { Transaction } from '../db/index.ts';
import { appendAudit } from './audit-trail.ts';
import { foldForSearch } from './domain/search-text.ts';
import { documentVector } from './search-index.ts';

/**
 * A line of the outgoing register book (sổ văn bản đi) for a document the agency sent through the
 * hub. The number comes from `takeRegistrationNumber(tx, …, 'outgoing', …)` in the same
 * transaction, so a send that fails gives its number back and the book has no gaps. For outgoing
 * documents `senderName` holds the recipients ("Nơi nhận"), as the book's CSV prints it.
 */
export type OutgoingDocumentRecord = {
  agencyId: string;
  year: number;
  number: number;
  registeredAt: Date;
  registeredBy: string;
  documentKey: string;
  /** `<số>/<ký hiệu>`, as printed on the document */
  notation: string;
  documentType: string;
  subject: string;
  recipients: { organId: string; name: string }[];
  promulgatedOn: string;
  signer: string;
  priority: number;
  dueOn?: string;
  packageId: string;
};

const asDate = (value: string) => new Date(`${value}T00:00:00Z`);

export async function recordOutgoingDocument(
  tx: Transaction,
  record: OutgoingDocumentRecord,
): Promise<{ documentId: string }> {
  const recipients = record.recipients.map((r) => r.name).join('; ');
  const document = await tx.document.create({
    data: {
      agencyId: record.agencyId,
      direction: 'outgoing',
      year: record.year,
      number: record.number,
      registeredAt: record.registeredAt,
      registeredBy: record.registeredBy,
      documentKey: record.documentKey,
      notation: record.notation,
      documentType: record.documentType,
      subject: record.subject,
      senderName: recipients.length > 500 ? `${recipients.slice(0, 499)}…` : recipients,
      promulgatedOn: asDate(record.promulgatedOn),
      signer: record.signer,
      priority: record.priority,
      dueOn: record.dueOn ? asDate(record.dueOn) : null,
      searchText: foldForSearch([record.subject, record.notation, recipients].join(' ')),
      versions: { create: { businessType: 0 } },
    },
  });
  await tx.$executeRaw`UPDATE document SET search_vector = ${documentVector({ ...record, senderName: recipients, senderOrganId: null })}::tsvector WHERE id = ${document.id}::uuid`;
  // Last statement of the caller's transaction apart from the commit: the audit chain's lock is short.
  await appendAudit(tx, {
    actor: record.registeredBy,
    agencyId: record.agencyId,
    action: 'outgoing.registered',
    subject: `document:${document.id}`,
    data: {
      year: record.year,
      number: record.number,
      documentKey: record.documentKey,
      packageId: record.packageId,
      to: record.recipients.map((r) => r.organId),
    },
  });
  return { documentId: document.id };
}
