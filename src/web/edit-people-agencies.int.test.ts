import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../test/support/web-app.ts';

/**
 * Changing one person (role, agency, name) and adding or changing one agency without a CSV file,
 * on a real PostgreSQL: the server's rules (no admin takes the admin role from themselves or from
 * the last admin; clerks and leaders belong to an agency; an add never replaces, an edit never
 * creates or recodes), every refusal naming its field in Vietnamese, and the audit entries.
 */
const A = '000.00.81.H53';
const B = '000.00.82.H53';

let web: TestWebApp;
let admin: Record<string, string>;
let clerkId: string;
let adminId: string;

type Json = Record<string, unknown>;
type Problem = { field: string; vi: string; en: string };
const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown, headers = admin) =>
  web.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Json }) });
const expectProblem = (problem: Problem | undefined, field: string, words: RegExp) => {
  expect(problem?.field).toBe(field);
  expect(problem?.vi).toMatch(words);
};
const problemOf = (response: { json: <T>() => T }) =>
  response.json<{ error: { problems?: Problem[]; text?: { vi: string } } }>().error;

beforeAll(async () => {
  web = await startTestWebApp('edit-people-agencies');
  await addAgency(web.prisma, A, 'Sở Tài chính');
  await addAgency(web.prisma, B, 'Sở Y tế');
  adminId = (await addPerson(web.prisma, { username: 'quantri', role: 'admin' })).id;
  clerkId = (
    await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A, department: 'Văn thư' })
  ).id;
  admin = (await signInAs(web.app, 'quantri')).headers;
});
afterAll(() => web.close());

