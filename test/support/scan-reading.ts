/**
 * Reading our generated test documents back as the hub would store their text: pdftotext for a
 * born-digital PDF; for an image-only scan, its page image (pdfimages), the coloured inks dropped
 * (the red seal, the blue signature) and Tesseract `-l vie`. Then the character error rate against
 * the ground truth and the fields firstPageFields prefills. Used by `npm run measure:reading` and
 * by test/reading/scan-reading.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { firstPageFields, type FirstPageFields } from '../../src/text/index.ts';
import { readPng, rotate, writePng, type Raster } from '../fixtures/scans/degrade.ts';
import type { ScanClass, TruthDocument } from '../fixtures/scans/generate-scans.ts';

const run = promisify(execFile);

export type Preprocess = 'none' | 'grey' | 'red' | 'dropout' | 'clean';

/** Grey, with strongly coloured pixels (seal, pen signature) turned to paper. */
export function dropColourInk(page: Raster): Raster {
  const data = Buffer.alloc(page.data.length);
  for (let i = 0; i < page.width * page.height; i += 1) {
    const at = i * 4;
    const r = page.data[at] ?? 255;
    const g = page.data[at + 1] ?? 255;
    const b = page.data[at + 2] ?? 255;
    const saturation = Math.max(r, g, b) - Math.min(r, g, b);
    const value = saturation > 50 ? 255 : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    data[at] = value;
    data[at + 1] = value;
    data[at + 2] = value;
    data[at + 3] = 255;
  }
  return { ...page, data };
}

function greyOf(page: Raster, pick: (r: number, g: number, b: number) => number): Raster {
  const data = Buffer.alloc(page.data.length);
  for (let i = 0; i < page.width * page.height; i += 1) {
    const at = i * 4;
    const value = Math.round(pick(page.data[at] ?? 255, page.data[at + 1] ?? 255, page.data[at + 2] ?? 255));
    data[at] = value;
    data[at + 1] = value;
    data[at + 2] = value;
    data[at + 3] = 255;
  }
  return { ...page, data };
}

/**
 * The skew of a page in degrees (within ±3°), by projection profiles: the angle at which the
 * dark pixels fall into the fewest, fullest rows.
 */
export function estimateSkew(page: Raster): number {
  const step = Math.max(1, Math.floor(page.width / 620));
  const points: number[] = [];
  for (let y = 0; y < page.height; y += step)
    for (let x = 0; x < page.width; x += step)
      if ((page.data[(y * page.width + x) * 4] ?? 255) < 128) points.push(x, y);
  let best = 0;
  let bestScore = -1;
  for (let tenth = -30; tenth <= 30; tenth += 1) {
    const angle = (tenth / 10) * (Math.PI / 180);
    const sin = Math.sin(angle);
    const cos = Math.cos(angle);
    const bins = new Map<number, number>();
    for (let i = 0; i < points.length; i += 2) {
      const bin = Math.floor(((points[i + 1] ?? 0) * cos - (points[i] ?? 0) * sin) / step);
      bins.set(bin, (bins.get(bin) ?? 0) + 1);
    }
    let score = 0;
    for (const count of bins.values()) score += count * count;
    if (score > bestScore) {
      bestScore = score;
      best = tenth / 10;
    }
  }
  return best;
}

/**
 * Whitens straight rules: horizontal dark runs longer than a quarter inch (the rules under the
 * header and the trích yếu, the box of a stamp) and vertical ones longer than the tallest letter.
 */
export function removeRules(page: Raster): Raster {
  const { width, height } = page;
  const dpi = width / 8.27;
  const data = Buffer.from(page.data);
  const dark = (x: number, y: number): boolean => (page.data[(y * width + x) * 4] ?? 255) < 160;
  const clear = (x: number, y: number): void => {
    const at = (y * width + x) * 4;
    data[at] = 255;
    data[at + 1] = 255;
    data[at + 2] = 255;
  };
  const horizontal = Math.round(dpi / 4);
  for (let y = 0; y < height; y += 1) {
    let start = -1;
    for (let x = 0; x <= width; x += 1) {
      if (x < width && dark(x, y)) {
        if (start < 0) start = x;
      } else if (start >= 0) {
        if (x - start >= horizontal) for (let k = start; k < x; k += 1) clear(k, y);
        start = -1;
      }
    }
  }
  const vertical = Math.round(dpi * 0.22);
  for (let x = 0; x < width; x += 1) {
    let start = -1;
    for (let y = 0; y <= height; y += 1) {
      if (y < height && dark(x, y)) {
        if (start < 0) start = y;
      } else if (start >= 0) {
        if (y - start >= vertical) for (let k = start; k < y; k += 1) clear(x, k);
        start = -1;
      }
    }
  }
  return { ...page, data };
}

