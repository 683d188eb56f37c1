import { webcrypto } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createIngestMetrics,
  ingestSources,
  prismaRecipientDirectory,
  startMailboxPoller,
  type MailboxPoller,
} from '../../src/ingest/index.ts';
import { fileAnchorSigner, readExportedAnchors, verifyAudit } from '../../src/registry/index.ts';
import { trustDirectoryCertificates } from '../../src/signing/index.ts';
// Deep import: certificates with chosen expiry dates, as the signing tests make them.
import { X509CertificateGenerator } from '../../src/signing/x509.ts';
import { issuePartnerBrokerAccess } from '../../src/exchange/index.ts';
import { createMailTransport, prismaOutboundMailLog, smtpOutbound } from '../../src/outbound-mail/index.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';
import { testServices } from '../support/test-services.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';

/**
 * The data centre's admin pages in Chromium: an admin creates a user and a partner token (each
 * secret shown once, and working), runs the audit integrity check, imports the directory from a
 * CSV file (a bad file first), issues a partner's broker password (refused while the broker's
 * management API is down, then shown once and working), and reads the certificates and mail
 * sources pages (with an alert the relay, being down, did not take).
 */
const HOSTED = '000.00.81.H53';
const PARTNER = '000.00.82.H53';
const DAY = 86_400_000;

let web: TestWebApp;
let baseUrl: string;
let dataDir: string;
let poller: MailboxPoller | undefined;
let browser: TestBrowser | undefined;
let vhost: TestVhost;
// Down at first (nothing listens on port 1), then the test's RabbitMQ.
let managementUrl = 'http://guest:guest@127.0.0.1:1';
const metrics = createIngestMetrics();

