import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createBrokerConnection,
  createDeadLetters,
  type BrokerConnection,
} from '../../src/exchange/index.ts';
// Deep import: no relay service runs here to declare the queues (as in relay-console.test.ts).
import { assertTopology } from '../../src/exchange/topology.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { documentPackage } from '../support/relay-fixtures.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';

/**
 * The admin's workflows of issue 19 in Chromium, on a real RabbitMQ and PostgreSQL: a dead letter's
 * payload (text as text, an edXML package in brief, binary as a hash) and its discard, answered
 * from the keyboard; the refused submissions behind the dashboard's count, filtered; one person
 * changed and one agency added and changed without a CSV file. Each page is also looked at on a
 * phone's 390×844.
 */
const A = '000.00.51.H53';
const B = '000.00.52.H53';

let vhost: TestVhost;
let broker: BrokerConnection;
let web: TestWebApp;
let baseUrl: string;
let browser: TestBrowser | undefined;

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function deadLetter(messageId: string, content: Buffer, contentType: string): Promise<void> {
  const channel = await broker.current()!.createConfirmChannel();
  channel.publish('lienthong.dead', '', content, {
    messageId,
    type: 'edoc',
    contentType,
    persistent: true,
    headers: {
      'x-lienthong-from': A,
      'x-death': [
        {
          reason: 'delivery_limit',
          queue: `lienthong.inbox.${B}`,
          exchange: 'lienthong.deliver',
          'routing-keys': [B],
          count: 1,
        },
      ],
    },
  });
  await channel.waitForConfirms();
  await channel.close();
}

/** Nothing sticks out sideways at this width: the page itself never scrolls horizontally. */
async function fitsWidth(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  const [scrollWidth, width] = await page.evaluate<[number, number]>(
    '[document.documentElement.scrollWidth, window.innerWidth]',
  );
  expect([name, scrollWidth]).toEqual([name, width]);
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** Opens the confirmation with the keyboard and answers it: Esc keeps, Tab then Enter confirms. */
async function answerConfirm(page: Page, confirm: boolean): Promise<void> {
  const dialog = page.locator('#confirm-dialog');
  await dialog.waitFor();
  expect(await page.evaluate('document.activeElement?.id')).toBe('confirm-no');
  if (confirm) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('confirm-yes');
    await page.keyboard.press('Enter');
  } else {
    await page.keyboard.press('Escape');
  }
  await dialog.waitFor({ state: 'detached' });
}

