/**
 * The place-and-date line of a document (Nghị định 30/2020, Phụ lục I): `Tây Ninh, ngày 22 tháng 10
 * năm 2014`. Drafts leave the day and month blank (`ngày … tháng … năm 2020`); that is refused as
 * unfilled, not guessed.
 */
export type PromulgationLineResult =
  | { readonly kind: 'promulgation'; readonly place: string | null; readonly date: string }
  | {
      readonly kind: 'not-a-date-line';
      readonly reason: 'no-date' | 'unfilled' | 'invalid-date';
      readonly message: string;
    };

const LINE =
  /^(?:(?<place>.*?)\s*,\s*)?ngày\s+(?<day>\d{1,2})\s+tháng\s+(?<month>\d{1,2})\s+năm\s+(?<year>\d{4})\s*\.?$/iu;
const UNFILLED = /ngày[\s.…_]*tháng[\s.…_\d]*năm/iu;

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses a place-and-date line into the place (null when absent) and an ISO date. Never throws. */
export function parsePromulgationLine(input: string): PromulgationLineResult {
  const line = input.normalize('NFC').replace(/\s+/gu, ' ').trim();
  const match = LINE.exec(line);
  if (!match?.groups) {
    if (UNFILLED.test(line)) {
      return {
        kind: 'not-a-date-line',
        reason: 'unfilled',
        message: `Ngày, tháng chưa được điền: "${line}" / day and month are not filled in`,
      };
    }
    return {
      kind: 'not-a-date-line',
      reason: 'no-date',
      message: `Không phải dòng "địa danh, ngày … tháng … năm …": "${line}" / not a place-and-date line`,
    };
  }
  const day = Number(match.groups.day);
  const month = Number(match.groups.month);
  const year = Number(match.groups.year);
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return {
      kind: 'not-a-date-line',
      reason: 'invalid-date',
      message: `Ngày ${day} tháng ${month} năm ${year} không tồn tại / ${year}-${pad(month, 2)}-${pad(day, 2)} is not a calendar date`,
    };
  }
  const place = match.groups.place?.replace(/[,\s]+$/u, '').trim() ?? '';
  return {
    kind: 'promulgation',
    place: place === '' ? null : place,
    date: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`,
  };
}
