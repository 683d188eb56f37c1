/**
 * Độ khẩn (NĐ 30/2020 Điều 8, Phụ lục I: "HỎA TỐC", "THƯỢNG KHẨN", "KHẨN" stamped above the
 * trích yếu) as mail senders put it into a subject: at its start ("HỎA TỐC: Về việc …",
 * "[Thượng khẩn] …") or in brackets anywhere ("… [KHẨN]"). A word inside the text is not a mark:
 * "khẩn trương triển khai" means "promptly". Without tone marks only the bracketed form counts
 * ("[HOA TOC]"), since "khan" alone is an ordinary word.
 *
 * Levels as edXML Priority: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.
 */
export type UrgencyLevel = 0 | 1 | 2 | 3 | 4;

const MARKS: readonly (readonly [RegExp, UrgencyLevel])[] = [
  [/^h(?:ỏa|oả)\s*tốc\s+hẹn\s+giờ$/u, 4],
  [/^h(?:ỏa|oả)\s*tốc$/u, 3],
  [/^thượng\s+khẩn$/u, 2],
  [/^khẩn$/u, 1],
];
const TONELESS: readonly (readonly [RegExp, UrgencyLevel])[] = [
  [/^hoa\s*toc\s+hen\s+gio$/u, 4],
  [/^hoa\s*toc$/u, 3],
  [/^thuong\s+khan$/u, 2],
  [/^khan$/u, 1],
];
const REPLY_PREFIX = /^\s*((re|fw|fwd|tr|vs|sv|aw|wg)\s*:\s*)+/iu;
const LEADING =
  /^[\s[(]*(hỏa\s*tốc\s+hẹn\s+giờ|hoả\s*tốc\s+hẹn\s+giờ|hỏa\s*tốc|hoả\s*tốc|thượng\s+khẩn|khẩn)(?!\s+(?:trương|cấp)\b)(?=([\s\])\]:;,.–—-]|$))/iu;
// After a leading mark: punctuation, or the mark in capitals as it is stamped ("KHẨN Triệu tập").
const STAMP_END = /^[\])\]:;,.–—-]|^$/u;
const BRACKETED = /[[(]\s*([\p{L}\s]{3,24}?)\s*[\])]/gu;

function levelOf(
  words: string,
  tables: readonly (readonly (readonly [RegExp, UrgencyLevel])[])[],
): UrgencyLevel {
  const folded = words.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
  for (const table of tables) for (const [pattern, level] of table) if (pattern.test(folded)) return level;
  return 0;
}

/** The urgency a subject line is marked with; 0 when none. Pure; never throws. */
export function readUrgencyMark(subject: string | null | undefined): UrgencyLevel {
  if (!subject) return 0;
  const clean = subject.normalize('NFC').replace(REPLY_PREFIX, '');
  let level: UrgencyLevel = 0;
  const leading = LEADING.exec(clean);
  const mark = leading?.[1];
  if (leading && mark) {
    const after = clean.slice(leading.index + leading[0].length).trimStart();
    if (mark === mark.toUpperCase() || STAMP_END.test(after.slice(0, 1))) level = levelOf(mark, [MARKS]);
  }
  for (const match of clean.matchAll(BRACKETED)) {
    const found = levelOf(match[1] ?? '', [MARKS, TONELESS]);
    if (found > level) level = found;
  }
  return level;
}
