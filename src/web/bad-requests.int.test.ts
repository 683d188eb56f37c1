import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../test/support/web-app.ts';
import { routeTableOf } from './index.ts';

/** Acceptance 5: bad input gets a 4xx in the error shape, never a 500. */
let web: TestWebApp;
let admin: Record<string, string>;
let clerk: Record<string, string>;
const BODY_LIMIT = 64 * 1024;

beforeAll(async () => {
  web = await startTestWebApp('bad-requests', { bodyLimitBytes: BODY_LIMIT });
  await addAgency(web.prisma, '000.00.11.H53');
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  await addPerson(web.prisma, { username: 'vanthu', role: 'clerk', agency: '000.00.11.H53' });
  admin = (await signInAs(web.app, 'quantri')).headers;
  clerk = (await signInAs(web.app, 'vanthu')).headers;
});
afterAll(() => web.close());

function expectRefused(response: LightMyRequestResponse, status: number, code: string): void {
  expect({
    status: response.statusCode,
    code: response.json<{ error: { code: string } }>().error.code,
  }).toEqual({
    status,
    code,
  });
  const body = response.json<{ error: { message: unknown } }>();
  expect(typeof body.error.message).toBe('string');
}

const login = (payload: unknown, extra: Partial<InjectOptions> = {}) =>
  web.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: payload as string, ...extra });

describe('wrong types and unknown fields', () => {
  it('refuses wrong types with 400 and names each field', async () => {
    const response = await login({ username: 5, password: [] });
    expectRefused(response, 400, 'WEB_INVALID_REQUEST');
    const paths = response
      .json<{ error: { details: { issues: { path: string }[] } } }>()
      .error.details.issues.map((i) => i.path);
    expect([...new Set(paths)]).toEqual(['body.username', 'body.password']);
  });

  it('says each problem to a person in Vietnamese and English, naming the field in words', async () => {
    const response = await login({ username: 5, password: '' });
    type Said = { vi: string; en: string };
    const { error } = response.json<{ error: { text: Said; problems: (Said & { field: string })[] } }>();
    expect(error.problems).toEqual([
      {
        field: 'username',
        vi: 'Tên đăng nhập: có kiểu giá trị không đúng',
        en: 'Username: has the wrong kind of value',
      },
      { field: 'password', vi: 'Mật khẩu: không được để trống', en: 'Password: is required' },
    ]);
    expect(error.text.vi).toBe('Tên đăng nhập: có kiểu giá trị không đúng; Mật khẩu: không được để trống');
    const year = await web.app.inject({
      method: 'GET',
      url: '/api/v1/documents/register-book?direction=incoming&from=2026-13-01&to=2026-12-31',
      headers: clerk,
    });
    expect(year.json<{ error: { text: Said } }>().error.text.vi).toBe(
      'Từ ngày: phải là một ngày (năm-tháng-ngày, ví dụ 2026-03-05)',
    );
    const missing = await web.app.inject({
      method: 'GET',
      url: `/api/v1/intake/${randomUUID()}`,
      headers: clerk,
    });
    expect(missing.json<{ error: { text: Said } }>().error.text.vi).toMatch(
      /^Không tìm thấy văn bản đến này/,
    );
  });

  it('refuses unknown fields in bodies and in query strings', async () => {
    expectRefused(await login({ username: 'a', password: 'b', isAdmin: true }), 400, 'WEB_INVALID_REQUEST');
    expectRefused(
      await web.app.inject({ method: 'GET', url: '/api/v1/intake?orderBy=agency', headers: clerk }),
      400,
      'WEB_INVALID_REQUEST',
    );
  });

  it('refuses malformed ids, numbers out of range and foreign cursors', async () => {
    for (const url of [
      '/api/v1/documents/not-a-uuid',
      '/api/v1/intake?limit=abc',
      '/api/v1/intake?limit=100000',
      '/api/v1/documents?promulgatedFrom=31/12/2026',
      '/api/v1/documents?cursor=garbage',
    ])
      expectRefused(await web.app.inject({ method: 'GET', url, headers: clerk }), 400, 'WEB_INVALID_REQUEST');
  });

  it('refuses JSON that does not parse, prototype poisoning, and a body that is not JSON', async () => {
    const json = { 'content-type': 'application/json' };
    expectRefused(await login('{"username":', { headers: json }), 400, 'WEB_INVALID_REQUEST');
    expectRefused(
      await login('{"username":"a","password":"b","__proto__":{"admin":true}}', { headers: json }),
      400,
      'WEB_INVALID_REQUEST',
    );
    expectRefused(
      await login('username=a&password=b', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'WEB_UNSUPPORTED_MEDIA_TYPE',
    );
  });
});

describe('huge bodies', () => {
  it('refuses a JSON body over 1 MiB with 413 before reading it all', async () => {
    expectRefused(
      await login({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) }),
      413,
      'WEB_BODY_TOO_LARGE',
    );
  });

  it('refuses an upload over the hub’s message limit with 413', async () => {
    const content = Buffer.alloc(BODY_LIMIT * 2, 1).toString('base64');
    const response = await web.app.inject({
      method: 'POST',
      url: '/api/v1/intake/uploads',
      headers: clerk,
      payload: { subject: 'Công văn', scan: { name: 'scan.pdf', contentType: 'application/pdf', content } },
    });
    expectRefused(response, 413, 'WEB_BODY_TOO_LARGE');
  });
});

describe('bad credentials', () => {
  it.each([
    ['an unknown bearer token', { authorization: 'Bearer lt_thisTokenWasNeverIssued' }],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['an over-long bearer', { authorization: `Bearer ${'a'.repeat(10_000)}` }],
    ['a session cookie that was never issued', { cookie: 'lienthong_session=forged' }],
    ['no credential at all', {}],
  ])('answers %s with 401', async (_name, headers) => {
    expectRefused(
      await web.app.inject({ method: 'GET', url: '/api/v1/intake', headers }),
      401,
      'WEB_UNAUTHENTICATED',
    );
  });

  it('answers a session’s state change without its CSRF token with 403, and changes nothing', async () => {
    const cookieOnly = { cookie: admin.cookie! };
    const response = await web.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: cookieOnly,
      payload: { username: 'ke.gian', role: 'admin' },
    });
    expectRefused(response, 403, 'WEB_CSRF_TOKEN_INVALID');
    expect(await web.prisma.user.count({ where: { username: 'ke.gian' } })).toBe(0);
  });
});

describe('every route', () => {
  it('answers odd bodies and ids with a 4xx in the error shape, never a 5xx', async () => {
    const bodies = ['[]', '"x"', 'null', '{"unexpected":1}', '{}', '{"id":{"$ne":null}}'];
    const failures: string[] = [];
    for (const { method, url } of routeTableOf(web.app).entries) {
      if (!url.startsWith('/api/')) continue;
      for (const payload of method === 'GET' ? [undefined] : bodies) {
        const response = await web.app.inject({
          method: method as 'GET' | 'POST',
          url: url.replace(/:\w+/g, randomUUID()),
          headers: { ...admin, ...(payload ? { 'content-type': 'application/json' } : {}) },
          ...(payload ? { payload } : {}),
        });
        if (response.statusCode >= 500)
          failures.push(`${method} ${url} ${payload ?? ''}: ${response.statusCode}`);
        if (response.statusCode >= 400 && !('error' in response.json<object>()))
          failures.push(`${method} ${url}: error without the shape`);
      }
    }
    expect(failures).toEqual([]);
  });
});
