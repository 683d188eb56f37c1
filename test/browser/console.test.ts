import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { messageDedupKey, receiveIntakeItems, registerIntakeItem } from '../../src/registry/index.ts';
import { createUser } from '../../src/access/index.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';
import { type Actor } from '../../src/shared/index.ts';

/**
 * The web console in a real headless Chromium against the real app on PostgreSQL: a clerk's day
 * from the intake queue to the register book, a rejection that owes the sender status 02, and
 * agency isolation by URL. Screenshots land in test-results/screenshots for a reviewer.
 */
const A = '000.00.31.H53';
const B = '000.00.32.H53';
const E = '000.00.35.H53';
const PARTNER = '000.00.11.H53';
const SYSTEM: Actor = { kind: 'system', component: 'browser-test' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

let web: TestWebApp;
let baseUrl: string;
let agencyA: string;
let agencyB: string;
let browser: TestBrowser | undefined;

async function mailItem(agencyId: string, subject: string): Promise<string> {
  const messageId = `<${randomUUID()}@stc.hanoi.gov.vn>`;
  const raw = Buffer.from(`Message-ID: ${messageId}\r\nSubject: ${subject}\r\n\r\nxem tệp đính kèm\r\n`);
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'smtp',
    raw,
    agencyIds: [agencyId],
    dedupKey: messageDedupKey(messageId, raw),
    messageId,
    senderAddress: 'vanthu@stc.hanoi.gov.vn',
    subject,
    attachments: [{ name: 'giay-moi.pdf', contentType: 'application/pdf', content: PDF }],
  });
  if (!received) throw new Error('nothing received');
  return received.itemId;
}

async function packageItem(agencyId: string, seed: string): Promise<string> {
  const raw = Buffer.from(`<edXMLEnvelope>${seed}</edXMLEnvelope>`);
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'amqp',
    raw,
    agencyIds: [agencyId],
    dedupKey: `content:${PARTNER}:${seed}`,
    senderOrganId: PARTNER,
    documentKey: `${PARTNER},2026/11/20,${seed}/STC-VP`,
    subject: `Công văn ${seed}`,
    metadata: {
      subject: `Công văn ${seed} về việc báo cáo quý IV`,
      code: { number: seed, notation: `${seed}/STC-VP` },
      from: { organId: PARTNER, organName: 'Sở Tài chính' },
      promulgation: { date: '2026-11-20' },
    },
    attachments: [{ name: `${seed}.pdf`, contentType: 'application/pdf', content: PDF }],
  });
  if (!received) throw new Error('nothing received');
  return received.itemId;
}

