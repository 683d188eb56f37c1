import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ReadableKind } from '../registry/index.ts';
import { readOfficeInThread } from './reader-thread.ts';
import { readImage, readPdf } from './read-with-tools.ts';
import { notRead, type ReadingBudget, type ReadOutcome } from './reading-outcome.ts';

/**
 * Reads one file's text within its budget. The tools work in a temporary directory of their own,
 * removed afterwards whatever happened; office files are parsed on a thread of their own. Throws ReadingAborted (the hub stops) or ReaderCrashed (a
 * tool died of a signal); every other outcome, unreadable files included, is a value.
 */
export async function readFile(
  kind: ReadableKind | undefined,
  bytes: Uint8Array,
  budget: ReadingBudget,
): Promise<ReadOutcome> {
  switch (kind) {
    case 'docx':
    case 'odt':
    case 'doc':
      return readOfficeInThread(kind, bytes, budget);
    case 'pdf':
    case 'image': {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'lienthong-reading-'));
      try {
        return kind === 'pdf' ? await readPdf(bytes, budget, dir) : await readImage(bytes, budget, dir);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    case undefined:
      return notRead('format_not_supported');
  }
}
