import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findConfidentialityStamp, normalizeText } from '../text/index.ts';
import {
  notRead,
  ReaderCrashed,
  ReadingAborted,
  type ReadingBudget,
  type ReadOutcome,
} from './reading-outcome.ts';
import { cleanPageInThread, CleanupPastDeadline, stampZoneInThread } from './reader-thread.ts';
import { runTool, type ToolRun } from './run-tool.ts';

/**
 * PDFs and images, read by poppler-utils and tesseract as child processes (run-tool.ts). A PDF
 * page is read from its text layer (pdftotext); a page with almost no letters there is a scan:
 * its picture is OCR'd as stored when it is the whole page (pdfimages), else the page is
 * rasterised (pdftoppm, greyscale, about 300 dpi for A4). Tesseract runs with
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

/**
 * Tesseract told the image's resolution: Netpbm carries none, and without it Tesseract guesses
 * from the letters' height.
 */
async function ocr(
  image: string,
  ppi: number | undefined,
  budget: ReadingBudget,
  dir: string,
): Promise<string | undefined> {
  const resolution = ppi ? ['--dpi', String(Math.round(ppi))] : [];
  const { run } = await tool(
    'tesseract',
    [image, '-', '-l', budget.languages, '--psm', '3', ...resolution],
    budget,
    dir,
  );
  if (run.code === 127) throw new ToolMissing();
  return run.code === 0 ? normalized(run.stdout) : undefined;
}

class ToolMissing extends Error {}

type ListedImage = {
  readonly type: string;
  readonly width: number;
  readonly height: number;
  readonly color: string;
  readonly components: number;
  readonly bitsPerComponent: number;
  readonly encoding: string;
  readonly xPpi: number;
  readonly yPpi: number;
};

/** Every picture on pages 1…last, from `pdfimages -list`; empty when it cannot tell. */
async function listImages(file: string, last: number, budget: ReadingBudget, dir: string) {
  const { run } = await tool('pdfimages', ['-list', '-f', '1', '-l', String(last), file], budget, dir);
  const byPage = new Map<number, ListedImage[]>();
  if (run.code !== 0) return byPage;
  // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
  for (const line of run.stdout.toString('utf8').split('\n').slice(2)) {
    const cells = line.trim().split(/\s+/);
    const [page, , type, width, height, color, components, bits, encoding, , , , xPpi, yPpi] = cells;
    const pageNumber = Number(page);
    if (!pageNumber || !type || !color || !encoding) continue;
    const image: ListedImage = {
      type,
      width: Number(width),
      height: Number(height),
      color,
      components: Number(components),
      bitsPerComponent: Number(bits),
      encoding,
      xPpi: Number(xPpi),
      yPpi: Number(yPpi),
    };
    if (!image.width || !image.height) continue;
    byPage.set(pageNumber, [...(byPage.get(pageNumber) ?? []), image]);
  }
  return byPage;
}

type PageBox = { readonly width: number; readonly height: number; readonly rotation: number };

/** Each page's size in points and its rotation, from `pdfinfo -f 1 -l last`. */
function pageBoxes(info: string): Map<number, PageBox> {
  const sizes = new Map<number, { width: number; height: number }>();
  const rotations = new Map<number, number>();
  for (const match of info.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gmu))
    sizes.set(Number(match[1]), { width: Number(match[2]), height: Number(match[3]) });
  for (const match of info.matchAll(/^Page\s+(\d+) rot:\s+(\d+)/gmu))
    rotations.set(Number(match[1]), Number(match[2]));
  const boxes = new Map<number, PageBox>();
  for (const [page, size] of sizes) boxes.set(page, { ...size, rotation: rotations.get(page) ?? 0 });
  return boxes;
}

/**
 * The page's one picture when it is the whole page, upright, at a resolution Tesseract reads
 * well, in a form pdfimages writes as Netpbm without loss (grey or RGB samples, 1 or 8 bits; JPEG
 * decoded, JPEG 2000 not). Reading that picture as stored skips rendering the page (about 0.3 s
 * of an A4 at 300 dpi) and keeps the scanner's pixels instead of resampling them; anything else
 * is rendered.
 */
