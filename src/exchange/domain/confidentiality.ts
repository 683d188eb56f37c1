/**
 * Documents marked Mật, Tối mật or Tuyệt mật (Luật Bảo vệ bí mật nhà nước 2018) must never travel
 * over this hub: anything that carries such a marking is held for a clerk. edXML has no
 * confidentiality element, so we look for the stamp where people put it: the subject, the stamp
 * line of the content, the document type, the notation. We err towards holding: a false hold costs a
 * clerk a click, a false pass may be a crime.
 *  - upper-case stamp words anywhere (MẬT, TỐI MẬT, TUYỆT MẬT — a stamp is written in capitals);
 *  - "độ mật" followed by a level, in any case;
 *  - a level as the first word of the subject ("Mật - Kế hoạch …").
 */
export type ConfidentialityMarking = { level: 'Mật' | 'Tối mật' | 'Tuyệt mật'; where: string };

const STAMP = /(?<![\p{L}])(TUYỆT MẬT|TỐI MẬT|MẬT)(?![\p{L}])/u;
const DEGREE = /độ\s+mật\s*[:：-]?\s*(tuyệt\s+mật|tối\s+mật|mật)(?![\p{L}])/iu;
const LEADING = /^\s*(tuyệt\s+mật|tối\s+mật|mật)(?![\p{L}])/iu;

function levelOf(text: string): ConfidentialityMarking['level'] {
  const folded = text.toLocaleLowerCase('vi').replace(/\s+/g, ' ');
  if (folded.startsWith('tuyệt')) return 'Tuyệt mật';
  if (folded.startsWith('tối')) return 'Tối mật';
  return 'Mật';
}

export function findConfidentialityMarking(
  fields: Readonly<Record<string, string | undefined>>,
): ConfidentialityMarking | null {
  for (const [where, value] of Object.entries(fields)) {
    if (!value) continue;
    const text = value.normalize('NFC');
    const match = STAMP.exec(text) ?? DEGREE.exec(text) ?? (where === 'subject' ? LEADING.exec(text) : null);
    if (match?.[1]) return { level: levelOf(match[1]), where };
  }
  return null;
}
