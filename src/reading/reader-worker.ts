import { readFile, writeFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { cleanPage, dropColourInk, enlargedPart, parseNetpbm, STAMP_ZONE, writePgm } from './page-cleanup.ts';
import { readDoc, readOfficeZip } from './read-office.ts';
import type { ReadOutcome } from './reading-outcome.ts';

/** The readers' thread (reader-thread.ts): one request after the other. */
export type ReaderRequest =
  | { kind: 'office'; format: 'docx' | 'odt' | 'doc'; bytes: Uint8Array }
  | { kind: 'clean-page'; input: string; output: string; ppi: number }
  | { kind: 'stamp-zone'; input: string; output: string };

export type ReaderReply =
  | { kind: 'office'; outcome: ReadOutcome }
  | { kind: 'clean-page'; cleaned: boolean }
  | { kind: 'stamp-zone'; written: boolean };

async function answer(request: ReaderRequest): Promise<ReaderReply> {
  if (request.kind === 'office') {
    const outcome =
      request.format === 'doc' ? await readDoc(request.bytes) : readOfficeZip(request.bytes, request.format);
    return { kind: 'office', outcome };
  }
  const image = parseNetpbm(await readFile(request.input));
  if (request.kind === 'stamp-zone') {
    if (image.kind !== 'grey') return { kind: 'stamp-zone', written: false };
    await writeFile(request.output, writePgm(enlargedPart(image, STAMP_ZONE)));
    return { kind: 'stamp-zone', written: true };
  }
  if (image.kind === 'other') return { kind: 'clean-page', cleaned: false };
  const grey = image.kind === 'rgb' ? dropColourInk(image.width, image.height, image.data) : image;
  await writeFile(request.output, writePgm(cleanPage(grey, request.ppi).page));
  return { kind: 'clean-page', cleaned: true };
}

parentPort?.on('message', (request: ReaderRequest & { id: number }) => {
  void (async () => {
    parentPort?.postMessage({ id: request.id, ...(await answer(request)) });
  })();
});
