/**
 * A pool of worker threads verifying edXML signatures, so verification uses every core and the
 * main thread stays free for the database and the broker. Jobs go to the least busy worker.
 *
 * Trust material follows reloads: the pool asks `trust()` for every job, as inline verification
 * does, and a worker that holds other material than the job's gets the job's first (messages to a
 * worker arrive in order), so each package is checked against exactly what inline would use.
 *
 * A worker that stops (a crash, out of memory, terminated) is replaced at once, and the jobs it
 * held are posted again, to the least busy worker; a job whose worker stopped twice under it is
 * answered with SIGNING_WORKER_FAILED (a package that kills its verifier should not be retried on
 * the main thread). No job is left waiting: every one is answered, or rejected when the pool closes.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HubError } from '../shared/index.ts';
import { toPortable, type PortableTrustMaterial, type TrustMaterial } from './trust-store.ts';
import type { SignatureVerdict } from './verdict.ts';
import type { XmlVerifyResult } from './xmldsig-verify.ts';

export type VerifyPoolOptions = {
  /** The trust material, or where to ask for it before each job (a cached store: reloads reach the workers). */
  readonly trust: TrustMaterial | (() => Promise<TrustMaterial>);
  /** Number of workers; defaults to the number of cores. */
  readonly size?: number;
  /** Told when a worker stopped and was replaced, with how many jobs were posted again. */
  readonly onWorkerLost?: (event: { error: Error | undefined; exitCode: number; jobs: number }) => void;
};

/** How often a job may lose its worker before it is answered with an error. */
const MAX_ATTEMPTS = 2;
/** A worker that stops this many times in a row before it is ready is not started again. */
const MAX_START_FAILURES = 3;

type Job = {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly at: number;
  readonly withSignedXml: boolean;
  readonly material: TrustMaterial;
  attempts: number;
  readonly resolve: (result: XmlVerifyResult) => void;
  readonly reject: (error: Error) => void;
};

type Slot = {
  worker: Worker;
  /** ids of the jobs posted to this worker and not answered yet */
  readonly jobs: Set<number>;
  /** the material this worker was last given */
  material: TrustMaterial | undefined;
  ready: boolean;
  startFailures: number;
  lastError: Error | undefined;
};

type Reply = {
  id: number;
  verdict?: SignatureVerdict;
  signedXml?: string | null;
  error?: string;
  ready?: boolean;
};