beforeAll(async () => {
  vhost = await createTestVhost('admin-workflows');
  broker = createBrokerConnection({ url: vhost.amqpUrl, log: createSilentLogger() });
  broker.start();
  const connection = await until(() => Promise.resolve(broker.current()));
  const channel = await connection.createChannel();
  await assertTopology(channel);
  await channel.close();
  web = await startTestWebApp('browser-admin-workflows', {
    broker: { deadLetters: createDeadLetters(broker) },
  });
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  await addAgency(web.prisma, A, 'Sở Tài chính');
  await addAgency(web.prisma, B, 'Sở Y tế');
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  await addPerson(web.prisma, {
    username: 'vanthu.a',
    role: 'clerk',
    agency: A,
    displayName: 'Trần Văn Bình',
  });
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(async () => {
  await web.close();
  await broker.stop();
  await vhost.drop();
});

describe('dead letters', () => {
  it('shows the payload safely and discards a letter only after asking, with the reason audited', async () => {
    const edxml = documentPackage({ from: A, to: [B], subject: 'V/v kiểm tra <b>không in đậm</b>' });
    const html = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const binary = Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x9c]);
    await deadLetter('dl-edxml', edxml, 'application/xml');
    await deadLetter('dl-html', Buffer.from(html), 'text/html');
    await deadLetter('dl-binary', binary, 'application/octet-stream');
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    const row = page.locator('#dead-letters tbody tr', { hasText: 'dl-edxml' });
    expect(await row.innerText()).toContain('Đã giao quá số lần cho phép mà nơi nhận không nhận');
    expect(await row.innerText()).toContain('Văn bản');
    await row.getByRole('link', { name: 'Xem nội dung' }).click();
    await page.locator('#payload-text').waitFor();
    const shown = await page.locator('main').innerText();
    for (const words of [
      'Tóm tắt gói tin edXML',
      `Cơ quan ${A} (${A})`,
      `Cơ quan ${B} (${B})`,
      '123/UBND-VP',
      'V/v kiểm tra <b>không in đậm</b>',
      createHash('sha256').update(edxml).digest('hex'),
    ])
      expect([words, shown.includes(words)]).toEqual([words, true]);
    expect(await page.locator('main b').count()).toBe(0);
    await screenshot(page, 'admin-dead-letter-payload');
    await fitsWidth(page, 'admin-dead-letter-payload');

    await page.goto(`${baseUrl}/#/dead-letters/dl-html`);
    await page.locator('#payload-text', { hasText: 'onerror' }).waitFor();
    expect(await page.locator('#payload-text').innerText()).toBe(html);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    expect(await page.locator('main').innerText()).toContain(
      'Nội dung không phải một gói tin edXML đọc được.',
    );

    await page.goto(`${baseUrl}/#/dead-letters/dl-binary`);
    await page.locator('#payload-binary').waitFor();
    expect(await page.locator('#payload-text').count()).toBe(0);
    expect(await page.locator('main').innerText()).toContain(
      createHash('sha256').update(binary).digest('hex'),
    );

    // Too short a reason is said next to the field; nothing is asked.
    const reason = page.locator('#discard-reason');
    await reason.fill('ab');
    await page.locator('#discard-form button').focus();
    await page.keyboard.press('Enter');
    await page.locator('.field-problem', { hasText: 'Lý do hủy: cần ít nhất 3 ký tự' }).waitFor();
    expect(await page.locator('#confirm-dialog').count()).toBe(0);
    // Esc keeps the letter.
    await reason.fill('Tệp rác của một lần thử kết nối');
    await page.locator('#discard-form button').focus();
    await page.keyboard.press('Enter');
    await answerConfirm(page, false);
    expect(await web.prisma.auditEntry.count({ where: { action: 'relay.dead-letter-discarded' } })).toBe(0);
    await page.locator('#discard-form button').focus();
    await page.keyboard.press('Enter');
    await answerConfirm(page, true);
    await page.locator('#discard-done', { hasText: 'Đã hủy thư dl-binary' }).waitFor();
    const entry = await web.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'relay.dead-letter-discarded' },
    });
    expect(entry).toMatchObject({ actor: 'user:quantri', subject: 'message:dl-binary' });
    expect(entry.data).toMatchObject({
      reason: 'Tệp rác của một lần thử kết nối',
      sha256: createHash('sha256').update(binary).digest('hex'),
    });
    await screenshot(page, 'admin-dead-letter-discarded');

    await page.locator('a', { hasText: 'Về trang chuyển phát' }).click();
    await page.locator('#dead-letters tbody tr', { hasText: 'dl-html' }).waitFor();
    expect(await page.locator('#dead-letters').innerText()).not.toContain('dl-binary');
  });
});

describe('refused submissions', () => {
  it('opens from the dashboard’s refusal count, filtered by agency, in both languages', async () => {
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
    await web.prisma.relayRefusal.create({
      data: {
        submitterOrganId: A,
        submittedVia: 'amqp',
        refusedAt: minutesAgo(20),
        reasons: ['Chữ ký số không hợp lệ / the signature is invalid: digest mismatch'],
      },
    });
    await web.prisma.relayRefusal.create({
      data: {
        submitterOrganId: B,
        submittedVia: 'axis',
        refusedAt: minutesAgo(5),
        reasons: [
          `Cơ quan gửi X không có trong danh bạ / the sending agency X is not in the hub's directory`,
        ],
      },
    });
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    await page.locator('#refusals-link').click();
    await page.locator('#refusals tbody tr').nth(1).waitFor();
    const rows = page.locator('#refusals tbody tr');
    expect(await rows.count()).toBe(2);
    const newest = await rows.nth(0).innerText();
    for (const words of ['Sở Y tế', B, 'Trục liên thông quốc gia', 'Cơ quan gửi X không có trong danh bạ'])
      expect([words, newest.includes(words)]).toEqual([words, true]);
    expect(newest).not.toContain('the sending agency');
    expect(await rows.nth(1).innerText()).toContain('AMQP (hệ thống đối tác)');
    await screenshot(page, 'admin-refusals');
    await fitsWidth(page, 'admin-refusals');

    await page.locator('#refusal-agency').selectOption(A);
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.waitForURL(/agency=000\.00\.51\.H53/);
    await until(async () => ((await rows.count()) === 1 ? true : undefined));
    expect(await rows.nth(0).innerText()).toContain('Sở Tài chính');

    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Refused submissions' }).waitFor();
    await rows.nth(0).waitFor();
    const english = await rows.nth(0).innerText();
    expect(english).toContain('AMQP (partner system)');
    expect(english).toContain('the signature is invalid: digest mismatch');
    await screenshot(page, 'admin-refusals-en');
  });
});

