/**
 * A pool of worker threads verifying edXML signatures, so verification uses every core. Each
 * worker holds its own copy of the trust material; jobs go to the least busy worker.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HubError } from '../shared/index.ts';
import { toPortable, type TrustMaterial } from './trust-store.ts';
import type { SignatureVerdict } from './verdict.ts';
import type { XmlVerifyResult } from './xmldsig-verify.ts';

export type VerifyPoolOptions = {
  readonly material: TrustMaterial;
  /** Number of workers; defaults to the number of cores. */
  readonly size?: number;
};

type Pending = { resolve: (result: XmlVerifyResult) => void; reject: (error: Error) => void };
type Slot = { worker: Worker; busy: number };
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
  private readonly slots: Slot[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private constructor(slots: Slot[]) {
    this.slots = slots;
  }

  static async start(options: VerifyPoolOptions): Promise<VerifyPool> {
    const size = Math.max(1, options.size ?? availableParallelism());
    const workerData = {
      tsxApi: tsxEsmApiUrl(),
      entry: new URL('./verify-worker.ts', import.meta.url).href,
      material: toPortable(options.material),
    };
    const slots = Array.from({ length: size }, () => ({
      worker: new Worker(BOOTSTRAP, { eval: true, workerData }),
      busy: 0,
    }));
    const pool = new VerifyPool(slots);
    await Promise.all(slots.map((slot) => pool.attach(slot)));
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  private attach(slot: Slot): Promise<void> {
    return new Promise((ready, failed) => {
      slot.worker.on('message', (reply: Reply) => {
        if (reply.ready) {
          ready();
          return;
        }
        const job = this.pending.get(reply.id);
        if (!job) return;
        this.pending.delete(reply.id);
        slot.busy -= 1;
        if (reply.verdict) job.resolve({ verdict: reply.verdict, signedXml: reply.signedXml ?? null });
        else
          job.reject(
            new HubError('SIGNING_WORKER_FAILED', `signature worker failed: ${reply.error ?? 'unknown'}`),
          );
      });
      slot.worker.once('error', (error) => {
        const stopped = new HubError('SIGNING_WORKER_FAILED', 'signature worker stopped', { cause: error });
        failed(stopped);
        // Jobs cannot be matched to the worker that held them, so a crash fails every waiting job
        // rather than leaving callers waiting for ever; callers may retry on a new pool.
        for (const job of this.pending.values()) job.reject(stopped);
        this.pending.clear();
      });
    });
  }

  /** Verifies one package on the least busy worker. */
  verifyEdxml(bytes: Uint8Array, at: Date, withSignedXml = false): Promise<XmlVerifyResult> {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy += 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, bytes, at: at.getTime(), withSignedXml });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
