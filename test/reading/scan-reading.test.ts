import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScanSet, type ScanSet, type TruthDocument } from '../fixtures/scans/generate-scans.ts';
import { makeDocuments } from '../fixtures/scans/nd30-documents.ts';
import {
  bornDigitalText,
  hubText,
  inParallel,
  judgeReading,
  type DocumentReading,
} from '../support/scan-reading.ts';

/**
 * A small sample of our own test scans (test/fixtures/scans/README.md) read by the hub's own
 * reader (src/reading) as `npm run measure:reading` reads them, so its figures cannot silently regress: three documents
 * scanned clean at 300 dpi, two skewed and noisy at 200 dpi (the first two of the set that carry a
 * độ mật stamp), and all five born-digital. Tesseract takes seconds a page on two cores.
 */
const SEED = 7;
const CLEAN = [0, 1, 2];
const NOISY = makeDocuments(SEED, 40)
  .map((document, index) => ({ document, index }))
  .filter(({ document, index }) => document.confidentiality !== null && !CLEAN.includes(index))
  .slice(0, 2)
  .map(({ index }) => index);

let dir: string;
let set: ScanSet;
let bornDigital: DocumentReading[];
let scanned: DocumentReading[];

const mean = (values: readonly number[]): number =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lienthong-scans-'));
  set = await generateScanSet({
    seed: SEED,
    count: Math.max(...CLEAN, ...NOISY) + 1,
    outDir: dir,
    dpis: [300, 200],
    classes: [],
    scanIndexes: [...CLEAN, ...NOISY],
    classesFor: (index, dpi) =>
      CLEAN.includes(index) && dpi === 300
        ? ['clean']
        : NOISY.includes(index) && dpi === 200
          ? ['noisy']
          : [],
  });
  const sample = set.documents.filter((_, index) => CLEAN.includes(index) || NOISY.includes(index));
  bornDigital = await Promise.all(
    sample.map(async (truth) =>
      judgeReading(truth, 'born-digital', await hubText(path.join(dir, truth.bornDigital))),
    ),
  );
  const pages = sample.flatMap((truth: TruthDocument) => truth.scans.map((scan) => ({ truth, scan })));
  scanned = await inParallel(pages, 2, async ({ truth, scan }) =>
    judgeReading(truth, `${scan.dpi}-${scan.scanClass}`, await hubText(path.join(dir, scan.pdf))),
  );
}, 600_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading our own test scans', () => {
  it('made the sample it meant to: 3 clean at 300 dpi, 2 noisy at 200 dpi with a độ mật stamp', () => {
    expect(NOISY).toHaveLength(2);
    expect(scanned.map((reading) => reading.kind).sort()).toEqual([
      '200-noisy',
      '200-noisy',
      '300-clean',
      '300-clean',
      '300-clean',
    ]);
  });

  it('scans are image-only: no text layer for pdftotext', async () => {
    const scan = set.documents[0]?.scans[0];
    expect(scan).toBeDefined();
    expect((await bornDigitalText(path.join(dir, scan?.pdf ?? ''))).trim()).toBe('');
  });

  it('born-digital: the stored text is the printed text, and số/ký hiệu and ngày are prefilled exactly', () => {
    for (const reading of bornDigital) {
      expect(reading.cer, reading.id).toBe(0);
      expect([reading.id, reading.numberAndNotationExact, reading.dateExact]).toEqual([
        reading.id,
        true,
        true,
      ]);
    }
  });

  it('character error rate ≤ 2% on clean 300 dpi and ≤ 5% on noisy 200 dpi', () => {
    const clean = scanned.filter((reading) => reading.kind === '300-clean').map((reading) => reading.cer);
    const noisy = scanned.filter((reading) => reading.kind === '200-noisy').map((reading) => reading.cer);
    expect(mean(clean)).toBeLessThanOrEqual(0.02);
    expect(mean(noisy)).toBeLessThanOrEqual(0.05);
  });

  it('scanned: số/ký hiệu and ngày are prefilled exactly', () => {
    for (const reading of scanned)
      expect([reading.id, reading.kind, reading.numberAndNotationExact, reading.dateExact]).toEqual([
        reading.id,
        reading.kind,
        true,
        true,
      ]);
  });

  it('every độ mật stamp is held, and none is read where there is none', () => {
    for (const reading of [...bornDigital, ...scanned]) {
      if (reading.confidentialityHeld !== null)
        expect([reading.id, reading.kind, reading.confidentialityHeld]).toEqual([
          reading.id,
          reading.kind,
          true,
        ]);
      expect([reading.id, reading.kind, reading.falseStamp]).toEqual([reading.id, reading.kind, false]);
    }
  });
});
