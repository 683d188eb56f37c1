import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createBrokerConnection,
  createDeadLetters,
  type BrokerConnection,
} from '../../src/exchange/index.ts';
// Deep import: no relay service runs here to declare the queues (as in admin-workflows.test.ts).
import { assertTopology } from '../../src/exchange/topology.ts';
import { messageDedupKey, receiveIntakeItems, registerIntakeItem } from '../../src/registry/index.ts';
import { createUser } from '../../src/access/index.ts';
import { createSilentLogger, type Actor } from '../../src/shared/index.ts';
import { expectNoSeriousAxeViolations, seriousAxeViolations } from '../support/axe.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';

/**
 * Issue 19, acceptance 2: axe-core on every page of the console each role reaches, in Vietnamese
 * and for a few pages in English, and on the dialogs and forms that open on them: no serious or
 * critical violation. The keyboard: focus is visibly outlined on buttons, links and fields, and
 * the intake queue and the rejection of an item are worked with Tab, Enter and Escape only.
 */
const A = '000.00.61.H53';
const B = '000.00.62.H53';
const PARTNER = '000.00.11.H53';
const SYSTEM: Actor = { kind: 'system', component: 'browser-test' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const DEAD_LETTER = 'a11y-dead-letter-1';

let vhost: TestVhost;
let broker: BrokerConnection;
let web: TestWebApp;
let baseUrl: string;
let browser: TestBrowser | undefined;
let mailItemId: string;
let documentId: string;
let heldItemId: string;

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function mailItem(subject: string): Promise<string> {
  const messageId = `<${randomUUID()}@stc.hanoi.gov.vn>`;
  const raw = Buffer.from(`Message-ID: ${messageId}\r\nSubject: ${subject}\r\n\r\nxem tệp đính kèm\r\n`);
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'smtp',
    raw,
    agencyIds: [await agencyId(A)],
    dedupKey: messageDedupKey(messageId, raw),
    messageId,
    senderAddress: 'vanthu@stc.hanoi.gov.vn',
    subject,
    attachments: [{ name: 'giay-moi.pdf', contentType: 'application/pdf', content: PDF }],
  });
  if (!received) throw new Error('nothing received');
  return received.itemId;
}

async function heldItem(subject: string): Promise<string> {
  const raw = Buffer.from(`Subject: ${subject}\r\n\r\nnội dung\r\n`);
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'smtp',
    raw,
    agencyIds: [await agencyId(A)],
    dedupKey: `content:lạ@example.vn:${subject}`,
    senderAddress: 'vanthu@la.example.vn',
    subject,
    metadata: { subject },
    quarantineReason: 'unknown sender: vanthu@la.example.vn',
  });
  if (!received) throw new Error('nothing received');
  return received.itemId;
}

async function agencyId(organId: string): Promise<string> {
  const row = await web.prisma.agency.findUniqueOrThrow({ where: { organId } });
  return row.id;
}

async function registeredDocument(seed: string, dueOn: string): Promise<string> {
  const raw = Buffer.from(`<edXMLEnvelope>${seed}</edXMLEnvelope>`);
  const subject = `Công văn ${seed} về việc báo cáo quý IV`;
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'amqp',
    raw,
    agencyIds: [await agencyId(A)],
    dedupKey: `content:${PARTNER}:${seed}`,
    senderOrganId: PARTNER,
    documentKey: `${PARTNER},2026/11/20,${seed}/STC-VP`,
    subject,
    metadata: {
      subject,
      code: { number: seed, notation: `${seed}/STC-VP` },
      from: { organId: PARTNER, organName: 'Sở Tài chính' },
      promulgation: { date: '2026-11-20' },
    },
    attachments: [{ name: `${seed}.pdf`, contentType: 'application/pdf', content: PDF }],
  });
  if (!received) throw new Error('nothing received');
  const registered = await registerIntakeItem(web.prisma, SYSTEM, received.itemId, { subject, dueOn });
  if (registered.kind !== 'registered') throw new Error(registered.kind);
  return registered.documentId;
}

