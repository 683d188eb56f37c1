import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import type { DNSResolver } from 'mailauth';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mailauthAuthenticator } from '../../src/ingest/index.ts';
import { ingestDeps, ingestNow } from '../../src/ingest/test-support/listener-harness.ts';
import { receiveIntakeItems, registerIntakeItem } from '../../src/registry/index.ts';
import { zipFiles } from '../../src/edxml/index.ts';
import { hiddenAttachmentVariants } from '../fixtures/mail/hidden-attachments/generate-variants.ts';
import { memoryTrustStore } from '../../src/signing/index.ts';
import { appendSignature, newPdf } from '../../src/signing/test-support/pdf-writer.ts';
import { createTestPki, type TestPki } from '../../src/signing/test-support/test-pki.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';
import { type Actor } from '../../src/shared/index.ts';

/**
 * The clerk's pages in Chromium against the real app on PostgreSQL: a mail that really went through
 * ingest (DKIM-signed, SPF from a DNS table, a PDF signed by the test CA) shows its sender
 * authentication, headers and signature verdict; its PDF opens inline; a second delivery is marked
 * as its duplicate; a scanned paper is uploaded and registered; a document shows its versions.
 */
const A = '000.00.51.H53';
const PARTNER = '000.00.11.H53';
const SENDER = 'vanthu@stc.example.vn';
const SYSTEM: Actor = { kind: 'system', component: 'browser-clerk-test' };
const require = createRequire(import.meta.url);
const { dkimSign } = require('mailauth/lib/dkim/sign') as {
  dkimSign: (
    message: string,
    options: { signatureData: { signingDomain: string; selector: string; privateKey: string }[] },
  ) => Promise<{ signatures: string; errors: unknown[] }>;
};

let web: TestWebApp;
let baseUrl: string;
let agencyA: string;
let pki: TestPki;
let signedPdf: Buffer;
let browser: TestBrowser | undefined;

const dkimKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const records: Record<string, string[][]> = {
  'TXT stc.example.vn': [['v=spf1 ip4:127.0.0.1 -all']],
  'TXT _dmarc.stc.example.vn': [['v=DMARC1; p=reject']],
  'TXT lt2026._domainkey.stc.example.vn': [
    [`v=DKIM1; k=rsa; p=${dkimKeys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`],
  ],
};
const resolver: DNSResolver = (domain, type) => {
  const answer = records[`${type} ${domain}`];
  if (answer) return Promise.resolve(answer);
  return Promise.reject(Object.assign(new Error(`no ${type} for ${domain}`), { code: 'ENOTFOUND' }));
};

async function deliverMail(messageId: string, subject: string): Promise<string> {
  const boundary = 'b-giaymoi';
  const unsigned = [
    `From: =?utf-8?B?${Buffer.from('Văn thư Sở Tài chính').toString('base64')}?= <${SENDER}>`,
    `To: ${A}@lienthong.local`,
    `Subject: =?utf-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: ${messageId}`,
    'Date: Wed, 25 Nov 2026 09:00:00 +0700',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Kính gửi Sở Nội vụ, giấy mời họp đính kèm.',
    `--${boundary}`,
    'Content-Type: application/pdf; name="giay-moi.pdf"',
    'Content-Disposition: attachment; filename="giay-moi.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    ...(signedPdf.toString('base64').match(/.{1,76}/g) ?? []),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  const dkim = await dkimSign(unsigned, {
    signatureData: [
      {
        signingDomain: 'stc.example.vn',
        selector: 'lt2026',
        privateKey: dkimKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    ],
  });
  if (dkim.errors.length > 0) throw new Error('DKIM signing failed');
  const raw = Buffer.from(dkim.signatures + unsigned);
  const outcome = await ingestNow(
    ingestDeps(web.prisma, {
      senderAuth: mailauthAuthenticator({ resolver }),
      analysis: { parseTimeoutMs: 20_000, trust: memoryTrustStore(pki.material) },
    }),
    raw,
    {
      source: 'smtp',
      mailFrom: SENDER,
      recipients: [{ agencyId: agencyA, organId: A }],
      client: { ip: '127.0.0.1', helo: 'mta.stc.example.vn', mta: 'lienthong.local' },
    },
  );
  if (!outcome.items[0]) throw new Error('not stored');
  return outcome.items[0].itemId;
}

