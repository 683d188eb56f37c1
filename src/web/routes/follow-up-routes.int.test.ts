import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../access/index.ts';
import { recordDocumentStatus, registerIntakeItem } from '../../registry/index.ts';
import { receiveItem, SYSTEM } from '../../../test/support/registry-fixtures.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../../test/support/web-app.ts';

/**
 * Theo dõi, đôn đốc over HTTP against PostgreSQL: which documents are overdue or due soon at the
 * turn of a day in Vietnam, what each department carries, and who may assign to whom.
 */
const A = '000.00.41.H53';
const B = '000.00.42.H53';
// 23:59:59 on 25 November in Vietnam; one second later it is the 26th there (still the 25th in UTC).
const BEFORE_MIDNIGHT = new Date('2026-11-25T16:59:59.000Z');
const AT_MIDNIGHT = new Date('2026-11-25T17:00:00.000Z');

let now = BEFORE_MIDNIGHT;
let web: TestWebApp;
let agencyA: string;
let agencyB: string;
let leader: Record<string, string>;
let clerk: Record<string, string>;
let admin: Record<string, string>;
let token: Record<string, string>;
let leaderOfB: Record<string, string>;
type DocName = 'due24' | 'due25' | 'due28' | 'due29' | 'finished' | 'refused' | 'ofB';
const docs = {} as Record<DocName, string>;
let outgoingDue24: string;

type Item = { id: string; dueOn: string; overdue: boolean; daysLeft: number; direction: string };
type Page = { today: string; items: Item[]; nextCursor: string | null };

const send = (headers: Record<string, string>, options: InjectOptions) =>
  web.app.inject({ ...options, headers: { ...(options.headers as Record<string, string>), ...headers } });
const get = (headers: Record<string, string>, url: string) => send(headers, { method: 'GET', url });
const assign = (headers: Record<string, string>, id: string, payload: Record<string, unknown>) =>
  send(headers, { method: 'POST', url: `/api/v1/documents/${id}/assign`, payload });

async function incoming(agencyId: string, seed: string, dueOn: string): Promise<string> {
  const item = await receiveItem(web.prisma, agencyId, seed);
  const registered = await registerIntakeItem(web.prisma, SYSTEM, item, { dueOn });
  if (registered.kind !== 'registered') throw new Error(registered.kind);
  return registered.documentId;
}

async function followUp(query = ''): Promise<Page> {
  const response = await get(leader, `/api/v1/follow-up${query}`);
  expect(response.statusCode).toBe(200);
  return response.json<Page>();
}

beforeAll(async () => {
  web = await startTestWebApp('follow-up', { clock: { now: () => now } });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  agencyB = await addAgency(web.prisma, B, 'Sở Y tế');
  await addPerson(web.prisma, { username: 'lanhdao.a', role: 'leader', agency: A });
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  await addPerson(web.prisma, { username: 'lanhdao.b', role: 'leader', agency: B });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  leader = (await signInAs(web.app, 'lanhdao.a')).headers;
  clerk = (await signInAs(web.app, 'vanthu.a')).headers;
  leaderOfB = (await signInAs(web.app, 'lanhdao.b')).headers;
  admin = (await signInAs(web.app, 'quantri')).headers;
  const created = await createApiToken(web.prisma, { agency: A }, 'system:test');
  if (created.kind !== 'created') throw new Error(created.reason);
  token = { authorization: `Bearer ${created.secret}` };

  docs.due24 = await incoming(agencyA, 'd24', '2026-11-24');
  docs.due25 = await incoming(agencyA, 'd25', '2026-11-25');
  docs.due28 = await incoming(agencyA, 'd28', '2026-11-28');
  docs.due29 = await incoming(agencyA, 'd29', '2026-11-29');
  docs.finished = await incoming(agencyA, 'done', '2026-11-20');
  docs.refused = await incoming(agencyA, 'refused', '2026-11-20');
  docs.ofB = await incoming(agencyB, 'b', '2026-11-20');
  const finished = await recordDocumentStatus(web.prisma, SYSTEM, docs.finished, { code: '06' });
  expect(finished.kind).toBe('recorded');
  await web.prisma.document.update({ where: { id: docs.refused }, data: { statusCode: '02' } });
  // An outgoing document with a due date sorts after every incoming one, however early it is due.
  const outgoing = await web.prisma.document.create({
    data: {
      agencyId: agencyA,
      direction: 'outgoing',
      year: 2026,
      number: 1,
      registeredBy: 'system:test',
      subject: 'Báo cáo gửi UBND tỉnh',
      searchText: 'bao cao gui ubnd tinh',
      dueOn: new Date('2026-11-24T00:00:00Z'),
    },
  });
  outgoingDue24 = outgoing.id;
});
afterAll(() => web.close());