function wholePagePicture(images: readonly ListedImage[] | undefined, box: PageBox | undefined) {
  if (!images || images.length !== 1 || !box || box.rotation % 360 !== 0) return undefined;
  const [image] = images;
  if (!image || image.type !== 'image') return undefined;
  if (!['gray', 'rgb', 'icc'].includes(image.color) || ![1, 3].includes(image.components)) return undefined;
  if (
    ![1, 8].includes(image.bitsPerComponent) ||
    !['image', 'jpeg', 'ccitt', 'jbig2'].includes(image.encoding)
  )
    return undefined;
  // a page larger than A3 at 400 dpi is rendered (and so scaled) instead: the picture as stored
  // would be written out whole, however large
  if (image.width * image.height > MAX_PICTURE_PIXELS) return undefined;
  const ppi = image.xPpi;
  if (!ppi || Math.abs(image.yPpi - ppi) > ppi * 0.02 || ppi < MIN_PICTURE_PPI || ppi > MAX_PICTURE_PPI)
    return undefined;
  const covers = (pixels: number, points: number) => Math.abs((pixels / ppi) * 72 - points) <= points * 0.03;
  if (!covers(image.width, box.width) || !covers(image.height, box.height)) return undefined;
  return { ppi };
}

/** Pictures read as stored between these resolutions; outside them the page is rendered at 300 dpi. */
const MIN_PICTURE_PPI = 140;
const MAX_PICTURE_PPI = 400;
const MAX_PICTURE_PIXELS = 32_000_000;

/** The one picture of `page` written as Netpbm, or undefined when pdfimages did not write it. */
async function extractPicture(file: string, page: number, budget: ReadingBudget, dir: string) {
  const prefix = `picture-${String(page)}`;
  const { run } = await tool(
    'pdfimages',
    ['-f', String(page), '-l', String(page), file, prefix],
    budget,
    dir,
  );
  if (run.code !== 0) return undefined;
  const written = (await readdir(dir)).filter((name) => name.startsWith(`${prefix}-`));
  return written.length === 1 && written[0] ? path.join(dir, written[0]) : undefined;
}

class PageDamaged extends Error {}

/** One page's OCR: its stored picture when it is the whole page, else the page rendered at 300 dpi. */
async function ocrPage(
  file: string,
  page: number,
  picture: { ppi: number } | undefined,
  box: PageBox | undefined,
  budget: ReadingBudget,
  dir: string,
): Promise<string | undefined> {
  const stored = picture ? await extractPicture(file, page, budget, dir) : undefined;
  if (stored && picture) return ocrCleaned(stored, picture.ppi, budget, dir, page === 1);
  const image = path.join(dir, `page-${String(page)}`);
  const raster = await tool(
    'pdftoppm',
    [
      '-f',
      String(page),
      '-l',
      String(page),
      '-scale-to',
      String(PAGE_PIXELS),
      // Netpbm, not PNG: tesseract reads it as fast, and PNG's compression costs as much as
      // the rendering itself (1.2 s against 0.4 s for an A4 page at 300 dpi, measured). In
      // colour: the cleanup drops the seal's and the pen's ink by their colour.
      '-singlefile',
      file,
      image,
    ],
    budget,
    dir,
  );
  if (raster.run.code !== 0) throw new PageDamaged();
  // -scale-to sets the long side, so the resolution follows from the page's size
  const longSide = box ? Math.max(box.width, box.height) / 72 : 11.69;
  return ocrCleaned(`${image}.ppm`, PAGE_PIXELS / longSide, budget, dir, page === 1);
}

/**
 * OCR of a page image after its cleanup (page-cleanup.ts); the files are removed afterwards. On
 * the first page, a short line where a độ mật stamp stands that OCR did not read as one gets a
 * second look (stampSecondLook).
 */
