import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerIntakeItem, rejectIntakeItem } from '../../src/registry/index.ts';
import type { Actor } from '../../src/shared/index.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { receiveMailItem } from '../support/mail-items.ts';
import { receiveItem } from '../support/registry-fixtures.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';

/**
 * The intake queue as a văn thư filters it in the first week: "Tất cả" shows every state, words
 * of the subject and the sender's name match with or without tone marks, senders appear by name,
 * and a page that answers late never lands under the address the clerk has moved on to.
 */
const A = '000.00.61.H53';
const PARTNER = '000.00.11.H53';

let web: TestWebApp;
let baseUrl: string;
let agencyA: string;
let browser: TestBrowser | undefined;
const system: Actor = { kind: 'system', component: 'queue-test' };

beforeAll(async () => {
  web = await startTestWebApp('browser-intake-queue');
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  await addAgency(web.prisma, PARTNER, 'Sở Tài chính');
  await addPerson(web.prisma, { username: 'vanthu.loc', role: 'clerk', agency: A });
  // A package from Sở Tài chính (its name in the package), a mail from its address (its name from
  // the directory, through the sender's code), and a mail from a stranger.
  const registered = await receiveItem(web.prisma, agencyA, '21', {
    subject: 'Quyết định phê duyệt dự toán',
  });
  await registerIntakeItem(web.prisma, system, registered);
  const rejected = await receiveItem(web.prisma, agencyA, '22', { subject: 'Công văn gửi nhầm' });
  await rejectIntakeItem(web.prisma, system, rejected, 'gửi nhầm cơ quan');
  await receiveItem(web.prisma, agencyA, '23', {
    subject: 'Báo cáo quyết toán quý III',
    metadata: { subject: 'Báo cáo quyết toán quý III' },
  });
  await receiveMailItem(
    web.prisma,
    agencyA,
    [
      'Message-ID: <la@example.vn>',
      'Subject: Thư mời dự hội thảo',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'mời dự',
      '',
    ].join('\n'),
    'nguoi.la@example.vn',
  );
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(() => web.close());

async function signedIn() {
  browser = await openBrowser();
  await signInThroughConsole(browser.page, baseUrl, 'vanthu.loc', TEST_PASSWORD);
  return browser.page;
}

const subjects = async (page: Awaited<ReturnType<typeof signedIn>>) =>
  (await page.locator('#intake-list tbody tr td:nth-child(5) > a').allTextContents()).sort();

describe("the intake queue's filters", () => {
  it('shows every state under "Tất cả", and new items by default', async () => {
    const page = await signedIn();
    await page.goto(`${baseUrl}/#/intake`);
    await page.locator('#intake-list tbody tr').first().waitFor();
    expect(await subjects(page)).toEqual(['Báo cáo quyết toán quý III', 'Thư mời dự hội thảo']);
    await page.locator('#state').selectOption({ label: 'Tất cả' });
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.waitForURL(/state=all/);
    await page.locator('#intake-list tbody tr', { hasText: 'gửi nhầm' }).waitFor();
    expect(await subjects(page)).toEqual([
      'Báo cáo quyết toán quý III',
      'Công văn gửi nhầm',
      'Quyết định phê duyệt dự toán',
      'Thư mời dự hội thảo',
    ]);
    // Reloading the address keeps the choice.
    await page.reload();
    await page.locator('#intake-list tbody tr', { hasText: 'gửi nhầm' }).waitFor();
    expect(await page.locator('#state').inputValue()).toBe('all');
  });

  it('finds subject words without tone marks, and senders by their name, with or without tone marks', async () => {
    const page = await signedIn();
    await page.goto(`${baseUrl}/#/intake?state=all&q=quyet`);
    await page.locator('#intake-list tbody tr', { hasText: 'dự toán' }).waitFor();
    expect(await subjects(page)).toEqual(['Báo cáo quyết toán quý III', 'Quyết định phê duyệt dự toán']);
    await page.goto(`${baseUrl}/#/intake?state=all&q=QUYET%20DINH`);
    await page.locator('#intake-list tbody tr').first().waitFor();
    await expect.poll(() => subjects(page)).toEqual(['Quyết định phê duyệt dự toán']);
    // the query's words are marked in the subject, as text: "quyet dinh" marks "Quyết định"
    expect(await page.locator('#intake-list tbody tr td:nth-child(5) > a mark').allTextContents()).toEqual([
      'Quyết định',
    ]);

    await page.goto(`${baseUrl}/#/intake?state=all&sender=so%20tai%20chinh`);
    await page.locator('#intake-list tbody tr').first().waitFor();
    await expect
      .poll(() => subjects(page))
      .toEqual(['Báo cáo quyết toán quý III', 'Công văn gửi nhầm', 'Quyết định phê duyệt dự toán']);
    // Senders by name; the code is there on hover.
    const cell = page.locator('#intake-list tbody tr', { hasText: 'quý III' }).locator('td:nth-child(4)');
    expect(await cell.textContent()).toBe('Sở Tài chính');
    expect(await cell.getAttribute('title')).toBe(PARTNER);
    await screenshot(page, 'intake-queue-sender-by-name');
  });

  it("never leaves a slow page's content under the address the clerk moved on to", async () => {
    const page = await signedIn();
    await page.goto(`${baseUrl}/#/intake?state=all`);
    await page.locator('#intake-list tbody tr').first().waitFor();
    // One item's page answers late (a slow database, a busy hub); the clerk does not wait for it.
    const slow = await web.prisma.intakeItem.findFirstOrThrow({ where: { subject: 'Công văn gửi nhầm' } });
    await page.route(`**/api/v1/intake/${slow.id}`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue();
    });
    await page.goto(`${baseUrl}/#/intake/${slow.id}`);
    await page.goto(`${baseUrl}/#/intake?state=new`);
    await page.locator('#intake-list tbody tr').first().waitFor();
    await page.waitForTimeout(2_500);
    expect(page.url()).toContain('#/intake?state=new');
    expect(await page.locator('#main h1').allTextContents()).toEqual(['Văn bản đến chờ xử lý']);
    expect(await subjects(page)).toEqual(['Báo cáo quyết toán quý III', 'Thư mời dự hội thảo']);
  });
});
