import {
  documentTypeByAbbreviation,
  LEGAL_NORMATIVE_ABBREVIATIONS,
  ND30_DOCUMENT_TYPES,
  type DocumentTypeEntry,
} from './document-types.ts';

/**
 * Số, ký hiệu of Nghị định 30/2020 (Điều 15, Phụ lục I): `<number>/<TYPE>-<ISSUER>[-<UNIT>]`, a
 * công văn `<number>/<ISSUER>-<UNIT>` (no type), and the legal normative form with the year
 * `<number>/<yyyy>/<TYPE>-<ISSUER>` (NOTES.md §3.2).
 */
export type DocumentNotation = {
  /** The notation as read: NFC, trimmed, without a leading "Số:". */
  readonly raw: string;
  /** As written, leading zeros kept ("05"). */
  readonly number: string;
  readonly year: number | null;
  readonly typeAbbreviation: string | null;
  /** The NĐ 30 type; Công văn when the notation has no type; null for a legal normative type outside NĐ 30 (NĐ, TT…). */
  readonly documentType: DocumentTypeEntry | null;
  /** The issuing body's abbreviation (UBND, VPCP, BTC). */
  readonly issuer: string;
  /** The drafting unit or field after the issuer (VP, TTĐT), if any. */
  readonly unit: string | null;
  /** Everything after the first `/`, the edXML CodeNotation ("2014/QĐ-UBND"). */
  readonly codeNotation: string;
};

export type NotationRefusal =
  'empty' | 'no-number' | 'bad-number' | 'bad-year' | 'bad-characters' | 'no-issuer';

export type NotationResult =
  | { readonly kind: 'notation'; readonly notation: DocumentNotation }
  | { readonly kind: 'not-a-notation'; readonly reason: NotationRefusal; readonly message: string };

const CONG_VAN = ND30_DOCUMENT_TYPES.find((type) => type.no === 18) ?? null;
const PART = /^[\p{L}\p{N}&.]+$/u;

function refuse(reason: NotationRefusal, vi: string, en: string): NotationResult {
  return { kind: 'not-a-notation', reason, message: `${vi} / ${en}` };
}

/** Parses a notation such as `59/2014/QĐ-UBND`, `123/UBND-VP` or `Số: 05/QĐ-UBND`. Never throws. */
export function parseDocumentNotation(input: string): NotationResult {
  const raw = input
    .normalize('NFC')
    .replace(/\u00d0/gu, 'Đ') // Icelandic Eth, a common stand-in for Đ in converted text
    .replace(/\u00f0/gu, 'đ')
    .replace(/[\u2010-\u2015]/gu, '-')
    .trim()
    .replace(/^s[ốo]\s*[:.]?\s*/iu, '')
    .replace(/\s*([/-])\s*/gu, '$1');
  if (raw === '') return refuse('empty', 'Số, ký hiệu trống', 'empty notation');
  const match = /^(\d+)\/(?:(\d+)\/)?(.+)$/u.exec(raw);
  if (!match)
    return refuse(
      'no-number',
      `"${raw}" không bắt đầu bằng số văn bản`,
      `"${raw}" does not start with a number and "/"`,
    );
  const [, number = '', yearText, rest = ''] = match;
  if (/^0+$/u.test(number) || number.length > 11)
    return refuse('bad-number', `Số văn bản "${number}" không hợp lệ`, `invalid document number "${number}"`);
  const year = yearText === undefined ? null : Number(yearText);
  if (year !== null && (yearText?.length !== 4 || year < 1945 || year > 2100))
    return refuse('bad-year', `Năm "${yearText ?? ''}" không hợp lệ`, `invalid year "${yearText ?? ''}"`);
  const parts = rest.split('-');
  if (!parts.every((part) => PART.test(part)))
    return refuse(
      'bad-characters',
      `Ký hiệu "${rest}" có ký tự không hợp lệ`,
      `notation "${rest}" has invalid characters`,
    );

  const [first = '', ...others] = parts;
  const ndType = documentTypeByAbbreviation(first);
  const legalType = year !== null && LEGAL_NORMATIVE_ABBREVIATIONS.has(first.toUpperCase());
  // A known type needs an issuer after it; `123/UBND-VP` and `12/TC` are read as issuer[-unit].
  const typed = others.length > 0 && (ndType !== undefined || legalType);
  const issuer = typed ? (others[0] ?? '') : first;
  const unitParts = typed ? others.slice(1) : others;
  if (issuer === '')
    return refuse('no-issuer', `Thiếu cơ quan ban hành trong "${raw}"`, `no issuing body in "${raw}"`);
  return {
    kind: 'notation',
    notation: {
      raw,
      number,
      year,
      typeAbbreviation: typed ? (ndType?.abbreviation ?? first.toUpperCase()) : null,
      documentType: typed ? (ndType ?? null) : CONG_VAN,
      issuer,
      unit: unitParts.length > 0 ? unitParts.join('-') : null,
      codeNotation: raw.slice(number.length + 1),
    },
  };
}
