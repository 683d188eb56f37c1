import { confidentialityOfLine, type ConfidentialityLevel } from './confidentiality-stamp.ts';
import { parseDocumentNotation } from './document-notation.ts';
import { documentTypeByAbbreviation, ND30_DOCUMENT_TYPES, type DocumentTypeEntry } from './document-types.ts';
import { parsePromulgationLine } from './promulgation-line.ts';
import { readUrgencyMark, type UrgencyLevel } from './urgency-mark.ts';

/**
 * The registration fields of a received document read from the text of its first page (and its
 * last page, for the signature block), laid out as Nghị định 30/2020 Phụ lục I has it: the
 * issuing body top left under its parent, the quốc hiệu and tiêu ngữ top right, the số and ký
 * hiệu under the body, place and date under the tiêu ngữ, the type name and trích yếu centred
 * (a công văn's "V/v …" under its số instead), độ mật and độ khẩn stamped below the số, and the
 * signature block at the end.
 *
 * The text is what pdftotext gives for a born-digital PDF or an OCR engine for a scan: the two
 * header columns may come one after the other or interleaved row by row ("Số: 12/QĐ-UBND Hà Nội,
 * ngày …"), with OCR noise ("S6:", "ngảy", spaces around "/" and "-"). Each field carries how sure
 * the reading is (0..1) and the line it came from; a field not found is left out.
 *
 * Confidence: the exact form on its expected line ≥ 0.9; read through a repair of OCR noise or
 * out of an interleaved line 0.7–0.85; inferred from other fields or a guess ≤ 0.6.
 */
export type FieldSource = {
  /** The line as read (NFC, spaces collapsed). */
  readonly line: string;
  /** Its index among the page's lines, blank lines counted. */
  readonly lineIndex: number;
  readonly page: 'first' | 'last';
};

export type ReadField<T> = { readonly value: T; readonly confidence: number; readonly source: FieldSource };

export type ConfidentialityMark = 'MẬT' | 'TỐI MẬT' | 'TUYỆT MẬT';

export type FirstPageFields = {
  /** Cơ quan ban hành, its lines joined ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "SỞ Y TẾ"). */
  readonly issuingBody?: ReadField<string>;
  /** Cơ quan chủ quản, the line above the body ("UBND TỈNH BẮC NINH"). */
  readonly parentBody?: ReadField<string>;
  /** Số and ký hiệu, "12/QĐ-UBND". */
  readonly numberAndNotation?: ReadField<string>;
  /** Số, as written ("05"). */
  readonly number?: ReadField<string>;
  /** Ký hiệu, after the first "/" ("QĐ-UBND", "2020/NĐ-CP"). */
  readonly notation?: ReadField<string>;
  /** Địa danh. */
  readonly place?: ReadField<string>;
  /** Ngày ban hành, ISO (yyyy-mm-dd); an impossible date is left out. */
  readonly date?: ReadField<string>;
  /** Tên loại, one of the NĐ 30 types (Công văn from "V/v" or an untyped notation). */
  readonly documentType?: ReadField<DocumentTypeEntry>;
  /** Trích yếu as printed, its lines joined by a space ("Về việc …", "V/v …"). */
  readonly summary?: ReadField<string>;
  /** Độ khẩn as edXML Priority (1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ). */
  readonly urgency?: ReadField<UrgencyLevel>;
  readonly confidentiality?: ReadField<ConfidentialityMark>;
  /** Người ký. */
  readonly signerName?: ReadField<string>;
  /** Chức vụ of the signer, the line above the name ("PHÓ CHỦ TỊCH"). */
  readonly signerPosition?: ReadField<string>;
  /** Thẩm quyền ký above the position ("TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"). */
  readonly signingAuthority?: ReadField<string>;
};

type Line = { readonly text: string; readonly folded: string; readonly index: number };

const round = (value: number): number => Math.round(value * 100) / 100;

/** One character to its base letter, lower case (đ → d); always one UTF-16 unit for Vietnamese text. */
function foldChar(char: string): string {
  const base = char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/đ/gu, 'd');
  return base.length === 1 ? base : char.length === 1 ? ' ' : char;
}

/** Folded text with the same length as its source, so a match's span can be cut from the source. */
function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) out += foldChar(text.charAt(i));
  return out;
}

