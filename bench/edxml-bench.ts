// Throughput of edXML parse+validate (guard, namespace-resolved tree, normalized read with
// attachment hashing and ZIP listing, QCVN 102 rules) next to a raw fast-xml-parser parse of the
// same bytes, in the same run. Target: ratio ≥ 0.5. Run with `npm run bench:edxml`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { buildEdxml, inspectEdxml, parseEdxml, zipFiles, type EdocPackage } from '../src/edxml/index.ts';

const SAMPLE = new URL(
  '../test/fixtures/edxml/truclienthong-example/dc0bdef0-c7a3-4aaf-b717-777303442973.edxml',
  import.meta.url,
);

/** Deterministic, incompressible bytes (like a PDF's compressed streams). */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** The SDK sample with one SDK-style zipped attachment, sized so the package is about `target` bytes. */
function packageOfSize(target: number): Buffer {
  const parsed = parseEdxml(readFileSync(SAMPLE));
  if (parsed.kind !== 'edoc') throw new TypeError('sample is not a document package');
  const make = (payload: number): Buffer => {
    const zip = zipFiles([{ name: 'cong-van-7816.pdf', content: pseudoRandomBytes(payload, 7816) }]);
    const pkg: EdocPackage = {
      ...parsed,
      attachments: [
        {
          contentId: 'bench-1',
          name: 'cong-van-7816.pdf',
          contentType: 'application/zip',
          size: zip.length,
          sha256: createSha256(zip),
          content: zip.toString('base64'),
        },
      ],
    };
    return buildEdxml(pkg);
  };
  const overhead = make(0).length;
  return make(Math.max(0, Math.floor(((target - overhead) * 3) / 4) - 150));
}

function createSha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Runs `fn` repeatedly for `ms`; returns operations per second. */
function measure(fn: () => unknown, ms: number): number {
  let operations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    fn();
    operations += 1;
    elapsed = performance.now() - start;
  }
  return (operations * 1000) / elapsed;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Alternates short rounds of both contestants and takes medians: on a shared machine the load
 * changes from second to second, and adjacent rounds see the same load, so the per-round ratio
 * is the stable figure.
 */
function compare(raw: () => unknown, ours: () => unknown): { raw: number; ours: number; ratio: number } {
  measure(raw, 300);
  measure(ours, 300);
  const rounds: { raw: number; ours: number }[] = [];
  for (let round = 0; round < 11; round += 1) {
    rounds.push({ raw: measure(raw, 200), ours: measure(ours, 200) });
  }
  return {
    raw: median(rounds.map((r) => r.raw)),
    ours: median(rounds.map((r) => r.ours)),
    ratio: median(rounds.map((r) => r.ours / r.raw)),
  };
}

const rawParser = new XMLParser();
const rows: string[][] = [];
for (const [label, target] of [
  ['10 KB', 10 * 1024],
  ['400 KB', 400 * 1024],
] as const) {
  const bytes = packageOfSize(target);
  const check = inspectEdxml(bytes);
  if (check.package === undefined || !check.validation.valid)
    throw new TypeError(`bench package ${label} does not validate`);
  const result = compare(
    () => rawParser.parse(bytes),
    () => inspectEdxml(bytes),
  );
  const mb = bytes.length / 1024 / 1024;
  rows.push([
    label,
    String(bytes.length),
    `${result.raw.toFixed(0)} pkg/s (${(result.raw * mb).toFixed(1)} MB/s)`,
    `${result.ours.toFixed(0)} pkg/s (${(result.ours * mb).toFixed(1)} MB/s)`,
    result.ratio.toFixed(2),
  ]);
}

console.log(
  `node ${process.version}, fast-xml-parser raw = new XMLParser().parse(bytes); ours = inspectEdxml(bytes)`,
);
console.log(
  [
    'package',
    'bytes',
    'raw fast-xml-parser (median)',
    'parse+validate (median)',
    'ratio (median of 11 paired rounds)',
  ].join(' | '),
);
for (const row of rows) console.log(row.join(' | '));
const worst = Math.min(...rows.map((row) => Number(row[4])));
console.log(
  worst >= 0.5
    ? `ok: every ratio ≥ 0.5 (worst ${worst.toFixed(2)})`
    : `BELOW TARGET: worst ratio ${worst.toFixed(2)} < 0.5`,
);
