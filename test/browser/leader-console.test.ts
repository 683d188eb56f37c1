import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { receiveIntakeItems, registerIntakeItem, vietnamDate } from '../../src/registry/index.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';
import { type Actor } from '../../src/shared/index.ts';

/**
 * The leader's follow-up (theo dõi, đôn đốc) in Chromium: an overdue document stands out, the
 * leader adds a department, assigns the document to it from the document's page, and the counts
 * per department follow. Another agency's document stays out of reach by URL.
 */
const A = '000.00.51.H53';
const B = '000.00.52.H53';
const PARTNER = '000.00.11.H53';
const SYSTEM: Actor = { kind: 'system', component: 'browser-test' };

let web: TestWebApp;
let baseUrl: string;
let agencyA: string;
let agencyB: string;
let browser: TestBrowser | undefined;

/** A date `days` from today in Vietnam, as the hub computes "today". */
function vietnamDay(days: number): string {
  const today = new Date(`${vietnamDate(new Date())}T00:00:00Z`);
  return new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

async function registeredPackage(agencyId: string, seed: string, subject: string, dueOn: string) {
  const raw = Buffer.from(`<edXMLEnvelope>${seed}</edXMLEnvelope>`);
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'amqp',
    raw,
    agencyIds: [agencyId],
    dedupKey: `content:${PARTNER}:${seed}`,
    senderOrganId: PARTNER,
    documentKey: `${PARTNER},2026/11/20,${seed}/STC-VP`,
    subject,
    metadata: { subject, from: { organId: PARTNER, organName: 'Sở Tài chính' } },
  });
  if (!received) throw new Error('nothing received');
  const registered = await registerIntakeItem(web.prisma, SYSTEM, received.itemId, { subject, dueOn });
  if (registered.kind !== 'registered') throw new Error(registered.kind);
  return registered.documentId;
}