function cleanLine(raw: string): string {
  return (
    raw
      .normalize('NFC')
      .replace(/\u00d0/gu, 'Đ') // Icelandic Eth, a stand-in for Đ
      .replace(/\u00f0/gu, 'đ')
      .replace(/[\u2010-\u2015\u2212]/gu, '-')
      .replace(/[\u200b-\u200d\ufeff]/gu, '')
      .replace(/\s+/gu, ' ')
      .trim()
      // Specks OCR reads as marks: punctuation standing alone ("khu : dân cư", "_ Về việc"); in
      // Vietnamese a mark follows its word. A dash standing alone is kept ("Độc lập - Tự do").
      .replace(/(?:^|\s)[:;'`´_~.,|]+(?=\s|$)/gu, '')
      .replace(/^[_`'~.,:;|]+/u, '')
      .trim()
  );
}

function linesOf(text: string): Line[] {
  return text.split(/\r\n|\r|\n|\f/u).map((raw, index) => {
    const line = cleanLine(raw);
    return { text: line, folded: fold(line), index };
  });
}

const letters = (text: string): number => (text.match(/\p{L}/gu) ?? []).length;
const upperShare = (text: string): number => {
  const all = letters(text);
  return all === 0 ? 0 : (text.match(/\p{Lu}/gu) ?? []).length / all;
};
const isUpper = (text: string): boolean => letters(text) >= 2 && upperShare(text) >= 0.8;

// ----- quốc hiệu, tiêu ngữ -----------------------------------------------------------------

const QUOC_HIEU =
  /(?:c[o0]ng\s*h[o0]a\s*)?x[a]\s*h[o0]i\s*ch[u]\s*ngh[il1]a(?:\s*vi[e]t(?:\s*nam)?)?|c[o0]ng\s*h[o0]a\s*x[a]\s*h[o0]i/gu;
const TIEU_NGU =
  /d[o0]c\s*l[a]p[\s\-–.,:;_~]{0,6}(?:t[u]\s*d[o0])?[\s\-–.,:;_~]{0,6}(?:h[a]nh\s*ph[u]c)?|t[u]\s*d[o0][\s\-–.,:;_~]{0,6}h[a]nh\s*ph[u]c/gu;

type Span = { readonly start: number; readonly end: number };

function spansOf(pattern: RegExp, folded: string): Span[] {
  return [...folded.matchAll(pattern)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
}

const isMotto = (line: Line): boolean =>
  spansOf(QUOC_HIEU, line.folded).length + spansOf(TIEU_NGU, line.folded).length > 0;

/** The text of a line without the given spans, spaces collapsed. */
function without(text: string, spans: readonly Span[]): string {
  let out = '';
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start > at) out += `${text.slice(at, span.start)} `;
    at = Math.max(at, span.end);
  }
  out += text.slice(at);
  return out.replace(/\s+/gu, ' ').trim();
}

// ----- số, ký hiệu ---------------------------------------------------------------------------

// "Số:" and how OCR reads it: "S6:", "Sô:", "Sỗ:", "Só :", "So:", "5ố:".
const NUMBER_LABEL =
  /(?<![\p{L}\p{N}])([S5$])\s?([ốôóòỏõọộoồổỗơớờởỡợ0-9éếêểễệỐÔÓÒỎÕỌỘOỒỔỖƠỚỜỞỠỢÉẾÊỂỄỆ])\s*([:;.,]?)\s*/gu;
const NOTATION_PART = String.raw`[\p{L}\p{N}&.]+`;
// After the first part, a word in title case is the place of the next column ("…/UBND-KT - Huế,
// ngày …"), never a part of the notation, whose parts are abbreviations (UBND, QyĐ, TTr).
const PLACE_WORD = String.raw`(?!\p{Lu}\p{Ll}+(?![\p{L}\p{N}&.]))`;
const NOTATION_AFTER_LABEL = new RegExp(
  String.raw`^([\dOoIl|](?:[\dOoIl|]| (?=\d))*)\s*[/|]\s*(?:(\d{4})\s*/\s*)?(${NOTATION_PART}(?:\s*-\s*${PLACE_WORD}${NOTATION_PART})*)`,
  'u',
);
const BARE_NOTATION = new RegExp(
  String.raw`(?<![\p{L}\p{N}/])(\d{1,7})\s*/\s*(?:(\d{4})\s*/\s*)?(\p{Lu}[\p{L}\p{N}&.]*(?:\s*-\s*\p{Lu}[\p{L}\p{N}&.]*)+)`,
  'gu',
);

type NotationReading = {
  readonly number: string;
  readonly notation: string;
  readonly confidence: number;
  readonly span: Span;
  readonly line: Line;
};

/** Đ read as D in a type abbreviation ("QD-UBND"): repaired only when the letters as read name no type. */
function repairTypeAbbreviation(parts: string[]): { parts: string[]; repaired: boolean } {
  const [first, ...rest] = parts;
  if (first === undefined || rest.length === 0 || documentTypeByAbbreviation(first) !== undefined)
    return { parts, repaired: false };
  const withD = first.replace(/D/gu, 'Đ');
  if (withD !== first && documentTypeByAbbreviation(withD) !== undefined)
    return { parts: [withD, ...rest], repaired: true };
  return { parts, repaired: false };
}

function readNotationAt(
  line: Line,
  from: number,
  labelled: 'exact' | 'variant' | 'none',
): NotationReading | undefined {
  const rest = line.text.slice(from);
  const match = NOTATION_AFTER_LABEL.exec(rest);
  if (!match) return undefined;
  const [whole, rawNumber = '', year, rawNotation = ''] = match;
  let repairs = 0;
  // "1 172": OCR splits a number's digits.
  const number = rawNumber.replace(/ /gu, '').replace(/[Oo]/gu, '0').replace(/[Il|]/gu, '1');
  if (number.length > 7) return undefined;
  if (number !== rawNumber) repairs += 1;
  if (!/\d/u.test(rawNumber)) return undefined;
  if (/\s/u.test(whole)) repairs += 1;
  const trimmed = rawNotation.replace(/[.,;:]+$/u, '');
  const repairedParts = repairTypeAbbreviation(trimmed.split(/\s*-\s*/u));
  if (repairedParts.repaired) repairs += 1;
  const notation = `${year === undefined ? '' : `${year}/`}${repairedParts.parts.join('-')}`;
  const parsed = parseDocumentNotation(`${number}/${notation}`);
  if (parsed.kind !== 'notation') return undefined;
  const base = labelled === 'exact' ? 0.95 : labelled === 'variant' ? 0.85 : 0.6;
  return {
    number: parsed.notation.number,
    notation: parsed.notation.codeNotation,
    confidence: round(Math.max(0.3, base - 0.1 * repairs)),
    span: { start: from, end: from + whole.length - (rawNotation.length - trimmed.length) },
    line,
  };
}

function findNotation(lines: readonly Line[], zoneEnd: number): NotationReading | undefined {
  for (const line of lines.slice(0, zoneEnd)) {
    for (const label of line.text.matchAll(NUMBER_LABEL)) {
      const [whole, , vowel = '', colon = ''] = label;
      const exact = /^S[ốỐ]:$/u.test(`${label[1] ?? ''}${vowel}${colon}`);
      // A label without a colon only when the vowel is right: "Số 12/QĐ-UBND".
      if (colon === '' && !/[ốô]/iu.test(vowel)) continue;
      if (label[1] !== 'S' && /\d/u.test(vowel)) continue; // "5ố:" yes, "56:" no
      const reading = readNotationAt(line, label.index + whole.length, exact ? 'exact' : 'variant');
      if (reading) return { ...reading, span: { start: label.index, end: reading.span.end } };
    }
  }
  // No "Số" label: a notation standing in the header, read with less trust.
  for (const line of lines.slice(0, zoneEnd)) {
    if (/\bngày\b|căn cứ|theo/iu.test(line.text)) continue;
    for (const match of line.text.matchAll(BARE_NOTATION)) {
      const reading = readNotationAt(line, match.index, 'none');
      if (reading) return reading;
    }
  }
  return undefined;
}

/** The initials of a body's name as notations abbreviate it: "SỞ NỘI VỤ" → "SNV", "ỦY BAN NHÂN DÂN" → "UBND". */
function initialsOf(name: string): string {
  return name
    .split(' ')
    .filter((word) => word !== 'VÀ' && /^\p{Lu}/u.test(word))
    .map((word) => (word.startsWith('Đ') ? 'Đ' : fold(word.charAt(0)).toUpperCase()))
    .join('');
}

/**
 * A notation whose hyphen OCR lost ("SNVTCBC" under "SỞ NỘI VỤ", "QĐUBND" under "QUYẾT ĐỊNH"):
 * split after the type line's abbreviation or the body's initials, when at least two letters
 * follow. Undefined when the notation has its hyphen or no such prefix fits.
 */
function restoreHyphen(
  notation: string,
  type: DocumentTypeEntry | undefined,
  body: string | undefined,
): string | undefined {
  const parts = notation.split('/');
  const code = parts[parts.length - 1] ?? '';
  if (code.includes('-') || !/^\p{Lu}[\p{L}]+$/u.test(code)) return undefined;
  const initials = body === undefined ? '' : initialsOf(body);
  const prefixes = [
    ...(type?.abbreviation ? [type.abbreviation] : []),
    ...Array.from({ length: Math.max(0, initials.length - 1) }, (_, i) =>
      initials.slice(0, initials.length - i),
    ),
  ].filter((prefix) => prefix.length >= 2);
  // "UBND" under "ỦY BAN NHÂN DÂN TỈNH …" is the body's own abbreviation, not "UB" and "ND".
  if (initials.startsWith(code)) return undefined;
  const prefix = prefixes.find(
    (candidate) =>
      code.startsWith(candidate) &&
      code.length - candidate.length >= 2 &&
      !initials.startsWith(code.slice(0, candidate.length + 1)),
  );
  if (prefix === undefined) return undefined;
  return [...parts.slice(0, -1), `${prefix}-${code.slice(prefix.length)}`].join('/');
}

// ----- địa danh, ngày --------------------------------------------------------------------------

const DATE = /ngay\s*([0-9oil|]{1,2})\s*thang\s*([0-9oil|]{1,2})\s*nam\s*([0-9oil|]{4})/gu;
const HAS_DATE = new RegExp(DATE.source, 'u');
/**
 * The same line with "tháng" misread, as OCR does with a noisy scan ("ngày 23 . 4 năm 2024",
 * "ngày 29 ng 4 năm 2025", "ngày 04 thông 12 năm 2025"): a short run of anything but digits, or
 * nothing, between the day and the month. Offered with a lower confidence, for the clerk to check.
 */
const MISREAD_DATE =
  /ngay\s*([0-9oil|]{1,2})\s+(?:[^\s\d]{1,6}\s*)?([0-9oil|]{1,2})\s*nam\s*([0-9oil|]{4})/gu;
const EXACT_DATE = /^ngày \d{1,2} tháng \d{1,2} năm \d{4}$/u;
const PLACE_WORDS = new Set(['phố', 'xã', 'trấn']);

type DateReading = {
  readonly date: string;
  readonly place: string | null;
  readonly confidence: number;
  readonly placeConfidence: number;
  readonly span: Span;
  readonly line: Line;
};

const digits = (text: string): string => text.replace(/[oO]/gu, '0').replace(/[il|]/gu, '1');

/** The place before ", ngày": the title-case words right before the comma ("Hà Nội", "Thành phố Hồ Chí Minh"). */
function placeBefore(text: string): { place: string; start: number } | undefined {
  const comma = /,\s*$/u.exec(text);
  if (!comma) return undefined;
  const head = text.slice(0, comma.index);
  const tokens = [...head.matchAll(/\S+/gu)];
  let first = tokens.length;
  for (let i = tokens.length - 1; i >= 0; i -= 1) {
    const token = tokens[i]?.[0] ?? '';
    const titleCase = /^\p{Lu}\p{Ll}*$/u.test(token) && !(token.length > 1 && isUpper(token));
    if (titleCase || (PLACE_WORDS.has(token) && i > 0)) first = i;
    else break;
  }
  const start = tokens[first]?.index;
  if (start === undefined) return undefined;
  const place = head.slice(start).trim();
  return /^\p{Lu}/u.test(place) ? { place, start } : undefined;
}

function findDate(lines: readonly Line[], zoneEnd: number): DateReading | undefined {
  const candidates: DateReading[] = [];
  for (const line of lines.slice(0, zoneEnd)) {
    const strict = [...line.folded.matchAll(DATE)];
    const misread = strict.length === 0;
    for (const match of misread ? line.folded.matchAll(MISREAD_DATE) : strict) {
      const [whole, dayText = '', monthText = '', yearText = ''] = match;
      const day = Number(digits(dayText));
      const month = Number(digits(monthText));
      const year = Number(digits(yearText));
      const raw = line.text.slice(match.index, match.index + whole.length);
      const before = placeBefore(line.text.slice(0, match.index));
      const parsed = parsePromulgationLine(`ngày ${String(day)} tháng ${String(month)} năm ${String(year)}`);
      if (parsed.kind !== 'promulgation') continue; // 31 tháng 2: not a date to prefill
      const exact = EXACT_DATE.test(raw) && digits(whole) === whole;
      const hasComma = /,\s*$/u.test(line.text.slice(0, match.index));
      const confidence = (misread ? 0.6 : exact ? 0.95 : 0.8) - (hasComma ? 0 : 0.25);
      const placeExact = before !== undefined && /^\p{Lu}\p{Ll}+(?: \p{L}+)*$/u.test(before.place);
      candidates.push({
        date: parsed.date,
        place: before?.place ?? null,
        confidence: round(confidence),
        placeConfidence: round(placeExact ? confidence - 0.05 : 0.6),
        span: { start: before?.start ?? match.index, end: match.index + whole.length },
        line,
      });
    }
  }
  // The promulgation line has its place and comma; a date in the text ("ngày 05 tháng 3 năm 2020 của Chính phủ") has not.
  return candidates.sort((a, b) => b.confidence - a.confidence)[0];
}

// ----- tên loại, trích yếu -----------------------------------------------------------------------

const TYPE_NAMES = ND30_DOCUMENT_TYPES.filter((type) => type.kind === 'administrative').map((type) => ({
  entry: type,
  folded: fold(type.name.replace(/\s*\(cá biệt\)$/u, '')),
  upper: type.name.replace(/\s*\(cá biệt\)$/u, '').toLocaleUpperCase('vi'),
}));

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

type TypeReading = { readonly entry: DocumentTypeEntry; readonly confidence: number; readonly line: Line };

/**
 * The notation's type abbreviation checked against the type line: one letter off ("TTIr", "CĐĐ"
 * under "TỜ TRÌNH", "CÔNG ĐIỆN") is read as the type line's abbreviation, with less confidence.
 */
function agreeWithTypeLine(reading: NotationReading, entry: DocumentTypeEntry): Partial<NotationReading> {
  const abbreviation = entry.abbreviation;
  const parts = reading.notation.split('/');
  const code = parts[parts.length - 1] ?? '';
  const [first = '', ...rest] = code.split('-');
  if (abbreviation === null || rest.length === 0 || first === abbreviation) return {};
  if (documentTypeByAbbreviation(first) !== undefined && first.toUpperCase() === abbreviation.toUpperCase())
    return {};
  if (editDistance(first.toUpperCase(), abbreviation.toUpperCase()) > 1) return {};
  const notation = [...parts.slice(0, -1), [abbreviation, ...rest].join('-')].join('/');
  return { notation, confidence: round(Math.min(reading.confidence, 0.75)) };
}

function findTypeLine(lines: readonly Line[], from: number, to: number): TypeReading | undefined {
  for (const line of lines.slice(from, to)) {
    if (!isUpper(line.text) || line.text.length > 24) continue;
    const bare = line.text
      .replace(/[^\p{L}\s]/gu, '')
      .replace(/\s+/gu, ' ')
      .trim();
    const folded = fold(bare);
    const exact = TYPE_NAMES.find((type) => bare === type.upper);
    if (exact) return { entry: exact.entry, confidence: 0.95, line };
    const folds = TYPE_NAMES.find((type) => folded === type.folded);
    if (folds) return { entry: folds.entry, confidence: 0.85, line };
    // One letter off, when only one type is that close ("THÔNG CÁO" and "THÔNG BÁO" are one apart).
    const near = TYPE_NAMES.filter(
      (type) => type.folded.length >= 8 && editDistance(folded, type.folded) <= 1,
    );
    if (near.length === 1 && near[0]) return { entry: near[0].entry, confidence: 0.65, line };
  }
  return undefined;
}

const BODY_START =
  /^(?:Căn cứ|CĂN CỨ|Thực hiện|Xét|Theo|Kính gửi|Điều \d|Hôm nay|Ngày \d|Để|Nhằm|Trong|Tại|[IVX]+\.|\d+\.|[-–+•])/u;
const V_V = /^V\s*[/\\!|lI1]?\s*[vV]\b\.?\s*/u;
const CONG_VAN = ND30_DOCUMENT_TYPES.find((type) => type.no === 18);

/** Lines that carry letters and are not the quốc hiệu, a stamp or a rule. */
const hasWords = (line: Line): boolean => letters(line.text) >= 2;

function summaryAfter(lines: readonly Line[], start: number, congVan: boolean): Line[] {
  const taken: Line[] = [];
  for (const line of lines.slice(start, start + 6)) {
    if (!hasWords(line)) {
      // A trích yếu wrapped just before its year or number ("… văn thư năm" / "2026") goes on.
      const previous = taken.at(-1);
      if (previous && /^\d[\d/.-]*$/u.test(line.text.trim()) && !/[;:.]$/u.test(previous.text)) {
        taken.push(line);
        continue;
      }
      if (taken.length > 0) break;
      continue;
    }
    if (taken.length >= 3) break;
    const text = line.text;
    if (taken.length > 0) {
      // A trích yếu goes on in lower case or with a number ("… năm 2026"); in capitals only while
      // it is short: a công văn's within the left column.
      const continuation =
        /^[\p{Ll}\d]/u.test(text) ||
        (!BODY_START.test(text) &&
          !/[;:.]$/u.test(text) &&
          text.length <= (congVan ? 40 : 70) &&
          !isUpper(text));
      if (
        !continuation ||
        BODY_START.test(text) ||
        isMotto(line) ||
        stampOf(line) !== undefined ||
        HAS_DATE.test(line.folded)
      )
        break;
    }
    taken.push(line);
    if (/[;.]$/u.test(text)) break;
  }
  return taken;
}

// ----- độ khẩn, độ mật ---------------------------------------------------------------------------

const SECRECY_MARK: Readonly<Record<ConfidentialityLevel, ConfidentialityMark>> = {
  Mật: 'MẬT',
  'Tối mật': 'TỐI MẬT',
  'Tuyệt mật': 'TUYỆT MẬT',
};

type Stamp =
  | { readonly kind: 'secrecy'; readonly mark: ConfidentialityMark; readonly exact: boolean }
  | { readonly kind: 'urgency'; readonly level: UrgencyLevel; readonly exact: boolean };

const URGENCY_FOLDED: readonly (readonly [string, UrgencyLevel])[] = [
  ['hoa toc hen gio', 4],
  ['hoa toc', 3],
  ['thuong khan', 2],
  ['khan', 1],
];

/** A stamp stands alone on its line, in capitals, maybe boxed ("| MẬT |", "[KHẨN]"). */
function stampOf(line: Line): Stamp | undefined {
  const bare = line.text
    .replace(/[|[\](){}<>"'“”‘’_=*#~.,:;!]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  if (bare === '' || bare.length > 18 || !isUpper(bare)) return undefined;
  const secrecy = confidentialityOfLine(bare);
  if (secrecy) {
    const mark = SECRECY_MARK[secrecy];
    return { kind: 'secrecy', mark, exact: bare === mark };
  }
  const folded = fold(bare);
  const level = readUrgencyMark(bare);
  if (level > 0) return { kind: 'urgency', level, exact: true };
  for (const [word, found] of URGENCY_FOLDED)
    if (folded === word) return { kind: 'urgency', level: found, exact: false };
  return undefined;
}

// ----- người ký, chức vụ -------------------------------------------------------------------------

const AUTHORITY = /^(?:TM|KT|TL|TUQ|Q)\s?\.\s*/u;
const POSITION_WORDS = /chu tich|truong|giam doc|chanh|bi thu|uy vien|tong|dai dien|thu ky|chu nhiem/u;
const SURNAMES = new Set(
  'Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh Trương Lâm Phùng Mai Tô Hà Tạ Cao Lương Lưu Đinh Kiều Thái Tăng Quách Chu Hứa La Lại Mạc Văn Từ Triệu Khổng Thân Lò Lục Tôn Đàm Nông Giang Kim'.split(
    ' ',
  ),
);

/** The capitals at the end of a line: the right column's part of a row shared with "Nơi nhận". */
function trailingCapitals(text: string): string | undefined {
  const tokens = text.split(' ');
  let first = tokens.length;
  for (let i = tokens.length - 1; i >= 0; i -= 1) {
    const token = tokens[i] ?? '';
    const bare = token.replace(/[.,;:]+$/u, '');
    if (
      bare === '' ||
      !isUpper(bare) ||
      (bare !== token && !AUTHORITY.test(token) && i !== tokens.length - 1)
    )
      break;
    first = i;
  }
  const tail = tokens
    .slice(first)
    .join(' ')
    .replace(/[,;:]+$/u, '')
    .trim();
  return letters(tail) >= 3 ? tail : undefined;
}

/** A person's name: 2–5 title-case words, a Vietnamese surname first scores higher. */
function nameIn(text: string): { name: string; surname: boolean } | undefined {
  const tokens = text.split(' ').map((token) => token.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''));
  let best: string[] = [];
  let run: string[] = [];
  for (const token of tokens) {
    if (/^\p{Lu}\p{Ll}{0,7}$/u.test(token)) run.push(token);
    else {
      if (run.length >= best.length) best = run;
      run = [];
    }
  }
  if (run.length >= best.length) best = run;
  if (best.length < 2 || best.length > 5) return undefined;
  return { name: best.join(' '), surname: SURNAMES.has(best[0] ?? '') };
}

type SignatureReading = {
  name: ReadField<string>;
  position?: ReadField<string>;
  authority?: ReadField<string>;
};

function findSignature(
  lines: readonly Line[],
  page: 'first' | 'last',
  from: number,
): SignatureReading | undefined {
  const source = (line: Line): FieldSource => ({ line: line.text, lineIndex: line.index, page });
  for (let n = lines.length - 1; n >= from; n -= 1) {
    const nameLine = lines[n];
    if (
      nameLine === undefined ||
      !hasWords(nameLine) ||
      /[:;]/u.test(nameLine.text) ||
      /^[-–+•]/u.test(nameLine.text)
    )
      continue;
    const name = nameIn(nameLine.text);
    if (!name) continue;
    // The position is the nearest line of capitals above the name, within a few lines (the signature between).
    const capitals: { text: string; line: Line }[] = [];
    for (let m = n - 1; m >= Math.max(from, n - 8) && capitals.length < 4; m -= 1) {
      const above = lines[m];
      if (above === undefined || !hasWords(above)) continue;
      const listItem = /^[-–+•]|[:;]/u.test(above.text) && !AUTHORITY.test(above.text);
      const tail = isUpper(above.text) && !listItem ? above.text : trailingCapitals(above.text);
      if (tail === undefined) {
        if (capitals.length > 0) break;
        continue;
      }
      capitals.push({ text: tail, line: above });
    }
    const positionIndex = capitals.findIndex((entry) => POSITION_WORDS.test(fold(entry.text)));
    const position = positionIndex >= 0 ? capitals[positionIndex] : undefined;
    if (position === undefined && !name.surname) continue;
    const authorityLines =
      position === undefined
        ? []
        : capitals.slice(positionIndex + 1).filter((entry) => AUTHORITY.test(entry.text));
    const nameConfidence = (name.surname ? 0.85 : 0.6) + (position === undefined ? -0.2 : 0.05);
    const reading: SignatureReading = {
      name: { value: name.name, confidence: round(nameConfidence), source: source(nameLine) },
    };
    if (position !== undefined)
      reading.position = {
        value: position.text,
        confidence: round(position.line.text === position.text ? 0.9 : 0.8),
        source: source(position.line),
      };
    const topAuthority = authorityLines[authorityLines.length - 1];
    if (topAuthority !== undefined)
      reading.authority = {
        value: authorityLines
          .map((entry) => entry.text)
          .reverse()
          .join(' / '),
        confidence: 0.85,
        source: source(topAuthority.line),
      };
    return reading;
  }
  return undefined;
}

// ----- cơ quan ban hành, cơ quan chủ quản --------------------------------------------------------

// The words an agency's name starts with, and the kind of locality after "UBND": a closed list, so
// OCR's misreadings of their tone marks ("TĨNH", "PHONG") can be put right.
const AGENCY_WORDS = [
  'ỦY BAN NHÂN DÂN',
  'HỘI ĐỒNG NHÂN DÂN',
  'TRUNG TÂM',
  'VĂN PHÒNG',
  'CHI CỤC',
  'THÀNH PHỐ',
  'THỊ XÃ',
  'THỊ TRẤN',
  'TỈNH',
  'HUYỆN',
  'QUẬN',
  'PHƯỜNG',
  'XÃ',
  'SỞ',
  'BỘ',
  'CỤC',
  'VỤ',
  'PHÒNG',
  'BAN',
  'VIỆN',
  'TRƯỜNG',
].map((words) => ({ words: words.split(' '), folded: fold(words) }));

/** Puts right the agency words at the start of a header line and after "UBND": "TĨNH GIA LAI" → "TỈNH GIA LAI". */
function repairAgencyWords(text: string): { text: string; repaired: boolean } {
  const tokens = text.split(' ');
  let repaired = false;
  const fixAt = (at: number): void => {
    for (const entry of AGENCY_WORDS) {
      const slice = tokens.slice(at, at + entry.words.length);
      if (slice.length < entry.words.length || fold(slice.join(' ')) !== entry.folded) continue;
      if (slice.join(' ') !== entry.words.join(' ')) {
        tokens.splice(at, entry.words.length, ...entry.words);
        repaired = true;
      }
      return;
    }
  };
  fixAt(0);
  const after = tokens.findIndex(
    (token, i) => token === 'UBND' || fold(tokens.slice(i, i + 4).join(' ')) === 'uy ban nhan dan',
  );
  if (after >= 0) fixAt(tokens[after] === 'UBND' ? after + 1 : after + 4);
  return { text: tokens.join(' '), repaired };
}

// A second line that continues the body's name rather than naming it under a parent.
const CONTINUATION = /^(?:tinh|thanh pho|huyen|quan|thi xa|thi tran|xa|phuong|va|-|&)(?:\s|$)/u;

type BodyReading = { body?: ReadField<string>; parent?: ReadField<string> };

function findBody(
  lines: readonly Line[],
  end: number,
  cuts: ReadonlyMap<number, readonly Span[]>,
): BodyReading {
  const parts: { text: string; line: Line; cut: boolean }[] = [];
  for (const line of lines.slice(0, end)) {
    const spans = [
      ...spansOf(QUOC_HIEU, line.folded),
      ...spansOf(TIEU_NGU, line.folded),
      ...(cuts.get(line.index) ?? []),
    ];
    const rest = without(line.text, spans).replace(/^[-–_=~.,:;|\s]+|[-–_=~.,:;|\s]+$/gu, '');
    if (
      letters(rest) < 2 ||
      !isUpper(rest) ||
      stampOf({ ...line, text: rest, folded: fold(rest) }) !== undefined
    )
      continue;
    const repair = repairAgencyWords(rest);
    parts.push({ text: repair.text, line, cut: spans.length > 0 || repair.repaired });
  }
  const last = parts[parts.length - 1];
  if (last === undefined) return {};
  let bodyStart = parts.length - 1;
  while (bodyStart > 0 && CONTINUATION.test(fold(parts[bodyStart]?.text ?? ''))) bodyStart -= 1;
  const bodyParts = parts.slice(bodyStart);
  const parentParts = parts.slice(0, bodyStart);
  const first = bodyParts[0] ?? last;
  const score = (entries: typeof parts, base: number): number =>
    round(
      base -
        (entries.some((entry) => entry.cut) ? 0.1 : 0) -
        (entries.some((entry) => /[^\p{L}\p{N}\s\-–&.,()]/u.test(entry.text)) ? 0.2 : 0),
    );
  const reading: BodyReading = {
    body: {
      value: bodyParts.map((entry) => entry.text).join(' '),
      confidence: score(bodyParts, parts.length > 3 ? 0.7 : 0.9),
      source: { line: first.line.text, lineIndex: first.line.index, page: 'first' },
    },
  };
  const parent = parentParts[parentParts.length - 1];
  if (parent !== undefined)
    reading.parent = {
      value: parent.text,
      confidence: score([parent], 0.85),
      source: { line: parent.line.text, lineIndex: parent.line.index, page: 'first' },
    };
  return reading;
}

function withPlace(field: ReadField<string>, place: string | undefined): ReadField<string> {
  if (place === undefined) return field;
  const upper = place.toLocaleUpperCase('vi');
  const at = fold(field.value).indexOf(fold(upper));
  const end = at + upper.length;
  if (at < 0 || field.value.slice(at, end) === upper) return field;
  if (
    (at > 0 && field.value.charAt(at - 1) !== ' ') ||
    (end < field.value.length && field.value.charAt(end) !== ' ')
  )
    return field;
  return {
    ...field,
    value: `${field.value.slice(0, at)}${upper}${field.value.slice(end)}`,
    confidence: round(field.confidence - 0.05),
  };
}

// ----- the page ------------------------------------------------------------------------------------

/** Reads the registration fields from a first page's text, and the signature from the last page's if given. Never throws. */
export function firstPageFields(firstPage: string, lastPage?: string): FirstPageFields {
  const lines = linesOf(firstPage);
  const source = (line: Line): FieldSource => ({ line: line.text, lineIndex: line.index, page: 'first' });
  const fields: { -readonly [K in keyof FirstPageFields]: FirstPageFields[K] } = {};

  // The header: up to the type line or the first paragraph; about the first 25 lines of text.
  const wordLines = lines.filter(hasWords);
  const headerEnd = (wordLines[Math.min(wordLines.length - 1, 24)]?.index ?? lines.length - 1) + 1;
  const found = findNotation(lines, headerEnd);
  const typeLine = findTypeLine(lines, found ? found.line.index + 1 : 0, headerEnd);
  const notation = found && typeLine ? { ...found, ...agreeWithTypeLine(found, typeLine.entry) } : found;
  const dateZone = typeLine ? typeLine.line.index : headerEnd;
  const date = findDate(lines, dateZone);

  if (notation) {
    const from = source(notation.line);
    fields.numberAndNotation = {
      value: `${notation.number}/${notation.notation}`,
      confidence: notation.confidence,
      source: from,
    };
    fields.number = { value: notation.number, confidence: notation.confidence, source: from };
    fields.notation = { value: notation.notation, confidence: notation.confidence, source: from };
  }
  if (date) {
    fields.date = { value: date.date, confidence: date.confidence, source: source(date.line) };
    if (date.place !== null)
      fields.place = { value: date.place, confidence: date.placeConfidence, source: source(date.line) };
  }

  // The body sits above the số; without a số, above the type line or the date.
  const cuts = new Map<number, Span[]>();
  const addCut = (index: number, span: Span): void => {
    cuts.set(index, [...(cuts.get(index) ?? []), span]);
  };
  if (notation) addCut(notation.line.index, notation.span);
  if (date) addCut(date.line.index, date.span);
  const bodyEnd =
    notation?.line.index ?? typeLine?.line.index ?? (date ? date.line.index + 1 : Math.min(4, lines.length));
  const body = findBody(
    lines,
    notation ? bodyEnd + (without(notation.line.text, [notation.span]) === '' ? 0 : 1) : bodyEnd,
    cuts,
  );
  // The place of the date line spells the locality in the body's name right ("HÁI PHÒNG" under "Hải Phòng, ngày …").
  const place = date?.place ?? undefined;
  if (body.body) fields.issuingBody = withPlace(body.body, place);
  if (body.parent) fields.parentBody = withPlace(body.parent, place);
  const rejoined = notation && restoreHyphen(notation.notation, typeLine?.entry, body.body?.value);
  if (notation && rejoined) {
    const confidence = round(Math.min(notation.confidence, 0.6));
    const from = source(notation.line);
    fields.numberAndNotation = { value: `${notation.number}/${rejoined}`, confidence, source: from };
    fields.number = { value: notation.number, confidence, source: from };
    fields.notation = { value: rejoined, confidence, source: from };
  }

  // Trích yếu: after the type line; a công văn's "V/v …" under its số.
  const vvLine = lines
    .slice(notation ? notation.line.index : 0, typeLine ? typeLine.line.index : headerEnd)
    .find((line) => V_V.test(line.text) || V_V.test(without(line.text, cuts.get(line.index) ?? [])));
  if (typeLine) {
    const notationType = notation
      ? parseDocumentNotation(`${notation.number}/${notation.notation}`)
      : undefined;
    const agrees =
      notationType?.kind === 'notation' && notationType.notation.documentType?.no === typeLine.entry.no;
    fields.documentType = {
      value: typeLine.entry,
      confidence: round(Math.min(0.98, typeLine.confidence + (agrees ? 0.03 : 0))),
      source: source(typeLine.line),
    };
    const summary = summaryAfter(lines, typeLine.line.index + 1, false);
    const firstSummary = summary[0];
    if (firstSummary)
      fields.summary = {
        value: summary.map((line) => line.text).join(' '),
        confidence: round(typeLine.confidence >= 0.85 ? 0.85 : 0.65),
        source: source(firstSummary),
      };
  } else if (vvLine) {
    const cut = without(vvLine.text, cuts.get(vvLine.index) ?? []);
    const start = V_V.exec(cut);
    const head: Line = { ...vvLine, text: start ? `V/v ${cut.slice(start[0].length)}` : cut };
    const rest = summaryAfter(lines, vvLine.index, true).slice(1);
    fields.summary = {
      value: [head, ...rest].map((line) => line.text).join(' '),
      confidence: round(/^V\/v /u.test(vvLine.text) ? 0.85 : 0.7),
      source: source(vvLine),
    };
    if (CONG_VAN) fields.documentType = { value: CONG_VAN, confidence: 0.85, source: source(vvLine) };
  } else if (notation) {
    const parsed = parseDocumentNotation(`${notation.number}/${notation.notation}`);
    if (parsed.kind === 'notation' && parsed.notation.documentType)
      fields.documentType = {
        value: parsed.notation.documentType,
        confidence: 0.5,
        source: source(notation.line),
      };
  }

  // Stamps: độ mật and độ khẩn, alone on their lines anywhere on the first page.
  for (const line of lines) {
    const stamp = stampOf(line);
    if (!stamp) continue;
    const inHeader = line.index < dateZone + 3;
    const confidence = round((stamp.exact ? 0.95 : 0.75) - (inHeader ? 0 : 0.15));
    if (stamp.kind === 'secrecy' && !fields.confidentiality)
      fields.confidentiality = { value: stamp.mark, confidence, source: source(line) };
    if (stamp.kind === 'urgency' && !fields.urgency)
      fields.urgency = { value: stamp.level, confidence, source: source(line) };
  }

  // The signature block: the last page's, else the first page's below its text.
  const fromLast = lastPage === undefined ? undefined : findSignature(linesOf(lastPage), 'last', 0);
  const headerLast = Math.max(notation?.line.index ?? -1, date?.line.index ?? -1, typeLine?.line.index ?? -1);
  const signature = fromLast ?? findSignature(lines, 'first', headerLast + 1);
  if (signature) {
    fields.signerName = signature.name;
    if (signature.position) fields.signerPosition = signature.position;
    if (signature.authority) fields.signingAuthority = signature.authority;
  }
  return fields;
}
