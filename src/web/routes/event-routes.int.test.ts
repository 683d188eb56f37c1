import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../access/index.ts';
import { receiveIntakeItems, registerIntakeItem } from '../../registry/index.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type SignedInPerson,
  type TestWebApp,
} from '../../../test/support/web-app.ts';
import { openStream, type Stream } from '../../../test/support/event-stream.ts';
import { type Actor } from '../../shared/index.ts';

/**
 * `GET /api/v1/events` on a real listening server over PostgreSQL's LISTEN/NOTIFY: who hears
 * what, that streams end when their session or the hub does, and the limits.
 */
const A = '000.00.51.H53';
const B = '000.00.52.H53';
const SECRET_SUBJECT = 'Tờ trình BÍMẬT-7431';
const SYSTEM: Actor = { kind: 'system', component: 'event-test' };

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const idsOf = (stream: Stream, event: string) =>
  stream.events.filter((e) => e.event === event).map((e) => String(e.data.id));

let web: TestWebApp;
let baseUrl: string;
let agencyA: string;
let agencyB: string;
let clerkA: SignedInPerson;
let clerkB: SignedInPerson;
let admin: SignedInPerson;
const open: Stream[] = [];

async function stream(headers: Record<string, string>): Promise<Stream> {
  const opened = await openStream(baseUrl, headers);
  open.push(opened);
  return opened;
}

async function receive(agencyId: string, label: string): Promise<string> {
  const raw = Buffer.from(`${label} ${Math.random()}`);
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'upload',
    raw,
    agencyIds: [agencyId],
    dedupKey: `test:${label}:${raw.toString('hex')}`,
    subject: `${SECRET_SUBJECT} ${label}`,
    attachments: [],
  });
  if (!received) throw new Error('nothing received');
  return received.itemId;
}

beforeAll(async () => {
  web = await startTestWebApp('events', {
    liveOptions: { heartbeatMs: 100, recheckMs: 200, retryMs: 1500, maxPerCredential: 3 },
  });
  baseUrl = await web.app.listen({ port: 0, host: '127.0.0.1' });
  agencyA = await addAgency(web.prisma, A);
  agencyB = await addAgency(web.prisma, B);
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  await addPerson(web.prisma, { username: 'vanthu.b', role: 'clerk', agency: B });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  clerkA = await signInAs(web.app, 'vanthu.a');
  clerkB = await signInAs(web.app, 'vanthu.b');
  admin = await signInAs(web.app, 'quantri');
});
afterAll(async () => {
  for (const s of open) s.close();
  await web.close();
});