describe('changing a person', () => {
  it('changes the name alone without signing the person out', async () => {
    const clerk = (await signInAs(web.app, 'vanthu.a')).headers;
    const response = await send('PATCH', `/api/v1/users/${clerkId}`, { displayName: '  Nguyễn Thị Lan ' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      changed: true,
      user: { displayName: 'Nguyễn Thị Lan', role: 'clerk', agency: A, department: 'Văn thư' },
    });
    expect((await send('GET', '/api/v1/auth/session', undefined, clerk)).statusCode).toBe(200);
  });

  it('moves a clerk to another agency as a leader: department left, sessions ended, audited', async () => {
    const clerk = (await signInAs(web.app, 'vanthu.a')).headers;
    const response = await send('PATCH', `/api/v1/users/${clerkId}`, { role: 'leader', agency: B });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: { role: 'leader', agency: B, department: null } });
    expect((await send('GET', '/api/v1/auth/session', undefined, clerk)).statusCode).toBe(401);
    const entry = await web.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'user.updated', subject: `user:${clerkId}` },
      orderBy: { seq: 'desc' },
    });
    expect(entry.actor).toBe('user:quantri');
    expect(entry.data).toMatchObject({
      username: 'vanthu.a',
      before: { role: 'clerk', agency: A },
      after: { role: 'leader', agency: B },
      signedOut: true,
    });
  });

  it('names the field it refuses, in Vietnamese', async () => {
    const cases: [Json, number, string, RegExp][] = [
      [{ role: 'admin', agency: A }, 422, 'agency', /^Cơ quan: quản trị viên làm việc cho toàn hệ thống/],
      [{ agency: null }, 422, 'agency', /^Cơ quan: văn thư và lãnh đạo thuộc một cơ quan/],
      [{ agency: '000.00.99.H53' }, 422, 'agency', /^Cơ quan: không có mã 000.00.99.H53/],
      [{ role: 'director' }, 400, 'role', /^Vai trò: phải là một trong/],
      [{ displayName: '   ' }, 400, 'displayName', /^Họ tên: không được để trống/],
      [{ username: 'khac' }, 400, '', /^Nội dung gửi lên: không được có: username/],
      [{}, 400, '', /^Nội dung gửi lên: không có gì để thay đổi/],
    ];
    for (const [body, status, field, words] of cases) {
      const response = await send('PATCH', `/api/v1/users/${clerkId}`, body);
      const error = problemOf(response);
      const problem = error.problems?.[0];
      expect([JSON.stringify(body), response.statusCode, problem?.field ?? '']).toEqual([
        JSON.stringify(body),
        status,
        field,
      ]);
      expect(problem?.vi ?? error.text?.vi).toMatch(words);
    }
  });

  it('never lets an admin take the admin role from themselves, nor from the last admin', async () => {
    const self = await send('PATCH', `/api/v1/users/${adminId}`, { role: 'clerk', agency: A });
    expect(self.statusCode).toBe(409);
    expectProblem(problemOf(self).problems?.[0], 'role', /^Vai trò: không thể tự bỏ quyền quản trị/);
    // The server's own command line acts as no person: the last active admin is still refused.
    const control = { authorization: `Bearer ${web.controlToken}` };
    const last = await send('PATCH', `/api/v1/users/${adminId}`, { role: 'leader', agency: A }, control);
    expect(last.statusCode).toBe(409);
    expect(problemOf(last).problems?.[0]?.vi).toMatch(/^Vai trò: đây là quản trị viên cuối cùng/);
    // With a second admin, the first may be made a leader by the second.
    await addPerson(web.prisma, { username: 'quantri2', role: 'admin' });
    const second = (await signInAs(web.app, 'quantri2')).headers;
    const moved = await send('PATCH', `/api/v1/users/${adminId}`, { role: 'leader', agency: A }, second);
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ user: { role: 'leader', agency: A } });
    const back = await send('PATCH', `/api/v1/users/${adminId}`, { role: 'admin' }, second);
    expect(back.json()).toMatchObject({ user: { role: 'admin', agency: null } });
    admin = (await signInAs(web.app, 'quantri')).headers;
    expect((await web.prisma.user.findUniqueOrThrow({ where: { id: adminId } })).role).toBe('admin');
  });

  it('answers an unknown person as missing, and refuses everyone but admins', async () => {
    const missing = await send('PATCH', '/api/v1/users/7b0c1f56-0b7e-4c53-9a66-3e1b0f4b2a11', {
      displayName: 'x',
    });
    expect(missing.statusCode).toBe(404);
    expect(problemOf(missing).text?.vi).toMatch(/^Không có người dùng này/);
    expect((await send('PATCH', '/api/v1/users/not-an-id', { displayName: 'x' })).statusCode).toBe(400);
    await addPerson(web.prisma, { username: 'lanhdao.b', role: 'leader', agency: B });
    const leader = (await signInAs(web.app, 'lanhdao.b')).headers;
    const refused = await send('PATCH', `/api/v1/users/${clerkId}`, { role: 'admin' }, leader);
    expect(refused.statusCode).toBe(403);
    expect((await web.prisma.user.findUniqueOrThrow({ where: { id: clerkId } })).role).toBe('leader');
  });
});

