import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { receiveIntakeBatch, receiveIntakeItems, registerIntakeItem } from '../../src/registry/index.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  TEST_PASSWORD,
  type TestWebApp,
} from '../support/web-app.ts';
import { type Actor } from '../../src/shared/index.ts';

/**
 * Live updates in Chromium: the intake queue shows an item that arrives while the page is open
 * and drops one decided elsewhere, without a reload (and never shows another agency's); the relay
 * dashboard draws its throughput chart from real rows and follows a refusal as it happens.
 */
const A = '000.00.61.H53';
const B = '000.00.62.H53';
const SYSTEM: Actor = { kind: 'system', component: 'browser-live-test' };

let web: TestWebApp;
let baseUrl: string;
let agencyA: string;
let agencyB: string;
let browser: TestBrowser | undefined;

async function arrive(agencyId: string, subject: string): Promise<string> {
  const raw = Buffer.from(`${subject} ${randomUUID()}`);
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'upload',
    raw,
    agencyIds: [agencyId],
    dedupKey: `test:${raw.toString('hex')}`,
    subject,
    attachments: [],
  });
  if (!received) throw new Error('nothing received');
  return received.itemId;
}

/** A marker on the page's window: still there afterwards means the page was never reloaded. */
async function markPage(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => {
    (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  return () => page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded === true);
}

function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

beforeAll(async () => {
  web = await startTestWebApp('browser-live');
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  agencyB = await addAgency(web.prisma, B, 'Sở Tư pháp');
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(() => web.close());

describe('live updates in Chromium', () => {
  it('shows a new item in the open intake queue and drops a decided one, without a reload; a sign-out elsewhere ends the page', async () => {
    const early = await arrive(agencyA, 'Giấy mời họp giao ban tháng 12');
    browser = await openBrowser();
    const { page } = browser;
    const violations = cspViolations(page);
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.locator('#intake-list tbody tr', { hasText: 'Giấy mời họp giao ban' }).waitFor();
    await page.locator('#live-status.live').waitFor();
    expect(await page.locator('#live-status').innerText()).toContain('Trực tuyến');
    const stillSamePage = await markPage(page);

    await arrive(agencyB, 'Công văn của Sở Tư pháp BMARK');
    await arrive(agencyA, 'Công văn số 123 về cải cách hành chính');
    await page.locator('#intake-list tbody tr', { hasText: 'Công văn số 123' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'live-intake-new-item');

    // Decided elsewhere (another clerk, another hub process): it leaves the "new" queue.
    const decided = await registerIntakeItem(web.prisma, SYSTEM, early, { subject: 'Giấy mời họp' });
    expect(decided.kind).toBe('registered');
    await page
      .locator('#intake-list tbody tr', { hasText: 'Giấy mời họp giao ban' })
      .waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.locator('#intake-list tbody tr').count()).toBe(1);
    expect(await page.locator('main').innerText()).not.toContain('BMARK');
    expect(await stillSamePage()).toBe(true);
    expect(violations).toEqual([]);

    // Signed out elsewhere (another tab, a password change): the open page goes back to sign-in.
    const cookie = (await browser.context.cookies()).find((c) => c.name === 'lienthong_session');
    if (!cookie) throw new Error('no session cookie in the browser');
    const sessionCookie = `lienthong_session=${cookie.value}`;
    const session = await web.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: { cookie: sessionCookie },
    });
    const logout = await web.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: sessionCookie, 'x-csrf-token': session.json<{ csrfToken: string }>().csrfToken },
    });
    expect(logout.statusCode).toBeLessThan(300);
    await page.locator('#username').waitFor({ timeout: 10_000 });
    expect(await page.locator('#live-status').isVisible()).toBe(false);
  });

  it('keeps the rows a clerk paged down to when the queue updates live', async () => {
    const C = '000.00.63.H53';
    const agencyC = await addAgency(web.prisma, C, 'Sở Xây dựng');
    await addPerson(web.prisma, { username: 'vanthu.c', role: 'clerk', agency: C });
    await receiveIntakeBatch(
      web.prisma,
      Array.from({ length: 120 }, (_, i) => {
        const subject = `Công văn xây dựng số ${String(i + 1).padStart(3, '0')}`;
        return {
          actor: SYSTEM,
          input: {
            source: 'upload' as const,
            raw: Buffer.from(`${subject} ${randomUUID()}`),
            agencyIds: [agencyC],
            dedupKey: `test:paging:${i}`,
            subject,
          },
        };
      }),
    );
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.c', TEST_PASSWORD);
    const rows = page.locator('#intake-list tbody tr');
    await rows.nth(49).waitFor();
    await page.locator('#live-status.live').waitFor();
    await page.getByRole('button', { name: 'Xem thêm' }).click();
    await rows.nth(99).waitFor();
    expect(await rows.count()).toBe(100);

    // One of the first rows is decided elsewhere: the update drops it and keeps the reader's place.
    const firstSubject = (await rows.nth(0).locator('a').innerText()).trim();
    const decidedId = await web.prisma.intakeItem.findFirstOrThrow({
      where: { agencyId: agencyC, subject: firstSubject },
    });
    expect((await registerIntakeItem(web.prisma, SYSTEM, decidedId.id)).kind).toBe('registered');
    await page.locator('#intake-list tbody tr', { hasText: firstSubject }).waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(100);
    await expect(page.getByRole('button', { name: 'Xem thêm' }).isVisible()).resolves.toBe(true);
  });

  it('draws the relay throughput chart from the last hour and follows a refusal live', async () => {
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
    for (const [index, minutesAgo] of [12, 12, 7, 3].entries()) {
      const relayed = await web.prisma.relayPackage.create({
        data: {
          kind: 'edoc',
          fromOrganId: A,
          sha256: String(index).repeat(64),
          submittedVia: 'amqp',
          submittedBy: 'system:test',
          receivedAt: at(minutesAgo),
        },
      });
      await web.prisma.relayDelivery.create({
        data: {
          packageId: relayed.id,
          toOrganId: B,
          state: 'published',
          history: [
            { state: 'queued', at: at(minutesAgo).toISOString(), outcome: 'moved' },
            { state: 'published', at: at(minutesAgo - 1).toISOString(), outcome: 'moved' },
          ],
        },
      });
    }
    await web.prisma.relayRefusal.create({
      data: {
        submitterOrganId: B,
        submittedVia: 'amqp',
        refusedAt: at(20),
        reasons: ['chữ ký không hợp lệ'],
      },
    });

    browser = await openBrowser();
    const { page } = browser;
    const violations = cspViolations(page);
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    const chart = page.locator('svg#throughput-chart');
    await chart.waitFor();
    await page.locator('#live-status.live').waitFor();
    expect(await chart.locator('rect.bar.accepted').count()).toBe(3);
    expect(await chart.locator('rect.bar.delivered').count()).toBe(3);
    expect(await chart.locator('rect.bar.refused').count()).toBe(1);
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.locator('desc').textContent()).toContain(
      '4 gói tin được nhận chuyển, 4 bản được giao, 1',
    );
    const legend = page.locator('figure.throughput ul.legend');
    expect(await legend.innerText()).toContain('Từ chối: 1');
    await page.locator('details.chart-data summary').click();
    expect(await page.locator('#throughput-table tbody tr').count()).toBe(7);
    await screenshot(page, 'live-relay-throughput');
    const stillSamePage = await markPage(page);

    // A partner's unreadable submission, refused now: the dashboard redraws by itself.
    const admin = await signInAs(web.app, 'quantri');
    const refused = await web.app.inject({
      method: 'POST',
      url: '/api/v1/packages',
      headers: { ...admin.headers, 'content-type': 'application/xml' },
      payload: '<khong-phai-edxml/>',
    });
    expect(refused.statusCode).toBe(422);
    await page.locator('figure.throughput ul.legend', { hasText: 'Từ chối: 2' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('svg#throughput-chart rect.bar.refused').count()).toBe(2);
    expect(await stillSamePage()).toBe(true);
    expect(violations).toEqual([]);
  });
});