async function deadLetter(messageId: string): Promise<void> {
  const channel = await broker.current()!.createConfirmChannel();
  channel.publish('lienthong.dead', '', Buffer.from('<edXMLEnvelope>hỏng</edXMLEnvelope>'), {
    messageId,
    type: 'edoc',
    contentType: 'application/xml',
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

/** Opens a route and waits until its view has drawn (the shell's "…" is gone). */
async function open(page: Page, route: string): Promise<void> {
  await page.goto(`${baseUrl}/${route}`);
  await settled(page);
}

/** The view has drawn; a closed panel's placeholder (the mail headers, fetched when opened) is not loading. */
const VIEW_DRAWN = `(() => {
  const main = document.getElementById('main');
  if (!main?.querySelector('.page')) return false;
  return ![...main.querySelectorAll('[aria-busy="true"]')].some((node) => node.checkVisibility());
})()`;

async function settled(page: Page): Promise<void> {
  // Polled from here: waitForFunction would compile the check in the page, which the CSP forbids.
  await until(async () => ((await page.evaluate<boolean>(VIEW_DRAWN)) ? true : undefined));
  // A view may fetch a second list after its first paint (counts, the directory for a picker).
  await page.waitForTimeout(300);
}

/** Every problem on the page, kept (soft) so one run lists them all instead of the first. */
async function checkPage(page: Page, where: string): Promise<void> {
  expect.soft(await seriousAxeViolations(page, where), where).toEqual([]);
}

async function checkRoutes(page: Page, role: string, routes: readonly string[]): Promise<void> {
  for (const route of routes) {
    await open(page, route);
    await checkPage(page, `${role} ${route}`);
  }
}

type FocusRing = {
  /** What has the focus: tag#id "text", to name it in a failure. */
  what: string;
  /** The widest ring drawn (outline or box-shadow spread) in CSS pixels. */
  width: number;
  /** The best contrast of a ring's colour against what is behind the element (WCAG 1.4.11 asks 3:1). */
  contrast: number;
};

/**
 * How the focused element shows its focus, measured from its computed style. Plain script (run in
 * the page, where the DOM is; the tests' TypeScript has no DOM types, as in the other browser tests).
 */
const MEASURE_FOCUS_RING = String.raw`(() => {
  const element = document.activeElement;
  const rgb = (text) => {
    const m = /rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:,? \/? ?([\d.]+))?\)/.exec(text);
    if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return undefined;
    return [Number(m[1]), Number(m[2]), Number(m[3])];
  };
  const channel = (v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The ring is drawn outside the element, so it is read against the first opaque ancestor.
  let behind = [255, 255, 255];
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour) {
      behind = colour;
      break;
    }
  }
  const style = getComputedStyle(element);
  const rings = [];
  const outline = rgb(style.outlineColor);
  if (style.outlineStyle !== 'none' && outline) rings.push({ width: parseFloat(style.outlineWidth), colour: outline });
  // Chromium computes box-shadow as "rgb(…) 0px 0px 0px 2px, …": the fourth length is the spread.
  for (const shadow of style.boxShadow === 'none' ? [] : style.boxShadow.split(/,(?![^(]*\))/)) {
    const colour = rgb(shadow);
    const lengths = shadow.replace(/rgba?\([^)]*\)/, '').trim().split(/\s+/).map(parseFloat);
    if (colour && !shadow.includes('inset')) rings.push({ width: lengths[3] ?? 0, colour });
  }
  const visible = rings.filter((r) => r.width >= 2);
  const tag = element.tagName.toLowerCase();
  return {
    what: ['input', 'select', 'textarea'].includes(tag)
      ? tag + '#' + element.id
      : tag + (element.id ? '#' + element.id : '') + ' "' + element.innerText.trim().slice(0, 40) + '"',
    width: Math.max(0, ...visible.map((r) => r.width)),
    contrast: Math.max(0, ...visible.map((r) => contrast(r.colour, behind))),
  };
})()`;

function focusRing(page: Page): Promise<FocusRing> {
  return page.evaluate<FocusRing>(MEASURE_FOCUS_RING);
}

/** Presses Tab (Shift+Tab when `back`) until `selector` has the focus, checking the ring at each stop. */
async function tabTo(page: Page, selector: string, rings: FocusRing[], back = false): Promise<void> {
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const ring = await focusRing(page);
    // Between the last element and the first the focus passes through the browser's own UI.
    if (!ring.what.startsWith('body')) rings.push(ring);
    if (await page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`))
      return;
  }
  throw new Error(`${selector} not reached with the keyboard in 60 presses of Tab`);
}

/** Every stop of the keyboard had a ring at least 2px wide and 3:1 against what surrounds it. */
function expectVisibleRings(rings: FocusRing[]): void {
  expect(rings.length).toBeGreaterThan(0);
  const faint = rings.filter((r) => r.width < 2 || r.contrast < 3);
  expect(faint, 'focus that is not visibly outlined').toEqual([]);
}

beforeAll(async () => {
  vhost = await createTestVhost('accessibility');
  broker = createBrokerConnection({ url: vhost.amqpUrl, log: createSilentLogger() });
  broker.start();
  const connection = await until(() => Promise.resolve(broker.current()));
  const channel = await connection.createChannel();
  await assertTopology(channel);
  await channel.close();
  web = await startTestWebApp('browser-accessibility', {
    broker: { deadLetters: createDeadLetters(broker) },
  });
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  await addAgency(web.prisma, A, 'Sở Nội vụ');
  await addAgency(web.prisma, B, 'Sở Y tế');
  await addPerson(web.prisma, {
    username: 'vanthu.a',
    role: 'clerk',
    agency: A,
    displayName: 'Trần Thị Thư',
  });
  await addPerson(web.prisma, {
    username: 'lanhdao.a',
    role: 'leader',
    agency: A,
    displayName: 'Nguyễn Văn Lãnh',
  });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  mailItemId = await mailItem('Giấy mời họp giao ban tháng 12');
  await mailItem('Thông báo lịch tiếp công dân');
  documentId = await registeredDocument('801', '2026-01-05');
  heldItemId = await heldItem('Công văn từ địa chỉ lạ');
  await deadLetter(DEAD_LETTER);
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

describe('axe-core on every console page', () => {
  it('finds nothing serious on the sign-in page, in Vietnamese and in English', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(`${baseUrl}/`);
    await page.locator('#username').waitFor();
    await checkPage(page, 'sign-in (vi)');
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('html[lang="en"]').waitFor();
    await checkPage(page, 'sign-in (en)');
    // A wrong password: the message under the form.
    await page.locator('#username').fill('vanthu.a');
    await page.locator('#password').fill('not the password');
    await page.locator('#password').press('Enter');
    await page.locator('form.login .error:not(:empty)').waitFor();
    await checkPage(page, 'sign-in refused (en)');
  });

  it('finds nothing serious on the change of a one-time password', async () => {
    const created = await createUser(
      web.prisma,
      { username: 'vanthu.moi', role: 'clerk', agency: A },
      'system:test',
    );
    if (created.kind !== 'created') throw new Error(created.reason.en);
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.moi', created.oneTimePassword);
    await page.locator('#current-password').waitFor();
    await checkPage(page, 'change of a one-time password');
    await page.locator('#current-password').fill(created.oneTimePassword);
    await page.locator('#new-password').fill('một mật khẩu mới đủ dài 2027');
    await page.locator('#new-password-again').fill('không khớp');
    await page.locator('#new-password-again').press('Enter');
    await page.locator('form.login .error:not(:empty)').waitFor();
    await checkPage(page, 'change of a one-time password, mismatch');
  });

  it('finds nothing serious on a clerk’s pages and dialogs', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await checkRoutes(page, 'clerk', [
      '#/intake',
      `#/intake/${mailItemId}`,
      '#/documents',
      `#/documents/${documentId}`,
      '#/follow-up',
      '#/upload',
      '#/outgoing/new',
    ]);
    // The panels that open on an item: the original headers.
    await open(page, `#/intake/${mailItemId}`);
    await page.locator('#mail-headers summary').click();
    await page.locator('#header-fields').waitFor();
    await checkPage(page, 'clerk: item with its mail headers open');
    // A held item: the release form comes first.
    await open(page, `#/intake/${heldItemId}`);
    await page.locator('#release-form').waitFor();
    await checkPage(page, 'clerk: quarantined item');
    // A refused upload: the reason under the form.
    await open(page, '#/upload');
    await page.locator('form button[type="submit"]').first().click();
    await page.waitForTimeout(300);
    await checkPage(page, 'clerk: upload refused');
    // The rejection asks first: the modal dialog, drawn over the item.
    await open(page, `#/intake/${mailItemId}`);
    await page.locator('#reject-reason').fill('Gửi nhầm cơ quan');
    await page.locator('#reject').click();
    await page.locator('#confirm-dialog').waitFor();
    await checkPage(page, 'clerk: confirm rejection dialog');
    await screenshot(page, 'a11y-confirm-dialog');
    await page.keyboard.press('Escape');
  });

  it('finds nothing serious on a leader’s pages', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'lanhdao.a', TEST_PASSWORD);
    await checkRoutes(page, 'leader', [
      '#/follow-up',
      '#/intake',
      '#/documents',
      `#/documents/${documentId}`,
      '#/upload',
    ]);
    // A refusal next to the field it is about: the same department name twice.
    await open(page, '#/follow-up');
    for (let attempt = 1; attempt <= 2; attempt++) {
      await page.locator('#department-name').fill('Phòng Tổ chức cán bộ');
      await page.locator('#department-name').press('Enter');
      await page.waitForTimeout(300);
    }
    await page.locator('#department-name-problem').waitFor();
    await checkPage(page, 'leader: department refused next to its field');
  });

  it('finds nothing serious on an admin’s pages, forms and dialogs', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    await checkRoutes(page, 'admin', [
      '#/relay',
      `#/dead-letters/${encodeURIComponent(DEAD_LETTER)}`,
      '#/refusals',
      '#/agencies',
      '#/users',
      '#/tokens',
      '#/audit',
      '#/certificates',
      '#/ingest',
      '#/reading',
      '#/intake',
      '#/documents',
      '#/follow-up',
    ]);
    // The forms that open in place, and the questions asked first.
    await open(page, '#/users');
    await page.locator('button.edit-user').first().click();
    await page.locator('#edit-user').waitFor();
    await checkPage(page, 'admin: edit a person form');
    await open(page, '#/agencies');
    await page.locator('#agency-add').click();
    await page.locator('#agency-form').waitFor();
    await checkPage(page, 'admin: agency form');
    // A new person: the one-time password shown once.
    await open(page, '#/users');
    await page.locator('#user-username').fill('vanthu.moi2');
    await page.locator('#user-display').fill('Lê Thị Mới');
    await page.locator('#user-role').selectOption('clerk');
    await page.locator('#user-agency').selectOption(A);
    await page.locator('#user-username').press('Enter');
    await page.locator('#one-time-password .secret-value').waitFor();
    await checkPage(page, 'admin: one-time password shown');
    // A token: the secret shown once, then its revocation asked first.
    await open(page, '#/tokens');
    await page.locator('#token-agency').selectOption(A);
    await page.locator('#token-name').fill('Phần mềm QLVB Sở Nội vụ');
    await page.locator('#token-name').press('Enter');
    await page.locator('#token-secret-box .secret-value').waitFor();
    await checkPage(page, 'admin: token secret shown');
    await page.locator('#tokens button.danger').first().click();
    await page.locator('#confirm-dialog').waitFor();
    await checkPage(page, 'admin: confirm token revocation dialog');
    await page.keyboard.press('Escape');
    // The audit trail's integrity check, answered (here: not configured, said as an error).
    await open(page, '#/audit');
    await page.locator('#verify-audit').click();
    await settled(page);
    await checkPage(page, 'admin: audit integrity check answered');
    await open(page, `#/dead-letters/${encodeURIComponent(DEAD_LETTER)}`);
    await page.locator('#discard-reason').fill('Gói hỏng, bên gửi đã gửi lại bản đúng');
    await page.locator('#discard-form button[type="submit"]').click();
    await page.locator('#confirm-dialog').waitFor();
    await checkPage(page, 'admin: confirm discard dialog');
    await page.keyboard.press('Escape');
  });

  it('finds nothing serious on a few pages in English', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('html[lang="en"]').waitFor();
    await checkRoutes(page, 'admin (en)', ['#/relay', '#/users', '#/audit']);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#username').waitFor();
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await checkRoutes(page, 'clerk (en)', [
      '#/intake',
      `#/intake/${mailItemId}`,
      `#/documents/${documentId}`,
    ]);
  });

  it('lists what is wrong when a page has a serious violation (the helper itself)', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(`${baseUrl}/`);
    await page.locator('#username').waitFor();
    // A button with no name and an input with no label: what a screen reader cannot announce.
    await page.evaluate(`document.getElementById('main').append(
      Object.assign(document.createElement('button'), { id: 'nameless' }),
      Object.assign(document.createElement('input'), { id: 'unlabelled' }),
    )`);
    const problems = await seriousAxeViolations(page, 'broken page');
    expect(problems).toContainEqual(
      expect.stringMatching(/^broken page: button-name \(critical\): Buttons must have discernible text/),
    );
    expect(problems).toContainEqual(expect.stringMatching(/^\s+#nameless — /));
    expect(problems).toContainEqual(expect.stringMatching(/^broken page: label \(critical\)/));
    expect(problems).toContainEqual(expect.stringMatching(/^\s+#unlabelled — /));
    await expect(expectNoSeriousAxeViolations(page, 'broken page')).rejects.toThrow(
      /button-name[\s\S]*#nameless/,
    );
    // An element left out with its reason is not reported.
    expect(
      (
        await seriousAxeViolations(page, 'broken page', [
          { selector: '#nameless', why: 'test' },
          { selector: '#unlabelled', why: 'test' },
        ])
      ).filter((line) => /#nameless|#unlabelled/.test(line)),
    ).toEqual([]);
  });
});

describe('the keyboard', () => {
  it('shows where the focus is on every stop of the sign-in page and the intake queue', async () => {
    browser = await openBrowser();
    const { page } = browser;
    const rings: FocusRing[] = [];
    await page.goto(`${baseUrl}/`);
    await page.locator('#username').waitFor();
    // From the top of the page: the skip link, the language switch, the fields and the button.
    await tabTo(page, 'a.skip', rings);
    await tabTo(page, '#login-submit, form.login button[type="submit"]', rings);
    await page.locator('#username').focus();
    await page.keyboard.type('vanthu.a');
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('#intake-list tbody tr').first().waitFor();
    // Every link of the header, every filter and every row's link of the queue.
    await tabTo(page, 'a.skip', rings, true);
    await tabTo(page, '#intake-list tbody tr:last-child a', rings);
    expect(rings.map((r) => r.what)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^a "Bỏ qua/),
        expect.stringMatching(/^input#username/),
        expect.stringMatching(/^button "Đăng nhập"/),
        expect.stringMatching(/^a "Văn bản chờ xử lý"/),
        expect.stringMatching(/^select#state/),
        expect.stringMatching(/^input#q/),
        expect.stringMatching(/^button "Lọc"/),
      ]),
    );
    expectVisibleRings(rings);
  });

  it('works the queue and a rejection with Tab, Enter and Escape only', async () => {
    browser = await openBrowser();
    const { page } = browser;
    const rings: FocusRing[] = [];
    const subject = 'Thư mời dự tập huấn gửi nhầm cơ quan';
    const itemId = await mailItem(subject);
    await signInThroughConsole(page, baseUrl, 'vanthu.a', TEST_PASSWORD);
    await page.locator('#intake-list tbody tr').first().waitFor();
    // The search: Tab to it, type, Enter.
    await tabTo(page, '#q', rings);
    await page.keyboard.type('tập huấn');
    await screenshot(page, 'a11y-focus-ring');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/intake\?.*q=/);
    await page.locator('#intake-list tbody tr', { hasText: subject }).waitFor();
    expect(await page.locator('#intake-list tbody tr').count()).toBe(1);
    // The item: Tab to its link, Enter opens it.
    await tabTo(page, `#intake-list a[href="#/intake/${itemId}"]`, rings);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/intake/${itemId}$`));
    await settled(page);
    // The reason, then the rejection, asked first: Escape keeps the item, the safe choice focused.
    await tabTo(page, '#reject-reason', rings);
    await page.keyboard.type('Gửi nhầm cơ quan, đề nghị gửi Sở Y tế');
    await tabTo(page, '#reject', rings);
    await page.keyboard.press('Enter');
    await page.locator('#confirm-dialog').waitFor();
    rings.push(await focusRing(page));
    expect(await page.evaluate('document.activeElement?.id')).toBe('confirm-no');
    await page.keyboard.press('Escape');
    await page.locator('#confirm-dialog').waitFor({ state: 'detached' });
    expect(await page.locator('#item-state').innerText()).toBe('Mới');
    // The focus is back on the button that asked, so Enter asks again; Tab, Enter rejects.
    expect(await page.evaluate('document.activeElement?.id')).toBe('reject');
    await page.keyboard.press('Enter');
    await page.locator('#confirm-dialog').waitFor();
    await page.keyboard.press('Tab');
    rings.push(await focusRing(page));
    expect(await page.evaluate('document.activeElement?.id')).toBe('confirm-yes');
    await page.keyboard.press('Enter');
    await page.locator('#decision-outcome', { hasText: 'Đã từ chối tiếp nhận.' }).waitFor();
    await screenshot(page, 'a11y-keyboard-rejected');
    const stored = await web.prisma.intakeItem.findUniqueOrThrow({ where: { id: itemId } });
    expect(stored.state).toBe('rejected');
    // Back to the queue from the header's link, with the keyboard: the item has left it.
    await tabTo(page, 'header nav a[href="#/intake"]', rings, true);
    await page.keyboard.press('Enter');
    await page.locator('#intake-list tbody tr').first().waitFor();
    expect(await page.locator('#intake-list tbody tr', { hasText: subject }).count()).toBe(0);
    expectVisibleRings(rings);
  });
});
