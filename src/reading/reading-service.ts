import type { PrismaClient } from '../db/index.ts';
import {
  claimFileTexts,
  readFileBytes,
  recordFileText,
  releaseFileText,
  type ClaimedFile,
} from '../registry/index.ts';
import type { Logger } from '../shared/index.ts';
import { stopReaderThread } from './reader-thread.ts';
import { readFile as readWithTools } from './read-file.ts';
import { notRead, ReadingAborted, type ReadingBudget, type ReadOutcome } from './reading-outcome.ts';

export type ReadingSettings = {
  workers: number;
  maxPages: number;
  maxSeconds: number;
  ocr: 'on' | 'off';
  languages: string;
};

export type ReadingDeps = {
  prisma: PrismaClient;
  settings: ReadingSettings;
  log: Logger;
  /** how often an idle pool looks for new files (ms) */
  pollMs?: number;
  /** the reader; tests put a faulty one here to inject crashes */
  readFile?: typeof readWithTools;
};

export type ReadingService = {
  /** look for work now (new items were stored) */
  wake(): void;
  /** ends the readers' children, gives unfinished files back to the queue, waits for the pool */
  stop(): Promise<void>;
  /** files being read by this process */
  active(): number;
};

/**
 * The readers' pool: at most `workers` files at once, each claimed from file_text with a lease a
 * little longer than the file's time budget, so a hub that dies mid-reading leaves a row another
 * reader takes once the lease runs out. It runs beside the ingest, never in front of it: a mail's
 * 250 waits only for the spool's commit, and its files are read after the spool processor stored
 * them. Woken when the queue may have work; otherwise it looks once a second.
 */
export function startReading(deps: ReadingDeps): ReadingService {
  const { prisma, settings, log } = deps;
  const read = deps.readFile ?? readWithTools;
  const pollMs = deps.pollMs ?? 1000;
  const leaseMs = settings.maxSeconds * 1000 + 30_000;
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let filling: Promise<void> | undefined;

  async function readOne(file: ClaimedFile): Promise<void> {
    const started = Date.now();
    const budget: ReadingBudget = {
      maxPages: settings.maxPages,
      deadline: started + settings.maxSeconds * 1000,
      ocr: settings.ocr === 'on',
      languages: settings.languages,
      signal: stopping.signal,
    };
    let outcome: ReadOutcome;
    try {
      const bytes = await readFileBytes(prisma, file.sha256);
      outcome = bytes ? await read(file.kind, bytes, budget) : notRead('file_missing');
    } catch (error) {
      const aborted = error instanceof ReadingAborted || stopping.signal.aborted;
      const state = await releaseFileText(prisma, file.attachmentId, { crashed: !aborted });
      if (!aborted)
        log.warn(
          { err: error, attachmentId: file.attachmentId, attempts: file.attempts, state },
          'reader failed on a file',
        );
      return;
    }
    const recorded = await recordFileText(prisma, file.attachmentId, {
      ...outcome,
      durationMs: Date.now() - started,
    });
    log.info(
      {
        attachmentId: file.attachmentId,
        intakeItemId: file.intakeItemId,
        state: outcome.state,
        method: outcome.method,
        reason: outcome.reason ?? null,
        pages: outcome.pagesRead ?? null,
        ms: Date.now() - started,
        ...(recorded.kind === 'recorded' && recorded.held ? { heldAs: recorded.held.level } : {}),
      },
      recorded.kind === 'lease-lost' ? 'file read after its lease ran out; not recorded' : 'file read',
    );
  }

  async function fill(): Promise<void> {
    while (!stopping.signal.aborted && running.size < settings.workers) {
      const claimed = await claimFileTexts(prisma, { limit: settings.workers - running.size, leaseMs });
      if (claimed.length === 0) return;
      for (const file of claimed) {
        const task: Promise<void> = readOne(file)
          .catch((error: unknown) => {
            log.error({ err: error, attachmentId: file.attachmentId }, 'recording a file’s text failed');
          })
          .finally(() => {
            running.delete(task);
            wake();
          });
        running.add(task);
      }
    }
  }

  function wake(): void {
    if (stopping.signal.aborted || filling) return;
    filling = fill()
      .catch((error: unknown) => {
        log.warn({ err: error }, 'claiming files to read failed; trying again shortly');
      })
      .finally(() => {
        filling = undefined;
      });
  }

  function tick(): void {
    wake();
    timer = setTimeout(tick, pollMs);
    timer.unref();
  }
  tick();

  return {
    wake,
    active: () => running.size,
    async stop() {
      clearTimeout(timer);
      stopping.abort();
      await filling;
      await Promise.allSettled([...running]);
      await stopReaderThread();
    },
  };
}