async function ocrCleaned(
  image: string,
  ppi: number,
  budget: ReadingBudget,
  dir: string,
  firstPage: boolean,
): Promise<string | undefined> {
  const cleaned = `${image}.clean.pgm`;
  const zone = `${image}.stamp.pgm`;
  try {
    let ready: boolean;
    try {
      ready = await cleanPageInThread(image, cleaned, ppi, budget);
    } catch (error) {
      if (error instanceof CleanupPastDeadline) throw new OverBudget();
      throw error;
    }
    const text = await ocr(ready ? cleaned : image, ppi, budget, dir);
    if (!firstPage || !ready || text === undefined) return text;
    return await stampSecondLook(text, cleaned, zone, ppi, budget, dir);
  } finally {
    await Promise.all([image, cleaned, zone].map((f) => rm(f, { force: true })));
  }
}

/**
 * A stamp in its frame is where a noisy scan loses most: on a 200 dpi page Tesseract reads a
 * "MẬT" as "Hấp" or "TH", and a missed stamp sends a state secret over the network. Read at twice
 * the size, the same stamp is read right (measured on our test scans), but reading the whole page
 * so costs the số its accuracy and takes four times as long. So only when the first page has,
 * among its first lines, a short line that is not a stamp (what a misread stamp becomes) is the
 * stamp zone (page-cleanup.ts STAMP_ZONE) read again enlarged; a stamp found there replaces that
 * line in the text, so the hold and the form see it. Pages without such a line cost nothing more.
 */
async function stampSecondLook(
  text: string,
  cleaned: string,
  zone: string,
  ppi: number,
  budget: ReadingBudget,
  dir: string,
): Promise<string> {
  if (findConfidentialityStamp(text)) return text;
  const lines = text.split('\n');
  const suspect = lines.slice(0, SECOND_LOOK_LINES).findIndex(mayBeMisreadStamp);
  if (suspect < 0) return text;
  let written: boolean;
  try {
    written = await stampZoneInThread(cleaned, zone, budget);
  } catch (error) {
    if (error instanceof CleanupPastDeadline) throw new OverBudget();
    throw error;
  }
  if (!written) return text;
  const { run } = await tool(
    'tesseract',
    [zone, '-', '-l', budget.languages, '--psm', '4', '--dpi', String(Math.round(ppi * 2))],
    budget,
    dir,
  );
  if (run.code !== 0) return text;
  const stamp = findConfidentialityStamp(normalized(run.stdout));
  if (!stamp) return text;
  lines[suspect] = stamp.level.toLocaleUpperCase('vi');
  return lines.join('\n');
}

/** How far down the first page's text a misread stamp is looked for (the header's lines). */
const SECOND_LOOK_LINES = 14;

/** One or two short words (2–8 letters in all), not a number: what OCR leaves of a framed stamp. */
function mayBeMisreadStamp(line: string): boolean {
  const words = line.match(/\p{L}+/gu) ?? [];
  const count = words.join('').length;
  return words.length >= 1 && words.length <= 2 && count >= 2 && count <= 8 && !/\d/u.test(line);
}

export async function readPdf(bytes: Uint8Array, budget: ReadingBudget, dir: string): Promise<ReadOutcome> {
  const file = path.join(dir, 'file.pdf');
  await writeFile(file, bytes);
  let pagesTotal: number | null = null;
  try {
    // Pages past the file's last are ignored by pdfinfo.
    const info = await tool('pdfinfo', ['-f', '1', '-l', String(budget.maxPages), file], budget, dir);
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
    const images = await listImages(file, last, budget, dir);
    const boxes = pageBoxes(info.run.stdout.toString('utf8'));
    const largest = (page: number) => Math.max(0, ...(images.get(page) ?? []).map((i) => i.width * i.height));
    const pages: string[] = [];
    let scanned = 0;
    let skipped = 0;
    for (let page = 1; page <= last; page += 1) {
      const text = normalized(Buffer.from(raw[page - 1] ?? '', 'utf8'));
      const count = letters(text);
      const scan =
        count < SCAN_LETTERS || (count < SIGNED_SCAN_LETTERS && largest(page) >= SCAN_IMAGE_PIXELS);
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
      pages.push(
        (await ocrPage(
          file,
          page,
          wholePagePicture(images.get(page), boxes.get(page)),
          boxes.get(page),
          budget,
          dir,
        )) ?? text,
      );
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
    if (error instanceof PageDamaged) return notRead('file_damaged', { pagesTotal });
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
    const text = await ocr(file, undefined, budget, dir);
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
