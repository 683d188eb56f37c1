import { Worker } from 'node:worker_threads';
import type { Logger } from '../../shared/index.ts';
import type { MessageAnalysis } from '../message-analysis.ts';

/**
 * Reading mail (MIME, signatures, ZIP listings, clamd) on a thread of its own, for two reasons:
 * the hub's event loop answers SMTP sessions and the console meanwhile, and a message that makes a
 * parser spin can be stopped — a timer on the event loop cannot interrupt synchronous work, but a
 * thread can be terminated. A message still being read after `hardTimeoutMs` ends the thread (a new
 * one starts for the next message) and comes back unread, to be stored quarantined with the reason.
 * Messages are read one after the other, as the spool processor asks for them.
 */
export type AnalysisWorkerConfig = {
  /** the trust directory (and any other certificate paths) the signatures are checked against */
  trustPaths: string[];
  /** clamd socket or host:port, when attachments are scanned */
  clamd?: string;
  /** the budget analyzeMessage gives MIME parsing (asynchronous time) */
  parseTimeoutMs: number;
  /** the strict second reading of the MIME structure (LIENTHONG_MIME_SECOND_READING) */
  secondReading?: boolean;
};

export type AnalysisRequest = { id: number; raw: Uint8Array; receivedAt: number };
export type AnalysisReply = { id: number; analysis: MessageAnalysis } | { id: number; error: string };

export type AnalysisPool = {
  /** `timeoutMs` (default: the pool's `hardTimeoutMs`) bounds this message's reading */
  analyze(raw: Buffer, receivedAt: Date, timeoutMs?: number): Promise<MessageAnalysis>;
  stop(): Promise<void>;
};

const BOOT = new URL('./analysis-worker-boot.mjs', import.meta.url);

/** What a message that could not be read comes back as: stored quarantined, with its reason. */
export function unreadAnalysis(problem: string): MessageAnalysis {
  return {
    message: null,
    parseProblem: problem.slice(0, 500),
    attachments: [],
    verdicts: [],
    infected: [],
    unsafeArchives: [],
    mimeGap: null,
    metadata: { subject: null, mail: null },
  };
}

/** Threads post Uint8Arrays; the rest of the hub works with Buffers (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function withBuffers(analysis: MessageAnalysis): MessageAnalysis {
  return {
    ...analysis,
    message: analysis.message && {
      ...analysis.message,
      attachments: analysis.message.attachments.map((a) => ({ ...a, content: asBuffer(a.content) })),
    },
    attachments: analysis.attachments.map((a) => ({ ...a, content: asBuffer(a.content) })),
  };
}

export function startAnalysisPool(
  config: AnalysisWorkerConfig & { hardTimeoutMs: number; log: Logger },
): AnalysisPool {
  const { hardTimeoutMs, log, ...workerConfig } = config;
  let worker: Worker | undefined;
  let nextId = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const spawn = (): Worker => {
    const started = new Worker(BOOT, { workerData: workerConfig });
    // An idle reader must not keep a stopping hub alive.
    started.unref();
    return started;
  };

  const readOne = (raw: Buffer, receivedAt: Date, timeoutMs: number): Promise<MessageAnalysis> =>
    new Promise((resolve) => {
      if (stopped) {
        resolve(unreadAnalysis('the hub stopped before this message was read'));
        return;
      }
      const current = (worker ??= spawn());
      const id = (nextId += 1);
      const finish = (analysis: MessageAnalysis) => {
        clearTimeout(timer);
        current.off('message', onMessage);
        current.off('error', onFailure);
        current.off('exit', onExit);
        resolve(analysis);
      };
      const restart = (reason: string) => {
        if (worker === current) worker = undefined;
        void current.terminate();
        log.warn({ reason }, 'mail reader restarted');
      };
      const onMessage = (reply: AnalysisReply) => {
        if (reply.id !== id) return;
        finish(
          'analysis' in reply
            ? withBuffers(reply.analysis)
            : unreadAnalysis(`reading failed: ${reply.error}`),
        );
      };
      const onFailure = (error: Error) => {
        restart(error.message);
        finish(unreadAnalysis(`the reader failed on this message: ${error.message}`));
      };
      const onExit = (code: number) => {
        if (worker === current) worker = undefined;
        finish(unreadAnalysis(`the reader stopped (exit ${code}) while reading this message`));
      };
      current.on('message', onMessage);
      current.on('error', onFailure);
      current.on('exit', onExit);
      const timer = setTimeout(() => {
        restart(`a message took longer than ${timeoutMs} ms`);
        finish(
          unreadAnalysis(`reading stopped after ${timeoutMs / 1000} s (the message keeps a parser busy)`),
        );
      }, timeoutMs);
      current.postMessage({
        id,
        raw: new Uint8Array(raw),
        receivedAt: receivedAt.getTime(),
      } satisfies AnalysisRequest);
    });

  return {
    analyze(raw, receivedAt, timeoutMs = hardTimeoutMs) {
      const result = queue.then(() => readOne(raw, receivedAt, timeoutMs));
      queue = result.catch(() => undefined);
      return result;
    },
    async stop() {
      stopped = true;
      await queue;
      await worker?.terminate();
      worker = undefined;
    },
  };
}
