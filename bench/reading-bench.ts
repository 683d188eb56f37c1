/**
 * The readers' OCR speed next to its ceiling, and the SMTP acknowledgement while they work.
 *
 * 1. Raw ceiling: `tesseract PAGE.png - -l vie --psm 3` run directly on the same 300 dpi page
 *    images the hub OCRs, one process per core (OMP_THREAD_LIMIT=1, as the hub runs it).
 * 2. The hub: the same pages as image-only PDFs received as intake items, read by the reading
 *    service (its own pool, pdftoppm + tesseract under its limits) from `pending` to `read`.
 *    Printed as pages/s, pages/s per core, and the ratio to (1): target ≥ 0.9.
 * 3. The SMTP 250 rate (50 concurrent one-message connections, the spool commit then 250) with
 *    the readers idle, then while they OCR a backlog of scans: the ratio, target ≈ 1.
 * Run: npm run bench:reading   (BENCH_PAGES=12, BENCH_MAILS=300)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os, { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { startReading } from '../src/reading/index.ts';
import { createSilentLogger, HubError } from '../src/shared/index.ts';
import { buildMail } from '../src/ingest/test-support/build-mail.ts';
import { startTestListener } from '../src/ingest/test-support/listener-harness.ts';
import { RawSmtp, dotStuff } from '../src/ingest/test-support/raw-smtp.ts';
import { cachedTrustStore, fileTrustStore, GOVERNMENT_ROOT_PATH } from '../src/signing/index.ts';
import { pdfOf, scanOf } from '../test/support/reading-files.ts';
import { prismaFor, receiveItem } from '../test/support/registry-fixtures.ts';
import { createTestDatabase } from '../test/support/test-database.ts';
import { percentile } from './latency-stats.ts';

const run = promisify(execFile);
const CORES = availableParallelism();
const PAGES = Number(process.env.BENCH_PAGES ?? '12');
const MAILS = Number(process.env.BENCH_MAILS ?? '300');
const SETTINGS = { workers: CORES, maxPages: 20, maxSeconds: 300, ocr: 'on' as const, languages: 'vie' };

/** An NĐ 30 first page, varied per page so no two OCR runs see the same text. */
function ndPage(i: number): string {
  const bodies = ['SỞ TÀI CHÍNH', 'SỞ Y TẾ', 'SỞ NỘI VỤ', 'SỞ GIÁO DỤC VÀ ĐÀO TẠO', 'SỞ XÂY DỰNG'];
  return [
    'ỦY BAN NHÂN DÂN TỈNH TÂY NINH',
    bodies[i % bodies.length] ?? '',
    `Số: ${100 + i}/QĐ-STC`,
    `Tây Ninh, ngày ${(i % 27) + 1} tháng ${(i % 12) + 1} năm 2026`,
    'QUYẾT ĐỊNH',
    `Về việc phê duyệt kế hoạch kiểm tra công tác văn thư, lưu trữ đợt ${i + 1} năm 2026`,
    '',
    ...Array.from(
      { length: 14 },
      (_, k) =>
        `Điều ${k + 1}. Giao các phòng, ban, đơn vị trực thuộc tổ chức thực hiện nội dung số ${i * 14 + k}, báo cáo kết quả về Sở trước ngày 30 tháng 12 năm 2026.`,
    ),
  ].join('\n');
}

async function pageImages(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < PAGES; i += 1) {
    const pdf = path.join(dir, `page-${i}.pdf`);
    await writeFile(pdf, await pdfOf([ndPage(i)], { fontSize: 12 }));
    // A4 at 300 dpi, greyscale: what the hub's pdftoppm makes of a scanned page.
    await run('pdftoppm', ['-r', '300', '-gray', '-png', '-singlefile', pdf, path.join(dir, `page-${i}`)]);
    files.push(path.join(dir, `page-${i}.png`));
  }
  return files;
}

async function rawTesseract(images: readonly string[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CORES }, async () => {
      for (let i = next++; i < images.length; i = next++)
        await run('tesseract', [images[i] ?? '', '-', '-l', 'vie', '--psm', '3'], {
          env: { PATH: '/usr/bin:/bin', OMP_THREAD_LIMIT: '1', LC_ALL: 'C.UTF-8' },
          maxBuffer: 16 * 1024 * 1024,
        });
    }),
  );
  return images.length / ((performance.now() - started) / 1000);
}

const db = await createTestDatabase('readingbench');
const prisma = prismaFor(db.url, 10);
await prisma.agency.create({ data: { organId: '000.00.00.H53', name: 'Hub', channel: 'hosted' } });
const agency = await prisma.agency.create({
  data: { organId: '000.00.31.H53', name: 'Sở Nội vụ', channel: 'hosted' },
});

/** The scans as image-only PDFs, made before any clock runs. */
const scansOf = (images: readonly Buffer[]) => Promise.all(images.map((image) => scanOf([image])));

async function receiveScans(scans: readonly Uint8Array[], tag: string): Promise<void> {
  for (const [i, content] of scans.entries())
    await receiveItem(prisma, agency.id, `${tag}${i}`, {
      attachments: [{ name: `scan-${i}.pdf`, contentType: 'application/pdf', content }],
    });
}

