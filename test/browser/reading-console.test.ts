import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReading, type ReadingService } from '../../src/reading/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { pageImage, pdfOf, scanOf } from '../support/reading-files.ts';
import { receiveItem } from '../support/registry-fixtures.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';

/**
 * What the clerk sees of the readers, in Chromium: the text read from a received PDF beside it,
 * a scan read by OCR, a scan stamped MẬT held with the reason in words; and the admin's page of
 * the readers (backlog, pace, what could not be read), in Vietnamese with no raw codes.
 */
const A = '000.00.51.H53';
const FIRST_PAGE = [
  'ỦY BAN NHÂN DÂN TỈNH TÂY NINH',
  'Số: 45/QĐ-UBND',
  'QUYẾT ĐỊNH',
  'Về việc phê duyệt kế hoạch chuyển đổi số năm 2026',
].join('\n');

let web: TestWebApp;
let baseUrl: string;
let agencyA: string;
let reading: ReadingService;
let browser: TestBrowser | undefined;

beforeAll(async () => {
  web = await startTestWebApp('browser-reading');
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  await addPerson(web.prisma, {
    username: 'vanthu.doc',
    role: 'clerk',
    agency: A,
    displayName: 'Nguyễn Thị Hoa',
  });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  reading = startReading({
    prisma: web.prisma,
    settings: { workers: 2, maxPages: 20, maxSeconds: 60, ocr: 'on', languages: 'vie' },
    log: createSilentLogger(),
    pollMs: 100,
  });
}, 60_000);
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(async () => {
  await reading.stop();
  await web.close();
});

const received = async (seed: string, name: string, content: Buffer) =>
  receiveItem(web.prisma, agencyA, seed, {
    attachments: [{ name, contentType: 'application/pdf', content }],
  });

