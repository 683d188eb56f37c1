import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentPackage } from '../../test/support/relay-fixtures.ts';
import { createTestVhost, type TestVhost } from '../../test/support/test-broker.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../test/support/web-app.ts';
import type { PrismaClient } from '../db/index.ts';
import {
  createBrokerConnection,
  createDeadLetters,
  discardDeadLetter,
  type BrokerConnection,
  type DeadLetters,
} from '../exchange/index.ts';
// Deep import: no relay service runs here to declare the queues (as in relay-console.test.ts).
import { assertTopology } from '../exchange/topology.ts';
import { createSilentLogger } from '../shared/index.ts';

/**
 * The relay's admin views behind the dashboard on a real RabbitMQ and PostgreSQL: a dead letter's
 * payload (an edXML package summarised, text capped, binary only described) and its discard
 * (audited before it leaves the queue; kept when the audit entry cannot be written), and the list
 * of refused submissions (paged, by agency and by Vietnam days).
 */
const A = '000.00.61.H53';
const B = '000.00.62.H53';

let vhost: TestVhost;
let broker: BrokerConnection;
let deadLetters: DeadLetters;
let web: TestWebApp;
let admin: Record<string, string>;
let clerk: Record<string, string>;

type Json = Record<string, unknown>;
const send = (method: 'GET' | 'POST', url: string, payload?: unknown, headers = admin) =>
  web.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Json }) });

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** As the broker writes a message it gave up on at B's inbox. */
async function deadLetter(messageId: string, content: Buffer, contentType = 'application/xml') {
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

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const listed = async () =>
  (await send('GET', '/api/v1/relay/dead-letters?limit=500'))
    .json<{ deadLetters: { messageId: string }[] }>()
    .deadLetters.map((l) => l.messageId);

beforeAll(async () => {
  vhost = await createTestVhost('relay-admin');
  broker = createBrokerConnection({ url: vhost.amqpUrl, log: createSilentLogger() });
  broker.start();
  const connection = await until(() => Promise.resolve(broker.current()));
  const channel = await connection.createChannel();
  await assertTopology(channel);
  await channel.close();
  deadLetters = createDeadLetters(broker);
  web = await startTestWebApp('relay-admin-routes', { broker: { deadLetters } });
  await addAgency(web.prisma, A, 'Sở Tài chính');
  await addAgency(web.prisma, B, 'Sở Y tế');
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  admin = (await signInAs(web.app, 'quantri')).headers;
  clerk = (await signInAs(web.app, 'vanthu.a')).headers;
});

afterAll(async () => {
  await web.close();
  await broker.stop();
  await vhost.drop();
});

describe('a dead letter’s payload', () => {
  it('summarises an edXML package: sender, recipients, số/ký hiệu, trích yếu, with its size and SHA-256', async () => {
    const body = documentPackage({ from: A, to: [B], subject: 'V/v báo cáo quyết toán năm 2026' });
    await deadLetter('payload-edxml', body);
    const response = await send('GET', '/api/v1/relay/dead-letters/payload-edxml');
    expect(response.statusCode).toBe(200);
    const view = response.json<{ deadLetter: Json; payload: Json }>();
    expect(view.deadLetter).toMatchObject({ messageId: 'payload-edxml', reason: 'delivery_limit', from: A });
    expect(view.payload).toMatchObject({
      size: body.length,
      sha256: sha256(body),
      contentType: 'application/xml',
      summary: 'summarised',
      edxml: {
        kind: 'edoc',
        from: { organId: A, name: `Cơ quan ${A}` },
        to: [{ organId: B, name: `Cơ quan ${B}` }],
        number: '123',
        notation: 'UBND-VP',
        subject: 'V/v báo cáo quyết toán năm 2026',
      },
      text: { truncated: false },
    });
    // Reading returns the message to the queue.
    expect(await listed()).toContain('payload-edxml');
  });

  it('gives text as text, capped at 64 KiB, and says when it was cut', async () => {
    const long = Buffer.from(`<p onclick="x">${'ă'.repeat(40_000)}</p>`);
    await deadLetter('payload-long-text', long, 'text/plain');
    const payload = (await send('GET', '/api/v1/relay/dead-letters/payload-long-text')).json<{
      payload: { text: { value: string; truncated: boolean }; summary: string; size: number };
    }>().payload;
    expect(payload.summary).toBe('not-edxml');
    expect(payload.size).toBe(long.length);
    expect(payload.text.truncated).toBe(true);
    expect(payload.text.value.startsWith('<p onclick="x">ăăă')).toBe(true);
    expect(Buffer.byteLength(payload.text.value)).toBeLessThanOrEqual(64 * 1024);
    expect(payload.text.value).not.toContain('\uFFFD');
  });

  it('never returns binary content: only its size and SHA-256', async () => {
    const binary = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01, 0xff, 0xfe, 0x00, 0x7f]);
    await deadLetter('payload-binary', binary, 'application/zip');
    const payload = (await send('GET', '/api/v1/relay/dead-letters/payload-binary')).json<{ payload: Json }>()
      .payload;
    expect(payload).toEqual({
      size: binary.length,
      sha256: sha256(binary),
      contentType: 'application/zip',
      text: null,
      edxml: null,
      summary: 'not-edxml',
    });
  });

  it('answers an unknown message id as missing, in words, and refuses non-admins', async () => {
    const missing = await send('GET', '/api/v1/relay/dead-letters/no-such-letter');
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { text: { vi: string } } }>().error.text.vi).toMatch(
      /^Không còn thư lỗi này/,
    );
    const refused = await send('GET', '/api/v1/relay/dead-letters/payload-edxml', undefined, clerk);
    expect(refused.statusCode).toBe(403);
  });
});

