// How well the hub's stored text and prefilled fields hold on our own test documents
// (test/fixtures/scans/README.md): born-digital PDFs read with pdftotext, image-only scans at
// 300/200/150 dpi, clean or skewed and noisy, read with Tesseract `-l vie`. Prints, per class,
// the character error rate (test/support/scan-reading.ts says exactly how it is counted), the
// share of số/ký hiệu and ngày prefilled exactly, and the độ mật stamps held. Every file is read by
// the hub's own reader (src/reading, its page cleanup included), so the figures are those of the
// text the hub stores.
//
//   npm run measure:reading -- [--seed 1] [--count 20] [--dpi 300,200,150] [--classes clean,noisy]
//       [--jobs 2] [--reuse]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateScanSet, type ScanClass, type ScanSet } from '../test/fixtures/scans/generate-scans.ts';
import { hubText, inParallel, judgeReading, type DocumentReading } from '../test/support/scan-reading.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '20' },
    dpi: { type: 'string', default: '300,200,150' },
    classes: { type: 'string', default: 'clean,noisy' },
    jobs: { type: 'string', default: '2' },
    out: { type: 'string', default: 'bench/out/scans' },
    // Read the set made by an earlier run with the same seed instead of making it again.
    reuse: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const outDir = path.join(values.out, `seed-${String(seed)}`);
const started = Date.now();
const truthFile = path.join(outDir, 'truth.json');
const set =
  values.reuse && existsSync(truthFile)
    ? (JSON.parse(readFileSync(truthFile, 'utf8')) as ScanSet)
    : await generateScanSet({
        seed,
        count: Number(values.count),
        outDir,
        dpis: values.dpi.split(',').map(Number),
        classes: values.classes.split(',') as ScanClass[],
      });
console.log(
  `generated ${String(set.documents.length)} documents in ${outDir} (${String(Math.round((Date.now() - started) / 1000))} s)`,
);

const readings: DocumentReading[] = [];
for (const truth of set.documents)
  readings.push(judgeReading(truth, 'born-digital', await hubText(path.join(outDir, truth.bornDigital))));
const scans = set.documents.flatMap((truth) => truth.scans.map((scan) => ({ truth, scan })));
const ocrStarted = Date.now();
readings.push(
  ...(await inParallel(scans, Number(values.jobs), async ({ truth, scan }) => {
    const reading = judgeReading(
      truth,
      `${scan.dpi}-${scan.scanClass}`,
      await hubText(path.join(outDir, scan.pdf)),
    );
    process.stdout.write('.');
    return reading;
  })),
);
const ocrSeconds = (Date.now() - ocrStarted) / 1000;
process.stdout.write('\n');

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const share = (
  items: readonly DocumentReading[],
  test: (item: DocumentReading) => boolean | null,
): string => {
  const judged = items.map(test).filter((value) => value !== null);
  return judged.length === 0 ? '-' : `${String(judged.filter(Boolean).length)}/${String(judged.length)}`;
};
const kinds = [...new Set(readings.map((reading) => reading.kind))];
const rows = kinds.map((kind) => {
  const items = readings.filter((reading) => reading.kind === kind);
  const cers = items.map((item) => item.cer).sort((a, b) => a - b);
  const mean = cers.reduce((sum, value) => sum + value, 0) / cers.length;
  return {
    class: kind,
    docs: items.length,
    'CER mean': percent(mean),
    'CER max': percent(cers[cers.length - 1] ?? 0),
    'strict CER': percent(items.reduce((sum, item) => sum + item.strictCer, 0) / items.length),
    'số/ký hiệu': share(items, (item) => item.numberAndNotationExact),
    ngày: share(items, (item) => item.dateExact),
    both: share(items, (item) => item.numberAndNotationExact && item.dateExact),
    'độ mật held': share(items, (item) => item.confidentialityHeld),
    'độ khẩn held': share(items, (item) => item.urgencyHeld),
    'false stamps': items.filter((item) => item.falseStamp).length,
    body: share(items, (item) => item.issuingBodyExact),
    type: share(items, (item) => item.typeExact),
    'trích yếu': share(items, (item) => item.summaryExact),
    signer: share(items, (item) => item.signerExact),
  };
});
console.log(
  `seed ${String(seed)}, read by the hub's reader; OCR of ${String(scans.length)} pages in ${ocrSeconds.toFixed(0)} s`,
);
console.table(rows);
const scanned = readings.filter((reading) => reading.kind !== 'born-digital');
const bornDigital = readings.filter((reading) => reading.kind === 'born-digital');
const rate = (items: readonly DocumentReading[]): string =>
  percent(
    items.filter((item) => item.numberAndNotationExact && item.dateExact).length / Math.max(1, items.length),
  );
console.log(`số/ký hiệu and ngày both exact: born-digital ${rate(bornDigital)}, scanned ${rate(scanned)}`);
const report = path.join(outDir, 'readings.json');
writeFileSync(report, `${JSON.stringify({ seed, rows, readings }, null, 2)}\n`);
console.log(`details: ${report}`);
