import { createHash, createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAxisSimulator, type AxisSimulator } from './axis-simulator.ts';
import { documentPackage, statusPackage } from './relay-fixtures.ts';

/*
 * A minimal client written here from the SDK's wire format, independent of the simulator's
 * verification code: the parameters go in a Java HashMap (timestamp and systemid first, then
 * Content-Type, then the call's own), each is sent as `XroadVnpt-<name>`, and the Gson text of that
 * map, in HashMap iteration order (not sorted), is what is signed.
 */

const HUB = {
  systemId: 'vxp.saas.03',
  secret: 'A7TKG/r2gOKTEpe1Mh-test-secret',
  organIds: ['000.00.00.H53'],
};
const PARTNER = {
  systemId: 'vxp.saas.02',
  secret: 'partner-secret',
  organIds: ['000.00.00.G22', '000.00.01.G22'],
};

/** Java's String.hashCode over UTF-16 code units. */
function javaHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/** The iteration order of a java.util.HashMap<String, String> filled with `keys` in this order. */
function hashMapOrder(keys: string[]): string[] {
  let capacity = 16;
  let buckets: string[][] = Array.from({ length: capacity }, () => []);
  const bucket = (key: string) => {
    const hash = javaHashCode(key);
    return (hash ^ (hash >>> 16)) & (capacity - 1);
  };
  let size = 0;
  for (const key of keys) {
    if (buckets.some((entries) => entries.includes(key))) continue;
    buckets[bucket(key)]!.push(key);
    size += 1;
    if (size > capacity * 0.75) {
      const order = buckets.flat();
      capacity *= 2;
      buckets = Array.from({ length: capacity }, () => []);
      for (const moved of order) buckets[bucket(moved)]!.push(moved);
    }
  }
  return buckets.flat();
}

