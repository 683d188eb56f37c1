/**
 * Verify throughput of edXML signatures: the hub's verifier next to a plain xml-crypto loop and a
 * node:crypto RSA verify of the same bytes, measured in the same run, for 10 KB and 400 KB
 * packages (a different package on every iteration), then the worker-pool scaling over cores;
 * then PDF verification with the incremental-update analysis next to the plain CMS check of the
 * same signatures, for 1 MB and 20 MB PDFs with 1 and 3 signatures (budget: at most 2×).
 * Run: npm run bench:signing   (optional: BENCH_SCALE=2 for longer runs)
 */
import { createPrivateKey, createPublicKey, sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { HubError } from '../src/shared/index.ts';
import { parseSignedData, verifySignedData } from '../src/signing/cms-verify.ts';
import { verifyPdf } from '../src/signing/pdf-verify.ts';
import { appendSignature, newPdf, type PdfDraft } from '../src/signing/test-support/pdf-writer.ts';
import { VerifyPool } from '../src/signing/verify-pool.ts';
import { makeEdxmlPackage } from '../src/signing/test-support/edxml-package.ts';
import { createTestPki } from '../src/signing/test-support/test-pki.ts';
import { signAs } from '../src/signing/test-support/xmldsig-cases.ts';
import { DSIG_NS } from '../src/signing/xmldsig-algorithms.ts';
import { verifyEdxmlSignature } from '../src/signing/xmldsig-verify.ts';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const SIZES = [
  { label: '10 KB', bytes: 10 * 1024, count: Math.round(400 * scale) },
  { label: '400 KB', bytes: 400 * 1024, count: Math.round(60 * scale) },
];

const pki = await createTestPki();
const material = pki.material;
const leafKey = createPrivateKey(pki.leaf.keyPem);
const leafPublic = createPublicKey(pki.leaf.certificatePem);
const at = new Date();

type Corpus = { packages: Buffer[]; rawSignatures: Buffer[] };

function buildCorpus(size: number, count: number): Corpus {
  const packages: Buffer[] = [];
  const rawSignatures: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const signed = Buffer.from(
      signAs(makeEdxmlPackage({ size, documentId: `bench-${size}-${i}` }), pki.leaf),
    );
    packages.push(signed);
    rawSignatures.push(rsaSign('sha256', signed, leafKey));
  }
  return { packages, rawSignatures };
}

function plainXmlCrypto(bytes: Buffer): boolean {
  const xml = bytes.toString('utf8');
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const signature = document.getElementsByTagNameNS(DSIG_NS, 'Signature')[0];
  if (!signature) return false;
  const verifier = new SignedXml({ publicCert: pki.leaf.certificatePem, getCertFromKeyInfo: () => null });
  verifier.loadSignature(signature);
  return verifier.checkSignature(xml);
}

