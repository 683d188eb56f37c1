import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createBrokerConnection,
  createRelayService,
  type BrokerConnection,
  type RelayService,
} from '../../src/exchange/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { fileAgencyKeyStore, installAgencyKey } from '../../src/signing/index.ts';
// Deep import: the throw-away PKI is the signing module's test support, not part of its API.
import { createTestPki } from '../../src/signing/test-support/test-pki.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';

/**
 * A clerk of A composes a document in Chromium and sends it to B, another agency the hub hosts,
 * over the real relay (RabbitMQ, a vhost of its own): the hub signs it with A's key, numbers it in
 * A's outgoing book, B's inbox consumer makes an intake item for B's clerk and answers 01, and A's
 * document page shows B's delivery move to received without a reload, and offers the PDF it sent.
 */
const A = '000.00.71.H53';
const B = '000.00.72.H53';
const C = '000.00.73.H53';
const D = '000.00.74.H53';
const SUBJECT = 'V/v tổ chức hội nghị tổng kết công tác năm 2026';
const PDF = Buffer.from('%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

let vhost: TestVhost;
let keyDir: string;
let broker: BrokerConnection;
let relay: RelayService;
let web: TestWebApp;
let baseUrl: string;
let browser: TestBrowser | undefined;

async function until<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  const pki = await createTestPki();
  keyDir = await mkdtemp(path.join(os.tmpdir(), 'lienthong-agency-keys-'));
  await installAgencyKey(keyDir, A, Buffer.from(pki.leaf.keyPem), Buffer.from(pki.leaf.certificatePem));
  vhost = await createTestVhost('outgoing');
  let wake = (): void => undefined;
  web = await startTestWebApp('browser-outgoing', {
    trust: pki.material,
    agencyKeys: fileAgencyKeyStore(keyDir),
    outboxChanged: () => {
      wake();
    },
  });
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  await addAgency(web.prisma, A, 'Sở Nội vụ');
  await addAgency(web.prisma, B, 'Sở Y tế');
  await addAgency(web.prisma, C, 'Sở Giáo dục và Đào tạo');
  await addPerson(web.prisma, { username: 'vanthu.noivu', role: 'clerk', agency: A });
  await addPerson(web.prisma, { username: 'vanthu.yte', role: 'clerk', agency: B });
  broker = createBrokerConnection({ url: vhost.amqpUrl, log: createSilentLogger() });
  relay = createRelayService(web.relayDeps, broker, { worker: { idleDelayMs: 100 } });
  wake = () => {
    relay.wake();
  };
  broker.start();
  relay.start();
  await until(() => Promise.resolve(broker.state().kind === 'up'));
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(async () => {
  await relay.stop();
  await broker.stop();
  await web.close();
  await vhost.drop();
  await rm(keyDir, { recursive: true, force: true });
});

describe('sending a document from the console', () => {
  it("shows the trích yếu's limit as the clerk types, refuses past it beside the field, and asks before a reload loses the form", async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.noivu', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/outgoing/new`);
    await page.locator('#compose').waitFor();
    const long = `${'Về việc tổng kết công tác '.repeat(24)}năm 2026`;
    await page.locator('#subject').fill(long);
    // Nothing is cut: the whole text stays, the count says how far past the limit it is.
    expect(await page.locator('#subject').inputValue()).toBe(long);
    const length = Array.from(long).length;
    expect(await page.locator('#subject-count').textContent()).toBe(`${length}/500 ký tự`);
    await page.locator('#pdf').setInputFiles({ name: 'dai.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.locator('#notation').fill('CV-SNV');
    await page.locator('#signer-name').fill('Trần Thị Bình');
    await page.locator('#recipient-search').fill('y te');
    await page.locator(`[id="recipient-${B}"]`).check();
    await page.locator('#send').click();
    await page.locator('#subject-count', { hasText: `Trích yếu dài ${length} ký tự, tối đa 500` }).waitFor();
    expect(await page.evaluate('document.activeElement.id')).toBe('subject');
    expect(
      await web.prisma.document.count({ where: { direction: 'outgoing', notation: { contains: 'CV-SNV' } } }),
    ).toBe(0);
    // A reload would lose all of it: the browser asks first.
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.type();
      void dialog.dismiss();
    });
    await page.reload({ timeout: 3_000 }).catch(() => undefined);
    expect(asked).toBe('beforeunload');
    expect(await page.locator('#subject').inputValue()).toBe(long);
  });

  let documentUrl: string;

  it('lets A’s clerk compose, sign and send it, and follows B’s delivery to received', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.noivu', TEST_PASSWORD);
    await page.getByRole('link', { name: 'Soạn văn bản đi' }).click();
    await page.locator('#compose').waitFor();

    await page
      .locator('#pdf')
      .setInputFiles({ name: 'hoi-nghi.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.locator('#document-type').selectOption({ label: 'Giấy mời' });
    await page.locator('#notation').fill('GM-SNV');
    await page.locator('#subject').fill(SUBJECT);
    await page.locator('#signer-name').fill('Trần Thị Bình');
    await page.locator('#signer-position').fill('Giám đốc');
    await page.locator('#priority').selectOption('1');
    // The picker searches without diacritics; A itself is not offered.
    await page.locator('#recipient-search').fill('y te');
    expect(
      (await page.locator('#recipient-list li:not([hidden])').allInnerTexts()).map((text) => text.trim()),
    ).toEqual([`Sở Y tế ${B}`]);
    expect(await page.locator(`input[name="recipient"][value="${A}"]`).count()).toBe(0);
    await page.locator(`input[name="recipient"][value="${B}"]`).check();
    await page.locator('#recipient-count', { hasText: 'Đã chọn 1 nơi nhận' }).waitFor();
    await page.locator('#recipient-search').fill('');
    await screenshot(page, 'outgoing-compose');

    await page.locator('#send').click();
    await page.waitForURL(/#\/documents\/[0-9a-f-]{36}$/);
    documentUrl = page.url();
    const year = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' }).slice(0, 4);
    expect(await page.locator('#document-number').innerText()).toBe(`1/${year}`);
    expect(await page.locator('main').innerText()).toContain('1/GM-SNV');

    // Delivered to B's inbox, then B's intake answers 01: the page refreshes by itself.
    const row = page.locator(`#deliveries tr[data-organ-id="${B}"]`);
    await row.locator('[class="delivery-received"]').waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toContain('Nơi nhận đã nhận (01)');
    const delivery = await web.prisma.relayDelivery.findFirstOrThrow({ where: { toOrganId: B } });
    expect((delivery.history as { state: string }[]).map((e) => e.state)).toEqual([
      'queued',
      'published',
      'received',
    ]);

    // The PDF that was sent, read back from the signed package: a download link and the viewer.
    const link = page.locator('#sent-files a', { hasText: 'hoi-nghi.pdf' });
    await link.waitFor();
    expect(await page.locator('main').innerText()).toContain('Tệp văn bản đã gửi');
    // Its number is in the outgoing book, and the timeline says so (not "số đến").
    const timeline = await page.locator('#timeline').innerText();
    expect(timeline).toMatch(/Vào sổ văn bản đi, số \d+\/20\d\d/);
    expect(timeline).not.toContain('số đến');
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/documents\/[0-9a-f-]{36}\/files\/0$/);
    const downloaded = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return {
        status: response.status,
        disposition: response.headers.get('content-disposition'),
        bytes: [...new Uint8Array(await response.arrayBuffer())],
      };
    }, href!);
    expect(downloaded.status).toBe(200);
    expect(downloaded.disposition).toMatch(/^attachment; filename="hoi-nghi.pdf"/);
    expect(Buffer.from(downloaded.bytes).equals(PDF)).toBe(true);
    const inline = page.waitForResponse((r) => r.url().includes('disposition=inline'));
    await page.locator('#sent-files button[data-view="hoi-nghi.pdf"]').click();
    const shown = await inline;
    expect([shown.status(), shown.headers()['content-type']]).toEqual([200, 'application/pdf']);
    expect(shown.headers()['content-disposition']).toMatch(/^inline;/);
    await page.locator('#pdf-frame').waitFor();
    await screenshot(page, 'outgoing-document');
  });

  it('puts it in B’s intake queue for B’s clerk', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.yte', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake`);
    const item = page.locator('main tr', { hasText: SUBJECT });
    await item.waitFor();
    // The sender by name, its code on hover.
    const sender = item.locator('td:nth-child(4)');
    expect([await sender.innerText(), await sender.getAttribute('title')]).toEqual(['Sở Nội vụ', A]);
    await item.getByRole('link').click();
    await page.waitForURL(/#\/intake\/[0-9a-f-]{36}$/);
    await page.locator('main', { hasText: SUBJECT }).waitFor();
    await screenshot(page, 'outgoing-received-by-b');
    // The package arrived signed by A's key and the hub trusted it.
    const intake = await web.prisma.intakeItem.findFirstOrThrow({ where: { subject: SUBJECT } });
    expect(intake.verdicts).toMatchObject([{ status: 'valid', trusted: true }]);
    // B's clerk cannot open A's outgoing document, nor download the PDF it was sent with.
    await page.goto(documentUrl.replace(/^.*#/, `${baseUrl}/#`));
    await page.locator('main h1').waitFor();
    expect(await page.locator('main').innerText()).not.toContain(SUBJECT);
    const documentId = documentUrl.replace(/^.*\//, '');
    const refused = await page.request.get(`${baseUrl}/api/v1/documents/${documentId}/files/0`);
    expect(refused.status()).toBe(404);
  });

  it('lists it in A’s outgoing book, with its CSV export', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.noivu', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/documents?direction=outgoing`);
    const row = page.locator('#register-book tbody tr', { hasText: SUBJECT });
    await row.waitFor();
    expect(await row.innerText()).toContain('Sở Y tế');
    const href = await page.locator('#export-csv').getAttribute('href');
    expect(href).toContain('direction=outgoing');
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(csv).toContain(`1/GM-SNV`);
    expect(csv).toContain(`Giấy mời: ${SUBJECT}`);
  });

  it('says, while the relay keeps trying, why a recipient by e-mail has not received it and who can fix it', async () => {
    // This hub has no outgoing mail server: an agency reached by e-mail cannot get the document.
    await web.prisma.agency.create({
      data: {
        organId: D,
        name: 'UBND xã Tân Lập',
        channel: 'email',
        emails: { create: [{ address: 'vanthu@tanlap.example' }] },
      },
    });
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.noivu', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/outgoing/new`);
    await page.locator('#compose').waitFor();
    await page
      .locator('#pdf')
      .setInputFiles({ name: 'ke-hoach.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.locator('#notation').fill('KH-SNV');
    await page.locator('#subject').fill('Kế hoạch kiểm tra công tác văn thư năm 2027');
    await page.locator('#signer-name').fill('Trần Thị Bình');
    await page.locator('#recipient-search').fill('tan lap');
    await page.locator(`input[name="recipient"][value="${D}"]`).check();
    await page.locator('#send').click();
    await page.waitForURL(/#\/documents\/[0-9a-f-]{36}$/);
    const row = page.locator(`#deliveries tr[data-organ-id="${D}"]`);
    await row.locator('.retry').waitFor({ timeout: 30_000 });
    const text = await row.innerText();
    expect(text).toContain('Đang chờ gửi');
    expect(text).toContain('Máy chủ chưa được cấu hình để gửi thư điện tử');
    expect(text).toContain('Hãy báo quản trị viên trung tâm dữ liệu');
    expect(text).toMatch(/đã thử \d+ lần; lần tới lúc/);
    expect(text).not.toMatch(/LIENTHONG_|SMTP_RELAY|no outbound mail server/);
    await screenshot(page, 'outgoing-delivery-retrying');
  });
});
