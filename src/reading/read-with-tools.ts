import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { normalizeText } from '../text/index.ts';
import {
  notRead,
  ReaderCrashed,
  ReadingAborted,
  type ReadingBudget,
  type ReadOutcome,
} from './reading-outcome.ts';
import { runTool, type ToolRun } from './run-tool.ts';

/**
 * PDFs and images, read by poppler-utils and tesseract as child processes (run-tool.ts). A PDF
 * page is read from its text layer (pdftotext); a page with almost no letters there is a scan:
 * it is rasterised (pdftoppm, greyscale, about 300 dpi for A4) and OCR'd. Tesseract runs with
 * --psm 3 (automatic page segmentation): on our test pages it reads the same Vietnamese as
 * --psm 1 in 60 % of the time (it skips orientation detection), and it copes with the two-column
 * header of an official document (cơ quan left, quốc hiệu right).
 */
const SCAN_LETTERS = 20;
/**
 * A scan signed digitally carries the signature's visible text over the image ("Ký bởi: …, Thời
 * gian ký: …"), so a page with a page-sized picture is a scan too while its text layer stays short.
 */
const SIGNED_SCAN_LETTERS = 400;
const SCAN_IMAGE_PIXELS = 1_500_000;
/** Long side of a page image in pixels: A4 at 300 dpi, whatever size the PDF claims its page is. */
const PAGE_PIXELS = 3508;
const TEXT_CAP = 8 * 1024 * 1024;

type Step = { run: ToolRun; tool: string };

class OverBudget extends Error {}

async function tool(name: string, args: string[], budget: ReadingBudget, dir: string): Promise<Step> {
  const run = await runTool(name, args, {
    deadline: budget.deadline,
    maxOutputBytes: TEXT_CAP,
    cwd: dir,
    ...(budget.signal ? { signal: budget.signal } : {}),
  });
  if (run.killed === 'aborted') throw new ReadingAborted();
  if (run.killed === 'deadline') throw new OverBudget();
  if (run.killed === null && run.signal !== null) throw new ReaderCrashed(`${name} died of ${run.signal}`);
  return { run, tool: name };
}

const letters = (text: string) => (text.match(/\p{L}/gu) ?? []).length;

/** Tool output (UTF-8) through the hub's one text rule: NFC, legacy fonts' mojibake repaired. */
const normalized = (bytes: Uint8Array) =>
  normalizeText(bytes, 'auto')
    .text.replace(/[ \t]+\n/g, '\n')
    .trim();

async function ocr(image: string, budget: ReadingBudget, dir: string): Promise<string | undefined> {
  const { run } = await tool('tesseract', [image, '-', '-l', budget.languages, '--psm', '3'], budget, dir);
  if (run.code === 127) throw new ToolMissing();
  return run.code === 0 ? normalized(run.stdout) : undefined;
}

class ToolMissing extends Error {}

/** The largest picture on each page (pixels), from `pdfimages -list`; empty when it cannot tell. */
async function largestImages(file: string, last: number, budget: ReadingBudget, dir: string) {
  const { run } = await tool('pdfimages', ['-list', '-f', '1', '-l', String(last), file], budget, dir);
  const largest = new Map<number, number>();
  if (run.code !== 0) return largest;
  for (const line of run.stdout.toString('utf8').split('\n').slice(2)) {
    const [page, , , width, height] = line.trim().split(/\s+/).map(Number);
    if (!page || !width || !height) continue;
    largest.set(page, Math.max(largest.get(page) ?? 0, width * height));
  }
  return largest;
}