describe('GET /api/v1/follow-up at the turn of the day in Vietnam', () => {
  it('at 23:59:59 on the 25th: the 24th is overdue, the 25th is due today, the 28th is due in 3 days', async () => {
    now = BEFORE_MIDNIGHT;
    const page = await followUp();
    expect(page.today).toBe('2026-11-25');
    expect(page.items.map((i) => [i.id, i.dueOn, i.overdue, i.daysLeft, i.direction])).toEqual([
      [docs.due24, '2026-11-24', true, -1, 'incoming'],
      [docs.due25, '2026-11-25', false, 0, 'incoming'],
      [docs.due28, '2026-11-28', false, 3, 'incoming'],
      [outgoingDue24, '2026-11-24', true, -1, 'outgoing'],
    ]);
    expect((await followUp('?due=overdue')).items.map((i) => i.id)).toEqual([docs.due24, outgoingDue24]);
    expect((await followUp('?due=due-soon&days=0')).items.map((i) => i.id)).toEqual([docs.due25]);
    expect((await followUp('?direction=outgoing')).items.map((i) => i.id)).toEqual([outgoingDue24]);
  });

  it('one second later, 00:00 on the 26th: the 25th is overdue and the 29th comes into the window', async () => {
    now = AT_MIDNIGHT;
    const page = await followUp();
    expect(page.today).toBe('2026-11-26');
    expect(page.items.map((i) => [i.id, i.overdue, i.daysLeft])).toEqual([
      [docs.due24, true, -2],
      [docs.due25, true, -1],
      [docs.due28, false, 2],
      [docs.due29, false, 3],
      [outgoingDue24, true, -2],
    ]);
    now = BEFORE_MIDNIGHT;
  });

  it('never lists finished (06) or refused (02) documents, however overdue', async () => {
    const ids = (await followUp('?days=60')).items.map((i) => i.id);
    expect(ids).not.toContain(docs.finished);
    expect(ids).not.toContain(docs.refused);
    expect(ids).toContain(docs.due29);
  });

  it('pages with a cursor in the same order as one page', async () => {
    const whole = (await followUp('?days=60')).items.map((i) => i.id);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await followUp(`?days=60&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(whole);
    expect(whole).toHaveLength(5);
    const bad = await get(leader, '/api/v1/follow-up?cursor=Z2FyYmFnZQ');
    expect([bad.statusCode, bad.json<{ error: { code: string } }>().error.code]).toEqual([
      400,
      'WEB_INVALID_REQUEST',
    ]);
  });

  it('is read by the clerk and the partner system of the agency too, never showing another agency', async () => {
    for (const who of [clerk, token]) {
      const response = await get(who, '/api/v1/follow-up?days=60');
      expect(response.statusCode).toBe(200);
      const ids = response.json<Page>().items.map((i) => i.id);
      expect(ids).toContain(docs.due24);
      expect(ids).not.toContain(docs.ofB);
    }
    const forB = await get(leader, `/api/v1/follow-up?agency=${B}`);
    const forUnknown = await get(leader, '/api/v1/follow-up?agency=000.00.99.H53');
    expect([forB.statusCode, forB.body]).toEqual([404, forUnknown.body]);
    const own = await get(leader, `/api/v1/follow-up?agency=${A}`);
    expect(own.statusCode).toBe(200);
    const adminView = await get(admin, `/api/v1/follow-up?agency=${B}`);
    expect(adminView.json<Page>().items.map((i) => i.id)).toEqual([docs.ofB]);
  });
});

describe('departments', () => {
  it('are added by a leader to their own agency, once per name', async () => {
    const empty = await get(leader, '/api/v1/departments');
    expect(empty.json<{ departments: unknown[] }>().departments).toEqual([]);
    const add = (headers: Record<string, string>, payload: Record<string, unknown>) =>
      send(headers, { method: 'POST', url: '/api/v1/departments', payload });
    const created = await add(leader, { name: '  Phòng Tổ chức cán bộ ' });
    expect(created.statusCode).toBe(201);
    expect(created.json<{ department: { name: string; agencyId: string } }>().department).toMatchObject({
      name: 'Phòng Tổ chức cán bộ',
      agencyId: agencyA,
    });
    const again = await add(leader, { name: 'Phòng Tổ chức cán bộ' });
    expect([again.statusCode, again.json<{ error: { code: string } }>().error.code]).toEqual([
      409,
      'WEB_CONFLICT',
    ]);
    expect((await add(clerk, { name: 'Phòng Kế hoạch' })).statusCode).toBe(403);
    expect((await add(token, { name: 'Phòng Kế hoạch' })).statusCode).toBe(403);
    const inB = await add(leader, { name: 'Phòng Kế hoạch', agency: B });
    const inUnknown = await add(leader, { name: 'Phòng Kế hoạch', agency: '000.00.99.H53' });
    expect([inB.statusCode, inB.body]).toEqual([404, inUnknown.body]);
    const adminWithout = await add(admin, { name: 'Phòng Kế hoạch' });
    expect(adminWithout.statusCode).toBe(422);
    expect((await add(admin, { name: 'Phòng Kế hoạch', agency: A })).statusCode).toBe(201);
    expect((await add(leaderOfB, { name: 'Phòng Nghiệp vụ Y' })).statusCode).toBe(201);

    const audit = await web.prisma.auditEntry.findMany({
      where: { action: 'department.created', agencyId: agencyA },
      orderBy: { seq: 'asc' },
    });
    expect(audit.map((e) => [e.actor, (e.data as { name: string }).name])).toEqual([
      ['user:lanhdao.a', 'Phòng Tổ chức cán bộ'],
      ['user:quantri', 'Phòng Kế hoạch'],
    ]);
    const list = (await get(clerk, '/api/v1/departments')).json<{
      departments: { name: string }[];
      people: { displayName: string; role: string }[];
    }>();
    expect(list.departments.map((d) => d.name)).toEqual(['Phòng Kế hoạch', 'Phòng Tổ chức cán bộ']);
    expect(list.people.map((p) => [p.displayName, p.role])).toEqual([
      ['lanhdao.a', 'leader'],
      ['vanthu.a', 'clerk'],
    ]);
  });
});

describe('POST /api/v1/documents/:id/assign', () => {
  const departmentNamed = async (agencyId: string, name: string) =>
    (await web.prisma.department.findUniqueOrThrow({ where: { agencyId_name: { agencyId, name } } })).id;
  const userNamed = async (username: string) =>
    (await web.prisma.user.findUniqueOrThrow({ where: { username } })).id;
  const auditCount = () => web.prisma.auditEntry.count({ where: { action: 'document.assigned' } });

  it('refuses a department or person of another agency exactly as a missing one, changing nothing', async () => {
    const before = await auditCount();
    const ofB = await assign(leader, docs.due24, {
      departmentId: await departmentNamed(agencyB, 'Phòng Nghiệp vụ Y'),
    });
    const missing = await assign(leader, docs.due24, { departmentId: randomUUID() });
    expect([ofB.statusCode, ofB.body]).toEqual([422, missing.body]);
    const personOfB = await assign(leader, docs.due24, { assigneeId: await userNamed('lanhdao.b') });
    const personMissing = await assign(leader, docs.due24, { assigneeId: randomUUID() });
    expect([personOfB.statusCode, personOfB.body]).toEqual([422, personMissing.body]);
    // An admin is no person of the agency either.
    const toAdmin = await assign(leader, docs.due24, { assigneeId: await userNamed('quantri') });
    expect(toAdmin.body).toBe(personMissing.body);
    expect(await auditCount()).toBe(before);
    const document = await web.prisma.document.findUniqueOrThrow({ where: { id: docs.due24 } });
    expect([document.departmentId, document.assigneeId]).toEqual([null, null]);
  });

  it('is for leaders: a clerk and a partner system are refused; another agency’s document is not found', async () => {
    const department = await departmentNamed(agencyA, 'Phòng Tổ chức cán bộ');
    for (const who of [clerk, token]) {
      const response = await assign(who, docs.due24, { departmentId: department });
      expect([response.statusCode, response.json<{ error: { code: string } }>().error.code]).toEqual([
        403,
        'WEB_FORBIDDEN',
      ]);
    }
    const ofB = await assign(leader, docs.ofB, { departmentId: department });
    const missing = await assign(leader, randomUUID(), { departmentId: department });
    expect([ofB.statusCode, ofB.body]).toEqual([404, missing.body]);
    expect((await assign(leader, docs.due24, {})).statusCode).toBe(422);
    expect((await assign(leader, docs.due24, { dueOn: '26/11/2026' })).statusCode).toBe(400);
    const closed = await assign(leader, docs.finished, { departmentId: department });
    expect(closed.statusCode).toBe(409);
  });

  it('assigns with a due date, audited, records 04 for the sender once, and moves the counts', async () => {
    const department = await departmentNamed(agencyA, 'Phòng Tổ chức cán bộ');
    const countsBefore = (await get(leader, '/api/v1/follow-up/departments')).json<{
      departments: { id: string; total: number; open: number; overdue: number; dueSoon: number }[];
      unassigned: { total: number; open: number; overdue: number; dueSoon: number };
    }>();
    expect(countsBefore.departments.find((d) => d.id === department)).toMatchObject({ total: 0, overdue: 0 });
    // Six incoming documents of A: four open (the 24th overdue; the 25th and 28th due soon), one finished, one refused.
    expect(countsBefore.unassigned).toEqual({ total: 6, open: 4, overdue: 1, dueSoon: 2 });

    const clerkId = await userNamed('vanthu.a');
    const response = await assign(leader, docs.due24, {
      departmentId: department,
      assigneeId: clerkId,
      dueOn: '2026-11-23',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      document: { id: docs.due24, departmentId: department, assigneeId: clerkId, dueOn: '2026-11-23' },
      statusRecorded: '04',
      queuedForSender: true,
    });
    const audit = await web.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'document.assigned', subject: `document:${docs.due24}` },
    });
    expect(audit).toMatchObject({
      actor: 'user:lanhdao.a',
      agencyId: agencyA,
      data: {
        before: { departmentId: null, assigneeId: null, dueOn: '2026-11-24' },
        after: { departmentId: department, assigneeId: clerkId, dueOn: '2026-11-23' },
      },
    });
    const document = await web.prisma.document.findUniqueOrThrow({
      where: { id: docs.due24 },
      include: { statusEvents: { orderBy: { occurredAt: 'asc' } } },
    });
    expect(document.statusCode).toBe('04');
    expect(document.statusEvents.map((e) => e.code)).toEqual(['03', '04']);
    expect(document.statusEvents[1]?.description).toBe('Đã phân công: Phòng Tổ chức cán bộ, vanthu.a');
    const outbox = await web.prisma.outboxMessage.findMany({
      where: { kind: 'status', headers: { path: ['statusCode'], equals: '04' } },
    });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      targetOrganId: '000.00.11.H53',
      headers: { fromOrganId: A, staff: { department: 'Phòng Tổ chức cán bộ', staff: 'vanthu.a' } },
    });

    const counts = (await get(leader, '/api/v1/follow-up/departments')).json<typeof countsBefore>();
    expect(counts.departments.find((d) => d.id === department)).toMatchObject({
      total: 1,
      open: 1,
      overdue: 1,
      dueSoon: 0,
    });
    expect(counts.unassigned).toEqual({ total: 5, open: 3, overdue: 0, dueSoon: 2 });
    const listed = (await followUp()).items.find((i) => i.id === docs.due24);
    expect(listed).toMatchObject({
      dueOn: '2026-11-23',
      daysLeft: -2,
      department: { id: department, name: 'Phòng Tổ chức cán bộ' },
      assignee: { id: clerkId, displayName: 'vanthu.a' },
    });

    // A reassignment is audited but tells the sender nothing new.
    const moved = await assign(leader, docs.due24, {
      departmentId: await departmentNamed(agencyA, 'Phòng Kế hoạch'),
    });
    expect(moved.json()).toMatchObject({ statusRecorded: null, queuedForSender: false });
    expect(
      await web.prisma.outboxMessage.count({ where: { headers: { path: ['statusCode'], equals: '04' } } }),
    ).toBe(1);
    expect(await auditCount()).toBe(2);
  });

  it('takes the department of a person assigned alone, and clears a due date with null', async () => {
    const person = await addPerson(web.prisma, {
      username: 'chuyenvien.a',
      role: 'clerk',
      agency: A,
      department: 'Phòng Tổ chức cán bộ',
    });
    const response = await assign(leader, docs.due28, { assigneeId: person.id, dueOn: null });
    expect(response.json()).toMatchObject({
      document: { departmentId: await departmentNamed(agencyA, 'Phòng Tổ chức cán bộ'), dueOn: null },
      statusRecorded: '04',
    });
    expect((await followUp('?days=60')).items.map((i) => i.id)).not.toContain(docs.due28);
  });

  it('counts per department only within the caller’s agency; another agency is not found', async () => {
    const forB = await get(leader, `/api/v1/follow-up/departments?agency=${B}`);
    const forUnknown = await get(leader, '/api/v1/follow-up/departments?agency=000.00.99.H53');
    expect([forB.statusCode, forB.body]).toEqual([404, forUnknown.body]);
    const ofB = (await get(leaderOfB, '/api/v1/follow-up/departments')).json<{
      departments: { name: string; total: number }[];
      unassigned: { total: number; overdue: number };
    }>();
    expect(ofB.departments).toEqual([expect.objectContaining({ name: 'Phòng Nghiệp vụ Y', total: 0 })]);
    expect(ofB.unassigned).toMatchObject({ total: 1, overdue: 1 });
  });
});