describe('one agency without a CSV file', () => {
  const agency = (extra: Json = {}) => ({
    organId: '000.00.83.H53',
    name: 'Sở Xây dựng',
    channel: 'email',
    emails: ['vanthu@sxd.tayninh.gov.vn'],
    ...extra,
  });

  it('adds an agency, audited, and never replaces one already there under any of its codes', async () => {
    const added = await send('POST', '/api/v1/agencies/new', agency());
    expect(added.statusCode).toBe(201);
    expect(
      await web.prisma.auditEntry.count({
        where: { action: 'agency.added', subject: 'agency:000.00.83.H53' },
      }),
    ).toBe(1);
    for (const organId of ['000.00.83.H53', '000.00.83.h53', A]) {
      const again = await send('POST', '/api/v1/agencies/new', agency({ organId, name: 'Thay thế' }));
      expect(again.statusCode).toBe(409);
      expectProblem(
        problemOf(again).problems?.[0],
        'organId',
        /^Mã định danh cơ quan: mã .* đã có trong danh bạ/,
      );
    }
    expect((await web.prisma.agency.findUniqueOrThrow({ where: { organId: A } })).name).toBe('Sở Tài chính');
  });

  it('names a bad field in Vietnamese', async () => {
    const cases: [Json, string, RegExp][] = [
      [agency({ organId: '000.00.84.H53', name: '  ' }), 'name', /^Tên: không được để trống/],
      [
        agency({ organId: 'Sở Nội vụ' }),
        'organId',
        /^Mã định danh cơ quan: Mã định danh của cơ quan "Sở Nội vụ" không đúng dạng/,
      ],
      [
        agency({ organId: '000.00.84.H53', emails: [] }),
        'emails',
        /^Địa chỉ thư điện tử: cơ quan chỉ nhận bằng thư điện tử cần ít nhất một địa chỉ/,
      ],
      [agency({ organId: '000.00.84.H53', emails: ['không phải thư'] }), 'emails', /^Địa chỉ thư điện tử: /],
      [agency({ organId: '000.00.84.H53', channel: 'fax' }), 'channel', /^Kênh nhận: /],
    ];
    for (const [body, field, words] of cases) {
      const response = await send('POST', '/api/v1/agencies/new', body);
      expect([field, response.statusCode]).toEqual([field, 400]);
      expectProblem(problemOf(response).problems?.[0], field, words);
    }
    expect(await web.prisma.agency.count({ where: { organId: '000.00.84.H53' } })).toBe(0);
  });

  it('changes an agency’s name, channel and addresses; its code and former codes stay', async () => {
    await web.prisma.agencyAlias.create({
      data: { organId: '000.00.70.H53', agency: { connect: { organId: '000.00.83.H53' } } },
    });
    const changed = await send(
      'PUT',
      '/api/v1/agencies/000.00.83.H53',
      agency({
        name: 'Sở Xây dựng tỉnh Tây Ninh',
        channel: 'hosted',
        emails: [],
        aliases: ['000.00.70.H53'],
      }),
    );
    expect(changed.statusCode).toBe(200);
    const stored = await web.prisma.agency.findUniqueOrThrow({
      where: { organId: '000.00.83.H53' },
      include: { aliases: true },
    });
    expect([stored.name, stored.channel, stored.aliases.map((a) => a.organId)]).toEqual([
      'Sở Xây dựng tỉnh Tây Ninh',
      'hosted',
      ['000.00.70.H53'],
    ]);
    expect(
      await web.prisma.auditEntry.count({
        where: { action: 'agency.updated', subject: 'agency:000.00.83.H53' },
      }),
    ).toBe(1);
  });

  it('refuses a new code, an unknown agency and non-admins', async () => {
    const recode = await send('PUT', '/api/v1/agencies/000.00.83.H53', agency({ organId: '000.00.85.H53' }));
    expect(recode.statusCode).toBe(422);
    expectProblem(problemOf(recode).problems?.[0], 'organId', /^Mã định danh cơ quan: không đổi được ở đây/);
    const missing = await send('PUT', '/api/v1/agencies/000.00.86.H53', agency({ organId: '000.00.86.H53' }));
    expect(missing.statusCode).toBe(404);
    expect(problemOf(missing).text?.vi).toMatch(/^Không có cơ quan mã 000.00.86.H53/);
    expect(await web.prisma.agency.count({ where: { organId: '000.00.86.H53' } })).toBe(0);
    const leader = (await signInAs(web.app, 'lanhdao.b')).headers;
    expect(
      (await send('POST', '/api/v1/agencies/new', agency({ organId: '000.00.87.H53' }), leader)).statusCode,
    ).toBe(403);
    expect((await send('PUT', '/api/v1/agencies/000.00.83.H53', agency(), leader)).statusCode).toBe(403);
  });
});
