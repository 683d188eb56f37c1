import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../access/index.ts';
import {
  addAgency,
  addPerson,
  sessionCookieOf,
  signInAs,
  startTestWebApp,
  TEST_PASSWORD,
  type TestWebApp,
} from '../../../test/support/web-app.ts';

let web: TestWebApp;
const login = (username: string, password: string, remoteAddress = '10.1.1.1') =>
  web.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress,
  });

beforeAll(async () => {
  web = await startTestWebApp('auth', {
    loginThrottle: new LoginThrottle({
      perUsername: { maxFailures: 3, windowMs: 60_000, maxKeys: 100 },
      perAddress: { maxFailures: 50, windowMs: 60_000, maxKeys: 100 },
    }),
  });
  await addAgency(web.prisma, '000.00.11.H53');
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: '000.00.11.H53' });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
});
afterAll(() => web.close());

describe('signing in', () => {
  it('sets an HttpOnly SameSite=Strict cookie whose token is stored only as its sha256', async () => {
    const response = await login('vanthu.a', TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^lienthong_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    const token = sessionCookieOf(response).split('=')[1] ?? '';
    const rows = await web.prisma.session.findMany();
    expect(rows.map((r) => r.tokenHash)).toContain(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(response.json()).toMatchObject({
      user: { username: 'vanthu.a', role: 'clerk', agency: '000.00.11.H53' },
    });
  });

  it('answers an unknown user, a wrong password and a disabled account identically', async () => {
    await addPerson(web.prisma, { username: 'nghiviec', role: 'clerk', agency: '000.00.11.H53' });
    await web.prisma.user.update({ where: { username: 'nghiviec' }, data: { disabledAt: new Date() } });
    const answers = await Promise.all([
      login('khongco', TEST_PASSWORD, '10.9.0.1'),
      login('quantri', 'wrong password!', '10.9.0.2'),
      login('nghiviec', TEST_PASSWORD, '10.9.0.3'),
    ]);
    for (const answer of answers) {
      expect(answer.statusCode).toBe(401);
      expect(answer.json()).toEqual({
        error: { code: 'WEB_UNAUTHENTICATED', message: 'wrong username or password' },
      });
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
  });

  it('limits failed attempts per username with 429 and Retry-After, even with the right password', async () => {
    await addPerson(web.prisma, { username: 'bi.doan', role: 'clerk', agency: '000.00.11.H53' });
    for (let i = 0; i < 3; i++)
      expect((await login('bi.doan', `guess number ${i}`, `10.2.0.${i}`)).statusCode).toBe(401);
    const blocked = await login('bi.doan', TEST_PASSWORD, '10.2.0.9');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json()).toMatchObject({ error: { code: 'WEB_RATE_LIMITED' } });
  });

  it('lets a person with a one-time password do nothing but change it', async () => {
    const created = await web.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${web.controlToken}` },
      payload: { username: 'quantri2', role: 'admin' },
    });
    expect(created.statusCode).toBe(201);
    const oneTime = created.json<{ password: string }>().password;
    const person = await signInAs(web.app, 'quantri2', oneTime);
    const elsewhere = await signInAs(web.app, 'quantri2', oneTime);
    const refused = await web.app.inject({ method: 'GET', url: '/api/v1/users', headers: person.headers });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'WEB_PASSWORD_CHANGE_REQUIRED' } });
    const weak = await web.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: person.headers,
      payload: { currentPassword: oneTime, newPassword: 'short' },
    });
    expect(weak.statusCode).toBe(422);
    const changed = await web.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: person.headers,
      payload: { currentPassword: oneTime, newPassword: 'a long enough passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ user: { mustChangePassword: false } });
    const allowed = await web.app.inject({ method: 'GET', url: '/api/v1/users', headers: person.headers });
    expect(allowed.statusCode).toBe(200);
    // The session that changed the password goes on; any other one of the person ends.
    const ended = await web.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: elsewhere.headers,
    });
    expect(ended.statusCode).toBe(401);
  });
});

describe('the audit trail', () => {
  it('records every sign-in, refused ones included, with who and from where', async () => {
    await login('vanthu.a', TEST_PASSWORD, '10.7.7.7');
    await login('vanthu.a', 'not the password', '10.7.7.8');
    const entries = await web.prisma.auditEntry.findMany({
      where: { action: { startsWith: 'auth.sign-in' } },
      orderBy: { seq: 'desc' },
      take: 2,
    });
    expect(entries.map((e) => [e.action, e.actor, (e.data as { address: string }).address])).toEqual([
      ['auth.sign-in-refused', 'user:vanthu.a', '10.7.7.8'],
      ['auth.sign-in', 'user:vanthu.a', '10.7.7.7'],
    ]);
    expect(JSON.stringify(entries.map((e) => e.data))).not.toContain('not the password');
  });
});

describe('a session', () => {
  it('tells who is signed in and the CSRF token, and refuses changes without that token', async () => {
    const person = await signInAs(web.app, 'quantri');
    const session = await web.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: { cookie: person.cookie },
    });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({
      user: { username: 'quantri', role: 'admin' },
      csrfToken: person.csrfToken,
    });

    const payload = { agency: '000.00.11.H53', name: 'eOffice Sở 11' };
    for (const headers of [{ cookie: person.cookie }, { cookie: person.cookie, 'x-csrf-token': 'forged' }]) {
      const refused = await web.app.inject({ method: 'POST', url: '/api/v1/tokens', headers, payload });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: { code: 'WEB_CSRF_TOKEN_INVALID' } });
    }
    expect(await web.prisma.apiToken.count()).toBe(0);
    const created = await web.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: person.headers,
      payload,
    });
    expect(created.statusCode).toBe(201);
    await web.prisma.apiToken.deleteMany();
  });

  it('ends at logout, and when its person is disabled', async () => {
    const person = await signInAs(web.app, 'vanthu.a');
    const out = await web.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: person.headers });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    const after = await web.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: person.headers,
    });
    expect(after.statusCode).toBe(401);

    const again = await signInAs(web.app, 'vanthu.a');
    const admin = await signInAs(web.app, 'quantri');
    const user = await web.prisma.user.findUniqueOrThrow({ where: { username: 'vanthu.a' } });
    const disabled = await web.app.inject({
      method: 'POST',
      url: `/api/v1/users/${user.id}/disable`,
      headers: admin.headers,
    });
    expect(disabled.json()).toMatchObject({ user: { disabled: true } });
    const refused = await web.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: again.headers,
    });
    expect(refused.statusCode).toBe(401);
    await web.app.inject({ method: 'POST', url: `/api/v1/users/${user.id}/enable`, headers: admin.headers });
  });
});

describe('partner-system tokens', () => {
  it('are shown once, stored hashed, record their last use, and stop working when revoked', async () => {
    const admin = { authorization: `Bearer ${web.controlToken}` };
    const created = await web.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin,
      payload: { agency: '000.00.11.H53', name: 'eOffice Sở 11' },
    });
    expect(created.statusCode).toBe(201);
    const { secret, token } = created.json<{ secret: string; token: { id: string; prefix: string } }>();
    expect(secret).toMatch(/^lt_[\w-]{43}$/);
    expect(secret.startsWith(token.prefix)).toBe(true);
    const row = await web.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(row.tokenHash).toBe(createHash('sha256').update(secret).digest('hex'));
    const listed = await web.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: admin });
    expect(listed.body).not.toContain(secret);

    const partner = { authorization: `Bearer ${secret}` };
    expect(
      (await web.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: partner })).statusCode,
    ).toBe(200);
    expect(
      (await web.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt,
    ).not.toBeNull();
    // A partner system acts for its agency, never as an admin.
    expect(
      (await web.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: partner })).statusCode,
    ).toBe(403);

    const revoked = await web.app.inject({
      method: 'POST',
      url: `/api/v1/tokens/${token.id}/revoke`,
      headers: admin,
    });
    expect(revoked.json()).toMatchObject({ token: { revoked: true } });
    const refused = await web.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: partner });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: { code: 'WEB_UNAUTHENTICATED' } });
  });
});
