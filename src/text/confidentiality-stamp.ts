/**
 * Độ mật stamped on a scanned page (Luật Bảo vệ bí mật nhà nước 2018; Thông tư 24/2020/TT-BCA:
 * the stamp "MẬT", "TỐI MẬT" or "TUYỆT MẬT" stands alone, in capitals, in a frame under the số, ký
 * hiệu). A document that carries one must not travel over the network, so a file whose first page
 * has it is held. What OCR makes of a stamp is one line with only that word, perhaps framed by
 * noise ("| TỐI MẬT |", "[MẬT]", "MẬT."); a word inside a sentence ("giữ bí mật", "mật khẩu",
 * "Mật" opening a line of running text) is not a stamp. OCR often loses the dot below or reads the
 * circumflex as a breve, so MẬT, MÂT, MẶT and MAT in capitals on their own line all count: a false
 * hold costs a clerk a click, a missed stamp may be a crime.
 */
export type ConfidentialityLevel = 'Mật' | 'Tối mật' | 'Tuyệt mật';

export type ConfidentialityStamp = {
  readonly level: ConfidentialityLevel;
  /** 1-based line of the text that carries it */
  readonly line: number;
};

// What a frame, a scanner's speck or a bullet leaves around the word.
const FRAME = /^[\s|[\](){}<>«»“”"'‘’*•·.:;,_=~\-–—/\\!]+|[\s|[\](){}<>«»“”"'‘’*•·.:;,_=~\-–—/\\!]+$/gu;
// MẬT as OCR reads it: the vowel with or without its marks (never lower case: a stamp is in capitals).
const MAT = 'M[ẬÂẶẠẤẦA]T';
const LEVELS: readonly (readonly [RegExp, ConfidentialityLevel])[] = [
  [new RegExp(`^TUY[ỆÊẸẾỀE]T\\s+${MAT}$`, 'u'), 'Tuyệt mật'],
  [new RegExp(`^T[ỐÔỘỒOỌ]I\\s+${MAT}$`, 'u'), 'Tối mật'],
  [new RegExp(`^${MAT}$`, 'u'), 'Mật'],
];

/** The first line of `text` that is a độ mật stamp and nothing else, or null. */
export function findConfidentialityStamp(text: string): ConfidentialityStamp | null {
  const lines = text.normalize('NFC').split(/\r\n|\r|\n|\f/u);
  for (const [index, raw] of lines.entries()) {
    if (raw.length > 60) continue;
    const line = raw.replace(FRAME, '').replace(/\s+/gu, ' ');
    // "Độ mật: TỐI MẬT" as a form field prints it
    const bare = line.replace(/^(?:ĐỘ|Độ|độ)\s+(?:MẬT|mật)\s*:\s*/u, '');
    for (const [pattern, level] of LEVELS) if (pattern.test(bare)) return { level, line: index + 1 };
  }
  return null;
}
