import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docxOf,
  entityBombDocx,
  odtOf,
  pageImage,
  pdfOf,
  scanOf,
  zipBombDocx,
} from '../../test/support/reading-files.ts';
import { pollUntil } from '../../test/support/wait-until.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../test/support/web-app.ts';
import {
  claimFileTexts,
  contentDedupKey,
  getIntakeItem,
  getItemText,
  readingOverview,
  receiveIntakeItems,
  type IncomingAttachment,
} from '../registry/index.ts';
import { openDatabase } from '../db/index.ts';
import { createSilentLogger, type Actor } from '../shared/index.ts';
import { ReaderCrashed, startReading, type ReadingService, type ReadingSettings } from './index.ts';

/**
 * The text of received files, with the real tools (pdfinfo, pdftotext, pdftoppm, tesseract) on
 * files made for the test: states, reasons and budgets in file_text, the độ mật hold, a reader
 * stopped or crashing, and the agency scope of the text over HTTP. OCR pages are kept few
 * (tesseract takes a second or more a page on two cores).
 */
const A = '000.00.61.H53';
const B = '000.00.62.H53';
const SYSTEM: Actor = { kind: 'system', component: 'reading-test' };
const waitUntil = pollUntil({ timeoutMs: 110_000, intervalMs: 100 });
const SETTINGS: ReadingSettings = { workers: 2, maxPages: 20, maxSeconds: 60, ocr: 'on', languages: 'vie' };

const FIRST_PAGE = [
  'ỦY BAN NHÂN DÂN TỈNH TÂY NINH',
  'Số: 123/QĐ-UBND',
  '',
  'QUYẾT ĐỊNH',
  'Về việc phê duyệt kế hoạch chuyển đổi số năm 2026',
  '',
  'Chủ tịch Ủy ban nhân dân tỉnh quyết định giao các sở, ngành giữ bí mật thông tin và triển khai.',
].join('\n');
const STAMPED_PAGE = [
  'ỦY BAN NHÂN DÂN TỈNH TÂY NINH',
  'Số: 45/KH-UBND',
  'TỐI MẬT',
  '',
  'KẾ HOẠCH',
  'Về việc bảo vệ',
].join('\n');

let web: TestWebApp;
let agencyA: string;
let agencyB: string;
let clerkA: Record<string, string>;
let clerkB: Record<string, string>;
let admin: Record<string, string>;
const files: Record<string, Buffer> = {};
const services: ReadingService[] = [];

const pdf = (name: string): IncomingAttachment => ({
  name,
  contentType: 'application/pdf',
  content: files[name] as Buffer,
});

async function receive(
  agencyId: string,
  attachments: IncomingAttachment[],
  subject = 'Văn bản',
): Promise<string> {
  const raw = Buffer.from(`<edXMLEnvelope>${randomUUID()}</edXMLEnvelope>`);
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'amqp',
    raw,
    agencyIds: [agencyId],
    dedupKey: contentDedupKey('000.00.11.H53', raw),
    senderOrganId: '000.00.11.H53',
    subject,
    attachments,
  });
  if (!received) throw new Error('nothing received');
  return received.itemId;
}

const rowsOf = (intakeItemId: string) =>
  web.prisma.fileText.findMany({
    where: { intakeItemId },
    include: { attachment: { select: { name: true } } },
  });

async function byName(intakeItemId: string) {
  return Object.fromEntries((await rowsOf(intakeItemId)).map((row) => [row.attachment.name, row]));
}

function read(
  settings: Partial<ReadingSettings> = {},
  readFile?: Parameters<typeof startReading>[0]['readFile'],
) {
  const service = startReading({
    prisma: web.prisma,
    settings: { ...SETTINGS, ...settings },
    log: createSilentLogger(),
    pollMs: 100,
    ...(readFile ? { readFile } : {}),
  });
  services.push(service);
  return service;
}

async function readAll(intakeItemId: string, settings: Partial<ReadingSettings> = {}) {
  const service = read(settings);
  try {
    await waitUntil(
      async () =>
        (await rowsOf(intakeItemId)).every((row) => row.state !== 'pending' && row.state !== 'reading'),
      110_000,
    );
  } finally {
    await service.stop();
  }
  return byName(intakeItemId);
}

