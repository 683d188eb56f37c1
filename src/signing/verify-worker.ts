/**
 * Worker-thread side of VerifyPool: rebuilds the trust material once, then verifies edXML
 * packages posted by the main thread. Loaded through tsx (see verify-pool.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fromPortable, type PortableTrustMaterial } from './trust-store.ts';
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

const port = parentPort;
const data = workerData as { material: PortableTrustMaterial };
const material = fromPortable(data.material);

port?.on('message', (message: unknown) => {
  if (!isJob(message)) return;
  verifyEdxmlSignature(message.bytes, material, { at: new Date(message.at) }).then(
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
