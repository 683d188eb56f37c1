/**
 * Dates, timestamps and content ids as they appear on the wire, read leniently (real traffic is
 * sloppy) and written strictly in the reference SDK's formats.
 */

export type DateFormat = 'yyyy/MM/dd' | 'dd/MM/yyyy' | 'yyyy-MM-dd';

export type LenientDate = { readonly date: string; readonly format: DateFormat };

const DATE_PATTERNS: readonly (readonly [
  RegExp,
  DateFormat,
  (m: RegExpExecArray) => [string, string, string],
])[] = [
  [/^(\d{4})\/(\d{1,2})\/(\d{1,2})$/, 'yyyy/MM/dd', (m) => [m[1] ?? '', m[2] ?? '', m[3] ?? '']],
  [/^(\d{4})-(\d{1,2})-(\d{1,2})$/, 'yyyy-MM-dd', (m) => [m[1] ?? '', m[2] ?? '', m[3] ?? '']],
  [/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, 'dd/MM/yyyy', (m) => [m[3] ?? '', m[2] ?? '', m[1] ?? '']],
];

/** True for a real calendar date (rejects `2014/02/30`, which every VNPT sample carries). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** Reads `yyyy/MM/dd`, `dd/MM/yyyy` or `yyyy-MM-dd` into `YYYY-MM-DD`; undefined if none fits. */
export function readLenientDate(raw: string): LenientDate | undefined {
  for (const [pattern, format, pick] of DATE_PATTERNS) {
    const match = pattern.exec(raw);
    if (match === null) continue;
    const [y, m, d] = pick(match);
    if (!isCalendarDate(Number(y), Number(m), Number(d))) return undefined;
    return { date: `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`, format };
  }
  return undefined;
}

export type LenientTimestamp = { readonly timestamp: string; readonly standard: boolean };

const TIMESTAMP =
  /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const TIMESTAMP_DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?()$/;
const VIETNAM_OFFSET_MINUTES = 7 * 60;

/**
 * Reads an edXML timestamp into ISO 8601 at `+07:00`. edXML times carry no zone and are Vietnam
 * local time; a timestamp that does name a zone is converted. `standard` is false unless the input
 * was exactly `yyyy/MM/dd HH:mm:ss`.
 */
export function readLenientTimestamp(raw: string): LenientTimestamp | undefined {
  let parts: [string, string, string, string, string, string, string];
  const ymd = TIMESTAMP.exec(raw);
  const dmy = ymd === null ? TIMESTAMP_DMY.exec(raw) : null;
  if (ymd !== null) {
    parts = [
      ymd[1] ?? '',
      ymd[2] ?? '',
      ymd[3] ?? '',
      ymd[4] ?? '',
      ymd[5] ?? '',
      ymd[6] ?? '00',
      ymd[7] ?? '',
    ];
  } else if (dmy !== null) {
    parts = [dmy[3] ?? '', dmy[2] ?? '', dmy[1] ?? '', dmy[4] ?? '', dmy[5] ?? '', dmy[6] ?? '00', ''];
  } else {
    return undefined;
  }
  const [y, mo, d, h, mi, s, zone] = parts;
  if (
    !isCalendarDate(Number(y), Number(mo), Number(d)) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  const standard = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/.test(raw);
  const local = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}T${h.padStart(2, '0')}:${mi}:${s}`;
  if (zone === '') return { timestamp: `${local}+07:00`, standard };
  const offsetMinutes = zone === 'Z' ? 0 : zoneMinutes(zone);
  const utc = Date.parse(`${local}Z`) - offsetMinutes * 60_000;
  return { timestamp: toVietnamIso(utc), standard: false };
}

function zoneMinutes(zone: string): number {
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

function toVietnamIso(utcMillis: number): string {
  const local = new Date(utcMillis + VIETNAM_OFFSET_MINUTES * 60_000).toISOString().slice(0, 19);
  return `${local}+07:00`;
}

/** `YYYY-MM-DD` → `yyyy/MM/dd` (the SDK's DEFAULT_DATE_FORMAT). */
export function formatEdxmlDate(date: string): string {
  return date.replaceAll('-', '/');
}

/** ISO 8601 timestamp → `yyyy/MM/dd HH:mm:ss` in Vietnam local time (the SDK's datetime format). */
export function formatEdxmlTimestamp(iso: string): string {
  const millis = Date.parse(iso);
  const local = new Date(millis + VIETNAM_OFFSET_MINUTES * 60_000).toISOString();
  return `${local.slice(0, 10).replaceAll('-', '/')} ${local.slice(11, 19)}`;
}

/** Strips an optional `cid:` prefix (and angle brackets some MIME producers add). */
export function bareContentId(raw: string): { id: string; hadPrefix: boolean } {
  const unbracketed = raw.replace(/^<(.*)>$/, '$1');
  const hadPrefix = /^cid:/i.test(unbracketed);
  return { id: hadPrefix ? unbracketed.slice(4) : unbracketed, hadPrefix };
}
