import { parseDocumentNotation, type DocumentNotation } from '../text/index.ts';

/**
 * Reads a document notation (số, ký hiệu) and the trích yếu from a mail subject such as
 * "Fw: Số 123/UBND-VP: V/v triển khai …" or "Công văn 05/2026/QĐ-UBND về việc …". Pure; never throws.
 */
export type SubjectFacts = { notation: DocumentNotation | null; summary: string | null };

const REPLY_PREFIX = /^\s*((re|fw|fwd|tr|vs|sv|aw|wg|chuyển tiếp|trả lời)\s*:\s*)+/iu;
const CANDIDATE = /(?:số\s*:?\s*)?(\d{1,7}\/(?:\d{4}\/)?[\p{L}\p{N}&.-]+(?:\/[\p{L}\p{N}&.-]+)?)/iu;

export function readSubjectLine(subject: string | null): SubjectFacts {
  if (!subject) return { notation: null, summary: null };
  const clean = subject.normalize('NFC').replace(REPLY_PREFIX, '').trim();
  const match = CANDIDATE.exec(clean);
  if (!match?.[1]) return { notation: null, summary: clean || null };
  const parsed = parseDocumentNotation(match[1]);
  if (parsed.kind !== 'notation') return { notation: null, summary: clean || null };
  const after = clean.slice(match.index + match[0].length).replace(/^[\s:;,.–—-]+/u, '');
  const before = clean
    .slice(0, match.index)
    .replace(/(công văn|văn bản|quyết định|thông báo|số)\s*:?\s*$/iu, '')
    .trim();
  const summary = (after || before).trim();
  return { notation: parsed.notation, summary: summary || null };
}