/** Wall seconds and CPU seconds of this process: on a busy machine CPU time is the steadier ratio. */
async function timeLoop(
  corpus: Corpus,
  run: (index: number) => Promise<boolean> | boolean,
): Promise<{ wall: number; cpu: number }> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < corpus.packages.length; i++) {
    if (!(await run(i))) throw new HubError('BENCH_FAILED', `verification failed on package ${i}`);
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

type Timing = { wall: number; cpu: number };
const ROUNDS = 5;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * Warms up the first two loops (JIT and the code's caches, not the packages'), then runs ROUNDS
 * rounds with those two in alternating order, so that load from other processes hits both alike;
 * the loops after them run last in every round.
 */
async function timeRounds<K extends string>(
  corpus: Corpus,
  loops: Record<K, (index: number) => Promise<boolean> | boolean>,
  order: readonly [K, K, ...K[]],
): Promise<Record<K, Timing[]>> {
  const [first, second, ...rest] = order;
  await timeLoop(corpus, loops[second]);
  await timeLoop(corpus, loops[first]);
  const times = Object.fromEntries(order.map((k) => [k, [] as Timing[]])) as Record<K, Timing[]>;
  for (let r = 0; r < ROUNDS; r++)
    for (const loop of r % 2 === 0 ? order : [second, first, ...rest])
      times[loop].push(await timeLoop(corpus, loops[loop]));
  return times;
}

function rate(count: number, seconds: number, bytes: number): string {
  return `${(count / seconds).toFixed(0).padStart(7)} /s  ${((count * bytes) / seconds / 1048576).toFixed(1).padStart(6)} MB/s`;
}

console.log(
  `signing bench — node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, xml-crypto plain vs hub (chain + policy), different package each iteration\n`,
);
let allWithinBudget = true;
for (const size of SIZES) {
  const corpus = buildCorpus(size.bytes, size.count);
  const actual = corpus.packages[0]?.length ?? 0;
  const hub = async (i: number) =>
    (await verifyEdxmlSignature(corpus.packages[i] as Buffer, material, { at })).verdict.trusted;
  const plain = (i: number) => plainXmlCrypto(corpus.packages[i] as Buffer);
  const raw = (i: number) =>
    rsaVerify('sha256', corpus.packages[i] as Buffer, leafPublic, corpus.rawSignatures[i] as Buffer);
  // the median ratio of alternating rounds (timeRounds)
  const times = await timeRounds(corpus, { plain, hub, raw }, ['plain', 'hub', 'raw']);
  const wallRatios = times.hub.map((h, i) => h.wall / (times.plain[i]?.wall ?? Number.NaN) - 1);
  const cpuRatios = times.hub.map((h, i) => h.cpu / (times.plain[i]?.cpu ?? Number.NaN) - 1);
  const overhead = median(cpuRatios);
  allWithinBudget &&= overhead <= 0.15;
  const percent = (values: number[]) => values.map((x) => `${(x * 100).toFixed(0)}%`).join(' ');
  const line = (label: string, loop: 'raw' | 'plain' | 'hub') =>
    `  ${label}  ${rate(size.count, median(times[loop].map((t) => t.wall)), actual)}  (CPU ${rate(size.count, median(times[loop].map((t) => t.cpu)), actual)})`;
  console.log(
    `${size.label} packages (${actual} bytes, ${size.count} distinct, median of ${ROUNDS} rounds; wall-clock, CPU in brackets)`,
  );
  console.log(line('node:crypto RSA-SHA256 verify of the bytes', 'raw'));
  console.log(line('plain xml-crypto verify                   ', 'plain'));
  console.log(line('hub verify (guard, profile, chain, policy)', 'hub'));
  console.log(
    `  hub overhead over plain xml-crypto, CPU time: ${(overhead * 100).toFixed(1)}% (rounds ${percent(cpuRatios)}); wall-clock ${(median(wallRatios) * 100).toFixed(1)}% (rounds ${percent(wallRatios)}); budget 15% ${overhead <= 0.15 ? 'OK' : 'OVER BUDGET'}\n`,
  );

  const workerCounts = [...new Set([1, 2, availableParallelism()])].filter(
    (w) => w <= availableParallelism(),
  );
  let single = 0;
  for (const workers of workerCounts) {
    const pool = await VerifyPool.start({ trust: material, size: workers });
    await Promise.all(corpus.packages.slice(0, workers * 25).map((p) => pool.verifyEdxml(p, at)));
    const started = performance.now();
    const verdicts = await Promise.all(
      corpus.packages.flatMap((p) => [p, p]).map((p) => pool.verifyEdxml(p, at)),
    );
    const seconds = (performance.now() - started) / 1000;
    await pool.close();
    if (!verdicts.every((v) => v.verdict.trusted))
      throw new HubError('BENCH_FAILED', 'pool verification failed');
    const perSecond = verdicts.length / seconds;
    if (workers === 1) single = perSecond;
    console.log(
      `  worker pool ×${workers}: ${rate(verdicts.length, seconds, actual)}  speed-up ${(perSecond / single).toFixed(2)}×`,
    );
  }
  console.log('');
}
// PDF: the hub's verifyPdf (find the signatures, CMS and chain of each, and the update analysis
// of every signature the file goes on after) next to the plain CMS check of the same signatures
// (the ranges cut out by pattern, pkijs over them, the same chain checks).
const PDF_SIZES = [
  { label: '1 MB', bytes: 1024 * 1024, count: Math.round(20 * scale) },
  { label: '20 MB', bytes: 20 * 1024 * 1024, count: Math.round(4 * scale) },
];
let pdfWithinBudget = true;
for (const size of PDF_SIZES) {
  for (const signatures of [1, 3]) {
    // Two different files, alternated, so that no cache of one file serves the next iteration.
    const files = [0, 1].map((variant) => {
      let draft: PdfDraft = newPdf(`Quyết định số ${variant + 1}/QĐ-UBND`, { imageBytes: size.bytes });
      for (let i = 0; i < signatures; i++)
        draft = appendSignature(
          draft,
          i % 2 === 0 ? pki.leaf : pki.otherLeaf,
          pki.intermediate.certPath,
          `Chu ky ${i + 1}`,
        );
      return draft.bytes;
    });
    const corpus: Corpus = {
      packages: Array.from({ length: size.count }, (_, i) => files[i % 2] as Buffer),
      rawSignatures: [],
    };
    const hub = async (i: number) =>
      (await verifyPdf(corpus.packages[i] as Buffer, material, { at })).trusted;
    const plain = async (i: number) => {
      const file = corpus.packages[i] as Buffer;
      const text = file.toString('latin1');
      let good = true;
      for (const m of text.matchAll(/\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/g)) {
        const [a, b, c, d] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
        const signed = parseSignedData(Buffer.from(text.slice(a + b + 1, c - 1), 'hex'));
        if (!signed) return false;
        const data = Buffer.concat([file.subarray(a, a + b), file.subarray(c, c + d)]);
        const results = await verifySignedData(signed, data, material, { at });
        good &&= results.every((r) => r.status === 'valid' && r.chain === 'trusted');
      }
      return good;
    };
    const times = await timeRounds(corpus, { plain, hub }, ['plain', 'hub']);
    const cpuRatios = times.hub.map((h, i) => h.cpu / (times.plain[i]?.cpu ?? Number.NaN));
    const wallRatios = times.hub.map((h, i) => h.wall / (times.plain[i]?.wall ?? Number.NaN));
    const ratio = median(cpuRatios);
    pdfWithinBudget &&= ratio <= 2;
    const ms = (loop: 'hub' | 'plain', kind: 'wall' | 'cpu') =>
      ((median(times[loop].map((t) => t[kind])) / size.count) * 1000).toFixed(1);
    console.log(
      `PDF ${size.label} (${files[0]?.length} bytes), ${signatures} signature${signatures > 1 ? 's' : ''}, ${size.count} verifications, median of ${ROUNDS} rounds`,
    );
    console.log(
      `  plain CMS check of the signatures        ${ms('plain', 'wall').padStart(8)} ms each (CPU ${ms('plain', 'cpu')} ms)`,
    );
    console.log(
      `  hub verifyPdf with the update analysis   ${ms('hub', 'wall').padStart(8)} ms each (CPU ${ms('hub', 'cpu')} ms)`,
    );
    console.log(
      `  ratio hub / plain, CPU time: ${ratio.toFixed(2)}× (rounds ${cpuRatios.map((x) => x.toFixed(2)).join(' ')}); wall-clock ${median(wallRatios).toFixed(2)}×; budget 2× ${ratio <= 2 ? 'OK' : 'OVER BUDGET'}\n`,
    );
  }
}

console.log(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (a busy machine blurs the pool scaling)`,
);
console.log(
  allWithinBudget
    ? 'hub overhead within the 15% budget for every size'
    : 'hub overhead OVER the 15% budget for at least one size',
);
console.log(
  pdfWithinBudget
    ? 'PDF verification with the update analysis within 2× the plain CMS check for every size'
    : 'PDF verification with the update analysis OVER 2× the plain CMS check for at least one size',
);
