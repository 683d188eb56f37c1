import { Worker } from 'node:worker_threads';
import {
  notRead,
  ReaderCrashed,
  ReadingAborted,
  type ReadingBudget,
  type ReadOutcome,
} from './reading-outcome.ts';
import type { ReaderReply, ReaderRequest } from './reader-worker.ts';

/**
 * The readers' JavaScript work runs on a thread of its own, not on the hub's event loop, where a
 * hostile office file or a page's pixels would keep SMTP and the console waiting and no timer
 * interrupts synchronous work: office files (the ZIP and XML guards, word-extractor) and the
 * cleanup of scanned pages (page-cleanup.ts). One thread with a heap cap, one request after the
 * other (each takes milliseconds to a few hundred; starting a thread takes a second). A request
 * still running at its file's deadline ends the thread (not read: time_budget), so does the hub's
 * stop; a thread that dies (out of memory) counts as a crash of the reader. The next request
 * starts a new thread.
 */
const BOOT = new URL('./reader-worker-boot.mjs', import.meta.url);
const HEAP_MB = 512;

let worker: Worker | undefined;
let nextId = 0;
let queue: Promise<unknown> = Promise.resolve();

function threadFor(): Worker {
  if (!worker) {
    const started = new Worker(BOOT, { resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
    // An idle reader must not keep a stopping hub alive.
    started.unref();
    started.once('exit', () => {
      if (worker === started) worker = undefined;
    });
    worker = started;
  }
  return worker;
}

class PastDeadline extends Error {}

function askThread(request: ReaderRequest, budget: ReadingBudget): Promise<ReaderReply> {
  return new Promise((resolve, reject) => {
    if (budget.signal?.aborted) {
      reject(new ReadingAborted());
      return;
    }
    if (Date.now() >= budget.deadline) {
      reject(new PastDeadline());
      return;
    }
    const current = threadFor();
    const id = (nextId += 1);
    let settled = false;
    const settle = (finish: () => void, end: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      budget.signal?.removeEventListener('abort', onAbort);
      current.off('message', onMessage);
      current.off('error', onError);
      current.off('exit', onExit);
      if (end) {
        if (worker === current) worker = undefined;
        void current.terminate();
      }
      finish();
    };
    const onMessage = (reply: ReaderReply & { id: number }) => {
      if (reply.id === id)
        settle(() => {
          resolve(reply);
        }, false);
    };
    const onError = (error: Error) => {
      settle(() => {
        reject(new ReaderCrashed(`reader thread: ${error.message}`));
      }, true);
    };
    const onExit = (code: number) => {
      settle(() => {
        reject(new ReaderCrashed(`reader thread exited ${code}`));
      }, true);
    };
    const onAbort = () => {
      settle(() => {
        reject(new ReadingAborted());
      }, true);
    };
    const timer = setTimeout(() => {
      settle(() => {
        reject(new PastDeadline());
      }, true);
    }, budget.deadline - Date.now());
    current.on('message', onMessage);
    current.on('error', onError);
    current.on('exit', onExit);
    budget.signal?.addEventListener('abort', onAbort, { once: true });
    current.postMessage({ ...request, id });
  });
}

/** One request after the other on the thread. */
function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const turn = queue.then(work);
  queue = turn.catch(() => undefined);
  return turn;
}

export async function readOfficeInThread(
  kind: 'docx' | 'odt' | 'doc',
  bytes: Uint8Array,
  budget: ReadingBudget,
): Promise<ReadOutcome> {
  try {
    const reply = await inTurn(() => askThread({ kind: 'office', format: kind, bytes }, budget));
    if (reply.kind !== 'office') throw new ReaderCrashed('reader thread answered another request');
    return reply.outcome;
  } catch (error) {
    if (error instanceof PastDeadline) return notRead('time_budget');
    throw error;
  }
}

/** The file's time budget ran out while its page was being cleaned. */
export class CleanupPastDeadline extends Error {}

/**
 * The scanned page in `input` (Netpbm) cleaned into `output` (PGM); false when it is not a page
 * the cleanup reads (a bitmap, 16-bit samples), and `input` should be read as it is.
 */
export async function cleanPageInThread(
  input: string,
  output: string,
  ppi: number,
  budget: ReadingBudget,
): Promise<boolean> {
  try {
    const reply = await inTurn(() => askThread({ kind: 'clean-page', input, output, ppi }, budget));
    if (reply.kind !== 'clean-page') throw new ReaderCrashed('reader thread answered another request');
    return reply.cleaned;
  } catch (error) {
    if (error instanceof PastDeadline) throw new CleanupPastDeadline();
    throw error;
  }
}

/** The stamp zone of a cleaned page (PGM) in `input`, enlarged twice, into `output`; false when not written. */
export async function stampZoneInThread(
  input: string,
  output: string,
  budget: ReadingBudget,
): Promise<boolean> {
  try {
    const reply = await inTurn(() => askThread({ kind: 'stamp-zone', input, output }, budget));
    if (reply.kind !== 'stamp-zone') throw new ReaderCrashed('reader thread answered another request');
    return reply.written;
  } catch (error) {
    if (error instanceof PastDeadline) throw new CleanupPastDeadline();
    throw error;
  }
}

/** Ends the readers' thread (the hub stops). */
export async function stopReaderThread(): Promise<void> {
  const current = worker;
  worker = undefined;
  await current?.terminate();
}