describe('discarding a dead letter', () => {
  it('asks for a reason, named in Vietnamese, and discards nothing without one', async () => {
    await deadLetter('discard-me', documentPackage({ from: A, to: [B] }));
    for (const payload of [{}, { reason: '  a ' }]) {
      const response = await send('POST', '/api/v1/relay/dead-letters/discard-me/discard', payload);
      expect(response.statusCode).toBe(400);
      const problem = response.json<{ error: { problems: { field: string; vi: string }[] } }>().error
        .problems[0];
      expect(problem?.field).toBe('reason');
      expect(problem?.vi).toMatch(/^Lý do: /);
    }
    const byClerk = await send(
      'POST',
      '/api/v1/relay/dead-letters/discard-me/discard',
      { reason: 'rác' },
      clerk,
    );
    expect(byClerk.statusCode).toBe(403);
    expect(await listed()).toContain('discard-me');
  });

  it('records who, why, the SHA-256 and the headers, then takes it off the queue', async () => {
    const response = await send('POST', '/api/v1/relay/dead-letters/discard-me/discard', {
      reason: 'Gói tin thử nghiệm, nơi gửi đã gửi lại bản đúng',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ discarded: 'discard-me' });
    const entry = await web.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'relay.dead-letter-discarded', subject: 'message:discard-me' },
    });
    expect(entry.actor).toBe('user:quantri');
    const data = entry.data as { size: number; sha256: string };
    expect(data.size).toBeGreaterThan(0);
    expect(data.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.data).toMatchObject({
      reason: 'Gói tin thử nghiệm, nơi gửi đã gửi lại bản đúng',
      from: A,
      deadReason: 'delivery_limit',
      routingKeys: [B],
      headers: { 'x-lienthong-from': A, 'x-death': [expect.objectContaining({ reason: 'delivery_limit' })] },
    });
    expect(await listed()).not.toContain('discard-me');
    // The others stay where they were.
    expect(await listed()).toEqual(expect.arrayContaining(['payload-edxml', 'payload-binary']));
    const again = await send('POST', '/api/v1/relay/dead-letters/discard-me/discard', { reason: 'lần nữa' });
    expect(again.statusCode).toBe(404);
    expect(await web.prisma.auditEntry.count({ where: { action: 'relay.dead-letter-discarded' } })).toBe(1);
  });

  it('keeps the dead letter when its audit entry cannot be committed', async () => {
    const bytes = Buffer.from('<edXMLEnvelope>giữ lại</edXMLEnvelope>');
    await deadLetter('discard-audit-fails', bytes);
    const failing = {
      $transaction: () => Promise.reject(new Error('the database went away')),
    } as unknown as PrismaClient;
    await expect(
      discardDeadLetter(
        { prisma: failing, deadLetters },
        { kind: 'system', component: 'test' },
        'discard-audit-fails',
        'thử',
      ),
    ).rejects.toThrow('the database went away');
    expect(await listed()).toContain('discard-audit-fails');
    const kept = await deadLetters.read('discard-audit-fails');
    expect(kept?.content.equals(bytes)).toBe(true);
  });
});

