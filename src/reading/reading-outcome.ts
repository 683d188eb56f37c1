import type { FileTextResult } from '../registry/index.ts';

/** What a reader found; the service adds the duration and records it (registry). */
export type ReadOutcome = Omit<FileTextResult, 'durationMs'>;

/** The limits of one file's reading (from LIENTHONG_READING_*). */
export type ReadingBudget = {
  maxPages: number;
  /** ms since the epoch by which the whole file must be read */
  deadline: number;
  ocr: boolean;
  /** tesseract's -l, e.g. "vie" or "vie+eng" */
  languages: string;
  /** the hub is stopping: children are killed, the file goes back to the queue */
  signal?: AbortSignal;
};

/** The hub is stopping: the file is given back, the attempt not counted. */
export class ReadingAborted extends Error {
  constructor() {
    super('reading aborted: the hub is stopping');
  }
}

/** A tool died of a signal we did not send, or the office thread died: the attempt counts, the file is retried. */
export class ReaderCrashed extends Error {
  constructor(what: string) {
    super(`the reader crashed: ${what}`);
  }
}

export const notRead = (
  reason: NonNullable<ReadOutcome['reason']>,
  extra: Partial<ReadOutcome> = {},
): ReadOutcome => ({ state: 'not_read', method: 'none', reason, ...extra });
