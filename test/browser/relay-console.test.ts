import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createBrokerConnection,
  createDeadLetters,
  deadLetterDepth,
  inboxQueueOf,
  inboxQueuesOf,
  legacyInboxQueue,
  inboxStates,
  type BrokerConnection,
} from '../../src/exchange/index.ts';
// Deep import: no relay service runs here to declare the queues, and the module's index does not
// export its topology; the test needs exactly the hub's own declarations, not a copy of them.
import { settleInbox } from '../../src/exchange/inbox-names.ts';
import { assertInbox, assertTopology } from '../../src/exchange/topology.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { openBrowser, screenshot, signInThroughConsole, type TestBrowser } from '../support/browser.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';
import { testServices } from '../support/test-services.ts';
import { addAgency, addPerson, startTestWebApp, TEST_PASSWORD, type TestWebApp } from '../support/web-app.ts';

/**
 * An admin's relay dashboard against a real RabbitMQ (a vhost of its own): the inboxes' depth
 * and a dead letter that the admin publishes again, from the browser, to the inbox it died in.
 */
const A = '000.00.41.H53';
const B = '000.00.42.H53';
/** a partner whose inbox an earlier hub made under the old, guessable name */
const C = '000.00.43.H53';
const MESSAGE_ID = 'b6f1c7a2-5d8e-4c1b-9a3f-0e2d4c6b8a10';

let vhost: TestVhost;
let broker: BrokerConnection;
let web: TestWebApp;
let baseUrl: string;
let inboxB: string;
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

/** As the broker writes it when B's inbox reached its delivery limit. */
async function deadLetter(messageId = MESSAGE_ID): Promise<void> {
  const channel = await broker.current()!.createConfirmChannel();
  channel.publish('lienthong.dead', '', Buffer.from('<edXMLEnvelope>chết</edXMLEnvelope>'), {
    messageId,
    type: 'edoc',
    persistent: true,
    headers: {
      'x-lienthong-from': A,
      'x-death': [
        {
          reason: 'delivery_limit',
          queue: inboxB,
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

beforeAll(async () => {
  vhost = await createTestVhost('console');
  broker = createBrokerConnection({ url: vhost.amqpUrl, log: createSilentLogger() });
  broker.start();
  const connection = await until(() => Promise.resolve(broker.current()));
  const channel = await connection.createChannel();
  await assertTopology(channel);
  await channel.close();
  web = await startTestWebApp('browser-relay', {
    broker: {
      deadLetters: createDeadLetters(broker),
      inboxStates: async (organIds) =>
        inboxStates(
          { url: testServices.amqpManagementUrl },
          vhost.name,
          await inboxQueuesOf(web.prisma, organIds),
        ),
      deadLetterDepth: () => deadLetterDepth({ url: testServices.amqpManagementUrl }, vhost.name),
    },
    // Depth snapshots often, so the live test below need not wait the default 10 s.
    liveOptions: { depthsMs: 500 },
  });
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  await addAgency(web.prisma, A, 'Sở Tài chính');
  await addAgency(web.prisma, B, 'Sở Y tế');
  for (const organId of [A, B]) await settleInbox(connection, web.prisma, { organId, channel: 'partner' });
  inboxB = await inboxQueueOf(web.prisma, B);
  await web.prisma.agency.create({ data: { organId: C, name: 'Công ty cũ', channel: 'partner' } });
  const legacy = await connection.createChannel();
  await assertInbox(legacy, legacyInboxQueue(C), C);
  await legacy.close();
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
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

describe('the relay dashboard in Chromium', () => {
  it('lets an admin send a dead letter back to the inbox it died in', async () => {
    await deadLetter();
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    const row = page.locator('#dead-letters tbody tr', { hasText: MESSAGE_ID });
    // The broker's reason code in words.
    expect(await row.innerText()).toContain('Đã giao quá số lần cho phép mà nơi nhận không nhận');
    expect(await page.locator('#inboxes').innerText()).toContain(inboxB);
    // The old name is pointed out, with what the admin does about it; a secret name is not.
    const rowC = await page.locator('#inboxes tbody tr', { hasText: C }).innerText();
    expect(rowC).toContain('tên cũ, cơ quan khác đoán được: cấp lại mật khẩu broker');
    const rowB = await page.locator('#inboxes tbody tr', { hasText: B }).innerText();
    expect(rowB).not.toContain('tên cũ');
    await screenshot(page, 'relay-dead-letters');

    await row.getByRole('button', { name: 'Gửi lại' }).click();
    await page.locator('#requeue-outcome', { hasText: 'Đã gửi lại.' }).waitFor();

    const channel = await broker.current()!.createChannel();
    const arrived = await until(async () => {
      const message = await channel.get(inboxB, { noAck: true });
      return message === false ? undefined : message;
    });
    expect(arrived.properties.messageId).toBe(MESSAGE_ID);
    expect(arrived.content.toString()).toBe('<edXMLEnvelope>chết</edXMLEnvelope>');
    await channel.close();

    await page.reload();
    await page.locator('#inboxes').waitFor();
    expect(await page.locator('main').innerText()).not.toContain(MESSAGE_ID);
  });

  it('shows a new dead letter and an inbox’s new depth while the dashboard is open', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await signInThroughConsole(page, baseUrl, 'quantri', TEST_PASSWORD);
    await page.locator('#inboxes').waitFor();
    await page.locator('#live-status.live').waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const LATER = 'e4a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b';
    await deadLetter(LATER);
    const channel = await broker.current()!.createConfirmChannel();
    channel.publish('lienthong.deliver', B, Buffer.from('<edXMLEnvelope/>'), { persistent: true });
    await channel.waitForConfirms();
    await channel.close();
    // The management API refreshes its counts every few seconds; the page follows its snapshots.
    await page.locator('#dead-letters tbody tr', { hasText: LATER }).waitFor({ timeout: 30_000 });
    const inboxRow = page.locator('#inboxes tbody tr', { hasText: inboxB });
    await inboxRow.locator('td', { hasText: /^1$/ }).first().waitFor({ timeout: 30_000 });
    expect(
      await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded === true),
    ).toBe(true);
    await screenshot(page, 'live-relay-dead-letter');
  });
});
