/**
 * Registration numbers restart at 1 on 1 January in Vietnam (UTC+7, no daylight saving): a document
 * registered at 23:30 UTC on 31 December belongs to the next year's book.
 */
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

export function vietnamYear(at: Date): number {
  return new Date(at.getTime() + VIETNAM_OFFSET_MS).getUTCFullYear();
}

/** The calendar date in Vietnam, YYYY-MM-DD. */
export function vietnamDate(at: Date): string {
  return new Date(at.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Vietnam calendar day (YYYY-MM-DD) begins: a range "from" that day includes it. */
export function vietnamDayStart(date: string): Date {
  return new Date(`${date}T00:00:00+07:00`);
}

/** The instant after a Vietnam calendar day ends: a range "to" that day includes it whole. */
export function vietnamDayAfter(date: string): Date {
  return new Date(vietnamDayStart(date).getTime() + 86_400_000);
}