export async function readPdf(bytes: Uint8Array, budget: ReadingBudget, dir: string): Promise<ReadOutcome> {
  const file = path.join(dir, 'file.pdf');
  await writeFile(file, bytes);
  let pagesTotal: number | null = null;
  try {
    const info = await tool('pdfinfo', [file], budget, dir);
    if (info.run.code === 127) return notRead('tool_missing');
    if (info.run.code !== 0)
      return notRead(/incorrect password/i.test(info.run.stderr) ? 'pdf_encrypted' : 'file_damaged');
    pagesTotal = Number(/^Pages:\s+(\d+)/m.exec(info.run.stdout.toString('utf8'))?.[1] ?? 0);
    if (!pagesTotal) return notRead('file_damaged', { pagesTotal: 0 });
    const last = Math.min(pagesTotal, budget.maxPages);
    const layer = await tool(
      'pdftotext',
      ['-f', '1', '-l', String(last), '-enc', 'UTF-8', '-eol', 'unix', file, '-'],
      budget,
      dir,
    );
    if (layer.run.code !== 0) return notRead('file_damaged', { pagesTotal });
    const raw = layer.run.stdout.toString('utf8').split('\f');
    const images = await largestImages(file, last, budget, dir);
    const pages: string[] = [];
    let scanned = 0;
    let skipped = 0;
    for (let page = 1; page <= last; page += 1) {
      const text = normalized(Buffer.from(raw[page - 1] ?? '', 'utf8'));
      const count = letters(text);
      const scan =
        count < SCAN_LETTERS || (count < SIGNED_SCAN_LETTERS && (images.get(page) ?? 0) >= SCAN_IMAGE_PIXELS);
      if (!scan) {
        pages.push(text);
        continue;
      }
      if (!budget.ocr) {
        skipped += 1;
        pages.push(text);
        continue;
      }
      scanned += 1;
      const image = path.join(dir, `page-${page}`);
      const raster = await tool(
        'pdftoppm',
        [
          '-f',
          String(page),
          '-l',
          String(page),
          '-scale-to',
          String(PAGE_PIXELS),
          '-gray',
          // Netpbm, not PNG: tesseract reads it as fast, and PNG's compression costs as much as
          // the rendering itself (1.2 s against 0.4 s for an A4 page at 300 dpi, measured).
          '-singlefile',
          file,
          image,
        ],
        budget,
        dir,
      );
      if (raster.run.code !== 0) return notRead('file_damaged', { pagesTotal });
      pages.push((await ocr(`${image}.pgm`, budget, dir)) ?? text);
    }
    const text = pages.join('\n\n').trim();
    if (skipped === last && letters(text) === 0) return notRead('ocr_off', { pagesTotal, pagesRead: 0 });
    return {
      state: 'read',
      method: scanned > 0 ? 'ocr' : 'text_layer',
      pagesTotal,
      pagesRead: last - skipped,
      text,
      firstPageText: pages[0] ?? '',
      ...(pages.length > 1 ? { lastPageText: pages.at(-1) ?? '' } : {}),
      reason: pagesTotal > last ? 'pages_over_budget' : skipped > 0 ? 'ocr_off' : null,
    };
  } catch (error) {
    if (error instanceof OverBudget) return notRead('time_budget', { pagesTotal });
    if (error instanceof ToolMissing) return notRead('tool_missing', { pagesTotal });
    throw error;
  }
}

const IMAGE_EXTENSION = { png: 'png', jpeg: 'jpg', tiff: 'tif' } as const;

/** PNG, JPEG or TIFF by their first bytes (a name or content type may lie). */
function imageKind(bytes: Uint8Array): keyof typeof IMAGE_EXTENSION | undefined {
  const head = Buffer.from(bytes.subarray(0, 4)).toString('hex');
  if (head === '89504e47') return 'png';
  if (head.startsWith('ffd8ff')) return 'jpeg';
  if (head === '49492a00' || head === '4d4d002a') return 'tiff';
  return undefined;
}

export async function readImage(bytes: Uint8Array, budget: ReadingBudget, dir: string): Promise<ReadOutcome> {
  const kind = imageKind(bytes);
  if (!kind) return notRead('file_damaged');
  if (!budget.ocr) return notRead('ocr_off', { pagesTotal: 1, pagesRead: 0 });
  const file = path.join(dir, `image.${IMAGE_EXTENSION[kind]}`);
  await writeFile(file, bytes);
  try {
    const text = await ocr(file, budget, dir);
    if (text === undefined) return notRead('file_damaged');
    // A multi-page TIFF comes back with a form feed between its pages.
    const pages = text.split('\f');
    return {
      state: 'read',
      method: 'ocr',
      pagesTotal: pages.length,
      pagesRead: pages.length,
      text: pages.map((p) => p.trim()).join('\n\n'),
      firstPageText: pages[0]?.trim() ?? '',
      ...(pages.length > 1 ? { lastPageText: pages.at(-1)?.trim() ?? '' } : {}),
      reason: null,
    };
  } catch (error) {
    if (error instanceof OverBudget) return notRead('time_budget', { pagesTotal: 1 });
    if (error instanceof ToolMissing) return notRead('tool_missing', { pagesTotal: 1 });
    throw error;
  }
}
