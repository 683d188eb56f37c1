/**
 * Worker-thread side of VerifyPool: keeps the trust material the pool last posted (rebuilt once
 * per reload), and verifies the edXML packages posted after it. Loaded through tsx (see
 * verify-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { fromPortable, type PortableTrustMaterial, type TrustMaterial } from './trust-store.ts';
import { verifyEdxmlSignature } from './xmldsig-verify.ts';

type Job = {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly at: number;
  readonly withSignedXml: boolean;
};

function isJob(value: unknown): value is Job {
  return (
    typeof value === 'object' &&
    value !== null &&
    'id' in value &&
    'bytes' in value &&
    value.bytes instanceof Uint8Array
  );
}

function isMaterial(value: unknown): value is { material: PortableTrustMaterial } {
  return typeof value === 'object' && value !== null && 'material' in value;
}

const port = parentPort;
let material: TrustMaterial | undefined;

port?.on('message', (message: unknown) => {
  if (isMaterial(message)) {
    material = fromPortable(message.material);
    return;
  }
  if (!isJob(message)) return;
  // The pool posts material before a worker's first job; a job without it is the pool's bug.
  const current = material;
  if (!current) {
    port.postMessage({ id: message.id, error: 'no trust material was posted before the job' });
    return;
  }
  verifyEdxmlSignature(message.bytes, current, { at: new Date(message.at) }).then(
    (result) => {
      port.postMessage({
        id: message.id,
        verdict: result.verdict,
        signedXml: message.withSignedXml ? result.signedXml : null,
      });
    },
    (error: unknown) => {
      port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
    },
  );
});
port?.postMessage({ ready: true });