beforeAll(async () => {
  web = await startTestWebApp('browser-clerk');
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  pki = await createTestPki();
  signedPdf = appendSignature(
    newPdf('GIAY MOI hop trien khai chuyen doi so'),
    pki.leaf,
    pki.intermediate.certPath,
    'Chu ky lanh dao',
  ).bytes;
}, 120_000);
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});
afterAll(() => web.close());

describe('the clerk’s pages in Chromium', () => {
  it('shows a mail’s DKIM/SPF results, headers and signature verdict, opens its PDF inline, and marks a second delivery as duplicate', async () => {
    const subject = 'Giấy mời họp triển khai chuyển đổi số';
    const first = await deliverMail('<gm-1@stc.example.vn>', subject);
    // The same invitation sent again by the sender's clerk: a new Message-ID, the same PDF.
    const second = await deliverMail('<gm-2@stc.example.vn>', subject);
    expect(second).not.toBe(first);

    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${first}`);
    await expect(page.locator('main h1').innerText()).resolves.toBe(subject);

    // Sender authentication as recorded at receipt, and the directory flag.
    await expect(page.locator('#auth-spf').innerText()).resolves.toBe('SPF: pass');
    await expect(page.locator('#auth-dkim').innerText()).resolves.toBe('DKIM: pass');
    await expect(page.locator('#auth-dmarc').innerText()).resolves.toBe('DMARC: pass');
    await expect(page.locator('#flags').innerText()).resolves.toContain('Địa chỉ gửi không có trong danh bạ');
    await expect(page.locator('#sender-auth').innerText()).resolves.toContain(
      '127.0.0.1 (HELO mta.stc.example.vn)',
    );

    // The signature badge opens the full verdict: signer, issuer, chain, signing time.
    const verdict = page.locator('#signatures details.verdict').first();
    await expect(verdict.locator('summary').innerText()).resolves.toContain('Chữ ký hợp lệ');
    await verdict.locator('summary').click();
    const detail = await verdict.innerText();
    expect(detail).toContain('giay-moi.pdf');
    expect(detail).toContain('trusted');
    expect(detail).toContain(pki.leaf.certificate.subject);
    expect(detail).toContain('Test CA phục vụ các cơ quan Nhà nước G2');
    expect(detail).toContain('Chu ky lanh dao');

    // The original headers, read from the stored message.
    await page.locator('#mail-headers summary').click();
    const headers = page.locator('#header-fields');
    const field = (name: string) =>
      headers.locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) });
    await field('DKIM-Signature').waitFor();
    await expect(field('Subject').innerText()).resolves.toContain(subject);
    await expect(field('Message-ID').innerText()).resolves.toContain('<gm-1@stc.example.vn>');

    // The PDF inline, in the console's own frame.
    const inline = page.waitForResponse((r) => r.url().includes('disposition=inline'));
    await page.locator('button[data-view="giay-moi.pdf"]').click();
    const response = await inline;
    expect([response.status(), response.headers()['content-type']]).toEqual([200, 'application/pdf']);
    expect(response.headers()['content-disposition']).toMatch(/^inline;/);
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
    await page.locator('#pdf-frame').waitFor();
    expect(page.frames().some((f) => f.url().includes('disposition=inline'))).toBe(true);
    await page.waitForTimeout(1_500); // the PDF viewer paints after the response
    await screenshot(page, 'clerk-item');

    // The second delivery: the first is offered as the original, and the clerk marks it.
    await page.goto(`${baseUrl}/#/intake/${second}`);
    const candidate = page.locator('#duplicate-form label.candidate').first();
    await expect(candidate.innerText()).resolves.toContain('cùng tệp đính kèm');
    // Nothing is chosen for the clerk: marking without a choice asks for one and changes nothing.
    expect(await page.locator(`#candidate-${first}`).isChecked()).toBe(false);
    await page.locator('#mark-duplicate').click();
    await page.locator('#decision-outcome', { hasText: 'Chọn' }).waitFor();
    expect(await page.locator('#confirm-dialog').count()).toBe(0);
    await page.locator(`#candidate-${first}`).check();
    // Asked first; "keep" changes nothing.
    await page.locator('#mark-duplicate').click();
    await page.locator('#confirm-dialog', { hasText: 'Đánh dấu văn bản này là bản trùng?' }).waitFor();
    await page.locator('#confirm-no').click();
    expect((await web.prisma.intakeItem.findUniqueOrThrow({ where: { id: second } })).state).toBe('new');
    await page.locator('#mark-duplicate').click();
    await page.locator('#confirm-yes').click();
    await page.locator('#decision-outcome', { hasText: 'Đã đánh dấu trùng với' }).waitFor();
    await page.locator('#item-state', { hasText: 'Trùng' }).waitFor();
    await screenshot(page, 'clerk-item-duplicate');
    expect(await web.prisma.intakeItem.findUniqueOrThrow({ where: { id: second } })).toMatchObject({
      state: 'duplicate',
      duplicateOfId: first,
    });
    await page.locator('#duplicate-of').click();
    await page.waitForURL(new RegExp(`#/intake/${first}$`));
  });

  it('uploads a scanned paper document and registers it, refusing a non-PDF and an empty file', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.getByRole('link', { name: 'Tải lên văn bản giấy' }).click();
    await page.locator('#upload-form').waitFor();
    const subject = 'Quyết định về việc cử cán bộ đi công tác';
    await page.locator('#up-subject').fill(subject);

    await page.locator('#up-scan').setInputFiles({
      name: 'scan.docx',
      mimeType: 'application/msword',
      buffer: Buffer.from('PK\x03\x04 not a pdf'),
    });
    await page.locator('#upload').click();
    await page.locator('#upload-outcome', { hasText: 'scan.docx không phải PDF' }).waitFor();
    await page
      .locator('#up-scan')
      .setInputFiles({ name: 'trong.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(0) });
    await page.locator('#upload').click();
    await page.locator('#upload-outcome', { hasText: 'Tệp trong.pdf rỗng' }).waitFor();
    expect(await web.prisma.intakeItem.count({ where: { source: 'upload' } })).toBe(0);

    await page.locator('#up-scan').setInputFiles({
      name: 'quyet-dinh-45.pdf',
      mimeType: 'application/pdf',
      buffer: newPdf('QUYET DINH 45/QD-UBND').bytes,
    });
    await page.locator('#up-notation').fill('45/QĐ-UBND');
    await page.locator('#up-documentType').fill('Quyết định (cá biệt)');
    await page.locator('#up-senderName').fill('UBND huyện Cần Giờ');
    await page.locator('#up-promulgatedOn').fill('2026-11-24');
    await page.locator('#up-register-now').check();
    await screenshot(page, 'clerk-upload');
    await page.locator('#upload').click();
    await page.locator('#upload-outcome', { hasText: /Đã vào sổ: số đến \d+\/20\d\d/ }).waitFor();
    const document = await web.prisma.document.findFirstOrThrow({ where: { subject } });
    expect(document).toMatchObject({
      notation: '45/QĐ-UBND',
      documentType: 'Quyết định (cá biệt)',
      senderName: 'UBND huyện Cần Giờ',
      direction: 'incoming',
    });
    const item = await web.prisma.intakeItem.findUniqueOrThrow({
      where: { id: document.intakeItemId ?? '' },
    });
    expect([item.source, item.state]).toEqual(['upload', 'registered']);
    await page.locator('#open-document').click();
    await expect(page.locator('#document-number').innerText()).resolves.toBe(
      `${document.number}/${document.year}`,
    );
  });

  it('lists what a ZIP attachment holds, as read at receipt', async () => {
    const zip = zipFiles([
      { name: 'ho-so/to-trinh.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') },
      { name: 'ho-so/du-toan.xlsx', content: Buffer.alloc(3000, 1) },
    ]);
    const boundary = 'b-zip';
    const raw = Buffer.from(
      [
        `From: ${SENDER}`,
        `To: ${A}@lienthong.local`,
        'Subject: Ho so de nghi tham dinh',
        'Message-ID: <zip-1@stc.example.vn>',
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Hồ sơ đính kèm.',
        `--${boundary}`,
        'Content-Type: application/zip; name="ho-so.zip"',
        'Content-Disposition: attachment; filename="ho-so.zip"',
        'Content-Transfer-Encoding: base64',
        '',
        ...(zip.toString('base64').match(/.{1,76}/g) ?? []),
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    const outcome = await ingestNow(ingestDeps(web.prisma), raw, {
      source: 'smtp',
      mailFrom: SENDER,
      recipients: [{ agencyId: agencyA, organId: A }],
    });
    const itemId = outcome.items[0]?.itemId;
    if (!itemId) throw new Error('not stored');

    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${itemId}`);
    const listing = page.locator('.attachments li', { hasText: 'ho-so.zip' }).locator('details.zip-listing');
    await expect(listing.locator('summary').innerText()).resolves.toBe(
      'Tệp nén chứa 2 tệp, 3 KB khi giải nén',
    );
    await listing.locator('summary').click();
    await expect(listing.locator('li').allInnerTexts()).resolves.toEqual([
      'ho-so/to-trinh.pdf (1 KB)',
      'ho-so/du-toan.xlsx (3 KB)',
    ]);
  });

  it('shows both MIME readings side by side for a mail held because they disagree (issue #17)', async () => {
    const variant = hiddenAttachmentVariants().find(
      (v) => v.technique === 'attachment after the closing boundary' && v.id.endsWith('-exe-1'),
    );
    if (!variant) throw new Error('no such variant');
    const raw = Buffer.from(
      variant.raw.toString('latin1').replace(/^To: .*$/m, `To: ${A}@lienthong.local`),
      'latin1',
    );
    const outcome = await ingestNow(ingestDeps(web.prisma), raw, {
      source: 'smtp',
      mailFrom: SENDER,
      recipients: [{ agencyId: agencyA, organId: A }],
    });
    const itemId = outcome.items[0]?.itemId;
    if (!itemId) throw new Error('not stored');
    expect(outcome.placement).toBe('quarantine');

    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${itemId}`);
    const section = page.locator('#second-reading');
    await expect(section.locator('h2').innerText()).resolves.toBe('Hai cách đọc cấu trúc thư');
    await expect(section.locator('#reading-mailparser li').allInnerTexts()).resolves.toEqual([]);
    await expect(section.locator('#reading-mailparser').innerText()).resolves.toContain('không có tệp');
    await section.locator('details summary').click();
    await section.locator('details li', { hasText: 'thấy các tệp khác: "hoa-don-thang-11.exe"' }).waitFor();
    await screenshot(page, 'clerk-second-reading');
  });

  it('releases a quarantined mail with a note before registering it; one held for malware stays for an admin', async () => {
    const held = async (seed: string, reason: string, malware: string[] = []) => {
      const raw = Buffer.from(`Subject: ${seed}\r\n\r\nnội dung\r\n`);
      const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
        source: 'smtp',
        raw,
        agencyIds: [agencyA],
        dedupKey: `content:lạ@example.vn:${seed}`,
        senderAddress: 'vanthu@la.example.vn',
        subject: seed,
        metadata: { subject: seed, malware },
        quarantineReason: reason,
      });
      if (!received) throw new Error('nothing received');
      return received.itemId;
    };
    const unknown = await held('Công văn từ địa chỉ lạ', 'unknown sender: vanthu@la.example.vn');
    const infected = await held('Hồ sơ kèm tệp nén', 'malware: ho-so.zip: Eicar-Test-Signature', [
      'ho-so.zip: Eicar-Test-Signature',
    ]);

    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/intake/${unknown}`);
    await page.locator('#release-form').waitFor();
    // No way to register before the release.
    expect(await page.locator('#register').count()).toBe(0);
    await page.locator('#release-note').fill('Đã gọi điện xác nhận với văn thư gửi');
    await screenshot(page, 'clerk-release');
    await page.locator('#release').click();
    await page.locator('#register').waitFor();
    await expect(page.locator('#item-state').innerText()).resolves.toBe('Mới');
    await page.locator('#register').click();
    await page.locator('#decision-outcome', { hasText: /Đã vào sổ: số đến \d+\/20\d\d/ }).waitFor();
    const audit = await web.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'intake.released', subject: `intake:${unknown}` },
    });
    expect(audit).toMatchObject({
      actor: 'user:vanthu.a',
      data: { reason: 'unknown sender: vanthu@la.example.vn', note: 'Đã gọi điện xác nhận với văn thư gửi' },
    });

    await page.goto(`${baseUrl}/#/intake/${infected}`);
    await page.locator('#release-form').waitFor();
    await expect(page.locator('#release-form .hint').innerText()).resolves.toContain('chỉ quản trị viên');
    await page.locator('#release-note').fill('Trông bình thường');
    await page.locator('#release').click();
    // Refused in Vietnamese, never the API's English sentence.
    await page
      .locator('#release-outcome', { hasText: 'chỉ quản trị viên mới được đưa ra khỏi cách ly' })
      .waitFor();
    expect(await page.locator('#release-outcome').innerText()).not.toContain('only an administrator');
    expect((await web.prisma.intakeItem.findUniqueOrThrow({ where: { id: infected } })).state).toBe(
      'quarantined',
    );
    // A bounce is linked to the mail it answers: no release form at all.
    const [bounce] = await receiveIntakeItems(web.prisma, SYSTEM, {
      source: 'smtp',
      raw: Buffer.from('Subject: Undelivered Mail Returned to Sender\r\n\r\nx\r\n'),
      agencyIds: [agencyA],
      dedupKey: 'content:mailer-daemon:bounce-1',
      senderAddress: 'MAILER-DAEMON@stc.example.vn',
      subject: 'Undelivered Mail Returned to Sender',
      metadata: { subject: 'Undelivered Mail Returned to Sender', mail: { kind: 'delivery-status' } },
      quarantineReason: 'delivery-status report, not a document',
    });
    await page.goto(`${baseUrl}/#/intake/${bounce?.itemId ?? ''}`);
    await page.locator('#report-note').waitFor();
    expect(await page.locator('#release-form').count()).toBe(0);
  });

  it('shows a document’s versions with what each changed, and a revoked document as revoked', async () => {
    const key = `${PARTNER},2026/11/20,77/KH-STC`;
    const pdfOf = (text: string) => newPdf(text).bytes;
    const pkg = async (businessType: number, subject: string, file: string) => {
      const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
        source: 'amqp',
        raw: Buffer.from(`<edXMLEnvelope>${businessType} ${subject}</edXMLEnvelope>`),
        agencyIds: [agencyA],
        dedupKey: `content:${PARTNER}:${businessType}`,
        senderOrganId: PARTNER,
        documentKey: key,
        businessType,
        subject,
        metadata: {
          subject,
          code: { notation: '77/KH-STC' },
          from: { organId: PARTNER, organName: 'Sở Tài chính' },
          promulgation: { date: '2026-11-20' },
        },
        attachments: [
          { name: file, contentType: 'application/pdf', content: pdfOf(`${businessType} ${file}`) },
        ],
      });
      if (!received) throw new Error('nothing received');
      return received.itemId;
    };
    const original = await registerIntakeItem(
      web.prisma,
      SYSTEM,
      await pkg(0, 'Kế hoạch kiểm tra công tác văn thư quý IV', 'ke-hoach.pdf'),
    );
    if (original.kind !== 'registered') throw new Error(original.kind);
    await registerIntakeItem(
      web.prisma,
      SYSTEM,
      await pkg(2, 'Kế hoạch kiểm tra công tác văn thư quý IV (điều chỉnh)', 'ke-hoach-v2.pdf'),
    );
    await registerIntakeItem(
      web.prisma,
      SYSTEM,
      await pkg(1, 'Kế hoạch kiểm tra công tác văn thư quý IV (điều chỉnh)', 'thu-hoi.pdf'),
    );

    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.goto(`${baseUrl}/#/documents/${original.documentId}`);
    await expect(page.locator('#standing').innerText()).resolves.toContain('VĂN BẢN ĐÃ BỊ THU HỒI');
    const rows = page.locator('#versions tbody tr');
    expect(await rows.count()).toBe(3);
    await expect(rows.nth(0).innerText()).resolves.toContain('Bản gốc (0)');
    const update = await rows.nth(1).innerText();
    expect(update).toContain('cập nhật (2)');
    expect(update).toContain(
      'Trích yếu: Kế hoạch kiểm tra công tác văn thư quý IV → Kế hoạch kiểm tra công tác văn thư quý IV (điều chỉnh)',
    );
    expect(update).toContain('Tệp: ke-hoach.pdf → ke-hoach-v2.pdf');
    await expect(rows.nth(2).innerText()).resolves.toContain('thu hồi (1)');
    const timeline = await page.locator('#timeline').innerText();
    expect(timeline).toContain(`Vào sổ, số đến ${original.number}/${original.year}`);
    expect(timeline).toContain('Nhận phiên bản: thu hồi');
    await screenshot(page, 'clerk-document-versions');
    // Each version leads to the package it came from.
    await rows.nth(2).getByRole('link').first().click();
    await page.waitForURL(/#\/intake\/[0-9a-f-]+$/);
    // The hash changes before the item's page is drawn: wait for its heading, not the old one.
    await page.locator('main h1', { hasText: '(điều chỉnh)' }).waitFor();
    await expect(page.locator('#item-state').innerText()).resolves.toBe('Đã vào sổ');
  });
});
