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
  const summary = sentenceCase((after || before).trim());
  return { notation: parsed.notation, summary: summary || null };
}

/**
 * A trích yếu begins with a capital ("Về việc ban hành …"): what follows a notation in a subject is
 * a sentence's middle ("… 05/2026/QĐ-UBND về việc …"). "V/v" is already written as the rule wants.
 */
function sentenceCase(summary: string): string {
  const first = summary.codePointAt(0);
  if (first === undefined || /^v\/v\b/iu.test(summary)) return summary;
  const letter = String.fromCodePoint(first);
  return letter.toLocaleUpperCase('vi') + summary.slice(letter.length);
}