describe('people and agencies without a CSV file', () => {
  it('moves a clerk to another agency after asking, and refuses an admin’s own demotion next to the field', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/users`);
    const clerkRow = page.locator('#users tbody tr', { hasText: 'vanthu.a' });
    await clerkRow.getByRole('button', { name: 'Sửa' }).click();
    await page.locator('#edit-user').waitFor();
    expect(await page.evaluate('document.activeElement?.id')).toBe('edit-display');
    await page.locator('#edit-agency').selectOption(B);
    await page.locator('#edit-display').fill('Trần Văn Bình (Sở Y tế)');
    await page.locator('#edit-display').press('Enter');
    await answerConfirm(page, true);
    await page.locator('#user-saved', { hasText: 'phải đăng nhập lại' }).waitFor();
    await page.locator('#users tbody tr', { hasText: 'Trần Văn Bình (Sở Y tế)' }).waitFor();
    const moved = await web.prisma.user.findUniqueOrThrow({
      where: { username: 'vanthu.a' },
      include: { agency: true },
    });
    expect(moved.agency?.organId).toBe(B);

    const selfRow = page.locator('#users tbody tr', { hasText: 'quantri' });
    await selfRow.getByRole('button', { name: 'Sửa' }).click();
    await page.locator('#edit-role').selectOption('clerk');
    await page.locator('#edit-agency').selectOption(A);
    await page.locator('#edit-user button[type=submit]').click();
    await answerConfirm(page, true);
    await page
      .locator('#edit-user .field-problem', { hasText: 'Vai trò: không thể tự bỏ quyền quản trị' })
      .waitFor();
    expect(await page.locator('#edit-role').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'admin-user-edit');
    await fitsWidth(page, 'admin-user-edit');
    expect((await web.prisma.user.findUniqueOrThrow({ where: { username: 'quantri' } })).role).toBe('admin');
  });

  it('adds one agency and changes it, the channel in words, a code already there refused by name', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/agencies`);
    await page.locator('#agency-add').click();
    await page.locator('#agency-code').fill(A);
    await page.locator('#agency-name').fill('Trùng mã');
    await page.locator('#agency-name').press('Enter');
    await page.locator('#agency-form .field-problem', { hasText: 'đã có trong danh bạ' }).waitFor();

    await page.locator('#agency-code').fill('000.00.53.H53');
    await page.locator('#agency-name').fill('Sở Giáo dục và Đào tạo');
    await page.locator('#agency-channel').selectOption('email');
    await page.locator('#agency-emails').fill('vanthu@sgd.tayninh.gov.vn; pgd@sgd.tayninh.gov.vn');
    await screenshot(page, 'admin-agency-form');
    await page.locator('#agency-emails').press('Enter');
    await page.locator('#agency-saved', { hasText: 'Đã thêm cơ quan 000.00.53.H53' }).waitFor();
    const row = page.locator('#agencies tbody tr', { hasText: '000.00.53.H53' });
    await row.waitFor();
    expect(await row.innerText()).toContain('Thư điện tử');
    expect(await page.locator('#agencies').innerText()).not.toMatch(/\bhosted\b|\brecord_only\b/);

    await row.getByRole('button', { name: 'Sửa' }).click();
    expect(await page.locator('#agency-code').getAttribute('readonly')).not.toBeNull();
    await page.locator('#agency-name').fill('Sở Giáo dục và Đào tạo tỉnh Tây Ninh');
    await page.locator('#agency-channel').selectOption('hosted');
    await page.locator('#agency-name').press('Enter');
    await answerConfirm(page, true);
    await page.locator('#agency-saved', { hasText: 'Đã lưu cơ quan 000.00.53.H53' }).waitFor();
    await page.locator('#agencies tbody tr', { hasText: 'Sở Giáo dục và Đào tạo tỉnh Tây Ninh' }).waitFor();
    const stored = await web.prisma.agency.findUniqueOrThrow({ where: { organId: '000.00.53.H53' } });
    expect([stored.name, stored.channel]).toEqual(['Sở Giáo dục và Đào tạo tỉnh Tây Ninh', 'hosted']);
    await fitsWidth(page, 'admin-agencies');
  });
});