// Workers start without the parent's loader hooks, so each registers tsx before importing the
// TypeScript worker module (the same way bin/lienthong.js starts the hub).
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.entry); });
`;

/** URL of tsx's ESM register API, taken from tsx's own exports map (require.resolve picks the CJS build). */
function tsxEsmApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = require(manifestPath) as {
    exports: Record<string, { import?: { default?: string } } | string>;
  };
  const entry = manifest.exports['./esm/api'];
  const relative = typeof entry === 'object' ? entry.import?.default : undefined;
  if (!relative)
    throw new HubError('SIGNING_WORKER_FAILED', 'cannot locate the tsx ESM API for worker threads');
  return new URL(relative, pathToFileURL(manifestPath)).href;
}

export class VerifyPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Job>();
  private readonly portable = new WeakMap<TrustMaterial, PortableTrustMaterial>();
  private readonly workerData = {
    tsxApi: tsxEsmApiUrl(),
    entry: new URL('./verify-worker.ts', import.meta.url).href,
  };
  private nextId = 1;
  private closed = false;

  private constructor(private readonly options: VerifyPoolOptions) {}

  static async start(options: VerifyPoolOptions): Promise<VerifyPool> {
    const pool = new VerifyPool(options);
    const size = Math.max(1, options.size ?? availableParallelism());
    const started = Array.from({ length: size }, () => pool.spawn());
    try {
      await Promise.all(started);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Jobs taken and not answered yet. */
  get pendingJobs(): number {
    return this.pending.size;
  }

  /** Starts a worker in a new slot; resolves when it is ready, rejects if it stops before. */
  private spawn(): Promise<void> {
    return new Promise((ready, failed) => {
      const slot: Slot = {
        worker: this.newWorker(),
        jobs: new Set(),
        material: undefined,
        ready: false,
        startFailures: 0,
        lastError: undefined,
      };
      this.slots.push(slot);
      this.watch(slot, ready, failed);
    });
  }

  private newWorker(): Worker {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: this.workerData });
    // An idle pool must not keep a stopping process alive; jobs in flight keep their callers waiting.
    worker.unref();
    return worker;
  }

  private watch(slot: Slot, ready?: () => void, failed?: (error: Error) => void): void {
    const worker = slot.worker;
    worker.on('message', (reply: Reply) => {
      if (reply.ready) {
        slot.ready = true;
        slot.startFailures = 0;
        ready?.();
        return;
      }
      const job = this.pending.get(reply.id);
      if (!job || !slot.jobs.delete(reply.id)) return;
      this.pending.delete(reply.id);
      if (reply.verdict) job.resolve({ verdict: reply.verdict, signedXml: reply.signedXml ?? null });
      else
        job.reject(
          new HubError('SIGNING_WORKER_FAILED', `signature worker failed: ${reply.error ?? 'unknown'}`),
        );
    });
    // Without a listener an error in the worker would be thrown on the main thread; 'exit' follows.
    worker.on('error', (error) => {
      slot.lastError = error;
    });
    worker.once('exit', (exitCode) => {
      if (slot.worker !== worker) return;
      const stopped = new HubError('SIGNING_WORKER_FAILED', 'signature worker stopped', {
        cause: slot.lastError,
      });
      failed?.(stopped);
      this.replace(slot, exitCode, stopped);
    });
  }

  /** A worker stopped: start another in its slot and post its jobs again (or answer them). */
  private replace(slot: Slot, exitCode: number, stopped: HubError): void {
    const orphans = [...slot.jobs].flatMap((id) => this.pending.get(id) ?? []);
    slot.jobs.clear();
    slot.material = undefined;
    if (this.closed) {
      for (const job of orphans) this.fail(job, new HubError('SIGNING_WORKER_FAILED', 'verify pool closed'));
      return;
    }
    if (!slot.ready) slot.startFailures += 1;
    slot.ready = false;
    const error = slot.lastError;
    slot.lastError = undefined;
    if (slot.startFailures >= MAX_START_FAILURES) {
      this.slots.splice(this.slots.indexOf(slot), 1);
    } else {
      slot.worker = this.newWorker();
      this.watch(slot);
    }
    this.options.onWorkerLost?.({ error, exitCode, jobs: orphans.length });
    for (const job of orphans) {
      job.attempts += 1;
      if (job.attempts >= MAX_ATTEMPTS)
        this.fail(
          job,
          new HubError(
            'SIGNING_WORKER_FAILED',
            'the signature worker stopped twice while verifying this package',
            {
              cause: stopped,
            },
          ),
        );
      else this.dispatch(job);
    }
  }

  private fail(job: Job, error: Error): void {
    this.pending.delete(job.id);
    job.reject(error);
  }

  private dispatch(job: Job): void {
    const slot = this.slots.reduce<Slot | undefined>(
      (best, candidate) => (best && best.jobs.size <= candidate.jobs.size ? best : candidate),
      undefined,
    );
    if (!slot) {
      this.fail(job, new HubError('SIGNING_WORKER_FAILED', 'no signature worker could be started'));
      return;
    }
    if (slot.material !== job.material) {
      let portable = this.portable.get(job.material);
      if (!portable) {
        portable = toPortable(job.material);
        this.portable.set(job.material, portable);
      }
      slot.worker.postMessage({ material: portable });
      slot.material = job.material;
    }
    slot.jobs.add(job.id);
    slot.worker.postMessage({ id: job.id, bytes: job.bytes, at: job.at, withSignedXml: job.withSignedXml });
  }

  /** Verifies one package on the least busy worker, against the trust material of this moment. */
  async verifyEdxml(bytes: Uint8Array, at: Date, withSignedXml = false): Promise<XmlVerifyResult> {
    const trust = this.options.trust;
    const material = typeof trust === 'function' ? await trust() : trust;
    if (this.closed) throw new HubError('SIGNING_WORKER_FAILED', 'verify pool closed');
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        bytes,
        at: at.getTime(),
        withSignedXml,
        material,
        attempts: 0,
        resolve,
        reject,
      };
      this.pending.set(job.id, job);
      this.dispatch(job);
    });
  }

  /**
   * Fault injection for tests: ends worker `index` as a crash would (its jobs in flight are
   * posted again to a replacement).
   */
  async killWorker(index: number): Promise<void> {
    const worker = this.slots[index]?.worker;
    if (!worker) return;
    // The pool's own 'exit' listener was added first, so the replacement exists when this resolves.
    const exited = once(worker, 'exit');
    await worker.terminate();
    await exited;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    for (const job of this.pending.values())
      job.reject(new HubError('SIGNING_WORKER_FAILED', 'verify pool closed'));
    this.pending.clear();
  }
}