beforeAll(async () => {
  web = await startTestWebApp('browser-leader');
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  agencyB = await addAgency(web.prisma, B, 'Sở Y tế');
  await addPerson(web.prisma, {
    username: 'lanhdao.a',
    role: 'leader',
    agency: A,
    displayName: 'Nguyễn Văn Lãnh',
  });
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(() => web.close());

describe('the leader’s follow-up in Chromium', () => {
  it('shows an overdue document, assigns it to a new department, and the counts per department follow', async () => {
    const overdueSubject = 'Báo cáo tổng kết công tác cải cách hành chính năm 2026';
    const overdue = await registeredPackage(agencyA, '701', overdueSubject, vietnamDay(-2));
    const soon = await registeredPackage(agencyA, '702', 'Kế hoạch kiểm tra công vụ quý I', vietnamDay(1));
    await registeredPackage(agencyA, '703', 'Giấy mời dự hội nghị tháng 12', vietnamDay(20));

    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'lanhdao.a', TEST_PASSWORD);
    // A leader's console opens on the follow-up.
    await page.waitForURL(/#\/follow-up$/);
    await page.locator('#follow-up-list tbody tr').first().waitFor();
    const rows = page.locator('#follow-up-list tbody tr');
    expect(await rows.count()).toBe(2);
    const overdueRow = page.locator(`#follow-up-list tr[data-id="${overdue}"]`);
    await expect(overdueRow.getAttribute('class')).resolves.toBe('overdue');
    await expect(overdueRow.innerText()).resolves.toContain('Quá hạn 2 ngày');
    await expect(overdueRow.innerText()).resolves.toContain('Chưa giao');
    await expect(page.locator(`#follow-up-list tr[data-id="${soon}"]`).innerText()).resolves.toContain(
      'Còn 1 ngày',
    );
    expect(await page.locator(`#follow-up-list tr[data-id="${soon}"]`).getAttribute('class')).toBeNull();
    const unassigned = page.locator('#department-counts tr[data-department="unassigned"]');
    // total, open, overdue, due soon: three incoming, all open, one overdue, one due soon.
    await expect(unassigned.locator('td').allInnerTexts()).resolves.toEqual(['3', '3', '1', '1']);
    await page.locator('#department-counts-box', { hasText: 'chưa có phòng ban' }).waitFor();

    // There is no department to assign to yet: the leader adds one, with the keyboard.
    await page.locator('#department-name').fill('Phòng Tổ chức cán bộ');
    await page.locator('#department-name').press('Enter');
    await page
      .locator('#department-outcome', { hasText: 'Đã thêm phòng ban Phòng Tổ chức cán bộ.' })
      .waitFor();
    const departmentRow = page.locator('#department-counts tbody tr', { hasText: 'Phòng Tổ chức cán bộ' });
    await departmentRow.waitFor();
    await expect(departmentRow.locator('td').allInnerTexts()).resolves.toEqual(['0', '0', '0', '0']);
    await screenshot(page, 'leader-follow-up');

    // The same name again: refused in Vietnamese, next to the field it is about, which takes the focus.
    await page.locator('#department-name').fill('Phòng Tổ chức cán bộ');
    await page.locator('#department-name').press('Enter');
    const problem = page.locator('#department-name-problem');
    await problem.waitFor();
    expect(await problem.innerText()).toBe(
      'Cơ quan đã có phòng ban tên “Phòng Tổ chức cán bộ”: hãy đặt tên khác.',
    );
    expect(await page.locator('#department-name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#department-name').getAttribute('aria-describedby')).toBe(
      'department-name-problem',
    );
    expect(await page.evaluate('document.activeElement.id')).toBe('department-name');
    // A new, free name clears it.
    await page.locator('#department-name').fill('Phòng Kế hoạch');
    await page.locator('#department-name').press('Enter');
    await page.locator('#department-outcome', { hasText: 'Đã thêm phòng ban Phòng Kế hoạch.' }).waitFor();
    expect(await problem.count()).toBe(0);

    await overdueRow.getByRole('link', { name: overdueSubject }).click();
    await page.waitForURL(new RegExp(`#/documents/${overdue}$`));
    await page
      .locator('#assign-department option', { hasText: 'Phòng Tổ chức cán bộ' })
      .waitFor({ state: 'attached' });
    await page.locator('#assign-department').selectOption({ label: 'Phòng Tổ chức cán bộ' });
    await page.locator('#assign-person').selectOption({ label: 'Nguyễn Văn Lãnh' });
    await page.locator('#assign').click();
    await page.locator('#assign-outcome', { hasText: 'Đã giao xử lý, đã ghi tình trạng 04' }).waitFor();
    await page
      .locator('#timeline li', { hasText: 'Đã phân công: Phòng Tổ chức cán bộ, Nguyễn Văn Lãnh' })
      .waitFor();
    await screenshot(page, 'leader-document-assigned');
    const document = await web.prisma.document.findUniqueOrThrow({
      where: { id: overdue },
      include: { department: true },
    });
    expect([document.department?.name, document.statusCode]).toEqual(['Phòng Tổ chức cán bộ', '04']);

    await page.getByRole('link', { name: 'Theo dõi, đôn đốc' }).click();
    await page.locator(`#follow-up-list tr[data-id="${overdue}"]`).waitFor();
    await expect(page.locator(`#follow-up-list tr[data-id="${overdue}"]`).innerText()).resolves.toContain(
      'Phòng Tổ chức cán bộ',
    );
    await page.locator('#department-counts tbody tr', { hasText: 'Phòng Tổ chức cán bộ' }).waitFor();
    await expect(departmentRow.locator('td').allInnerTexts()).resolves.toEqual(['1', '1', '1', '0']);
    await expect(unassigned.locator('td').allInnerTexts()).resolves.toEqual(['2', '2', '0', '1']);
    await screenshot(page, 'leader-follow-up-after-assign');

    // The timeline keeps the follow-up: who got it, and a due date moved, before → after.
    await page.goto(`${baseUrl}/#/documents/${overdue}`);
    await page
      .locator('#timeline li.assignment', {
        hasText: 'phòng ban: Phòng Tổ chức cán bộ; người xử lý: Nguyễn Văn Lãnh',
      })
      .waitFor();
    await page.locator('#assign-due').fill('2026-12-31');
    await page.locator('#assign').click();
    await page
      .locator('#timeline li.assignment', {
        hasText: /hạn xử lý đổi từ \d{1,2}\/\d{1,2}\/\d{4} thành 31\/12\/2026/,
      })
      .waitFor();
    expect(await page.locator('#timeline li.assignment').count()).toBe(2);
  });

  it('shows a leader a new item without register or reject forms, saying who decides it', async () => {
    const raw = Buffer.from('<edXMLEnvelope>803</edXMLEnvelope>');
    const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
      source: 'amqp',
      raw,
      agencyIds: [agencyA],
      dedupKey: `content:${PARTNER}:803`,
      senderOrganId: PARTNER,
      subject: 'Công văn mới chưa vào sổ',
      metadata: {
        subject: 'Công văn mới chưa vào sổ',
        from: { organId: PARTNER, organName: 'Sở Tài chính' },
      },
    });
    if (!received) throw new Error('nothing received');
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'lanhdao.a', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${received.itemId}`);
    await page.locator('#clerk-decides', { hasText: 'Văn thư của cơ quan vào sổ' }).waitFor();
    expect(await page.locator('#register, #reject, #duplicate-form, #release').count()).toBe(0);
    await screenshot(page, 'leader-intake-item');
    await browser.close();
    // The clerk of the same agency has the forms.
    browser = await openBrowser();
    await signInThroughConsole(browser.page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await browser.page.goto(`${baseUrl}/#/intake/${received.itemId}`);
    await browser.page.locator('#register').waitFor();
    expect(await browser.page.locator('#clerk-decides').count()).toBe(0);
  });

  it('keeps another agency’s overdue document out of reach by URL; a clerk reads but cannot assign', async () => {
    const secret = 'Hồ sơ BMARKER quá hạn của Sở Y tế';
    const ofB = await registeredPackage(agencyB, '801', secret, vietnamDay(-5));
    const ofA = await registeredPackage(agencyA, '802', 'Công văn về việc rà soát biên chế', vietnamDay(-1));
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'lanhdao.a', TEST_PASSWORD);
    const documentText = async (id: string) => {
      await page.goto(`${baseUrl}/#/documents/${id}`);
      await page.reload();
      await page.locator('main h1').waitFor();
      return page.locator('main').innerText();
    };
    const forB = await documentText(ofB);
    expect(forB).toBe(await documentText(randomUUID()));
    expect(forB).toContain('Không tìm thấy');
    expect(forB).not.toContain('BMARKER');
    expect(await page.locator('#assign-form').count()).toBe(0);
    await page.goto(`${baseUrl}/#/follow-up?days=60`);
    await page.locator(`#follow-up-list tr[data-id="${ofA}"]`).waitFor();
    expect(await page.locator('main').innerText()).not.toContain('BMARKER');
    await browser.close();

    browser = await openBrowser();
    await signInThroughConsole(browser.page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await browser.page.getByRole('link', { name: 'Theo dõi, đôn đốc' }).click();
    await browser.page.locator(`#follow-up-list tr[data-id="${ofA}"]`).waitFor();
    expect(await browser.page.locator('#department-form').count()).toBe(0);
    // The same page in English, overdue still said in words.
    await browser.page.getByRole('button', { name: 'English' }).click();
    await browser.page.getByRole('heading', { name: 'Follow-up of documents' }).waitFor();
    await browser.page
      .locator(`#follow-up-list tr[data-id="${ofA}"]`, { hasText: '1 day overdue' })
      .waitFor();
    await browser.page.goto(`${baseUrl}/#/documents/${ofA}`);
    await browser.page.locator('#document-number').waitFor();
    expect(await browser.page.locator('#assign-form').count()).toBe(0);
  });
});