describe('GET /api/v1/events', () => {
  it('refuses a caller without a credential, or with an ended session, with 401 and the error shape', async () => {
    const none = await stream({});
    expect(none.status).toBe(401);
    await none.ended;
    expect(JSON.parse(none.raw())).toMatchObject({ error: { code: 'WEB_UNAUTHENTICATED' } });
    const forged = await stream({ cookie: 'lienthong_session=not-a-session' });
    expect(forged.status).toBe(401);
    const badBearer = await stream({ authorization: 'Bearer lt_nope' });
    expect(badBearer.status).toBe(401);
    // A signed-in caller that does not ask for a stream is answered at once, not left hanging.
    const plain = await web.app.inject({ method: 'GET', url: '/api/v1/events', headers: clerkA.headers });
    expect(plain.statusCode).toBe(400);
    expect(plain.json()).toMatchObject({ error: { code: 'WEB_INVALID_REQUEST' } });
  });

  it('gives A’s clerk A’s events and never B’s, in the same burst; admins hear both; ids only', async () => {
    const a = await stream({ cookie: clerkA.cookie });
    const b = await stream({ cookie: clerkB.cookie });
    const all = await stream({ cookie: admin.cookie });
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(a.headers['cache-control']).toContain('no-cache');
    for (const s of [a, b, all]) await until(() => s.events.find((e) => e.event === 'ready'));
    expect(a.raw()).toMatch(/^retry: 1500\n/);

    const forA: string[] = [];
    const forB: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, index) => {
        if (index % 2 === 0) forA.push(await receive(agencyA, `a${index}`));
        else forB.push(await receive(agencyB, `b${index}`));
      }),
    );
    await until(() => (idsOf(all, 'intake').length >= 6 ? true : undefined));
    await until(() => (idsOf(a, 'intake').length >= 3 ? true : undefined));
    await until(() => (idsOf(b, 'intake').length >= 3 ? true : undefined));
    expect(idsOf(a, 'intake').sort()).toEqual([...forA].sort());
    expect(idsOf(b, 'intake').sort()).toEqual([...forB].sort());
    expect(idsOf(all, 'intake').sort()).toEqual([...forA, ...forB].sort());
    const first = a.events.find((e) => e.event === 'intake');
    expect(first?.data).toEqual({ change: 'created', id: expect.any(String) as string, state: 'new' });

    // A decision in A reaches A (the item leaves the queue, the register gains a document), not B.
    const registered = await registerIntakeItem(web.prisma, SYSTEM, forA[0]!, { subject: 'Vào sổ' });
    if (registered.kind !== 'registered') throw new Error(registered.kind);
    await until(() => a.events.find((e) => e.event === 'document'));
    expect(a.events.filter((e) => e.event === 'intake' && e.data.change === 'decided')).toEqual([
      { event: 'intake', data: { change: 'decided', id: forA[0], state: 'registered' } },
    ]);
    expect(idsOf(a, 'document')).toEqual([registered.documentId]);
    await until(() => all.events.find((e) => e.event === 'document'));
    expect(b.events.filter((e) => e.event === 'document' || e.data.change === 'decided')).toEqual([]);

    // Payloads are ids and kinds: no subject, sender or content travels on the stream.
    for (const s of [a, b, all]) expect(s.raw()).not.toContain('BÍMẬT');
    for (const s of [a, b, all]) s.close();
  });

  it('tells admins of relay work and never the agencies’ people', async () => {
    const a = await stream({ cookie: clerkA.cookie });
    const all = await stream({ cookie: admin.cookie });
    for (const s of [a, all]) await until(() => s.events.find((e) => e.event === 'ready'));
    const refused = await web.app.inject({
      method: 'POST',
      url: '/api/v1/packages',
      headers: { ...admin.headers, 'content-type': 'application/xml' },
      payload: '<not-edxml/>',
    });
    expect(refused.statusCode).toBe(422);
    const relay = await until(() => all.events.find((e) => e.event === 'relay'));
    expect(relay.data).toMatchObject({ change: 'refused' });
    // A heartbeat or two later, the clerk's stream has heard nothing of it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.events.filter((e) => e.event === 'relay')).toEqual([]);
    expect(a.raw()).toContain(': ping');

    const throughput = await web.app.inject({
      method: 'GET',
      url: '/api/v1/relay/throughput',
      headers: admin.headers,
    });
    const minutes = throughput.json<{ minutes: { refused: number }[] }>().minutes;
    expect(minutes).toHaveLength(60);
    expect(minutes.reduce((sum, m) => sum + m.refused, 0)).toBe(1);
    for (const s of [a, all]) s.close();
  });

  it('streams to a partner’s bearer token its own agency’s events', async () => {
    const token = await createApiToken(web.prisma, { agency: B }, 'system:test');
    if (token.kind !== 'created') throw new Error(token.reason);
    const partner = await stream({ authorization: `Bearer ${token.secret}` });
    expect(partner.status).toBe(200);
    await until(() => partner.events.find((e) => e.event === 'ready'));
    await receive(agencyA, 'not-for-partner-b');
    const mine = await receive(agencyB, 'for-partner-b');
    await until(() => partner.events.find((e) => e.event === 'intake'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(idsOf(partner, 'intake')).toEqual([mine]);
    partner.close();
  });

  it('ends a session’s streams when it signs out, and refuses more streams than allowed per session', async () => {
    const person = await signInAs(web.app, 'vanthu.a');
    const streams = [
      await stream({ cookie: person.cookie }),
      await stream({ cookie: person.cookie }),
      await stream({ cookie: person.cookie }),
    ];
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const fourth = await stream({ cookie: person.cookie });
    expect(fourth.status).toBe(429);
    await fourth.ended;
    expect(JSON.parse(fourth.raw())).toMatchObject({ error: { code: 'WEB_RATE_LIMITED' } });
    // Another session of the same person is its own credential.
    const other = await stream({ cookie: clerkA.cookie });
    expect(other.status).toBe(200);

    const logout = await web.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: person.headers,
    });
    expect(logout.statusCode).toBeLessThan(300);
    await Promise.all(streams.map((s) => s.ended));
    for (const s of streams)
      expect(s.events.at(-1)).toEqual({ event: 'end', data: { reason: 'signed-out' } });
    // The other session's stream goes on.
    const before = other.raw().length;
    await until(() => (other.raw().length > before ? true : undefined));
    const again = await stream({ cookie: person.cookie });
    expect(again.status).toBe(401);
    other.close();
  });

  it('ends a session’s stream when the session expires while it listens', async () => {
    const person = await signInAs(web.app, 'vanthu.b');
    const s = await stream({ cookie: person.cookie });
    await until(() => s.events.find((e) => e.event === 'ready'));
    // As if the clerk had been away for the idle limit: the stream itself is no activity.
    await web.prisma.session.updateMany({
      where: { user: { username: 'vanthu.b' } },
      data: { lastSeenAt: new Date(Date.now() - 3 * 3_600_000) },
    });
    await s.ended;
    expect(s.events.at(-1)).toEqual({ event: 'end', data: { reason: 'signed-out' } });
    clerkB = await signInAs(web.app, 'vanthu.b');
  });
});