async function certificatePem(cn: string, notAfter: Date, issuerCn = cn): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const certificate = await X509CertificateGenerator.create({
    subject: `CN=${cn}, O=UBND tỉnh Tây Ninh, C=VN`,
    issuer: `CN=${issuerCn}, O=UBND tỉnh Tây Ninh, C=VN`,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return certificate.toString('pem');
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lienthong-admin-console-'));
  const trustDir = path.join(dataDir, 'trust');
  await mkdir(path.join(trustDir, 'pins'), { recursive: true });
  await writeFile(
    path.join(trustDir, 'root.crt'),
    await certificatePem('Test RootCA G2', new Date(Date.now() + 3650 * DAY)),
  );
  await writeFile(
    path.join(trustDir, 'pins', `${PARTNER}.pem`),
    await certificatePem('Văn thư Sở Xây dựng', new Date(Date.now() + 12.5 * DAY), 'Test RootCA G2'),
  );
  await writeFile(
    path.join(trustDir, 'pins', `${HOSTED}.pem`),
    await certificatePem('Chứng thư cũ Sở Nội vụ', new Date(Date.now() - 2.5 * DAY), 'Test RootCA G2'),
  );
  vhost = await createTestVhost('admin-console');
  web = await startTestWebApp('browser-admin', {
    admin: {
      issueBrokerCredentials: (organId) =>
        issuePartnerBrokerAccess(
          { api: { url: managementUrl }, amqpUrl: vhost.amqpUrl, prisma: web.prisma },
          organId,
        ),
      verifyAuditTrail: () =>
        verifyAudit(web.prisma, fileAnchorSigner(dataDir), readExportedAnchors(dataDir)),
      heldCertificates: () => trustDirectoryCertificates(trustDir),
      ingestSources: () =>
        ingestSources(
          metrics,
          2525,
          [
            {
              name: 'hop-thu-so-noi-vu',
              agency: HOSTED,
              host: '127.0.0.1',
              folder: 'INBOX',
              health: () => poller!.health(),
            },
          ],
          { pending: 3, failed: 1, oldestAgeSeconds: 42 },
        ),
    },
  });
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  await addAgency(web.prisma, HOSTED, 'Sở Nội vụ');
  await web.prisma.agency.create({ data: { organId: PARTNER, name: 'Sở Xây dựng', channel: 'partner' } });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  // What the SMTP listener counts, and a mailbox whose server does not answer.
  metrics.accepted.inc({ source: 'smtp', placement: 'queue' }, 41);
  metrics.accepted.inc({ source: 'smtp', placement: 'quarantine' }, 2);
  metrics.refused.inc({ source: 'smtp', reason: 'INGEST_RECIPIENT_UNKNOWN' }, 3);
  metrics.bytes.inc({ source: 'smtp' }, 1_234_567);
  poller = startMailboxPoller(
    {
      name: 'hop-thu-so-noi-vu',
      host: '127.0.0.1',
      port: 1,
      secure: false,
      user: 'vanthu',
      password: 'x',
      folder: 'INBOX',
      afterCommit: 'seen',
      processedFolder: 'done',
      recipient: () =>
        prismaRecipientDirectory(web.prisma, 'lienthong.local').resolve(`${HOSTED}@lienthong.local`),
    },
    {
      // its server never answers, so nothing reaches this spool
      spool: { accept: () => Promise.reject(new Error('not reached')), full: () => false },
      metrics,
      log: pino({ level: 'silent' }),
      backoff: { initialMs: 50, maxMs: 500 },
    },
  );
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(async () => {
  await poller?.stop();
  await web.close();
  const base = new URL(testServices.amqpManagementUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`);
  base.username = '';
  base.password = '';
  await fetch(new URL(`/api/users/${encodeURIComponent(`lienthong-${vhost.name}-${PARTNER}`)}`, base), {
    method: 'DELETE',
    headers: { authorization: `Basic ${auth.toString('base64')}` },
  });
  await vhost.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function signedInAdmin() {
  browser = await openBrowser();
  await signInThroughConsole(browser.page, baseUrl, 'quantri', TEST_PASSWORD);
  return browser.page;
}

describe('the admin pages in Chromium', () => {
  it('creates a user whose one-time password works, and a partner token whose secret works', async () => {
    const page = await signedInAdmin();
    await page.getByRole('link', { name: 'Người dùng' }).click();
    await page.locator('#user-username').fill('vanthu.noivu');
    await page.locator('#user-display').fill('Nguyễn Thị Văn Thư');
    await page.locator('#user-role').selectOption('clerk');
    await page.locator('#user-agency').selectOption(HOSTED);
    await page.locator('#user-department').fill('Văn phòng');
    await page.locator('#user-department').press('Enter');
    const password = (await page.locator('#one-time-password .secret-value').innerText()).trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    const row = page.locator('#users tbody tr', { hasText: 'vanthu.noivu' });
    expect(await row.innerText()).toContain('Chưa đổi mật khẩu dùng một lần');
    await screenshot(page, 'admin-users');
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'vanthu.noivu', password }),
    });
    expect(login.status).toBe(200);

    await page.getByRole('link', { name: 'Token API' }).click();
    await page.locator('#token-agency').selectOption(PARTNER);
    await page.locator('#token-name').fill('Phần mềm QLVB Sở Xây dựng');
    await page.getByRole('button', { name: 'Tạo' }).click();
    const secret = (await page.locator('#token-secret-box .secret-value').innerText()).trim();
    expect(secret).toMatch(/^lt_/);
    expect(await page.locator('#tokens tbody tr').first().innerText()).toContain('Phần mềm QLVB Sở Xây dựng');
    const asPartner = await fetch(`${baseUrl}/api/v1/agencies`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(asPartner.status).toBe(200);
    await screenshot(page, 'admin-tokens');
  });

  it('asks before locking a person or revoking a token, and refuses an admin locking themselves', async () => {
    const page = await signedInAdmin();
    await page.getByRole('link', { name: 'Người dùng' }).click();
    const row = page.locator('#users tbody tr', { hasText: 'vanthu.noivu' });
    await row.getByRole('button', { name: 'Khóa' }).click();
    const dialog = page.locator('#confirm-dialog', { hasText: 'Khóa tài khoản vanthu.noivu?' });
    await dialog.waitFor();
    await screenshot(page, 'admin-users-confirm-lock');
    await page.locator('#confirm-no').click();
    await dialog.waitFor({ state: 'detached' });
    const user = () => web.prisma.user.findUniqueOrThrow({ where: { username: 'vanthu.noivu' } });
    expect((await user()).disabledAt).toBeNull();
    await row.getByRole('button', { name: 'Khóa' }).click();
    await page.locator('#confirm-yes').click();
    await page
      .locator('#users tbody tr', { hasText: 'vanthu.noivu' })
      .getByRole('button', { name: 'Mở khóa' })
      .waitFor();
    expect((await user()).disabledAt).not.toBeNull();

    // Locking oneself: asked, then refused by the hub with the reason shown, and still signed in.
    await page
      .locator('#users tbody tr', { hasText: 'quantri' })
      .first()
      .getByRole('button', { name: 'Khóa' })
      .click();
    await page.locator('#confirm-yes').click();
    await page.getByText('Không thể tự khóa tài khoản của chính mình').waitFor();
    expect(
      (await web.prisma.user.findUniqueOrThrow({ where: { username: 'quantri' } })).disabledAt,
    ).toBeNull();

    await page.getByRole('link', { name: 'Token API' }).click();
    const token = page.locator('#tokens tbody tr', { hasText: 'Phần mềm QLVB Sở Xây dựng' });
    await token.getByRole('button', { name: 'Thu hồi' }).click();
    await page
      .locator('#confirm-dialog', { hasText: 'Thu hồi token “Phần mềm QLVB Sở Xây dựng”?' })
      .waitFor();
    await page.keyboard.press('Escape');
    expect(await web.prisma.apiToken.count({ where: { revokedAt: { not: null } } })).toBe(0);
    await token.getByRole('button', { name: 'Thu hồi' }).click();
    await page.locator('#confirm-yes').click();
    await page.locator('#tokens tbody tr', { hasText: 'Đã thu hồi' }).waitFor();
    expect(await web.prisma.apiToken.count({ where: { revokedAt: { not: null } } })).toBe(1);
  });

  it('runs the audit integrity check, shows the trail in words filtered by kind and dates, and exports it', async () => {
    const page = await signedInAdmin();
    await page.getByRole('link', { name: 'Nhật ký' }).click();
    await page.locator('#audit tbody tr').first().waitFor();
    await page.locator('#verify-audit').click();
    await page.locator('#audit-verdict .done').waitFor();
    expect(await page.locator('#audit-verdict').innerText()).toMatch(/^Nguyên vẹn: \d+ mục, mục cuối #\d+\./);
    await page.locator('#audit-action').selectOption({ label: 'Người dùng' });
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.waitForURL(/#\/audit\?.*action=user/);
    await page.locator('#audit tbody tr').first().waitFor();
    // In words: the action, who did it by name, what it was about; never codes, UUIDs or JSON.
    const actions = await page.locator('#audit tbody tr td:nth-child(5)').allInnerTexts();
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions)
      expect(action).toMatch(
        /^(Tạo người dùng|Khóa tài khoản|Mở khóa tài khoản|Đặt lại mật khẩu|Sửa thông tin người dùng)$/,
      );
    const table = await page.locator('#audit tbody').innerText();
    expect(table).not.toMatch(/user:|system:|[0-9a-f]{8}-[0-9a-f]{4}-|[{}]/);
    expect(table).toContain('Vai trò');

    // A range that ends before it starts is refused next to the field, in words.
    await page.locator('#audit-from').fill('2026-12-31');
    await page.locator('#audit-to').fill('2026-01-01');
    await page.getByRole('button', { name: 'Lọc' }).click();
    expect(await page.locator('#audit-filter-problem').innerText()).toContain('“Từ ngày” phải trước');
    expect(await page.locator('#audit-to').getAttribute('aria-invalid')).toBe('true');

    // The CSV carries the same filter and the same words.
    await page.locator('#audit-from').fill('');
    await page.locator('#audit-to').fill('');
    const href = await page.locator('#audit-export').getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/audit\/export\?.*action=user.*lang=vi/);
    const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    expect(csv).toContain('Tạo người dùng');
    await page.locator('#verify-audit').click();
    await page.locator('#audit-verdict .done').waitFor();
    await screenshot(page, 'admin-audit');
  });

  it('imports the directory from a CSV file (a bad file refused whole with its lines) and issues a broker password', async () => {
    const page = await signedInAdmin();
    await page.getByRole('link', { name: 'Cơ quan' }).click();
    await page.locator('#agencies').waitFor();
    const bad = ['organId,name,channel', '000.00.83.H53,Sở Tư pháp,hosted', '12345,Sở Sai Mã,hosted'].join(
      '\n',
    );
    await page
      .locator('#csv-file')
      .setInputFiles({ name: 'sai.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Nhập', exact: true }).click();
    await page.locator('#import-problems').waitFor();
    expect(await page.locator('#import-problems tbody').innerText()).toMatch(
      /^3\s+Mã định danh của cơ quan "12345"/,
    );
    expect(await page.locator('#agencies').innerText()).not.toContain('000.00.83.H53');

    const good = [
      'organId,name,channel,emails,aliases,signaturePolicy',
      '000.00.83.H53,Sở Tư pháp,hosted,,,',
      `${PARTNER},Sở Xây dựng tỉnh Tây Ninh,partner,vanthu@sxd.example.vn,,require_trusted`,
    ].join('\n');
    await page
      .locator('#csv-file')
      .setInputFiles({ name: 'dung.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: 'Nhập', exact: true }).click();
    await page.locator('#import-rows').waitFor();
    expect(await page.locator('#import-outcome .done').innerText()).toBe(
      'Đã nhập: 1 cơ quan mới, 1 cơ quan cập nhật.',
    );
    await page.locator('#agencies', { hasText: '000.00.83.H53' }).waitFor();
    expect(await page.locator('#agencies').innerText()).toContain('Sở Xây dựng tỉnh Tây Ninh');
    // The broker's management API down: the page says so, and no password appears.
    const issue = page
      .locator('#agencies tr', { hasText: PARTNER })
      .getByRole('button', { name: 'Cấp/đổi mật khẩu broker' });
    await issue.click();
    await page
      .locator('#broker-outcome', { hasText: 'Không kết nối được máy chủ chuyển tin, chưa cấp mật khẩu nào' })
      .waitFor();
    expect(await page.locator('#broker-password').count()).toBe(0);
    // Back up: the password is shown once, and the partner connects with it.
    managementUrl = testServices.amqpManagementUrl;
    await issue.click();
    const password = (await page.locator('#broker-password .secret-value').innerText()).trim();
    const shown = await page.locator('#broker-password').innerText();
    expect(shown).toContain(`lienthong-${vhost.name}-${PARTNER}`);
    // The inbox name the partner's system must read, shown beside the password.
    const inbox = /Hộp thư \(hàng đợi\) cần đọc: (\S+)/.exec(shown)?.[1];
    expect(inbox).toMatch(/^lienthong\.inbox\.000\.00\.82\.H53\.[A-Za-z0-9_-]{22}$/);
    expect(await page.locator('#broker-outcome').innerText()).toBe('');
    const url = new URL(vhost.amqpUrl);
    url.username = encodeURIComponent(`lienthong-${vhost.name}-${PARTNER}`);
    url.password = encodeURIComponent(password);
    const connection = await amqp.connect(url.toString());
    const channel = await connection.createChannel();
    await channel.consume(inbox ?? '', () => undefined);
    await connection.close();
    await screenshot(page, 'admin-agencies-import');
  });

  it('previews a province merger, asks before it runs it, and lists the closed codes (issue #14)', async () => {
    // H43 stands for Long An here (an illustrative level-1 number).
    await addAgency(web.prisma, '000.00.21.H43', 'Sở Tư pháp Long An');
    await addAgency(web.prisma, '000.00.21.H53', 'Sở Tư pháp Tây Ninh');
    const page = await signedInAdmin();
    await page.getByRole('link', { name: 'Cơ quan' }).click();
    await page.locator('#agencies').waitFor();
    await page.locator('#merge-absorbed').fill('H43');
    await page.locator('#merge-absorbing').fill('H53');
    await page.locator('#merge-effective').fill('2025-07-01');
    await page.locator('#merge-mapping').setInputFiles({
      name: 'long-an.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('oldCode,newCode,newName\n000.00.21.H43,000.00.21.H53,\n'),
    });
    await page.getByRole('button', { name: 'Xem trước' }).click();
    await page.locator('#merge-plan').waitFor();
    expect(await page.locator('#merge-plan').innerText()).toContain(
      '000.00.21.H43 Sở Tư pháp Long An → nhập vào 000.00.21.H53 Sở Tư pháp Tây Ninh',
    );
    // Asked first; keeping things as they are changes nothing.
    await page.locator('#merge-run').click();
    await page.locator('#confirm-dialog', { hasText: 'Sáp nhập H43 vào H53?' }).waitFor();
    await page.locator('#confirm-no').click();
    expect(await page.locator('#agencies').innerText()).toContain('000.00.21.H43');
    await page.locator('#merge-run').click();
    await page.locator('#confirm-yes').click();
    await page.locator('#merge-outcome .done', { hasText: 'Đã sáp nhập: 1 cơ quan đã chuyển.' }).waitFor();
    await page.locator('#former-codes', { hasText: '000.00.21.H43' }).waitFor();
    expect(await page.locator('#former-codes').innerText()).toMatch(
      /000\.00\.21\.H43\s+01\/07\/2025\s+sáp nhập\s+000\.00\.21\.H53 Sở Tư pháp Tây Ninh/,
    );
    expect(await page.locator('#agencies').innerText()).not.toContain('Sở Tư pháp Long An');
    await screenshot(page, 'admin-agencies-merger');
  });

  it('shows certificates close to expiry, the expired one first, the mail sources and a send that failed', async () => {
    const page = await signedInAdmin();
    await page.getByRole('link', { name: 'Chứng thư số' }).click();
    await page.locator('#certificates').waitFor();
    const rows = await page.locator('#certificates tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Đã hết hạn');
    expect(rows[0]).toContain(HOSTED);
    expect(rows[1]).toContain('12 ngày');
    await screenshot(page, 'admin-certificates');
    await page.locator('#within').selectOption('');
    await page.waitForURL(/withinDays=$/);
    await page.locator('#certificates tbody tr', { hasText: 'Test RootCA G2' }).first().waitFor();
    expect(await page.locator('#certificates tbody tr').count()).toBe(3);

    await page.getByRole('link', { name: 'Nguồn thư' }).click();
    await page.locator('#smtp').waitFor();
    expect(await page.locator('#smtp').innerText()).toContain('43');
    expect(await page.locator('#smtp-refused').innerText()).toContain('INGEST_RECIPIENT_UNKNOWN');
    // The poller has failed at least once by now; a refresh shows it.
    await expect.poll(() => poller!.health().lastError !== null).toBe(true);
    await page.getByRole('button', { name: 'Làm mới' }).click();
    await page.locator('#imap', { hasText: 'ECONNREFUSED' }).waitFor();
    expect(await page.locator('#imap').innerText()).toContain('Mất kết nối');
    await screenshot(page, 'admin-ingest-sources');

    // An alert sent while the relay is down (nothing listens on port 1), recorded as the hub does.
    const silent = pino({ level: 'silent' });
    const outbound = smtpOutbound({
      transport: createMailTransport('smtp://127.0.0.1:1'),
      from: 'lienthong@hub.example.vn',
      alertTo: ['quantri@hub.example.vn'],
      log: silent,
      record: prismaOutboundMailLog(web.prisma, silent),
    });
    await outbound.alert('Hộp thư không kết nối được', 'hop-thu-so-noi-vu');
    await page.locator('#outbound-state').selectOption('failed');
    await page.waitForURL(/outbound=failed$/);
    const failed = page.locator('#outbound-mail tbody tr', { hasText: 'Hộp thư không kết nối được' });
    await failed.waitFor();
    const text = await failed.innerText();
    expect(text).toContain('gửi lỗi');
    expect(text).toContain('Máy chủ thư không nhận');
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain('quantri@hub.example.vn');
    await screenshot(page, 'admin-outbound-mail');
  });
});
