import type { PrismaClient, Transaction } from '../db/index.ts';
import { firstPageFields, type FirstPageFields } from '../text/index.ts';
import type { ReadFields } from './registration-form.ts';

/**
 * The registration fields read from an item's document: the first file whose text was read (a
 * PDF before other files, then by name), its first page for the header and its last for the
 * signature block (text/first-page-fields.ts). Read again on every call from the stored pages, so
 * a better reader improves the form of every item not yet registered; what the clerk was offered
 * is kept with the document at registration (registration-form.ts prefillRecord).
 */
export async function readFieldsOfItem(
  db: PrismaClient | Transaction,
  intakeItemId: string,
): Promise<ReadFields | null> {
  const files = await db.fileText.findMany({
    where: { intakeItemId, state: 'read', firstPageText: { not: null } },
    select: {
      firstPageText: true,
      lastPageText: true,
      attachment: { select: { name: true, contentType: true } },
    },
  });
  const [file] = files.sort(
    (a, b) =>
      Number(b.attachment.contentType === 'application/pdf') -
        Number(a.attachment.contentType === 'application/pdf') ||
      a.attachment.name.localeCompare(b.attachment.name),
  );
  if (!file?.firstPageText) return null;
  return asFormFields(firstPageFields(file.firstPageText, file.lastPageText ?? undefined));
}

// A body read from a page is in capitals ("SỞ Y TẾ") and may carry OCR noise: it fills the
// sender's name only where neither the package nor the directory knows it.
const BODY_FILLS_GAPS_ONLY = 0.5;

function asFormFields(read: FirstPageFields): ReadFields {
  const fields: ReadFields = {};
  if (read.numberAndNotation)
    fields.notation = { value: read.numberAndNotation.value, confidence: read.numberAndNotation.confidence };
  if (read.date) fields.promulgatedOn = { value: read.date.value, confidence: read.date.confidence };
  if (read.documentType)
    fields.documentType = { value: read.documentType.value.name, confidence: read.documentType.confidence };
  if (read.summary) fields.subject = { value: read.summary.value, confidence: read.summary.confidence };
  if (read.signerName)
    fields.signer = { value: read.signerName.value, confidence: read.signerName.confidence };
  if (read.urgency) fields.priority = { value: read.urgency.value, confidence: read.urgency.confidence };
  if (read.issuingBody)
    fields.senderName = {
      value: read.issuingBody.value,
      confidence: Math.min(read.issuingBody.confidence, BODY_FILLS_GAPS_ONLY),
    };
  return fields;
}