describe('GET /api/v1/relay/throughput', () => {
  it('counts per minute the packages accepted (not held), the copies delivered and the refusals', async () => {
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
    const step = (state: string, minutesAgo: number, outcome = 'moved') => ({
      state,
      at: at(minutesAgo).toISOString(),
      note: 'test',
      outcome,
    });
    const relayed = (sha: string, minutesAgo: number, heldReason: string | null = null) =>
      web.prisma.relayPackage.create({
        data: {
          kind: 'edoc',
          fromOrganId: A,
          sha256: sha.repeat(64),
          submittedVia: 'http',
          submittedBy: 'system:test',
          heldReason,
          receivedAt: at(minutesAgo),
        },
      });
    const first = await relayed('1', 10);
    await relayed('2', 10);
    await relayed('3', 10, 'Mật');
    await relayed('4', 90);
    await web.prisma.relayDelivery.createMany({
      data: [
        { packageId: first.id, toOrganId: B, history: [step('queued', 10), step('published', 5)] },
        {
          packageId: first.id,
          toOrganId: '000.00.53.H53',
          history: [step('published', 5), step('received', 4)],
        },
        // A late confirmation refused by the state machine is no delivery.
        { packageId: first.id, toOrganId: '000.00.54.H53', history: [step('published', 5, 'refused')] },
      ],
    });
    await web.prisma.relayRefusal.create({
      data: { submitterOrganId: B, submittedVia: 'amqp', refusedAt: at(5), reasons: ['x'] },
    });
    const response = await web.app.inject({
      method: 'GET',
      url: '/api/v1/relay/throughput',
      headers: admin.headers,
    });
    expect(response.statusCode).toBe(200);
    const minutes = response.json<{
      minutes: { minute: string; accepted: number; delivered: number; refused: number }[];
    }>().minutes;
    const slot = (minutesAgo: number) => {
      const start = Math.floor(at(minutesAgo).getTime() / 60_000) * 60_000;
      return minutes.find((m) => Date.parse(m.minute) === start);
    };
    expect(slot(10)).toMatchObject({ accepted: 2, delivered: 0 });
    expect(slot(5)).toMatchObject({ accepted: 0, delivered: 2 });
    // The earlier test's refusal falls in the current minute; this one five minutes back.
    expect(slot(5)?.refused).toBe(1);
    expect(minutes.reduce((sum, m) => sum + m.accepted, 0)).toBe(2);
    expect(Date.parse(minutes[0]!.minute)).toBeGreaterThan(now - 61 * 60_000);

    const bad = await web.app.inject({
      method: 'GET',
      url: '/api/v1/relay/throughput?minutes=0',
      headers: admin.headers,
    });
    expect(bad.statusCode).toBe(400);
    const clerk = await web.app.inject({
      method: 'GET',
      url: '/api/v1/relay/throughput',
      headers: clerkA.headers,
    });
    expect(clerk.statusCode).toBe(403);
  });
});

describe('stopping with streams open', () => {
  it('ends every stream and closes promptly', async () => {
    const separate = await startTestWebApp('events-stop', { liveOptions: { heartbeatMs: 60_000 } });
    const url = await separate.app.listen({ port: 0, host: '127.0.0.1' });
    await addPerson(separate.prisma, { username: 'quantri', role: 'admin' });
    const person = await signInAs(separate.app, 'quantri');
    const streams = await Promise.all([
      openStream(url, { cookie: person.cookie }),
      openStream(url, { cookie: person.cookie }),
      openStream(url, { authorization: `Bearer ${separate.controlToken}` }),
    ]);
    for (const s of streams) await until(() => s.events.find((e) => e.event === 'ready'));
    const started = Date.now();
    await separate.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await Promise.all(streams.map((s) => s.ended));
    for (const s of streams) expect(s.events.at(-1)).toEqual({ event: 'end', data: { reason: 'shutdown' } });
  });
});
