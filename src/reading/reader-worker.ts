import { parentPort } from 'node:worker_threads';
import { readDoc, readOfficeZip } from './read-office.ts';

/** Office files read on a thread of their own (office-thread.ts), one request after the other. */
type Request = { id: number; kind: 'docx' | 'odt' | 'doc'; bytes: Uint8Array };

parentPort?.on('message', (request: Request) => {
  void (async () => {
    const outcome =
      request.kind === 'doc' ? await readDoc(request.bytes) : readOfficeZip(request.bytes, request.kind);
    parentPort?.postMessage({ id: request.id, outcome });
  })();
});