beforeAll(async () => {
  // A hub with no outgoing mail server (as a fresh install): agencies reached by e-mail cannot receive.
  web = await startTestWebApp('browser-console', { broker: { mailServer: false } });
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  agencyB = await addAgency(web.prisma, B, 'Sở Y tế');
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(() => web.close());

describe('the web console in Chromium', () => {
  it('takes a clerk from a mail in the queue to a numbered line of the register book', async () => {
    const subject = 'Giấy mời họp triển khai chuyển đổi số năm 2027';
    const itemId = await mailItem(agencyA, subject);
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(`${baseUrl}/`);
    await page.locator('form.login').waitFor();
    await screenshot(page, 'sign-in');
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);

    const row = page.locator('#intake-list tbody tr', { hasText: subject });
    await expect(row.textContent()).resolves.toContain('smtp');
    await page.locator('#source').selectOption('smtp');
    await page.locator('#sender').fill('stc.hanoi');
    await page.locator('#sender').press('Enter');
    await page.waitForURL(/source=smtp/);
    await expect(row.textContent()).resolves.toContain('vanthu@stc.hanoi.gov.vn');
    // One item: no next page to offer.
    expect(await page.getByRole('button', { name: 'Xem thêm' }).isVisible()).toBe(false);
    await screenshot(page, 'intake-queue');

    await row.getByRole('link', { name: subject }).click();
    await page.waitForURL(new RegExp(`#/intake/${itemId}$`));
    const pdfLink = page.getByRole('link', { name: 'giay-moi.pdf' });
    const pdf = await page.request.get(new URL((await pdfLink.getAttribute('href')) ?? '', baseUrl).href);
    expect([pdf.status(), pdf.headers()['content-type']]).toEqual([200, 'application/pdf']);
    expect(Buffer.from(await pdf.body()).equals(PDF)).toBe(true);
    await screenshot(page, 'intake-item');

    await page.locator('#reg-notation').fill('12/GM-STC');
    await page.locator('#register').click();
    await page.locator('#decision-outcome', { hasText: /số đến 1\/20\d\d/ }).waitFor();
    const document = await web.prisma.document.findFirstOrThrow({ where: { intakeItemId: itemId } });
    expect(document).toMatchObject({ subject, notation: '12/GM-STC', number: 1, direction: 'incoming' });

    await page.locator('#open-document').click();
    await expect(page.locator('#document-number').textContent()).resolves.toBe(`1/${document.year}`);
    await page.locator('#status-description').fill('Giao phòng Tổ chức cán bộ');
    await page.locator('#status-04').click();
    await page.locator('#timeline li', { hasText: 'Giao phòng Tổ chức cán bộ' }).waitFor();
    await screenshot(page, 'document');

    await page.getByRole('link', { name: 'Sổ văn bản' }).first().click();
    await page.locator('#register-book tbody tr').first().waitFor();
    const line = page.locator('#register-book tbody tr', { hasText: subject });
    await expect(line.textContent()).resolves.toContain(`1/${document.year}`);
    const csvHref = (await page.locator('#export-csv').getAttribute('href')) ?? '';
    const csv = await page.request.get(new URL(csvHref, baseUrl).href);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain(subject);
    await screenshot(page, 'register-book');
  });

  it('rejects an edXML package with a reason, which queues status 02 for its sender', async () => {
    const itemId = await packageItem(agencyA, '915');
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${itemId}`);
    await expect(page.locator('dl.facts').textContent()).resolves.toContain('915/STC-VP');
    const reason = 'Gửi nhầm cơ quan, đề nghị gửi Sở Tài chính';
    // Keyboard only: type the reason, Tab to the button, Enter.
    await page.locator('#reject-reason').focus();
    await page.keyboard.type(reason);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('reject');
    await page.keyboard.press('Enter');
    // Asked first, the reason repeated, the safe choice focused: Escape keeps the item as it was.
    const dialog = page.locator('#confirm-dialog', { hasText: 'Từ chối văn bản này?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(reason);
    expect(await page.evaluate('document.activeElement.id')).toBe('confirm-no');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await web.prisma.intakeItem.findUniqueOrThrow({ where: { id: itemId } })).state).toBe('new');
    await page.locator('#reject').focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await screenshot(page, 'intake-item-confirm-reject');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('confirm-yes');
    await page.keyboard.press('Enter');
    await page.locator('#decision-outcome', { hasText: 'Đã từ chối tiếp nhận.' }).waitFor();
    await page.locator('#item-state', { hasText: 'Đã từ chối' }).waitFor();
    await screenshot(page, 'intake-item-rejected');

    const status = await web.prisma.outboxMessage.findFirst({
      where: { kind: 'status', headers: { path: ['statusCode'], equals: '02' } },
    });
    expect(status).toMatchObject({
      targetOrganId: PARTNER,
      state: 'pending',
      headers: { fromOrganId: A, description: reason, documentKey: `${PARTNER},2026/11/20,915/STC-VP` },
    });
    expect((await web.prisma.intakeItem.findUniqueOrThrow({ where: { id: itemId } })).state).toBe('rejected');
  });

  it('shows a clerk of A another agency’s item exactly as one that does not exist', async () => {
    const secret = 'Hồ sơ BMARKER của Sở Y tế';
    const bItem = await mailItem(agencyB, secret);
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    // Loaded fresh, as when the URL is pasted: the page before must not answer for it.
    await page.goto(`${baseUrl}/#/intake/${bItem}`);
    await page.reload();
    await page.locator('main h1').waitFor();
    const forB = await page.locator('main').innerText();
    await screenshot(page, 'intake-item-of-other-agency');
    await page.goto(`${baseUrl}/#/intake/${randomUUID()}`);
    await page.reload();
    await page.locator('main h1').waitFor();
    const forMissing = await page.locator('main').innerText();
    expect(forB).toBe(forMissing);
    expect(forB).toContain('Không tìm thấy');
    expect(forB).not.toContain('BMARKER');
    // The same for a registered document of B.
    const registered = await registerIntakeItem(web.prisma, SYSTEM, bItem);
    if (registered.kind !== 'registered') throw new Error(registered.kind);
    const documentText = async (id: string) => {
      await page.goto(`${baseUrl}/#/documents/${id}`);
      await page.reload();
      await page.locator('main h1').waitFor();
      return page.locator('main').innerText();
    };
    expect(await documentText(registered.documentId)).toBe(await documentText(randomUUID()));
    await page.goto(`${baseUrl}/#/intake?state=`);
    await page.locator('#intake-list').waitFor();
    await page.locator('#intake-list tbody tr').first().waitFor();
    expect(await page.locator('main').innerText()).not.toContain('BMARKER');
  });

  it('loads without a console error (its icon included), and the skip link moves focus, not the page', async () => {
    browser = await openBrowser();
    const { page } = browser;
    const problems: string[] = [];
    page.on('console', (message) => {
      // A refused API call (the 401 of the session check before signing in) is logged by Chromium as a
      // failed load; answers are checked below, where only the console's own files must not fail.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().includes('/api/'))
        problems.push(`${response.status()} ${response.url()}`);
    });
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/documents`);
    await page.reload();
    await page.locator('main h1').waitFor();
    const icon = await page.request.get(`${baseUrl}/console/favicon.svg`);
    expect([icon.status(), icon.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
    // The skip link (first in the page) by keyboard: Enter puts the focus on the content.
    await page.locator('a.skip').focus();
    expect(await page.evaluate('document.activeElement.className')).toBe('skip');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    expect(new URL(page.url()).hash).toBe('#/documents');
    expect(problems).toEqual([]);
  });

  it('makes a person who signs in with a one-time password choose a new one first', async () => {
    const created = await createUser(
      web.prisma,
      { username: 'vanthu.moi', role: 'clerk', agency: A },
      'system:test',
    );
    if (created.kind !== 'created') throw new Error(created.reason.en);
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(`${baseUrl}/`);
    await page.locator('#username').fill('vanthu.moi');
    await page.locator('#password').fill(created.oneTimePassword);
    await page.locator('#password').press('Enter');
    await page.locator('#current-password').fill(created.oneTimePassword);
    await page.locator('#new-password').fill('một mật khẩu mới đủ dài 2027');
    await page.locator('#new-password-again').fill('một mật khẩu mới đủ dài 2027');
    await screenshot(page, 'change-password');
    await page.locator('#new-password-again').press('Enter');
    await page.locator('#intake-list').waitFor();
    const user = await web.prisma.user.findUniqueOrThrow({ where: { username: 'vanthu.moi' } });
    expect(user.mustChangePassword).toBe(false);
  });

  it('sends a person whose session ended elsewhere back to the sign-in form, then to the page asked for', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.locator('#intake-list').waitFor();
    const user = await web.prisma.user.findUniqueOrThrow({ where: { username: 'vanthu.a' } });
    await web.prisma.session.deleteMany({ where: { userId: user.id } });
    await page.goto(`${baseUrl}/#/documents`);
    await page.locator('form.login').waitFor();
    await page.locator('#username').fill('vanthu.a');
    await page.locator('#password').fill(TEST_PASSWORD);
    await page.locator('#password').press('Enter');
    await page.waitForURL(/#\/documents$/);
    await page.locator('#register-book').waitFor();
  });

  it('shows markup in a subject as text, under a policy that forbids inline scripts', async () => {
    const subject = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> Công văn';
    const itemId = await mailItem(agencyA, subject);
    browser = await openBrowser();
    const { page } = browser;
    const shell = await page.request.get(`${baseUrl}/`);
    expect(shell.headers()['content-security-policy']).toContain("script-src 'self'");
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.locator('#intake-list tbody tr', { hasText: 'window.pwned=2' }).waitFor();
    await page.goto(`${baseUrl}/#/intake/${itemId}`);
    await expect(page.locator('main h1').innerText()).resolves.toBe(subject);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
  });

  it('says on an empty queue that mail just answered 250 appears a few seconds later, in either language', async () => {
    await addAgency(web.prisma, '000.00.33.H53', 'Sở Tư pháp');
    await addPerson(web.prisma, { username: 'vanthu.c', role: 'clerk', agency: '000.00.33.H53' });
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.c', TEST_PASSWORD);
    const status = page.locator('main [role=status]');
    await status.filter({ hasText: 'trả lời 250' }).waitFor();
    await expect(status.innerText()).resolves.toMatch(/sẽ hiện ở đây sau vài giây/);
    await screenshot(page, 'intake-empty');
    await page.getByRole('button', { name: 'English' }).click();
    await status.filter({ hasText: 'answered 250' }).waitFor();
    await expect(status.innerText()).resolves.toMatch(/appears here a few seconds later/);
    // A filter that finds nothing is just empty: the hint is about the queue itself.
    await page.locator('#q').fill('không có trích yếu này');
    await page.locator('#q').press('Enter');
    await status.filter({ hasText: 'Nothing here.' }).waitFor();
  });

  it('gives an admin the relay dashboard and the agency directory, in English on request', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    await page.waitForURL(/#\/relay$/);
    await page.locator('#outbox').waitFor();
    // No raw states or kinds: the outbox and deliveries read in words.
    const outbox = await page.locator('#outbox').innerText();
    expect(outbox).not.toMatch(/\b(edoc|pending|done|failed|queued)\b/);
    expect(outbox).toMatch(/Trạng thái xử lý|Văn bản/);
    // With no outgoing mail server, the e-mail channel cannot work: the admin is told, with whom it leaves out.
    await web.prisma.agency.create({ data: { organId: E, name: 'UBND xã Hòa Bình', channel: 'email' } });
    await page.reload();
    const warning = page.locator('.warning-box[data-channel="email"]');
    await warning.waitFor();
    expect(await warning.innerText()).toContain('Chưa cấu hình máy chủ gửi thư');
    expect(await warning.innerText()).toContain('UBND xã Hòa Bình');
    await screenshot(page, 'relay');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Relay' }).waitFor();
    await page.getByRole('link', { name: 'Agencies' }).click();
    const directory = await page.locator('#agencies').innerText();
    expect(directory).toContain(A);
    expect(directory).toContain('Sở Y tế');
    await screenshot(page, 'agencies');
  });
});
