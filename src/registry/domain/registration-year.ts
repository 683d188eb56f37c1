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
