/**
 * Reading our generated test documents back as the hub stores their text: the hub's own reader
 * (src/reading: the text layer of a born-digital PDF; for an image-only scan, its page cleaned and
 * read by Tesseract `-l vie`). Then the character error rate against the ground truth, the fields
 * firstPageFields prefills and the độ mật stamp the hub holds. Used by `npm run measure:reading` and
 * by test/reading/scan-reading.test.ts.
 */
import { execFile } from 'node:child_process';
import { readFile as readFileBytes } from 'node:fs/promises';
import { promisify } from 'node:util';
import { readFile } from '../../src/reading/read-file.ts';
import { findConfidentialityStamp, firstPageFields, type FirstPageFields } from '../../src/text/index.ts';
import type { ScanClass, TruthDocument } from '../fixtures/scans/generate-scans.ts';

const run = promisify(execFile);

export async function bornDigitalText(pdf: string): Promise<string> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', '-f', '1', '-l', '1', pdf, '-'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/**
 * The first page's text exactly as the hub stores it: the reading service's own reader
 * (src/reading), with its tools, limits and choices (the picture as stored or the page rendered),
 * and no preprocessing of ours.
 */
export async function hubText(pdf: string): Promise<string> {
  const outcome = await readFile('pdf', await readFileBytes(pdf), {
    maxPages: 1,
    deadline: Date.now() + 300_000,
    ocr: true,
    languages: 'vie',
  });
  if (outcome.state !== 'read') throw new Error(`${pdf} not read: ${String(outcome.reason)}`);
  return outcome.firstPageText ?? '';
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
  // held is what the hub does with the file (registry/file-texts.ts), not what the form offers
  const stamp = findConfidentialityStamp(text);
  const confidentiality = stamp ? stamp.level.toLocaleUpperCase('vi') : null;
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
