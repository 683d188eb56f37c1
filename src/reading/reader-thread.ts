import { Worker } from 'node:worker_threads';
import {
  notRead,
  ReaderCrashed,
  ReadingAborted,
  type ReadingBudget,
  type ReadOutcome,
} from './reading-outcome.ts';

/**
 * Office files are parsed by JavaScript (the ZIP and XML guards, word-extractor), not by a tool:
 * on the hub's event loop a hostile file could keep SMTP and the console waiting, and no timer
 * interrupts synchronous work. So they are read on a thread of their own with a heap cap, one file
 * after the other (each takes milliseconds; starting a thread takes a second). A file still being
 * read at its deadline ends the thread (not read: time_budget), so does the hub's stop; a thread
 * that dies (out of memory) counts as a crash of the reader. The next file starts a new thread.
 */
const BOOT = new URL('./office-worker-boot.mjs', import.meta.url);
const HEAP_MB = 512;

type Reply = { id: number; outcome: ReadOutcome };

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

function readOnThread(
  kind: 'docx' | 'odt' | 'doc',
  bytes: Uint8Array,
  budget: ReadingBudget,
): Promise<ReadOutcome> {
  return new Promise((resolve, reject) => {
    if (budget.signal?.aborted) {
      reject(new ReadingAborted());
      return;
    }
    if (Date.now() >= budget.deadline) {
      resolve(notRead('time_budget'));
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
    const onMessage = (reply: Reply) => {
      if (reply.id === id)
        settle(() => {
          resolve(reply.outcome);
        }, false);
    };
    const onError = (error: Error) => {
      settle(() => {
        reject(new ReaderCrashed(`office thread: ${error.message}`));
      }, true);
    };
    const onExit = (code: number) => {
      settle(() => {
        reject(new ReaderCrashed(`office thread exited ${code}`));
      }, true);
    };
    const onAbort = () => {
      settle(() => {
        reject(new ReadingAborted());
      }, true);
    };
    const timer = setTimeout(() => {
      settle(() => {
        resolve(notRead('time_budget'));
      }, true);
    }, budget.deadline - Date.now());
    current.on('message', onMessage);
    current.on('error', onError);
    current.on('exit', onExit);
    budget.signal?.addEventListener('abort', onAbort, { once: true });
    current.postMessage({ id, kind, bytes });
  });
}

export function readOfficeInThread(
  kind: 'docx' | 'odt' | 'doc',
  bytes: Uint8Array,
  budget: ReadingBudget,
): Promise<ReadOutcome> {
  const turn = queue.then(() => readOnThread(kind, bytes, budget));
  queue = turn.catch(() => undefined);
  return turn;
}

/** Ends the office thread (the hub stops). */
export async function stopOfficeThread(): Promise<void> {
  const current = worker;
  worker = undefined;
  await current?.terminate();
}