describe('refused submissions', () => {
  beforeAll(async () => {
    const refusal = (organId: string, via: string, at: string, reasons: string[]) =>
      web.prisma.relayRefusal.create({
        data: { submitterOrganId: organId, submittedVia: via, refusedAt: new Date(at), reasons },
      });
    await refusal(A, 'amqp', '2026-11-29T03:00:00Z', [
      'Chữ ký số không hợp lệ / the signature is invalid: digest mismatch',
    ]);
    // 00:30 on 1 December in Vietnam.
    await refusal(A, 'http', '2026-11-30T17:30:00Z', ['From/OrganId is missing']);
    await refusal(B, 'axis', '2026-12-01T05:00:00Z', [
      `Cơ quan gửi X không có trong danh bạ / the sending agency X is not in the hub's directory`,
    ]);
    await refusal('000.00.99.H53', 'amqp', '2026-12-02T05:00:00Z', ['Gói tin quá lớn / package too large']);
  });

  type Page = {
    refusals: {
      organId: string;
      agencyName: string | null;
      via: string;
      refusedAt: string;
      reasons: { vi: string; en: string }[];
    }[];
    nextCursor: string | null;
  };
  const page = async (query: string, headers = admin) => {
    const response = await send('GET', `/api/v1/relay/refusals${query}`, undefined, headers);
    expect(response.statusCode).toBe(200);
    return response.json<Page>();
  };

  it('lists them newest first with the agency’s name, the way they came and the reasons in words', async () => {
    const { refusals } = await page('');
    expect(refusals.map((r) => [r.organId, r.agencyName, r.via])).toEqual([
      ['000.00.99.H53', null, 'amqp'],
      [B, 'Sở Y tế', 'axis'],
      [A, 'Sở Tài chính', 'http'],
      [A, 'Sở Tài chính', 'amqp'],
    ]);
    expect(refusals[3]?.reasons).toEqual([
      { vi: 'Chữ ký số không hợp lệ: digest mismatch', en: 'the signature is invalid: digest mismatch' },
    ]);
    expect(refusals[2]?.reasons[0]?.vi).toBe('Gói tin không hợp lệ: From/OrganId is missing');
  });

  it('filters by agency and by Vietnam days, and pages', async () => {
    expect((await page(`?agency=${A}`)).refusals.map((r) => r.via)).toEqual(['http', 'amqp']);
    // 17:30 UTC on 30 November is already 1 December in Vietnam.
    expect((await page('?from=2026-12-01&to=2026-12-01')).refusals.map((r) => r.via)).toEqual([
      'axis',
      'http',
    ]);
    expect((await page('?to=2026-11-30')).refusals).toHaveLength(1);
    const first = await page('?limit=3');
    expect(first.refusals).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await page(`?limit=3&cursor=${first.nextCursor ?? ''}`);
    expect(second.refusals.map((r) => r.organId)).toEqual([A]);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a first day after the last, a broken cursor and non-admins, in words', async () => {
    const swapped = await send('GET', '/api/v1/relay/refusals?from=2026-12-02&to=2026-12-01');
    expect(swapped.statusCode).toBe(400);
    const problem = swapped.json<{ error: { problems: { field: string; vi: string }[] } }>().error
      .problems[0];
    expect(problem?.field).toBe('from');
    expect(problem?.vi).toMatch(/^Từ ngày: /);
    const badDate = await send('GET', '/api/v1/relay/refusals?from=1-12-2026');
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json<{ error: { problems: { vi: string }[] } }>().error.problems[0]?.vi).toMatch(
      /^Từ ngày: /,
    );
    const cursor = await send('GET', '/api/v1/relay/refusals?cursor=not-a-cursor');
    expect(cursor.statusCode).toBe(400);
    expect((await send('GET', '/api/v1/relay/refusals', undefined, clerk)).statusCode).toBe(403);
  });
});
