import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listIntake } from '../../src/registry/index.ts';
import type { Actor } from '../../src/shared/index.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { receiveMailItem } from '../support/mail-items.ts';
import { receiveItem } from '../support/registry-fixtures.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';

/**
 * Độ khẩn in the queue: a package's Priority and a mail subject's stamp ("HỎA TỐC: …") become the
 * item's urgency; the queue shows it in words with a mark for hỏa tốc and thượng khẩn, and sorts
 * the most urgent first across pages.
 */
const A = '000.00.51.H53';

let web: TestWebApp;
let baseUrl: string;
let agencyA: string;
let browser: TestBrowser | undefined;
const clerk = (): Actor => ({
  kind: 'user',
  userId: 'u',
  username: 'vanthu.khan',
  role: 'clerk',
  agencyId: agencyA,
  departmentId: null,
});

const mailWithSubject = (subject: string, id: string) =>
  receiveMailItem(
    web.prisma,
    agencyA,
    [
      `Message-ID: <${id}@soyte.example.vn>`,
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'xem tệp đính kèm',
      '',
    ].join('\n'),
  );

let flash: string;
let veryUrgent: string;
let urgent: string;
let promptly: string;

beforeAll(async () => {
  web = await startTestWebApp('browser-urgency');
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  await addPerson(web.prisma, { username: 'vanthu.khan', role: 'clerk', agency: A });
  // Received in this order: the oldest is the most urgent, so "newest first" and "most urgent
  // first" disagree everywhere.
  flash = await mailWithSubject('HỎA TỐC: Về việc ứng phó bão số 9', 'flash');
  veryUrgent = await receiveItem(web.prisma, agencyA, '41', {
    metadata: {
      subject: 'Báo cáo nhanh thiệt hại',
      priority: 2,
      code: { number: '41', notation: 'BC-UBND' },
    },
  });
  urgent = await mailWithSubject('[KHẨN] Triệu tập họp giao ban', 'urgent');
  promptly = await mailWithSubject('Về việc khẩn trương rà soát hồ sơ', 'promptly');
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(() => web.close());

describe('độ khẩn in the intake queue', () => {
  it("reads the urgency from a package and from a mail subject's stamp, not from a word in the text", async () => {
    const items = await web.prisma.intakeItem.findMany({ select: { id: true, priority: true } });
    const priority = new Map(items.map((i) => [i.id, i.priority]));
    expect([flash, veryUrgent, urgent, promptly].map((id) => priority.get(id))).toEqual([3, 2, 1, 0]);
  });

  it('sorts the most urgent first and keeps that order across pages', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listIntake(web.prisma, clerk(), {
        sort: 'urgency',
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
      if ('kind' in page) throw new Error(page.kind);
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual([flash, veryUrgent, urgent, promptly]);
    // A cursor of one order is refused in the other, not silently misread.
    const first = await listIntake(web.prisma, clerk(), { sort: 'urgency', limit: 1 });
    if ('kind' in first || !first.nextCursor) throw new Error('no cursor');
    expect(await listIntake(web.prisma, clerk(), { cursor: first.nextCursor })).toEqual({
      kind: 'invalid-cursor',
    });
  });

  it('shows the urgency in words in the console and sorts by it on request', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.khan', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake`);
    const rows = page.locator('#intake-list tbody tr');
    await rows.first().waitFor();
    // Newest first by default.
    expect(await rows.first().textContent()).toContain('khẩn trương rà soát');
    const flashRow = page.locator('#intake-list tbody tr', { hasText: 'ứng phó bão' });
    expect(await flashRow.locator('.badge.urgency-3').textContent()).toBe('Hỏa tốc');
    expect(await page.locator('#intake-list tbody tr', { hasText: 'Về việc 41' }).textContent()).toContain(
      'Thượng khẩn',
    );
    await page.locator('#sort').selectOption('urgency');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.waitForURL(/sort=urgency/);
    await page.locator('#intake-list tbody tr').first().filter({ hasText: 'ứng phó bão' }).waitFor();
    await screenshot(page, 'intake-queue-by-urgency');
    await flashRow.getByRole('link').click();
    await page.locator('dl.facts .badge.urgency-3', { hasText: 'Hỏa tốc' }).waitFor();
  });
});