export function preprocess(png: Buffer, how: Preprocess): Buffer {
  if (how === 'none') return png;
  const page = readPng(png);
  if (how === 'dropout') return writePng(dropColourInk(page));
  if (how === 'clean') {
    const grey = dropColourInk(page);
    const skew = estimateSkew(grey);
    return writePng(removeRules(skew === 0 ? grey : rotate(grey, -skew)));
  }
  if (how === 'red') return writePng(greyOf(page, (r) => r));
  return writePng(greyOf(page, (r, g, b) => 0.299 * r + 0.587 * g + 0.114 * b));
}

export async function bornDigitalText(pdf: string): Promise<string> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', '-f', '1', '-l', '1', pdf, '-'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** The first page's image as embedded in an image-only PDF (no resampling). */
export async function pageImage(pdf: string): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lienthong-scan-'));
  try {
    await run('pdfimages', ['-png', '-f', '1', '-l', '1', pdf, path.join(dir, 'page')]);
    return await readFile(path.join(dir, 'page-000.png'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type OcrOptions = { readonly psm: number; readonly preprocess: Preprocess };

export async function ocrText(pdf: string, options: OcrOptions): Promise<string> {
  const png = preprocess(await pageImage(pdf), options.preprocess);
  const dir = await mkdtemp(path.join(tmpdir(), 'lienthong-ocr-'));
  try {
    const file = path.join(dir, 'page.png');
    await writeFile(file, png);
    const { stdout } = await run('tesseract', [file, '-', '-l', 'vie', '--psm', String(options.psm)], {
      maxBuffer: 16 * 1024 * 1024,
      // One thread per page: pages are read side by side instead.
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A text's characters as counted for the error rate: code points of NFC text (a Vietnamese letter with its tone mark is one). */
const codePoints = (text: string): string[] => Array.from(text);

/** NFC, every run of white space (line breaks included) one space, trimmed. */
export function normalizeForCer(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

export function levenshtein(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Strict character error rate: Levenshtein distance over code points between the normalised text
 * read and the normalised ground truth, divided by the truth's length. The truth is taken in the
 * two orders a reader may follow on this layout, column by column or row by row, and the lower
 * rate counts. A reader that splits the two-column rows differently (the "Nơi nhận" list beside
 * the signature block) pays here for reading order, not for characters.
 */
export function strictCharacterErrorRate(read: string, truth: TruthDocument): number {
  const hypothesis = codePoints(normalizeForCer(read));
  return Math.min(
    ...[truth.lines, truth.rowLines].map((lines) => {
      const reference = codePoints(normalizeForCer(lines.join('\n')));
      return levenshtein(hypothesis, reference) / reference.length;
    }),
  );
}

const GAP = '\u0000';

/** Where in `text` the substring closest to `pattern` is, and its distance (Sellers' algorithm). */
function closestSubstring(
  pattern: readonly string[],
  text: readonly string[],
): { start: number; end: number; distance: number } {
  const m = pattern.length;
  // column[i] = distance of pattern[0..i) to the best substring of text ending here; starts[i] its start.
  let column = Array.from({ length: m + 1 }, (_, i) => i);
  let starts = new Array<number>(m + 1).fill(0);
  let best = { start: 0, end: 0, distance: m };
  for (let j = 1; j <= text.length; j += 1) {
    const next = [0];
    const nextStarts = [j];
    for (let i = 1; i <= m; i += 1) {
      const substitute = (column[i - 1] ?? 0) + (pattern[i - 1] === text[j - 1] ? 0 : 1);
      const skipText = (column[i] ?? 0) + 1;
      const skipPattern = (next[i - 1] ?? 0) + 1;
      if (substitute <= skipText && substitute <= skipPattern) {
        next[i] = substitute;
        nextStarts[i] = starts[i - 1] ?? 0;
      } else if (skipText <= skipPattern) {
        next[i] = skipText;
        nextStarts[i] = starts[i] ?? 0;
      } else {
        next[i] = skipPattern;
        nextStarts[i] = nextStarts[i - 1] ?? j;
      }
    }
    column = next;
    starts = nextStarts;
    if ((column[m] ?? m) < best.distance) best = { start: starts[m] ?? 0, end: j, distance: column[m] ?? m };
  }
  return best;
}

/**
 * Character error rate independent of the order of lines (after the flexible character accuracy
 * of Clausner et al., 2020, simplified): each printed line of the truth, longest first, is matched
 * to the substring of the text read closest to it, which is then taken out; the errors are the
 * edit distances of those matches plus every character of the text read left unmatched (spaces
 * excepted), divided by the truth's length. Errors inside a line count as in the strict rate.
 */
export function characterErrorRate(read: string, truth: TruthDocument): number {
  let text = codePoints(normalizeForCer(read));
  const lines = truth.lines
    .map((line) => codePoints(normalizeForCer(line)))
    .filter((line) => line.length > 0);
  const total = codePoints(normalizeForCer(truth.lines.join('\n'))).length;
  let errors = 0;
  for (const line of [...lines].sort((a, b) => b.length - a.length)) {
    const match = closestSubstring(line, text);
    errors += match.distance;
    text = [...text.slice(0, match.start), GAP, ...text.slice(match.end)];
  }
  errors += text.filter((char) => char !== GAP && char !== ' ').length;
  return errors / total;
}

export type DocumentReading = {
  readonly id: string;
  readonly kind: 'born-digital' | `${number}-${ScanClass}`;
  readonly cer: number;
  readonly strictCer: number;
  readonly numberAndNotationExact: boolean;
  readonly dateExact: boolean;
  readonly issuingBodyExact: boolean;
  readonly typeExact: boolean;
  readonly summaryExact: boolean;
  readonly signerExact: boolean;
  /** Null when the document has no độ mật stamp and none was read. */
  readonly confidentialityHeld: boolean | null;
  readonly urgencyHeld: boolean | null;
  readonly falseStamp: boolean;
  readonly fields: FirstPageFields;
  readonly text: string;
};

const URGENCY_LEVEL = { KHẨN: 1, 'THƯỢNG KHẨN': 2, 'HỎA TỐC': 3 } as const;

export function judgeReading(
  truth: TruthDocument,
  kind: DocumentReading['kind'],
  text: string,
): DocumentReading {
  const fields = firstPageFields(text);
  const confidentiality = fields.confidentiality?.value ?? null;
  const urgency = fields.urgency?.value ?? null;
  const expectedUrgency = truth.urgency === null ? null : URGENCY_LEVEL[truth.urgency];
  return {
    id: truth.id,
    kind,
    cer: characterErrorRate(text, truth),
    strictCer: strictCharacterErrorRate(text, truth),
    numberAndNotationExact: fields.numberAndNotation?.value === truth.numberAndNotation,
    dateExact: fields.date?.value === truth.date,
    issuingBodyExact: fields.issuingBody?.value === truth.issuingBody,
    typeExact: fields.documentType?.value.name.replace(/ \(cá biệt\)$/u, '') === truth.typeName,
    summaryExact: fields.summary?.value === truth.summary,
    signerExact: fields.signerName?.value === truth.signerName,
    confidentialityHeld: truth.confidentiality === null ? null : confidentiality === truth.confidentiality,
    urgencyHeld: expectedUrgency === null ? null : urgency === expectedUrgency,
    falseStamp:
      (truth.confidentiality === null && confidentiality !== null) ||
      (expectedUrgency === null && urgency !== null),
    fields,
    text,
  };
}

/** Runs `work` over `items`, `jobs` at a time, keeping the order. */
export async function inParallel<T, R>(
  items: readonly T[],
  jobs: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      const item = items[index];
      if (item !== undefined) results[index] = await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}