beforeAll(async () => {
  web = await startTestWebApp('reading');
  agencyA = await addAgency(web.prisma, A, 'Sở Thông tin');
  agencyB = await addAgency(web.prisma, B, 'Sở Y tế');
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  await addPerson(web.prisma, { username: 'vanthu.b', role: 'clerk', agency: B });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  clerkA = (await signInAs(web.app, 'vanthu.a')).headers;
  clerkB = (await signInAs(web.app, 'vanthu.b')).headers;
  admin = (await signInAs(web.app, 'quantri')).headers;
  files['digital.pdf'] = await pdfOf([FIRST_PAGE, 'Điều 2. Quyết định này có hiệu lực kể từ ngày ký.']);
  files['long.pdf'] = await pdfOf(
    Array.from({ length: 25 }, (_, i) => `Trang số ${i + 1} của báo cáo tổng hợp dài.`),
  );
  files['locked.pdf'] = await pdfOf(['Nội dung có mật khẩu mở tệp'], { userPassword: 'matkhau' });
  files['broken.pdf'] = files['digital.pdf'].subarray(0, 900);
  files['scan.pdf'] = await scanOf([await pageImage(await pdfOf([STAMPED_PAGE], { fontSize: 16 }))]);
  files['signed-scan.pdf'] = await scanOf(
    [await pageImage(await pdfOf([FIRST_PAGE], { fontSize: 16 }))],
    'Ký bởi: Văn phòng Ủy ban nhân dân tỉnh Tây Ninh. Thời gian ký: 04.12.2026 09:15:00 +07:00',
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await web.close();
});

describe('file_text rows', () => {
  it('are written pending with the attachments, only for readable files, and nothing reads them on the way in', async () => {
    const id = await receive(agencyA, [
      pdf('digital.pdf'),
      { name: 'ghi-chu.txt', contentType: 'text/plain', content: Buffer.from('ghi chú') },
      { name: 'anh.PNG', contentType: 'application/octet-stream', content: Buffer.from('not really') },
    ]);
    const rows = await byName(id);
    expect(Object.keys(rows).sort()).toEqual(['anh.PNG', 'digital.pdf']);
    expect(Object.values(rows).map((r) => [r.state, r.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);
    // The edges that acknowledge (SMTP 250, AMQP ack, HTTP 202) never reach the readers: only the
    // composition root starts them (the module graph of docs/architecture.md, checked by a test).
    const graph = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/architecture.md'), 'utf8');
    const modules = /```modules\n([\s\S]*?)```/.exec(graph)?.[1] ?? '';
    const importers = modules.split('\n').filter((line) => / reading( |$)/.test(line));
    expect(importers.map((line) => line.split(':')[0])).toEqual(['main']);
  });
});

describe('reading with the real tools', () => {
  it('reads a born-digital PDF page by page, NFC, and office files; refuses bombs and says why', async () => {
    const id = await receive(agencyA, [
      pdf('digital.pdf'),
      pdf('long.pdf'),
      pdf('locked.pdf'),
      pdf('broken.pdf'),
      {
        name: 'bao-cao.docx',
        contentType: 'application/octet-stream',
        content: docxOf(['Báo cáo quý IV', 'Kính gửi: Sở Tài chính']),
      },
      {
        name: 'to-trinh.odt',
        contentType: 'application/vnd.oasis.opendocument.text',
        content: odtOf(['Tờ trình số 7']),
      },
      { name: 'bom.docx', contentType: 'application/octet-stream', content: zipBombDocx() },
      { name: 'thuc-the.docx', contentType: 'application/octet-stream', content: entityBombDocx() },
      { name: 'cu.doc', contentType: 'application/msword', content: Buffer.from('{\\rtf1 not a Word file}') },
    ]);
    const rows = await readAll(id, { maxPages: 20 });

    const digital = rows['digital.pdf'];
    expect(digital).toMatchObject({
      state: 'read',
      method: 'text_layer',
      pagesTotal: 2,
      pagesRead: 2,
      reason: null,
    });
    expect(digital?.text).toContain('Về việc phê duyệt kế hoạch chuyển đổi số năm 2026');
    expect(digital?.text).toContain('Điều 2. Quyết định này có hiệu lực');
    expect(digital?.text).toBe(digital?.text?.normalize('NFC'));
    expect(digital?.firstPageText).toContain('QUYẾT ĐỊNH');
    expect(digital?.firstPageText).not.toContain('Điều 2');
    expect(digital?.durationMs).toBeGreaterThanOrEqual(0);
    expect(digital?.finishedAt).toBeInstanceOf(Date);

    expect(rows['long.pdf']).toMatchObject({
      state: 'read',
      pagesTotal: 25,
      pagesRead: 20,
      reason: 'pages_over_budget',
    });
    expect(rows['long.pdf']?.text).toContain('Trang số 20 của');
    expect(rows['long.pdf']?.text).not.toContain('Trang số 21 của');
    expect(rows['locked.pdf']).toMatchObject({ state: 'not_read', reason: 'pdf_encrypted', text: null });
    expect(rows['broken.pdf']).toMatchObject({ state: 'not_read', reason: 'file_damaged' });
    expect(rows['bao-cao.docx']).toMatchObject({
      state: 'read',
      method: 'office',
      text: 'Báo cáo quý IV\nKính gửi: Sở Tài chính',
    });
    expect(rows['to-trinh.odt']).toMatchObject({ state: 'read', method: 'office', text: 'Tờ trình số 7' });
    expect(rows['bom.docx']).toMatchObject({ state: 'not_read', reason: 'file_refused' });
    expect(rows['thuc-the.docx']).toMatchObject({ state: 'not_read', reason: 'file_refused' });
    expect(rows['cu.doc']).toMatchObject({ state: 'not_read', reason: 'format_not_supported' });
    // a stamp-less item stays in the queue
    expect((await web.prisma.intakeItem.findUniqueOrThrow({ where: { id } })).state).toBe('new');

    const overview = await readingOverview(web.prisma);
    expect(overview.readLastHour).toBeGreaterThanOrEqual(4);
    expect(overview.pagesPerSecond).toBeGreaterThan(0);
    expect(overview.failures).toEqual(
      expect.arrayContaining([
        { state: 'not_read', reason: 'pdf_encrypted', count: 1 },
        { state: 'not_read', reason: 'file_refused', count: 2 },
      ]),
    );
  });

  it('OCRs a scanned page and holds the item when its first page is stamped TỐI MẬT', async () => {
    const id = await receive(agencyA, [pdf('scan.pdf')], 'Kế hoạch');
    const rows = await readAll(id);
    const scan = rows['scan.pdf'];
    expect(scan).toMatchObject({ state: 'read', method: 'ocr', pagesTotal: 1, pagesRead: 1 });
    expect(scan?.text).toContain('KẾ HOẠCH');
    expect(scan?.text).toBe(scan?.text?.normalize('NFC'));
    const item = await web.prisma.intakeItem.findUniqueOrThrow({ where: { id } });
    expect(item.state).toBe('quarantined');
    expect(item.reason).toContain('Tối mật');
    expect(item.reason).toContain('marked Tối mật');
    const audit = await web.prisma.auditEntry.findFirst({
      where: { subject: `intake:${id}`, action: 'intake.quarantined' },
    });
    expect(audit?.actor).toContain('reading');
  });

  it('OCRs a signed scan although the signature put some text on the page', async () => {
    const id = await receive(agencyA, [pdf('signed-scan.pdf')]);
    const rows = await readAll(id);
    expect(rows['signed-scan.pdf']).toMatchObject({ state: 'read', method: 'ocr', pagesRead: 1 });
    expect(rows['signed-scan.pdf']?.text).toContain('QUYẾT ĐỊNH');
    expect((await web.prisma.intakeItem.findUniqueOrThrow({ where: { id } })).state).toBe('new');
  });

  it('gives up past the time budget: not read, reason time_budget', async () => {
    const id = await receive(agencyA, [pdf('scan.pdf')]);
    const rows = await readAll(id, { maxSeconds: 0.2 });
    expect(rows['scan.pdf']).toMatchObject({ state: 'not_read', reason: 'time_budget', text: null });
  });

  it('with OCR off, a scan is not read and says so', async () => {
    const id = await receive(agencyA, [pdf('scan.pdf')]);
    const rows = await readAll(id, { ocr: 'off' });
    expect(rows['scan.pdf']).toMatchObject({
      state: 'not_read',
      reason: 'ocr_off',
      pagesTotal: 1,
      pagesRead: 0,
    });
  });
});

describe('a reader that stops or crashes', () => {
  it('stopped mid-OCR, kills its tools and leaves the file pending, the attempt not counted', async () => {
    const id = await receive(agencyA, [pdf('scan.pdf')]);
    const service = read();
    await waitUntil(async () => (await rowsOf(id))[0]?.state === 'reading', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = Date.now();
    await service.stop();
    expect(Date.now() - before).toBeLessThan(3000);
    expect((await rowsOf(id))[0]).toMatchObject({
      state: 'pending',
      attempts: 0,
      leaseUntil: null,
      text: null,
    });
    await readAll(id);
    expect((await rowsOf(id))[0]).toMatchObject({ state: 'read', attempts: 1 });
  });

  it('a file whose reader crashes is retried, and failed with reader_crashed after three attempts', async () => {
    const id = await receive(agencyA, [pdf('digital.pdf')]);
    const service = read({}, () => Promise.reject(new ReaderCrashed('tesseract died of SIGSEGV')));
    await waitUntil(async () => (await rowsOf(id))[0]?.state === 'failed', 20_000);
    await service.stop();
    expect((await rowsOf(id))[0]).toMatchObject({ state: 'failed', reason: 'reader_crashed', attempts: 3 });
  });

  it('a lease that runs out (the hub died) makes the file claimable again', async () => {
    const id = await receive(agencyA, [pdf('digital.pdf')]);
    const mine = async () =>
      (await claimFileTexts(web.prisma, { limit: 50, leaseMs: 1 })).filter((c) => c.intakeItemId === id);
    expect(await mine()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await mine()).map((c) => c.attempts)).toEqual([2]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await mine()).map((c) => c.attempts)).toEqual([3]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await mine()).toEqual([]);
    expect((await rowsOf(id))[0]).toMatchObject({ state: 'failed', reason: 'reader_crashed' });
  });
});

describe('the text over HTTP', () => {
  it('is shown to the item’s agency, with the reading state in the item; another agency gets not found', async () => {
    const id = await receive(agencyA, [pdf('digital.pdf')]);
    const waiting = await web.app.inject({ method: 'GET', url: `/api/v1/intake/${id}`, headers: clerkA });
    expect(
      waiting.json<{ item: { attachments: { fileText: { state: string } }[] } }>().item.attachments[0]
        ?.fileText,
    ).toMatchObject({
      state: 'pending',
    });
    await readAll(id);
    const mine = await web.app.inject({ method: 'GET', url: `/api/v1/intake/${id}/text`, headers: clerkA });
    expect(mine.statusCode).toBe(200);
    const body = mine.json<{ files: { name: string; state: string; text: string; pagesRead: number }[] }>();
    expect(body.files).toEqual([
      expect.objectContaining({ name: 'digital.pdf', state: 'read', pagesRead: 2 }),
    ]);
    expect(body.files[0]?.text).toContain('QUYẾT ĐỊNH');

    const theirs = await web.app.inject({ method: 'GET', url: `/api/v1/intake/${id}/text`, headers: clerkB });
    const missing = await web.app.inject({
      method: 'GET',
      url: `/api/v1/intake/${randomUUID()}/text`,
      headers: clerkB,
    });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json()).toEqual(missing.json());
    expect(await getItemText(web.prisma, { ...SYSTEM }, id)).toHaveLength(1);
    const other = await getIntakeItem(
      web.prisma,
      { kind: 'token', tokenId: randomUUID(), agencyId: agencyB },
      id,
    );
    expect(other).toBeUndefined();
  });

  it('the admin overview is for admins only', async () => {
    expect(
      (await web.app.inject({ method: 'GET', url: '/api/v1/admin/reading', headers: clerkA })).statusCode,
    ).toBe(403);
    const response = await web.app.inject({ method: 'GET', url: '/api/v1/admin/reading', headers: admin });
    expect(response.statusCode).toBe(200);
    const overview = response.json<{ backlog: number; latest: { agency: string }[]; failures: unknown[] }>();
    expect(overview.latest.length).toBeGreaterThan(0);
    expect(overview.latest[0]?.agency).toBe(A);
    expect(overview.failures.length).toBeGreaterThan(0);
  });
});

describe('on the embedded database (PGlite)', () => {
  it('claims, reads and records as on PostgreSQL', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-reading-'));
    const embedded = await openDatabase(
      { kind: 'embedded', dir: dataDir },
      { log: createSilentLogger(), purpose: 'reading test', migrate: true },
    );
    try {
      const agency = await embedded.prisma.agency.create({
        data: { organId: A, name: 'Sở Thông tin', channel: 'hosted' },
      });
      const raw = Buffer.from('<edXMLEnvelope>pglite</edXMLEnvelope>');
      await receiveIntakeItems(embedded.prisma, SYSTEM, {
        source: 'amqp',
        raw,
        agencyIds: [agency.id],
        dedupKey: contentDedupKey('000.00.11.H53', raw),
        attachments: [
          pdf('digital.pdf'),
          { name: 'bao-cao.docx', contentType: '', content: docxOf(['Báo cáo']) },
        ],
      });
      const service = startReading({
        prisma: embedded.prisma,
        settings: SETTINGS,
        log: createSilentLogger(),
        pollMs: 100,
      });
      try {
        await waitUntil(
          async () => (await embedded.prisma.fileText.count({ where: { state: 'read' } })) === 2,
          60_000,
        );
      } finally {
        await service.stop();
      }
      const rows = await embedded.prisma.fileText.findMany({ orderBy: { method: 'asc' } });
      expect(rows.map((r) => [r.method, r.pagesRead])).toEqual([
        ['text_layer', 2],
        ['office', null],
      ]);
    } finally {
      await embedded.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