async function waitUntilRead(): Promise<void> {
  for (;;) {
    const left = await prisma.fileText.count({ where: { state: { in: ['pending', 'reading'] } } });
    if (left === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'reading-bench-'));
try {
  console.log(
    `bench:reading — ${PAGES} pages of NĐ 30 text at 300 dpi; ${CORES} cores; load ${loadavg()[0]?.toFixed(2)}`,
  );
  const images = await pageImages(dir);
  const imageBytes = await Promise.all(images.map((file) => readFile(file)));
  const scans = await scansOf(imageBytes);

  const raw = await rawTesseract(images);
  console.log(
    `raw tesseract, ${CORES} processes:           ${raw.toFixed(2)} pages/s  (${(raw / CORES).toFixed(2)} per core)`,
  );

  // The readers' start (worker threads loading their modules, the first query) is timed apart:
  // pages/s is what a running hub keeps up, as the raw ceiling is what tesseract keeps up. One
  // scan per worker is read first, so every worker has started before the clock runs.
  const booting = performance.now();
  const readers = startReading({ prisma, settings: SETTINGS, log: createSilentLogger(), pollMs: 50 });
  await receiveScans(scans.slice(0, SETTINGS.workers), 'warm');
  await waitUntilRead();
  const warmUp = performance.now() - booting;
  // the clock runs from the first scan's arrival: the readers start on it while the rest arrive
  const started = performance.now();
  await receiveScans(scans, 'p');
  await waitUntilRead();
  const hub = PAGES / ((performance.now() - started) / 1000);
  const read = await prisma.fileText.findMany({ select: { state: true, method: true } });
  const byOcr = read.filter((r) => r.state === 'read' && r.method === 'ocr').length;
  const expected = PAGES + SETTINGS.workers;
  if (byOcr !== expected)
    throw new HubError('BENCH_FAILED', `only ${byOcr} of ${expected} scans were read by OCR`);
  console.log(
    `hub readers' start and a first scan per worker: ${(warmUp / 1000).toFixed(1)} s (not in the rate below)`,
  );
  console.log(
    `hub readers (${SETTINGS.workers} workers, PDF → page → OCR): ${hub.toFixed(2)} pages/s  (${(hub / CORES).toFixed(2)} per core)`,
  );
  console.log(`ratio hub / raw tesseract: ${(hub / raw).toFixed(2)}  (target ≥ 0.9)`);

  // The 250 with the readers idle, then with a backlog of scans being read.
  const listener = await startTestListener(
    prisma,
    {
      maxMessageBytes: 52_428_800,
      maxRecipients: 100,
      maxClients: 500,
      limits: { maxPerClient: 500, maxPerClientPerMinute: 1_000_000 },
    },
    {
      analysis: {
        trust: cachedTrustStore(fileTrustStore([GOVERNMENT_ROOT_PATH])),
        parseTimeoutMs: 20_000,
      },
    },
  );
  let sequence = 0;
  const smtpRound = async (): Promise<{ perSecond: number; p99: number }> => {
    const bodies = Array.from({ length: MAILS }, () =>
      dotStuff(
        buildMail({
          seed: `rb-${process.pid}-${sequence++}`,
          to: ['000.00.00.H53@lienthong.local'],
          padBytes: 36 * 1024,
        }),
      ),
    );
    const latencies: number[] = [];
    let next = 0;
    const begun = performance.now();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let i = next++; i < MAILS; i = next++) {
          const { client } = await RawSmtp.connect(listener.port);
          await client.command('EHLO bench.example');
          await client.command('MAIL FROM:<bench@stc.example.vn>');
          await client.command('RCPT TO:<000.00.00.H53@lienthong.local>');
          await client.command('DATA');
          const t0 = performance.now();
          const reply = await client.data(bodies[i] ?? Buffer.alloc(0));
          if (reply.code !== 250) throw new HubError('BENCH_FAILED', `DATA answered ${reply.text}`);
          latencies.push(performance.now() - t0);
          client.close();
        }
      }),
    );
    const perSecond = MAILS / ((performance.now() - begun) / 1000);
    await listener.drained();
    return { perSecond, p99: percentile(latencies, 99) };
  };
  await smtpRound(); // warm-up
  const idle = await smtpRound();
  await receiveScans(scans, 'q');
  await receiveScans(scans, 'r');
  const busy = await smtpRound();
  const stillReading = await prisma.fileText.count({ where: { state: { in: ['pending', 'reading'] } } });
  console.log(
    `SMTP 250 rate, readers idle:       ${idle.perSecond.toFixed(0)} msg/s  p99 ${idle.p99.toFixed(1)} ms`,
  );
  console.log(
    `SMTP 250 rate, readers OCRing:     ${busy.perSecond.toFixed(0)} msg/s  p99 ${busy.p99.toFixed(1)} ms  (${stillReading} scans still waiting at the end)`,
  );
  console.log(`ratio busy / idle: ${(busy.perSecond / idle.perSecond).toFixed(2)}  (target ≈ 1)`);
  await readers.stop();
  await listener.close();
} finally {
  await rm(dir, { recursive: true, force: true });
  await prisma.$disconnect();
  await db.drop();
}