/** `ddMMyyyy'T'HHmmss+SSSS` (the SDK's SimpleDateFormat: milliseconds padded to four digits). */
function sdkTimestamp(date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(date.getDate())}${two(date.getMonth() + 1)}${date.getFullYear()}T` +
    `${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}+` +
    String(date.getMilliseconds()).padStart(4, '0')
  );
}

/** `Integer.toHexString(0xFF & b)` per byte, or zero-padded (the mistake a client can make). */
function hashFile(body: Buffer, padded = false): string {
  return [...createHash('sha256').update(body).digest()]
    .map((byte) => (padded ? byte.toString(16).padStart(2, '0') : byte.toString(16)))
    .join('');
}

type Signed = { headers: Record<string, string>; json: string; order: string[] };

function sign(
  credentials: { systemId: string; secret: string },
  contentType: string,
  parameters: [string, string][],
): Signed {
  const values = new Map<string, string>([
    ['timestamp', sdkTimestamp()],
    ['systemid', credentials.systemId],
    ['Content-Type', contentType],
    ...parameters,
  ]);
  const order = hashMapOrder([...values.keys()]);
  const json = `{${order.map((key) => `${JSON.stringify(`XroadVnpt-${key}`)}:${JSON.stringify(values.get(key))}`).join(',')}}`;
  const headers: Record<string, string> = { 'Content-Type': contentType };
  for (const key of order) headers[`XroadVnpt-${key}`] = values.get(key)!;
  headers['XroadVnpt-sign-header-key'] = order.join(';');
  headers['XroadVnpt-sign-header'] = json;
  headers['XroadVnpt-hash-header'] = createHmac('sha256', credentials.secret)
    .update(json, 'utf8')
    .digest('hex');
  headers['User-Agent'] = 'JAVASDKAgent/1.0.0 XRoad/VPCP';
  headers['XroadVnpt-version'] = '3.0.201608';
  return { headers, json, order };
}

type Reply = { status: number; json: Record<string, unknown>; raw: Buffer };

async function call(
  simulator: Pick<AxisSimulator, 'endpoint'>,
  name: string,
  options: {
    as?: { systemId: string; secret: string };
    parameters?: [string, string][];
    body?: Buffer;
    method?: 'GET' | 'POST';
    /** changes the headers after signing */
    tamper?: (signed: Signed) => void;
    signal?: AbortSignal;
  } = {},
): Promise<Reply> {
  const contentType = options.body ? 'application/octet-stream' : 'application/json';
  const signed = sign(options.as ?? HUB, contentType, options.parameters ?? []);
  options.tamper?.(signed);
  const response = await fetch(`${simulator.endpoint}/${name}`, {
    method: options.method ?? 'POST',
    headers: signed.headers,
    ...(options.body ? { body: options.body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const raw = Buffer.from(await response.arrayBuffer());
  let json: Record<string, unknown> = {};
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  }
  return { status: response.status, json, raw };
}

const sendEdoc = (
  simulator: AxisSimulator,
  body: Buffer,
  options: {
    as?: typeof HUB;
    from?: string;
    messageType?: string;
    padded?: boolean;
    signal?: AbortSignal;
  } = {},
  tamper?: (signed: Signed) => void,
) =>
  call(simulator, 'sendEdoc', {
    as: options.as ?? HUB,
    body,
    parameters: [
      ['from', options.from ?? (options.as ?? HUB).organIds[0]!],
      ['servicetype', 'eDoc'],
      ['messagetype', options.messageType ?? 'edoc'],
      ['hash-file', hashFile(body, options.padded)],
    ],
    ...(tamper ? { tamper } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });

type Row = { docId: string; from: string; to: string; status: string; messageType: string };

async function list(
  simulator: AxisSimulator,
  options: {
    as?: typeof HUB;
    pageSize?: number;
    pageIndex?: number;
    messageType?: string;
    status?: string;
  } = {},
): Promise<Row[]> {
  const parameters: [string, string][] = [
    ['servicetype', 'eDoc'],
    ['messagetype', options.messageType ?? 'edoc'],
  ];
  if (options.pageSize !== undefined) parameters.push(['pageSize', String(options.pageSize)]);
  if (options.pageIndex !== undefined) parameters.push(['pageIndex', String(options.pageIndex)]);
  if (options.status !== undefined) parameters.push(['status', options.status]);
  const reply = await call(simulator, 'getReceivedEdocList', { as: options.as ?? HUB, parameters });
  expect(reply.json).toMatchObject({ status: 'OK', ErrorCode: '0' });
  return reply.json.data as Row[];
}

const ack = (simulator: AxisSimulator, docId: string, status: string, as = HUB) =>
  call(simulator, 'updateStatus', {
    as,
    parameters: [
      ['docid', docId],
      ['status', status],
    ],
  });

/** A package addressed from the partner to the hub's agency, whose SHA-256 has a byte below 0x10. */
function packageWithLowByte(): Buffer {
  for (let i = 0; ; i += 1) {
    const body = documentPackage({
      from: '000.00.00.G22',
      to: ['000.00.00.H53'],
      subject: `Công văn số ${i}`,
    });
    if (hashFile(body) !== hashFile(body, true)) return body;
  }
}

let simulator: AxisSimulator;

beforeAll(async () => {
  simulator = await startAxisSimulator({ systems: [HUB, PARTNER] });
});
afterAll(async () => {
  await simulator.close();
});
afterEach(() => {
  simulator.clearFaults();
});

describe('the axis simulator: signatures', () => {
  it('accepts a correctly signed sendEdoc whose sign-header is in HashMap order, not sorted', async () => {
    const body = documentPackage({ from: '000.00.00.H53', to: ['000.00.00.G22'] });
    let order: string[] = [];
    const reply = await sendEdoc(simulator, body, {}, (signed) => {
      order = signed.order;
    });
    expect(order).not.toEqual([...order].sort());
    expect(reply.json).toMatchObject({ status: 'OK', ErrorCode: '0', ErrorDesc: 'Thanh cong' });
    expect(reply.json.DocId).toMatch(/^[0-9a-f]{24}$/);
    const accepted = simulator.accepted().find((entry) => entry.docId === reply.json.DocId);
    expect(accepted).toMatchObject({ systemId: HUB.systemId, from: '000.00.00.H53', to: ['000.00.00.G22'] });
    expect(accepted?.body.equals(body)).toBe(true);
  });

  it('hashes the transmitted sign-header text as sent (spacing and order are the client’s)', async () => {
    const reply = await call(simulator, 'countReceiveEdoc', {
      method: 'GET',
      tamper: (signed) => {
        const entries = JSON.parse(signed.json) as Record<string, string>;
        const text = `{ ${Object.entries(entries)
          .reverse()
          .map(([key, value]) => `${JSON.stringify(key)} : ${JSON.stringify(value)}`)
          .join(' , ')} }`;
        signed.headers['XroadVnpt-sign-header'] = text;
        signed.headers['XroadVnpt-hash-header'] = createHmac('sha256', HUB.secret).update(text).digest('hex');
      },
    });
    expect(reply.json).toMatchObject({ status: 'OK', ErrorCode: '0' });
  });

  const body = packageWithLowByte();
  const sendParameters = (padded = false): [string, string][] => [
    ['from', '000.00.00.G22'],
    ['servicetype', 'eDoc'],
    ['messagetype', 'edoc'],
    ['hash-file', hashFile(body, padded)],
  ];
  it.each<{
    name: string;
    secret?: string;
    padded?: boolean;
    tamper?: (signed: Signed) => void;
    desc: RegExp;
  }>([
    { name: 'a wrong secret', secret: 'not-the-secret', desc: /Chu ky khong hop le/ },
    {
      name: 'a header changed after signing',
      tamper: (signed) => {
        signed.headers['XroadVnpt-from'] = '000.00.01.G22';
      },
      desc: /XroadVnpt-from khac gia tri da ky/,
    },
    {
      name: 'a plain header that says something else than the signed one',
      tamper: (signed) => {
        signed.headers.from = '000.00.01.G22';
      },
      desc: /Header from khac gia tri da ky/,
    },
    {
      name: 'a re-serialised (sorted) sign-header sent with the hash of the original text',
      tamper: (signed) => {
        const entries = JSON.parse(signed.json) as Record<string, string>;
        const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
        signed.headers['XroadVnpt-sign-header'] = JSON.stringify(sorted);
      },
      desc: /Chu ky khong hop le/,
    },
    {
      name: 'a parameter sent but not signed',
      tamper: (signed) => {
        signed.headers.to = '["000.00.00.H53"]';
      },
      desc: /Header to khong nam trong chu ky/,
    },
    {
      name: 'a name listed in sign-header-key that the JSON lacks',
      tamper: (signed) => {
        signed.headers['XroadVnpt-sign-header-key'] = `${signed.order.join(';')};docid`;
      },
      desc: /sign-header-key khong khop/,
    },
    {
      name: 'a timestamp not in the SDK format (signed correctly)',
      tamper: (signed) => {
        const iso = new Date().toISOString();
        signed.json = signed.json.replace(/"XroadVnpt-timestamp":"[^"]*"/, `"XroadVnpt-timestamp":"${iso}"`);
        signed.headers['XroadVnpt-timestamp'] = iso;
        signed.headers['XroadVnpt-sign-header'] = signed.json;
        signed.headers['XroadVnpt-hash-header'] = createHmac('sha256', PARTNER.secret)
          .update(signed.json)
          .digest('hex');
      },
      desc: /timestamp khong dung dinh dang/,
    },
    {
      name: 'no signature headers at all',
      tamper: (signed) => {
        delete signed.headers['XroadVnpt-hash-header'];
      },
      desc: /Thieu thong tin xac thuc/,
    },
  ])('refuses $name with a FAIL answer', async ({ secret, tamper, desc }) => {
    const before = simulator.counts().refusedSignatures;
    const acceptedBefore = simulator.accepted().length;
    const reply = await call(simulator, 'sendEdoc', {
      as: { systemId: PARTNER.systemId, secret: secret ?? PARTNER.secret },
      body,
      parameters: sendParameters(),
      ...(tamper ? { tamper } : {}),
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ status: 'FAIL', ErrorCode: '2', DocId: '' });
    expect(reply.json.ErrorDesc).toMatch(desc);
    expect(simulator.counts().refusedSignatures).toBe(before + 1);
    expect(simulator.accepted()).toHaveLength(acceptedBefore);
  });

  it('refuses a zero-padded hash-file when the digest has a byte below 0x10', async () => {
    const acceptedBefore = simulator.accepted().length;
    const reply = await call(simulator, 'sendEdoc', { as: PARTNER, body, parameters: sendParameters(true) });
    expect(reply.json).toMatchObject({ status: 'FAIL', ErrorCode: '6', DocId: '' });
    expect(reply.json.ErrorDesc).toMatch(/hash-file/);
    expect(simulator.accepted()).toHaveLength(acceptedBefore);
    const unpadded = await call(simulator, 'sendEdoc', { as: PARTNER, body, parameters: sendParameters() });
    expect(unpadded.json).toMatchObject({ status: 'OK' });
  });

  it('answers 404 for a path that is not one of the calls (an endpoint without /vdxp, a typo)', async () => {
    const reply = await call({ endpoint: simulator.endpoint.replace(/\/vdxp$/, '') }, 'getReceivedEdocList');
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({
      status: 'FAIL',
      ErrorDesc: 'Khong ho tro dich vu /getReceivedEdocList',
    });
  });

  it('refuses an unknown system id', async () => {
    const reply = await call(simulator, 'countReceiveEdoc', {
      method: 'GET',
      as: { systemId: 'vxp.unknown.01', secret: 'x' },
    });
    expect(reply.json).toMatchObject({
      status: 'FAIL',
      ErrorDesc: 'He thong vxp.unknown.01 chua duoc dang ky',
    });
  });

  it('answers a sender OrganId not registered to the calling system with the axis’s own text', async () => {
    const body = documentPackage({ from: '002.00.20.H13', to: ['000.00.00.G22'] });
    const reply = await sendEdoc(simulator, body, { from: '002.00.20.H13' });
    expect(reply.json).toEqual({
      status: 'FAIL',
      ErrorCode: '3',
      ErrorDesc: 'Don vi gui 002.00.20.H13 khong dung voi ma da dang ky: vxp.saas.03',
      DocId: '',
    });
  });
});

describe('the axis simulator: receiving', () => {
  it('routes what one system sends to the system the recipient OrganId is registered to', async () => {
    const body = documentPackage({ from: '000.00.00.H53', to: ['000.00.01.G22'] });
    const sent = await sendEdoc(simulator, body);
    const docId = sent.json.DocId as string;
    const rows = await list(simulator, { as: PARTNER, pageSize: 1000 });
    expect(rows.filter((row) => row.docId === docId)).toEqual([
      expect.objectContaining({
        from: '000.00.00.H53',
        to: '000.00.01.G22',
        status: 'initial',
        messageType: 'edoc',
      }),
    ]);
    const fetched = await call(simulator, 'getEdoc', { as: PARTNER, parameters: [['docId', docId]] });
    expect(fetched.json).toMatchObject({ status: 'OK', ErrorCode: '0' });
    expect(Buffer.from(fetched.json.data as string, 'base64').equals(body)).toBe(true);
    // the sender cannot read it as if received
    const sender = await call(simulator, 'getEdoc', { parameters: [['docId', docId]] });
    expect(sender.json).toMatchObject({ status: 'FAIL', ErrorCode: '4' });
  });

  it('re-lists a received document until it is acknowledged done; fail lists it again', async () => {
    const docId = simulator.enqueue({
      from: '000.00.00.G22',
      to: ['000.00.00.H53'],
      edxml: documentPackage({ from: '000.00.00.G22', to: ['000.00.00.H53'] }),
    });
    const ids = async () => (await list(simulator, { pageSize: 1000 })).map((row) => row.docId);
    expect(await ids()).toContain(docId);
    expect(await ids()).toContain(docId);
    expect((await ack(simulator, docId, 'fail')).json).toMatchObject({ status: 'OK' });
    const afterFail = (await list(simulator, { pageSize: 1000 })).find((row) => row.docId === docId);
    expect(afterFail).toMatchObject({ status: 'fail' });
    expect((await ack(simulator, docId, 'done')).json).toMatchObject({ status: 'OK' });
    expect(await ids()).not.toContain(docId);
    expect((await list(simulator, { pageSize: 1000, status: 'done' })).map((row) => row.docId)).toContain(
      docId,
    );
    expect(simulator.receipts().get(docId)).toEqual({ listed: 4, fetched: 0, done: 1, fail: 1 });
    expect((await ack(simulator, docId, 'processing')).json).toMatchObject({
      status: 'FAIL',
      ErrorCode: '1',
    });
  });

  it('pages the received list with pageSize and a pageIndex counted from 1', async () => {
    const local = await startAxisSimulator({ systems: [HUB], pageSize: 2 });
    try {
      const docIds = Array.from({ length: 5 }, () =>
        local.enqueue({ from: '000.00.00.G22', to: ['000.00.00.H53'], edxml: Buffer.from('<edXML/>') }),
      );
      const pages = [];
      for (let pageIndex = 1; pageIndex <= 4; pageIndex += 1) {
        pages.push((await list(local, { pageIndex })).map((row) => row.docId));
      }
      expect(pages).toEqual([docIds.slice(0, 2), docIds.slice(2, 4), docIds.slice(4), []]);
      expect((await list(local, { pageSize: 3, pageIndex: 2 })).map((row) => row.docId)).toEqual(
        docIds.slice(3),
      );
      const zero = await call(local, 'getReceivedEdocList', { parameters: [['pageIndex', '0']] });
      expect(zero.json).toMatchObject({ status: 'FAIL', ErrorCode: '1' });
    } finally {
      await local.close();
    }
  });

  it('filters by fromDate and toDate, read as dd/MM/yyyy or yyyy-MM-dd in Vietnam time', async () => {
    const local = await startAxisSimulator({ systems: [HUB] });
    try {
      const enqueued = Date.now(); // the dates below are this moment's day in Vietnam
      const docId = local.enqueue({
        from: '000.00.00.G22',
        to: ['000.00.00.H53'],
        edxml: Buffer.from('<a/>'),
      });
      const vietnam = (offsetDays: number) => new Date(enqueued + 7 * 3600_000 + offsetDays * 86_400_000);
      const dmy = (date: Date) => date.toISOString().slice(0, 10).split('-').reverse().join('/');
      const ymd = (date: Date) => date.toISOString().slice(0, 10);
      const listed = async (parameters: [string, string][]) => {
        const reply = await call(local, 'getReceivedEdocList', { parameters });
        return reply.json.status === 'OK' ? (reply.json.data as Row[]).map((row) => row.docId) : reply.json;
      };
      expect(await listed([['toDate', dmy(vietnam(0))]])).toEqual([docId]);
      expect(await listed([['fromDate', ymd(vietnam(0))]])).toEqual([docId]);
      expect(await listed([['fromDate', dmy(vietnam(1))]])).toEqual([]);
      expect(await listed([['toDate', ymd(vietnam(-1))]])).toEqual([]);
      expect(await listed([['fromDate', '2026.12.03']])).toMatchObject({ status: 'FAIL', ErrorCode: '1' });
    } finally {
      await local.close();
    }
  });

  it('routes a status package to the OrganId it answers, listed under messagetype status', async () => {
    const body = statusPackage({
      from: '000.00.00.H53',
      answering: '000.00.00.G22',
      documentId: 'x',
      code: '01',
    });
    const sent = await sendEdoc(simulator, body, { messageType: 'status' });
    expect(sent.json).toMatchObject({ status: 'OK' });
    const rows = await list(simulator, { as: PARTNER, messageType: 'status', pageSize: 1000 });
    expect(rows.map((row) => row.docId)).toContain(sent.json.DocId);
    const count = await call(simulator, 'countReceiveStatus', { as: PARTNER, method: 'GET' });
    expect(count.json).toMatchObject({ status: 'OK', count: rows.length });
  });
});

describe('the axis simulator: faults', () => {
  it('http-500 answers 500 the given number of times, then serves again', async () => {
    simulator.inject({ kind: 'http-500', call: 'getReceivedEdocList', times: 2 });
    const first = await call(simulator, 'getReceivedEdocList', { parameters: [['servicetype', 'eDoc']] });
    const other = await call(simulator, 'countReceiveEdoc', { method: 'GET' });
    const second = await call(simulator, 'getReceivedEdocList', { parameters: [['servicetype', 'eDoc']] });
    const third = await call(simulator, 'getReceivedEdocList', { parameters: [['servicetype', 'eDoc']] });
    expect([first.status, other.status, second.status, third.status]).toEqual([500, 200, 500, 200]);
  });

  it('timeout never answers, and the document is not accepted', async () => {
    simulator.inject({ kind: 'timeout', call: 'sendEdoc', times: 1 });
    const body = documentPackage({ from: '000.00.00.H53', to: ['000.00.00.G22'] });
    await expect(sendEdoc(simulator, body, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(simulator.accepted().filter((entry) => entry.body.equals(body))).toHaveLength(0);
  });

  it('timeout afterAccept accepts the document and never answers: the ambiguous case', async () => {
    simulator.inject({ kind: 'timeout', call: 'sendEdoc', times: 1, afterAccept: true });
    const body = documentPackage({ from: '000.00.00.H53', to: ['000.00.00.G22'] });
    await expect(sendEdoc(simulator, body, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    const accepted = simulator.accepted().filter((entry) => entry.body.equals(body));
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.acceptedCount).toBe(1);
    // a client that sends again makes a second copy, which the receiver sees too
    expect((await sendEdoc(simulator, body)).json).toMatchObject({ status: 'OK' });
    expect(
      simulator
        .accepted()
        .filter((entry) => entry.body.equals(body))
        .map((e) => e.acceptedCount),
    ).toEqual([2, 2]);
  });

  it('slow answers after the delay', async () => {
    simulator.inject({ kind: 'slow', call: 'countReceiveEdoc', delayMs: 400, times: 1 });
    const started = Date.now();
    const reply = await call(simulator, 'countReceiveEdoc', { method: 'GET' });
    expect(reply.json).toMatchObject({ status: 'OK' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('list-twice puts one row twice in one list answer', async () => {
    const docId = simulator.enqueue({
      from: '000.00.00.G22',
      to: ['000.00.00.H53'],
      edxml: Buffer.from('<a/>'),
    });
    simulator.inject({ kind: 'list-twice', times: 1 });
    const rows = await list(simulator, { pageSize: 1000 });
    const ids = rows.map((row) => row.docId);
    expect(ids.length - new Set(ids).size).toBe(1);
    expect(ids).toContain(docId);
    const again = (await list(simulator, { pageSize: 1000 })).map((row) => row.docId);
    expect(again.length).toBe(new Set(again).size);
  });

  it('corrupt-body hands over getEdoc data that does not decode to the package', async () => {
    const edxml = documentPackage({ from: '000.00.00.G22', to: ['000.00.00.H53'] });
    const docId = simulator.enqueue({ from: '000.00.00.G22', to: ['000.00.00.H53'], edxml });
    simulator.inject({ kind: 'corrupt-body', times: 1 });
    const corrupt = await call(simulator, 'getEdoc', { parameters: [['docId', docId]] });
    expect(corrupt.json).toMatchObject({ status: 'OK' });
    const data = corrupt.json.data as string;
    expect(/^[A-Za-z0-9+/]*={0,2}$/.test(data) && data.length % 4 === 0).toBe(false);
    expect(Buffer.from(data, 'base64').equals(edxml)).toBe(false);
    const sound = await call(simulator, 'getEdoc', { parameters: [['docId', docId]] });
    expect(Buffer.from(sound.json.data as string, 'base64').equals(edxml)).toBe(true);
    expect(simulator.receipts().get(docId)?.fetched).toBe(2);
  });

  it('a fault with probability 0.5 fires on about half the requests', async () => {
    simulator.inject({ kind: 'http-500', call: 'countReceiveEdoc', probability: 0.5 });
    const statuses = [];
    for (let i = 0; i < 200; i += 1)
      statuses.push((await call(simulator, 'countReceiveEdoc', { method: 'GET' })).status);
    const failures = statuses.filter((status) => status === 500).length;
    expect(failures).toBeGreaterThan(60); // 7 standard deviations either side of 100
    expect(failures).toBeLessThan(140);
  });

  it('a fault with probability 0 never fires', async () => {
    simulator.inject({ kind: 'http-500', probability: 0 });
    const reply = await call(simulator, 'countReceiveEdoc', { method: 'GET' });
    expect(reply.status).toBe(200);
  });
});

describe('the axis simulator: the other calls', () => {
  it('accepts the parameters also as plain headers when they say what was signed', async () => {
    const body = documentPackage({ from: '000.00.00.H53', to: ['000.00.00.G22'] });
    const reply = await sendEdoc(simulator, body, {}, (signed) => {
      for (const key of signed.order) signed.headers[key] = signed.headers[`XroadVnpt-${key}`]!;
    });
    expect(reply.json).toMatchObject({ status: 'OK' });
  });

  it('takes the package from the file_doc part of a multipart body, as the Java SDK uploads it', async () => {
    const body = documentPackage({ from: '000.00.00.H53', to: ['000.00.00.G22'] });
    const boundary = '===1764780000000===';
    const multipart = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file_doc"; filename="file_doc"\r\n` +
          'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n',
      ),
      body,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const reply = await call(simulator, 'sendEdoc', {
      body: multipart,
      parameters: [
        ['from', '000.00.00.H53'],
        ['servicetype', 'eDoc'],
        ['messagetype', 'edoc'],
        ['hash-file', hashFile(body)],
      ],
      tamper: (signed) => {
        signed.headers['Content-Type'] = `multipart/form-data; boundary=${boundary}`;
      },
    });
    expect(reply.json).toMatchObject({ status: 'OK' });
    expect(
      simulator
        .accepted()
        .find((entry) => entry.docId === reply.json.DocId)
        ?.body.equals(body),
    ).toBe(true);
  });

  it('lists what a system sent, with each recipient’s receive status', async () => {
    const local = await startAxisSimulator({ systems: [HUB, PARTNER] });
    try {
      const body = documentPackage({ from: '000.00.00.H53', to: ['000.00.00.G22', '000.00.00.H41'] });
      const docId = (await sendEdoc(local, body)).json.DocId as string;
      expect((await ack(local, docId, 'done', PARTNER)).json).toMatchObject({ status: 'OK' });
      const reply = await call(local, 'getSentEdocList', { parameters: [['servicetype', 'eDoc']] });
      expect(reply.json).toMatchObject({ status: 'OK', ErrorCode: '0' });
      expect(reply.json.data).toEqual([
        expect.objectContaining({
          senderDocId: docId,
          fromCode: '000.00.00.H53',
          toCode: '000.00.00.G22',
          notation: '123/UBND-VP',
          receiveStatus: 'done',
        }),
        expect.objectContaining({ senderDocId: docId, toCode: '000.00.00.H41', receiveStatus: 'initial' }),
      ]);
    } finally {
      await local.close();
    }
  });

  it('counts what waits, and downloadEdoc answers the package itself', async () => {
    const local = await startAxisSimulator({ systems: [HUB] });
    try {
      const edxml = documentPackage({ from: '000.00.00.G22', to: ['000.00.00.H53'] });
      const docId = local.enqueue({ from: '000.00.00.G22', to: ['000.00.00.H53'], edxml });
      local.enqueue({ from: '000.00.00.G22', to: ['000.00.00.H53'], edxml, messageType: 'status' });
      const count = async (name: string) => (await call(local, name, { method: 'GET' })).json.count;
      expect([await count('countReceiveEdoc'), await count('countReceiveStatus')]).toEqual([1, 1]);
      // the SDK sends count* through its POST helper
      expect((await call(local, 'countReceiveEdoc')).json.count).toBe(1);
      const file = await call(local, 'downloadEdoc', { method: 'GET', parameters: [['docId', docId]] });
      expect(file.raw.equals(edxml)).toBe(true);
      await ack(local, docId, 'done');
      expect(await count('countReceiveEdoc')).toBe(0);
      expect(local.counts()).toMatchObject({
        refusedSignatures: 0,
        byCall: { countReceiveEdoc: 3, downloadEdoc: 1 },
      });
    } finally {
      await local.close();
    }
  });

  it('a fault without a call applies to every call; timeout afterAccept on updateStatus still acknowledges', async () => {
    const docId = simulator.enqueue({
      from: '000.00.00.G22',
      to: ['000.00.00.H53'],
      edxml: Buffer.from('<a/>'),
    });
    simulator.inject({ kind: 'timeout', afterAccept: true, times: 1 });
    await expect(
      call(simulator, 'updateStatus', {
        parameters: [
          ['docid', docId],
          ['status', 'done'],
        ],
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    expect(simulator.receipts().get(docId)?.done).toBe(1);
    expect((await list(simulator, { pageSize: 1000 })).map((row) => row.docId)).not.toContain(docId);
  });
});

describe('the axis simulator: control API', () => {
  const control = (path: string, init?: RequestInit) =>
    fetch(`${simulator.endpoint.replace(/\/vdxp$/, '')}/_simulator/${path}`, init);

  it('enqueues, injects, and reports what was accepted and received', async () => {
    const edxml = documentPackage({ from: '000.00.00.G22', to: ['000.00.00.H53'] });
    const enqueued = await control('enqueue?from=000.00.00.G22&to=000.00.00.H53', {
      method: 'POST',
      body: edxml,
    });
    const { docId } = (await enqueued.json()) as { docId: string };
    expect((await list(simulator, { pageSize: 1000 })).map((row) => row.docId)).toContain(docId);
    const receipts = (await (await control('receipts')).json()) as Record<string, { listed: number }>;
    expect(receipts[docId]?.listed).toBe(1);

    const injected = await control('faults', {
      method: 'POST',
      body: JSON.stringify({ kind: 'http-500', call: 'countReceiveEdoc', times: 1 }),
    });
    expect(injected.status).toBe(200);
    expect((await call(simulator, 'countReceiveEdoc', { method: 'GET' })).status).toBe(500);
    const refused = await control('faults', { method: 'POST', body: JSON.stringify({ kind: 'http-501' }) });
    expect(refused.status).toBe(400);

    const body = documentPackage({ from: '000.00.00.H53', to: ['000.00.00.G22'] });
    const sent = (await sendEdoc(simulator, body)).json.DocId as string;
    const accepted = (await (await control('accepted')).json()) as { docId: string; acceptedCount: number }[];
    expect(accepted.find((entry) => entry.docId === sent)).toMatchObject({ acceptedCount: 1 });
    const raw = Buffer.from(await (await control(`accepted/${sent}`)).arrayBuffer());
    expect(raw.equals(body)).toBe(true);
  });
});

describe('the axis simulator: registration', () => {
  it('delivers a document for an OrganId nobody had to the system that registers it later', async () => {
    const local = await startAxisSimulator({ systems: [HUB] });
    try {
      const docId = local.enqueue({
        from: '000.00.00.G22',
        to: ['000.00.12.H53'],
        edxml: Buffer.from('<a/>'),
      });
      expect(await list(local)).toEqual([]);
      local.addSystem({ ...HUB, organIds: ['000.00.12.H53'] });
      expect((await list(local)).map((row) => [row.docId, row.to])).toEqual([[docId, '000.00.12.H53']]);
    } finally {
      await local.close();
    }
  });
});

describe('the axis simulator: a reused SDK service object', () => {
  /** Sends header names that differ only in case as separate lines, as Apache HttpClient does. */
  function sendLines(
    simulator: AxisSimulator,
    name: string,
    signed: Signed,
  ): Promise<Record<string, unknown>> {
    const lines: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(signed.headers)) (lines[key.toLowerCase()] ??= []).push(value);
    const url = new URL(`${simulator.endpoint}/${name}`);
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: lines },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('end', () => {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          });
        },
      );
      request.once('error', reject);
      request.end();
    });
  }

  // The SDK's KnobstickServiceImp keeps one header map for its lifetime: updateStatus after getEdoc
  // still carries getEdoc's filePath and docId (Java keys are case-sensitive) and the list's servicetype.
  const staleParameters = (docId: string, docid: string): [string, string][] => [
    ['servicetype', 'eDoc'],
    ['messagetype', 'edoc'],
    ['filePath', '/var/lib/edoc'],
    ['docId', docId],
    ['docid', docid],
    ['status', 'done'],
  ];

  it('accepts the earlier calls’ keys still in the map when case twins agree', async () => {
    const docId = simulator.enqueue({
      from: '000.00.00.G22',
      to: ['000.00.00.H53'],
      edxml: Buffer.from('<a/>'),
    });
    const signed = sign(HUB, 'application/json', staleParameters(docId, docId));
    expect(await sendLines(simulator, 'updateStatus', signed)).toMatchObject({ status: 'OK' });
    expect(simulator.receipts().get(docId)?.done).toBe(1);
  });

  it('refuses case twins that disagree', async () => {
    const first = simulator.enqueue({
      from: '000.00.00.G22',
      to: ['000.00.00.H53'],
      edxml: Buffer.from('<a/>'),
    });
    const second = simulator.enqueue({
      from: '000.00.00.G22',
      to: ['000.00.00.H53'],
      edxml: Buffer.from('<b/>'),
    });
    const signed = sign(HUB, 'application/json', staleParameters(first, second));
    const reply = await sendLines(simulator, 'updateStatus', signed);
    expect(reply).toMatchObject({ status: 'FAIL', ErrorCode: '2' });
    expect(reply.ErrorDesc).toMatch(/docid duoc ky hai lan/);
    expect(simulator.receipts().get(second)?.done).toBe(0);
  });
});

describe('npm run axis:simulate', () => {
  it('serves the systems it is given and prints one line per request', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axis-simulate-'));
    const secretFile = path.join(dir, 'secret');
    fs.writeFileSync(secretFile, `${HUB.secret}\n`);
    const script = path.resolve(import.meta.dirname, '../../scripts/axis-simulate.ts');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        script,
        '--port',
        '0',
        '--system',
        HUB.systemId,
        '--secret-file',
        secretFile,
        '--organ',
        HUB.organIds[0]!,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 30_000;
      while (!pattern.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return pattern.exec(output)!;
    };
    try {
      const endpoint = (await waitFor(/axis simulator: (http:\/\/\S+\/vdxp)/))[1]!;
      const reply = await call({ endpoint }, 'countReceiveEdoc', { method: 'GET' });
      expect(reply.json).toMatchObject({ status: 'OK', count: 0 });
      await waitFor(/countReceiveEdoc vxp\.saas\.03 OK/);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(child.exitCode).toBe(0);
  });
});
