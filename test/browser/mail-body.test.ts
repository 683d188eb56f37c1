import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { receiveMailItem } from '../support/mail-items.ts';
import { receiveItem } from '../support/registry-fixtures.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  TEST_PASSWORD,
  type TestWebApp,
} from '../support/web-app.ts';

/**
 * A mail without attachments is read in the console: its text part as text, its HTML part in a
 * frame that runs no script, loads nothing from outside (a remote image would tell the sender who
 * read the mail) and submits no form. A "sender's server" on loopback counts every request the
 * mail's HTML tries to make; it must see none.
 */
const A = '000.00.41.H53';
const B = '000.00.42.H53';

let web: TestWebApp;
let baseUrl: string;
let agencyA: string;
let browser: TestBrowser | undefined;
let tracker: http.Server;
let trackerHits: string[] = [];
let trackerUrl: string;

const mail = (agencyId: string, raw: string) => receiveMailItem(web.prisma, agencyId, raw);

beforeAll(async () => {
  tracker = http.createServer((request, response) => {
    trackerHits.push(request.url ?? '');
    response.end('GIF89a');
  });
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
  trackerUrl = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}`;
  web = await startTestWebApp('browser-mail-body');
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  await addAgency(web.prisma, B, 'Sở Y tế');
  await addPerson(web.prisma, { username: 'vanthu.mail', role: 'clerk', agency: A });
  await addPerson(web.prisma, { username: 'vanthu.other', role: 'clerk', agency: B });
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  trackerHits = [];
});
afterAll(async () => {
  await web.close();
  await new Promise((resolve) => tracker.close(resolve));
});

describe('the mail body in the console', () => {
  it("shows a plain mail's text, with its line breaks, to the clerk of the agency it was sent to", async () => {
    const itemId = await mail(
      agencyA,
      [
        'Message-ID: <text-only@soyte.example.vn>',
        'Subject: =?UTF-8?B?' + Buffer.from('Lịch họp giao ban tuần 49').toString('base64') + '?=',
        'From: Văn thư Sở Y tế <vanthu@soyte.example.vn>',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Kính gửi Sở Nội vụ,',
        'Sở Y tế kính mời đại diện lãnh đạo dự họp giao ban lúc 8 giờ thứ Hai.',
        '',
      ].join('\n'),
    );
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.mail', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${itemId}`);
    const text = page.locator('#mail-body pre.mail-text');
    await text.waitFor();
    expect(await text.textContent()).toBe(
      'Kính gửi Sở Nội vụ,\nSở Y tế kính mời đại diện lãnh đạo dự họp giao ban lúc 8 giờ thứ Hai.',
    );
    // No HTML part: nothing to open.
    expect(await page.locator('#mail-body-html').count()).toBe(0);
    await screenshot(page, 'intake-mail-text');
  });

  it('shows an HTML mail in a frame that runs no script, loads nothing from outside and submits no form', async () => {
    const html = [
      '<html><head><meta charset="windows-1252"><style>p.k{color:#036}</style></head><body>',
      '<p class="k">Kính gửi <b>Sở Nội vụ</b>: tài liệu họp ở đường dẫn dưới.</p>',
      `<img src="${trackerUrl}/pixel.gif?who=reader" alt="">`,
      `<script>fetch("${trackerUrl}/script"); parent.document.title = "pwned";</script>`,
      `<form action="${trackerUrl}/form" method="post"><input name="x" value="1"><button id="send">Gửi</button></form>`,
      `<link rel="stylesheet" href="${trackerUrl}/style.css">`,
      '</body></html>',
    ].join('\n');
    const itemId = await mail(
      agencyA,
      [
        'Message-ID: <html-only@soyte.example.vn>',
        'Subject: Tai lieu hop',
        'From: vanthu@soyte.example.vn',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from(html).toString('base64'),
        '',
      ].join('\n'),
    );
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.mail', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${itemId}`);
    // The text part mailparser derives from the HTML is shown first.
    await page.locator('#mail-body pre.mail-text', { hasText: 'Sở Nội vụ' }).waitFor();
    await page.locator('#mail-body-html summary').click();
    const frame = page.frameLocator('#mail-body-html iframe');
    await frame.locator('p.k', { hasText: 'tài liệu họp' }).waitFor();
    // The form is there to see but cannot be sent; the script never ran.
    await frame
      .locator('#send')
      .click({ timeout: 2_000 })
      .catch(() => undefined);
    await page.waitForTimeout(500);
    expect(trackerHits).toEqual([]);
    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('#mail-body-html iframe').getAttribute('sandbox')).toBe('');
    await screenshot(page, 'intake-mail-html');
  });

  it('answers another agency\'s clerk, and a package item, as "not found"', async () => {
    const itemId = await mail(
      agencyA,
      [
        'Message-ID: <private@soyte.example.vn>',
        'Subject: Rieng',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>chỉ cho Sở Nội vụ</p>',
        '',
      ].join('\n'),
    );
    const own = await web.app.inject({
      method: 'GET',
      url: `/api/v1/intake/${itemId}/mail-body`,
      headers: (await signInAs(web.app, 'vanthu.mail')).headers,
    });
    expect(own.statusCode).toBe(200);
    expect(own.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(own.headers['content-security-policy']).toMatch(/default-src 'none'.*sandbox/);
    expect(own.body).toContain('chỉ cho Sở Nội vụ');
    const other = await web.app.inject({
      method: 'GET',
      url: `/api/v1/intake/${itemId}/mail-body`,
      headers: (await signInAs(web.app, 'vanthu.other')).headers,
    });
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('Sở Nội vụ');
    // A package has no mail body to show.
    const packageItem = await receiveItem(web.prisma, agencyA, 'khong-phai-thu');
    const notMail = await web.app.inject({
      method: 'GET',
      url: `/api/v1/intake/${packageItem}/mail-body`,
      headers: (await signInAs(web.app, 'vanthu.mail')).headers,
    });
    expect(notMail.statusCode).toBe(404);
  });
});