describe('the text read from received files, in the console', () => {
  it('shows the clerk a PDF’s text beside it, and a scan’s text read by OCR', async () => {
    const digital = await received('51', 'quyet-dinh.pdf', await pdfOf([FIRST_PAGE]));
    const scan = await received(
      '52',
      'ban-quet.pdf',
      await scanOf([await pageImage(await pdfOf([FIRST_PAGE]))]),
    );
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.doc', TEST_PASSWORD);

    await page.goto(`${baseUrl}/#/intake/${digital}`);
    const text = page.locator('#read-text .read-text-body');
    await text.waitFor({ timeout: 30_000 });
    expect(await text.innerText()).toContain('Về việc phê duyệt kế hoạch chuyển đổi số năm 2026');
    expect(await page.locator('#read-text .reading-state').first().innerText()).toMatch(/^đã đọc/);
    await screenshot(page, 'intake-read-text');

    await page.goto(`${baseUrl}/#/intake/${scan}`);
    await page.locator('#read-text .read-text-body').waitFor({ timeout: 60_000 });
    const state = await page.locator('#read-text .reading-state').first().innerText();
    expect(state).toContain('nhận dạng chữ từ bản quét');
    expect(await page.locator('#read-text .read-text-body').innerText()).toMatch(/phê duyệt kế hoạch/);
  });

  it('prefills an upload’s registration form from the page it read, says so with its confidence, and finds it by its text', async () => {
    const page1 = [
      'ỦY BAN NHÂN DÂN TỈNH TÂY NINH',
      'SỞ TÀI CHÍNH',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Số: 77/QĐ-STC',
      'Tây Ninh, ngày 05 tháng 3 năm 2026',
      'QUYẾT ĐỊNH',
      'Về việc phê duyệt kế hoạch kiểm tra công tác văn thư năm 2026',
      'Điều 1. Phê duyệt kế hoạch kèm theo Quyết định này.',
    ].join('\n');
    const id = await receiveItem(web.prisma, agencyA, '55', {
      source: 'upload',
      subject: 'scan0001.pdf',
      metadata: { subject: 'scan0001.pdf' },
      attachments: [{ name: 'scan0001.pdf', contentType: 'application/pdf', content: await pdfOf([page1]) }],
    });
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.doc', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${id}`);
    await page.locator('#read-text .read-text-body').waitFor({ timeout: 30_000 });
    await page.reload();
    await page.locator('#reg-notation').waitFor();
    expect(await page.locator('#reg-notation').inputValue()).toBe('77/QĐ-STC');
    expect(await page.locator('#reg-promulgatedOn').inputValue()).toBe('2026-03-05');
    expect(await page.locator('#reg-subject').inputValue()).toBe(
      'Về việc phê duyệt kế hoạch kiểm tra công tác văn thư năm 2026',
    );
    expect(await page.locator('#reg-notation-from').innerText()).toMatch(/^Đọc từ văn bản, độ tin cậy \d+%/);
    await screenshot(page, 'intake-prefilled-from-page');
    // The clerk corrects the date and registers: what was read and what changed stay with the document.
    await page.locator('#reg-promulgatedOn').fill('2026-03-06');
    await page.locator('#register').click();
    await page.locator('#open-document').waitFor();
    const document = await web.prisma.document.findFirstOrThrow({ where: { intakeItemId: id } });
    expect(document.notation).toBe('77/QĐ-STC');
    expect(document.prefill).toMatchObject({
      changed: ['promulgatedOn'],
      read: { promulgatedOn: { value: '2026-03-05' } },
      sources: { notation: { from: 'page' } },
    });
    // The document's timeline names the clerk who registered it, never `user:<username>`.
    await page.locator('#open-document').click();
    await page.waitForURL(/#\/documents\/[0-9a-f-]{36}$/);
    await page.locator('main h1').waitFor();
    const documentPage = await page.locator('main').innerText();
    expect(documentPage).toContain('Nguyễn Thị Hoa');
    expect(documentPage).not.toContain('user:');
    // The register finds it by words of its text, typed without tone marks.
    await page.goto(`${baseUrl}/#/documents?q=${encodeURIComponent('ke hoach kiem tra cong tac van thu')}`);
    const hit = page.locator('#register-book tbody tr', { hasText: '77/QĐ-STC' });
    await hit.waitFor();
    expect(await hit.locator('mark').count()).toBeGreaterThan(0);
  });

  it('holds a scan stamped MẬT with the reason in words, as a confidential package is held', async () => {
    const stamped = ['MẬT', ...FIRST_PAGE.split('\n')].join('\n');
    const id = await received('53', 'mat.pdf', await scanOf([await pageImage(await pdfOf([stamped]))]));
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.doc', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${id}`);
    await page.locator('#read-text .read-text-body').waitFor({ timeout: 60_000 });
    const item = await web.prisma.intakeItem.findUniqueOrThrow({ where: { id } });
    expect(item.state).toBe('quarantined');
    await page.reload();
    await page.locator('main h1').waitFor();
    const main = await page.locator('main').innerText();
    expect(main).toContain('Mật');
    expect(main).not.toMatch(/\bquarantined\b|confidential_stamp|not_read/);
  });

  it('gives the admin the readers’ page in words: backlog, pace and what could not be read', async () => {
    await received('54', 'hong.pdf', Buffer.from('%PDF-1.4\nthis is not a PDF at all\n%%EOF\n'));
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    const failures = page.locator('#reading-failures');
    for (let attempt = 0; attempt < 30; attempt += 1) {
      await page.goto(`${baseUrl}/#/reading`);
      await page.locator('#reading-backlog').waitFor();
      if ((await failures.locator('tbody tr').count()) > 0) break;
      await page.waitForTimeout(1000);
    }
    const text = await page.locator('main').innerText();
    expect(text).toContain('Đọc nội dung tệp nhận được');
    expect(await failures.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(text).not.toMatch(/\b(not_read|failed|pending|reading|read|ocr|text_layer)\b/);
    await screenshot(page, 'admin-reading');
  });
});
