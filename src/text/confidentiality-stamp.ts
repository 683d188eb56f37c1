/**
 * Độ mật stamped on a scanned page (Luật Bảo vệ bí mật nhà nước 2018; Thông tư 24/2020/TT-BCA:
 * the stamp "MẬT", "TỐI MẬT" or "TUYỆT MẬT" stands alone, in capitals, in a frame under the số, ký
 * hiệu). A document that carries one must not travel over the network, so a file whose first page
 * has it is held. What OCR makes of a stamp is one line with only that word, perhaps framed by
 * noise ("| TỐI MẬT |", "[MẬT]", "MẬT."); a word inside a sentence ("giữ bí mật", "mật khẩu",
 * "Mật" opening a line of running text) is not a stamp. OCR loses or doubles the marks of a vowel
 * (MÂT, MẶT, MAT; "TUYẾỆT" for TUYỆT), so the words are compared without their marks, and the
 * long word TUYỆT may be one letter off: a false hold costs a clerk a click, a missed stamp may be
 * a crime. The short words (MẬT, TỐI) must be exact once folded: one letter off, they are other
 * words.
 */
export type ConfidentialityLevel = 'Mật' | 'Tối mật' | 'Tuyệt mật';

export type ConfidentialityStamp = {
  readonly level: ConfidentialityLevel;
  /** 1-based line of the text that carries it */
  readonly line: number;
};

// What a frame, a scanner's speck or a bullet leaves around the word.
const FRAME = /^[\s|[\](){}<>«»“”"'‘’*•·.:;,_=~\-–—/\\!]+|[\s|[\](){}<>«»“”"'‘’*•·.:;,_=~\-–—/\\!]+$/gu;

/** Capitals without their marks (Đ → D); null when the line has a lower-case letter. */
function foldedCapitals(text: string): string | null {
  if (/\p{Ll}/u.test(text)) return null;
  return (
    text
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/Đ/gu, 'D')
      // a mark read twice becomes a doubled vowel ("TỐỐI"); none of the stamp's words has one
      .replace(/(\p{L})\1+/gu, '$1')
  );
}

/** At most one letter inserted, dropped or replaced. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i += 1;
      j += 1;
      continue;
    }
    edits += 1;
    if (edits > 1) return false;
    if (a.length > b.length) i += 1;
    else if (b.length > a.length) j += 1;
    else {
      i += 1;
      j += 1;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** The level of a line that is a độ mật stamp and nothing else, or null. */
export function confidentialityOfLine(raw: string): ConfidentialityLevel | null {
  if (raw.length > 60) return null;
  const line = raw.normalize('NFC').replace(FRAME, '').replace(/\s+/gu, ' ');
  // "Độ mật: TỐI MẬT" as a form field prints it
  const bare = line.replace(/^(?:ĐỘ|Độ|độ)\s+(?:MẬT|mật)\s*:\s*/u, '');
  const folded = foldedCapitals(bare);
  if (folded === null) return null;
  const words = folded.split(' ');
  const last = words.at(-1);
  if (words.length === 1 && last === 'MAT') return 'Mật';
  // OCR sometimes drops the space: "TUYỆTMẬT"
  const [first, second] =
    words.length === 2 ? words : last?.endsWith('MAT') ? [last.slice(0, -3), 'MAT'] : [];
  if (second !== 'MAT' || !first) return null;
  if (first === 'TOI') return 'Tối mật';
  if (withinOneEdit(first, 'TUYET')) return 'Tuyệt mật';
  return null;
}

/** The first line of `text` that is a độ mật stamp and nothing else, or null. */
export function findConfidentialityStamp(text: string): ConfidentialityStamp | null {
  const lines = text.normalize('NFC').split(/\r\n|\r|\n|\f/u);
  for (const [index, raw] of lines.entries()) {
    const level = confidentialityOfLine(raw);
    if (level) return { level, line: index + 1 };
  }
  return null;
}
