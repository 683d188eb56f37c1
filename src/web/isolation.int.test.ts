import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../access/index.ts';
import {
  putBlob,
  receiveIntakeItems,
  recordOutgoingDocument,
  registerIntakeItem,
  sha256Hex,
} from '../registry/index.ts';
import { documentPackage } from '../../test/support/relay-fixtures.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../test/support/web-app.ts';
import { routeTableOf } from './index.ts';
import { type Actor } from '../shared/index.ts';

/**
 * Agency isolation, generated from the app's own route table: every route must have a case here,
 * so a route added without one fails this suite. An agency-scoped route must answer a clerk,
 * leader or partner token of A asking for B's resource exactly as for one that does not exist;
 * lists and exports never show B; admin routes refuse everyone but admins.
 */
const A = '000.00.11.H53';
const B = '000.00.22.H53';
const B_MARKER = 'BMARKER';
const SYSTEM: Actor = { kind: 'system', component: 'isolation-test' };

type AgencyData = {
  item: string;
  open: string;
  other: string;
  attachment: string;
  document: string;
  /** a document the agency sent, with its signed package stored */
  sent: string;
  package: string;
  department: string;
  /** a mail with an HTML part */
  mail: string;
};
type Fixture = { a: AgencyData; b: AgencyData; missing: AgencyData };
type Who = 'A' | 'B' | 'missing';

type Case =
  | { kind: 'public' | 'personal' | 'shared-directory' | 'own-agency'; why: string }
  | { kind: 'admin-only'; request: (f: Fixture) => InjectOptions }
  | { kind: 'agency-scoped'; request: (f: Fixture, who: Who) => InjectOptions }
  | { kind: 'agency-list'; request: (f: Fixture) => InjectOptions };

const pick = (f: Fixture, who: Who) => (who === 'A' ? f.a : who === 'B' ? f.b : f.missing);
const scan = (text: string) => ({
  name: 'scan.pdf',
  contentType: 'application/pdf',
  content: Buffer.from(`%PDF-1.4 ${text}`).toString('base64'),
});

const CASES: Record<string, Case> = {
  'POST /api/v1/packages': {
    kind: 'own-agency',
    why: 'submits as the caller’s own agency; a From of another agency is refused (package-routes.int.test.ts)',
  },
  'GET /api/v1/packages/:id': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/packages/${pick(f, who).package}` }),
  },
  'POST /api/v1/packages/:id/resend': {
    kind: 'admin-only',
    request: (f) => ({ method: 'POST', url: `/api/v1/packages/${f.b.package}/resend` }),
  },
  'GET /api/v1/relay': { kind: 'admin-only', request: () => ({ method: 'GET', url: '/api/v1/relay' }) },
  'GET /api/v1/relay/throughput': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: '/api/v1/relay/throughput' }),
  },
  'GET /api/v1/events': {
    kind: 'own-agency',
    why: 'a stream of the caller’s own agency’s events only: A’s clerk never hears of B’s, relay events reach admins only (event-routes.int.test.ts)',
  },
  'GET /api/v1/relay/dead-letters': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: '/api/v1/relay/dead-letters' }),
  },
  'POST /api/v1/relay/dead-letters/:messageId/requeue': {
    kind: 'admin-only',
    request: () => ({ method: 'POST', url: `/api/v1/relay/dead-letters/${randomUUID()}/requeue` }),
  },
  'GET /api/v1/relay/dead-letters/:messageId': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: `/api/v1/relay/dead-letters/${randomUUID()}` }),
  },
  'POST /api/v1/relay/dead-letters/:messageId/discard': {
    kind: 'admin-only',
    request: () => ({
      method: 'POST',
      url: `/api/v1/relay/dead-letters/${randomUUID()}/discard`,
      payload: { reason: 'thử' },
    }),
  },
  'GET /api/v1/relay/refusals': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: '/api/v1/relay/refusals' }),
  },
  'PATCH /api/v1/users/:id': {
    kind: 'admin-only',
    request: () => ({ method: 'PATCH', url: `/api/v1/users/${randomUUID()}`, payload: { displayName: 'x' } }),
  },
  'POST /api/v1/agencies/new': {
    kind: 'admin-only',
    request: () => ({
      method: 'POST',
      url: '/api/v1/agencies/new',
      payload: { organId: '000.00.97.H53', name: 'x', channel: 'hosted' },
    }),
  },
  'PUT /api/v1/agencies/:organId': {
    kind: 'admin-only',
    request: () => ({
      method: 'PUT',
      url: `/api/v1/agencies/${B}`,
      payload: { organId: B, name: 'x', channel: 'hosted' },
    }),
  },
  'GET /healthz': { kind: 'public', why: 'liveness, no data' },
  'GET /readyz': { kind: 'public', why: 'readiness, no agency data' },
  'GET /metrics': { kind: 'public', why: 'process metrics, no agency data' },
  'GET /api/v1/openapi.json': { kind: 'public', why: 'the API description' },
  'GET /': {
    kind: 'public',
    why: 'the web console’s page shell; it holds no data, which comes from the API',
  },
  'GET /console/:file': {
    kind: 'public',
    why: 'the web console’s scripts and styles, the same for everyone',
  },
  'POST /api/v1/auth/login': { kind: 'public', why: 'signing in' },
  'GET /api/v1/auth/session': { kind: 'personal', why: 'the caller’s own session' },
  'POST /api/v1/auth/logout': { kind: 'personal', why: 'the caller’s own session' },
  'POST /api/v1/auth/password': { kind: 'personal', why: 'the caller’s own password' },
  'GET /api/v1/agencies': { kind: 'shared-directory', why: 'the directory every agency addresses mail with' },
  'POST /api/v1/agencies': {
    kind: 'admin-only',
    request: () => ({
      method: 'POST',
      url: '/api/v1/agencies',
      payload: { organId: B, name: 'x', channel: 'hosted' },
    }),
  },
  'POST /api/v1/agencies/import': {
    kind: 'admin-only',
    request: () => ({
      method: 'POST',
      url: '/api/v1/agencies/import',
      payload: { agencies: [{ organId: B, name: 'x', channel: 'hosted' }] },
    }),
  },
  'GET /api/v1/directory/former-codes': {
    kind: 'shared-directory',
    why: 'closed codes and their successors, part of the directory every agency addresses with',
  },
  'POST /api/v1/directory/merge': {
    kind: 'admin-only',
    request: () => ({
      method: 'POST',
      url: '/api/v1/directory/merge',
      payload: {
        absorbed: 'H43',
        absorbing: 'H53',
        effectiveOn: '2025-07-01',
        mapping: `oldCode,newCode,newName\n000.00.00.H43,${B},\n`,
      },
    }),
  },
  'POST /api/v1/directory/import-axis': {
    kind: 'admin-only',
    request: () => ({
      method: 'POST',
      url: '/api/v1/directory/import-axis',
      payload: { json: JSON.stringify([{ code: B, name: 'x', mail: '' }]) },
    }),
  },
  'GET /api/v1/users': { kind: 'admin-only', request: () => ({ method: 'GET', url: '/api/v1/users' }) },
  'POST /api/v1/users': {
    kind: 'admin-only',
    request: () => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'x.y', role: 'clerk', agency: B },
    }),
  },
  'POST /api/v1/users/:id/disable': {
    kind: 'admin-only',
    request: () => ({ method: 'POST', url: `/api/v1/users/${randomUUID()}/disable` }),
  },
  'POST /api/v1/users/:id/enable': {
    kind: 'admin-only',
    request: () => ({ method: 'POST', url: `/api/v1/users/${randomUUID()}/enable` }),
  },
  'GET /api/v1/tokens': { kind: 'admin-only', request: () => ({ method: 'GET', url: '/api/v1/tokens' }) },
  'POST /api/v1/tokens': {
    kind: 'admin-only',
    request: () => ({ method: 'POST', url: '/api/v1/tokens', payload: { agency: B } }),
  },
  'POST /api/v1/tokens/:id/revoke': {
    kind: 'admin-only',
    request: () => ({ method: 'POST', url: `/api/v1/tokens/${randomUUID()}/revoke` }),
  },
  'GET /api/v1/audit': { kind: 'admin-only', request: () => ({ method: 'GET', url: '/api/v1/audit' }) },
  'GET /api/v1/audit/export': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: '/api/v1/audit/export' }),
  },
  'GET /api/v1/audit/verify': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: '/api/v1/audit/verify' }),
  },
  'GET /api/v1/intake': {
    kind: 'agency-list',
    request: () => ({ method: 'GET', url: '/api/v1/intake?limit=200' }),
  },
  'GET /api/v1/documents': {
    kind: 'agency-list',
    request: () => ({ method: 'GET', url: `/api/v1/documents?q=${encodeURIComponent('quyet dinh')}` }),
  },
  'GET /api/v1/documents/register-book': {
    kind: 'agency-list',
    request: () => ({
      method: 'GET',
      url: '/api/v1/documents/register-book?direction=incoming&from=2000-01-01&to=2999-12-31',
    }),
  },
  'GET /api/v1/intake/:id': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/intake/${pick(f, who).item}` }),
  },
  'GET /api/v1/intake/:id/attachments/:attachmentId': {
    kind: 'agency-scoped',
    request: (f, who) => ({
      method: 'GET',
      url: `/api/v1/intake/${pick(f, who).item}/attachments/${pick(f, who).attachment}`,
    }),
  },
  'GET /api/v1/intake/:id/text': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/intake/${pick(f, who).item}/text` }),
  },
  'GET /api/v1/admin/reading': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: '/api/v1/admin/reading' }),
  },
  'GET /api/v1/intake/:id/mail-body': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/intake/${pick(f, who).mail}/mail-body` }),
  },
  'GET /api/v1/intake/:id/headers': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/intake/${pick(f, who).item}/headers` }),
  },
  'GET /api/v1/intake/:id/duplicate-candidates': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/intake/${pick(f, who).open}/duplicate-candidates` }),
  },
  'GET /api/v1/document-types': {
    kind: 'shared-directory',
    why: 'the document types of Nghị định 30, the same table for every agency',
  },
  'POST /api/v1/intake/:id/register': {
    kind: 'agency-scoped',
    request: (f, who) => ({
      method: 'POST',
      url: `/api/v1/intake/${pick(f, who).open}/register`,
      payload: {},
    }),
  },
  'POST /api/v1/intake/:id/reject': {
    kind: 'agency-scoped',
    request: (f, who) => ({
      method: 'POST',
      url: `/api/v1/intake/${pick(f, who).open}/reject`,
      payload: { reason: 'sai địa chỉ' },
    }),
  },
  'POST /api/v1/intake/:id/release': {
    kind: 'agency-scoped',
    request: (f, who) => ({
      method: 'POST',
      url: `/api/v1/intake/${pick(f, who).open}/release`,
      payload: { note: 'đã kiểm tra' },
    }),
  },
  'POST /api/v1/intake/:id/duplicate': {
    kind: 'agency-scoped',
    request: (f, who) => ({
      method: 'POST',
      url: `/api/v1/intake/${pick(f, who).open}/duplicate`,
      payload: { duplicateOf: pick(f, who).other },
    }),
  },
  'POST /api/v1/intake/uploads': {
    kind: 'agency-scoped',
    request: (_f, who) => ({
      method: 'POST',
      url: '/api/v1/intake/uploads',
      payload: {
        agency: who === 'A' ? A : who === 'B' ? B : '000.00.99.H53',
        subject: 'Giấy mời họp',
        scan: scan('upload'),
      },
    }),
  },
  'GET /api/v1/documents/:id': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/documents/${pick(f, who).document}` }),
  },
  'GET /api/v1/documents/:id/attachments/:attachmentId': {
    kind: 'agency-scoped',
    request: (f, who) => ({
      method: 'GET',
      url: `/api/v1/documents/${pick(f, who).document}/attachments/${pick(f, who).attachment}`,
    }),
  },
  // Admin pages of the data centre (users, audit, certificates, directory import, broker users, ingest).
  'POST /api/v1/users/:id/reset-password': {
    kind: 'admin-only',
    request: () => ({ method: 'POST', url: `/api/v1/users/${randomUUID()}/reset-password` }),
  },
  'GET /api/v1/certificates': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: '/api/v1/certificates?withinDays=30' }),
  },
  'GET /api/v1/ingest/sources': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: '/api/v1/ingest/sources' }),
  },
  'GET /api/v1/ingest/outbound-mail': {
    kind: 'admin-only',
    request: () => ({ method: 'GET', url: '/api/v1/ingest/outbound-mail?state=failed' }),
  },
  'POST /api/v1/agencies/import-csv': {
    kind: 'admin-only',
    request: () => ({
      method: 'POST',
      url: '/api/v1/agencies/import-csv',
      payload: { csv: `organId,name,channel\n${B},x,hosted\n` },
    }),
  },
  'POST /api/v1/agencies/:organId/broker-credentials': {
    kind: 'admin-only',
    request: () => ({ method: 'POST', url: `/api/v1/agencies/${B}/broker-credentials` }),
  },
  'POST /api/v1/agencies/:organId/signing-key': {
    kind: 'admin-only',
    request: () => ({
      method: 'POST',
      url: `/api/v1/agencies/${B}/signing-key`,
      payload: { keyPem: 'not a key', certificatePem: 'not a certificate' },
    }),
  },
  'POST /api/v1/documents/:id/status': {
    kind: 'agency-scoped',
    request: (f, who) => ({
      method: 'POST',
      url: `/api/v1/documents/${pick(f, who).document}/status`,
      payload: { code: '05' },
    }),
  },
  // Leader follow-up (theo dõi, đôn đốc): lists, per-department counts, departments, assignment.
  'GET /api/v1/follow-up': {
    kind: 'agency-list',
    request: () => ({ method: 'GET', url: '/api/v1/follow-up?days=60' }),
  },
  'GET /api/v1/follow-up/departments': {
    kind: 'agency-list',
    request: () => ({ method: 'GET', url: '/api/v1/follow-up/departments' }),
  },
  'GET /api/v1/departments': {
    kind: 'agency-list',
    request: () => ({ method: 'GET', url: '/api/v1/departments' }),
  },
  'POST /api/v1/departments': {
    kind: 'agency-scoped',
    request: (_f, who) => ({
      method: 'POST',
      url: '/api/v1/departments',
      payload: { name: 'Phòng mới', agency: who === 'A' ? A : who === 'B' ? B : '000.00.99.H53' },
    }),
  },
  'POST /api/v1/documents/:id/assign': {
    kind: 'agency-scoped',
    request: (f, who) => ({
      method: 'POST',
      url: `/api/v1/documents/${pick(f, who).document}/assign`,
      payload: { departmentId: pick(f, who).department, dueOn: '2031-01-01' },
    }),
  },
  // Outgoing documents (compose): outgoing-routes.int.test.ts covers sending and refusals.
  'POST /api/v1/outgoing': {
    kind: 'own-agency',
    why: 'sends as the caller’s own agency (From = the clerk’s agency); nothing names another agency',
  },
  'GET /api/v1/documents/:id/deliveries': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/documents/${pick(f, who).document}/deliveries` }),
  },
  'GET /api/v1/documents/:id/files': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/documents/${pick(f, who).sent}/files` }),
  },
  'GET /api/v1/documents/:id/files/:index': {
    kind: 'agency-scoped',
    request: (f, who) => ({ method: 'GET', url: `/api/v1/documents/${pick(f, who).sent}/files/0` }),
  },
};

let web: TestWebApp;
let fixture: Fixture;
let callers: { name: string; headers: Record<string, string> }[];
let adminHeaders: Record<string, string>;

async function seedAgency(organId: string, subject: string): Promise<AgencyData> {
  const agencyId = await addAgency(web.prisma, organId);
  const receive = async (label: string) => {
    const raw = Buffer.from(`${organId} ${label}`);
    const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
      source: 'upload',
      raw,
      agencyIds: [agencyId],
      dedupKey: `test:${organId}:${label}`,
      subject: `${subject} (${label})`,
      attachments: [{ name: `${label}.pdf`, contentType: 'application/pdf', content: raw }],
    });
    if (!received) throw new Error('nothing received');
    return received.itemId;
  };
  const item = await receive('registered');
  // Long overdue, so the follow-up lists show it.
  const registered = await registerIntakeItem(web.prisma, SYSTEM, item, { subject, dueOn: '2020-01-02' });
  if (registered.kind !== 'registered') throw new Error(registered.kind);
  const attachment = await web.prisma.attachment.findFirstOrThrow({ where: { intakeItemId: item } });
  // A package this agency sent to a third one: only its sender, its recipient and admins may see it.
  const relayed = await web.prisma.relayPackage.create({
    data: {
      kind: 'edoc',
      fromOrganId: organId,
      documentKey: `${organId},2026/11/25,1/VP`,
      sha256: 'a'.repeat(64),
      submittedVia: 'http',
      submittedBy: 'system:test',
      deliveries: { create: { toOrganId: '000.00.99.H53' } },
    },
  });
  // A document this agency sent from the console: its line in the outgoing book and its package.
  const sentKey = `${organId},2026/11/26,1/UBND-VP`;
  const sentPackage = documentPackage({
    from: organId,
    to: ['000.00.99.H53'],
    documentId: sentKey,
    subject: `Công văn đi: ${subject}`,
  });
  const sent = await web.prisma.$transaction(async (tx) => {
    await putBlob(tx, sentPackage);
    await tx.relayPackage.create({
      data: {
        kind: 'edoc',
        fromOrganId: organId,
        documentKey: sentKey,
        sha256: sha256Hex(sentPackage),
        submittedVia: 'console',
        submittedBy: 'system:test',
      },
    });
    return recordOutgoingDocument(tx, {
      agencyId,
      year: 2026,
      number: 1,
      registeredAt: new Date(),
      registeredBy: 'system:test',
      documentKey: sentKey,
      notation: '1/UBND-VP',
      documentType: 'Công văn',
      subject: `Công văn đi: ${subject}`,
      recipients: [{ organId: '000.00.99.H53', name: 'Sở khác' }],
      promulgatedOn: '2026-11-26',
      signer: 'Nguyễn Văn An',
      priority: 0,
      packageId: 'isolation-test',
    });
  });
  const mailRaw = Buffer.from(
    `Message-ID: <${organId}@isolation.test>\r\nSubject: mail\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>${subject}</p>\r\n`,
  );
  const [mail] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: 'smtp',
    raw: mailRaw,
    agencyIds: [agencyId],
    dedupKey: `test:${organId}:mail`,
    subject: 'mail',
  });
  if (!mail) throw new Error('no mail received');
  return {
    item,
    mail: mail.itemId,
    sent: sent.documentId,
    open: await receive('open'),
    other: await receive('other'),
    attachment: attachment.id,
    document: registered.documentId,
    package: relayed.id,
    department: (
      await web.prisma.department.create({
        data: {
          agencyId,
          name: `Phòng ${subject.includes(B_MARKER) ? B_MARKER : 'văn thư'} của ${subject.slice(-4)}`,
        },
      })
    ).id,
  };
}

beforeAll(async () => {
  web = await startTestWebApp('isolation');
  fixture = {
    a: await seedAgency(A, 'Quyết định về công tác văn thư của Sở A'),
    b: await seedAgency(B, `Quyết định ${B_MARKER} mật của Sở B`),
    missing: {
      item: randomUUID(),
      open: randomUUID(),
      other: randomUUID(),
      attachment: randomUUID(),
      document: randomUUID(),
      sent: randomUUID(),
      package: randomUUID(),
      department: randomUUID(),
      mail: randomUUID(),
    },
  };
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  await addPerson(web.prisma, { username: 'lanhdao.a', role: 'leader', agency: A });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  const token = await createApiToken(web.prisma, { agency: A }, 'system:test');
  if (token.kind !== 'created') throw new Error(token.reason);
  callers = [
    { name: 'clerk of A', headers: (await signInAs(web.app, 'vanthu.a')).headers },
    { name: 'leader of A', headers: (await signInAs(web.app, 'lanhdao.a')).headers },
    { name: 'token of A', headers: { authorization: `Bearer ${token.secret}` } },
  ];
  adminHeaders = (await signInAs(web.app, 'quantri')).headers;
});
afterAll(() => web.close());

const send = (options: InjectOptions, headers: Record<string, string>) =>
  web.app.inject({ ...options, headers: { ...(options.headers as Record<string, string>), ...headers } });

describe('the route table', () => {
  it('has an isolation case for every route, and no case for a route that is gone', () => {
    const routes = routeTableOf(web.app).entries.map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((route) => !(route in CASES))).toEqual([]);
    expect(Object.keys(CASES).filter((key) => !routes.includes(key))).toEqual([]);
  });

  it('marks as public exactly the routes that need no credential', async () => {
    for (const [route, spec] of Object.entries(CASES)) {
      if (spec.kind === 'public') continue;
      const [method, url] = route.split(' ') as ['GET' | 'POST', string];
      const response = await web.app.inject({ method, url: url.replace(/:\w+/g, randomUUID()) });
      expect([route, response.statusCode]).toEqual([route, 401]);
      // Fastify's automatic HEAD twin of a GET is guarded the same way.
      if (method === 'GET') {
        const head = await web.app.inject({ method: 'HEAD', url: url.replace(/:\w+/g, randomUUID()) });
        expect([`HEAD ${url}`, head.statusCode]).toEqual([`HEAD ${url}`, 401]);
      }
    }
  });
});

describe.each(
  Object.entries(CASES).flatMap(([route, spec]) => (spec.kind === 'agency-scoped' ? [{ route, spec }] : [])),
)('$route', ({ route, spec }) => {
  it('answers A asking for B’s resource exactly as for one that does not exist', async () => {
    for (const caller of callers) {
      const forB = await send(spec.request(fixture, 'B'), caller.headers);
      const forMissing = await send(spec.request(fixture, 'missing'), caller.headers);
      expect({ caller: caller.name, route, status: forB.statusCode, body: forB.body }).toEqual({
        caller: caller.name,
        route,
        status: forMissing.statusCode,
        body: forMissing.body,
      });
      expect(forB.statusCode).toBeGreaterThanOrEqual(400);
      expect(forB.body).not.toContain(B_MARKER);
      // The control: the same request for A's own resource is served, so the refusal above is scope.
      if (spec.request(fixture, 'A').method === 'GET') {
        const own = await send(spec.request(fixture, 'A'), caller.headers);
        expect([caller.name, route, own.statusCode]).toEqual([caller.name, route, 200]);
      }
    }
  });
});

describe('lists and exports', () => {
  const lists = Object.entries(CASES).flatMap(([route, spec]) =>
    spec.kind === 'agency-list' ? [{ route, spec }] : [],
  );

  it.each(lists)('$route never shows B to A, while an admin sees both', async ({ route, spec }) => {
    const bIds = Object.values(fixture.b);
    for (const caller of callers) {
      const response = await send(spec.request(fixture), caller.headers);
      expect([caller.name, route, response.statusCode]).toEqual([caller.name, route, 200]);
      expect(response.body).toContain('Sở A');
      expect(response.body).not.toContain(B_MARKER);
      for (const id of bIds) expect(response.body).not.toContain(id);
    }
    const admin = await send(spec.request(fixture), adminHeaders);
    // The register book is one agency's: an admin must name it, so only the lists are checked here.
    if (!route.includes('register-book')) expect(admin.body).toContain(B_MARKER);
  });

  it('counts only A’s items for A', async () => {
    const response = await send({ method: 'GET', url: '/api/v1/intake?limit=200' }, callers[0]!.headers);
    const items = response.json<{ items: { agencyId: string }[] }>().items;
    expect(items).toHaveLength(4);
    expect(new Set(items.map((i) => i.agencyId)).size).toBe(1);
  });
});

describe('admin-only routes', () => {
  it.each(
    Object.entries(CASES).flatMap(([route, spec]) => (spec.kind === 'admin-only' ? [{ route, spec }] : [])),
  )('$route refuses clerks, leaders and partner tokens', async ({ route, spec }) => {
    for (const caller of callers) {
      const response = await send(spec.request(fixture), caller.headers);
      expect([
        caller.name,
        route,
        response.statusCode,
        response.json<{ error: { code: string } }>().error.code,
      ]).toEqual([caller.name, route, 403, 'WEB_FORBIDDEN']);
    }
  });
});

describe('after all those attempts', () => {
  it('B’s data is untouched', async () => {
    const bAgency = await web.prisma.agency.findUniqueOrThrow({ where: { organId: B } });
    const items = await web.prisma.intakeItem.findMany({ where: { agencyId: bAgency.id } });
    expect(items.map((i) => i.state).sort()).toEqual(['new', 'new', 'new', 'registered']);
    const document = await web.prisma.document.findUniqueOrThrow({ where: { id: fixture.b.document } });
    expect(document.statusCode).toBeNull();
    expect([document.departmentId, document.assigneeId, document.dueOn]).toEqual([
      null,
      null,
      new Date('2020-01-02T00:00:00Z'),
    ]);
    expect(await web.prisma.department.count({ where: { agencyId: bAgency.id } })).toBe(1);
    expect(await web.prisma.user.count({ where: { agencyId: bAgency.id } })).toBe(0);
    expect(await web.prisma.apiToken.count({ where: { agencyId: bAgency.id } })).toBe(0);
  });
});

/**
 * The ids a request carries besides the resource it names. A clerk or leader of A acting on A's own
 * item or document, but naming B's department, B's person or B's item, is refused with 422 exactly
 * as for an id that exists nowhere (never a 201 filing into B, never a 500), and nothing changes.
 */
describe('references a request carries', () => {
  let bPerson: string;
  let aPerson: string;
  let clerk: Record<string, string>;
  let leader: Record<string, string>;
  let freshItem: string;

  beforeAll(async () => {
    bPerson = (await addPerson(web.prisma, { username: 'vanthu.b', role: 'clerk', agency: B })).id;
    aPerson = (await addPerson(web.prisma, { username: 'chuyenvien.a', role: 'clerk', agency: A })).id;
    clerk = callers[0]!.headers;
    leader = callers[1]!.headers;
    const agencyA = await web.prisma.agency.findUniqueOrThrow({ where: { organId: A } });
    const raw = Buffer.from(`${A} references`);
    const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
      source: 'upload',
      raw,
      agencyIds: [agencyA.id],
      dedupKey: `test:${A}:references`,
      subject: 'Công văn về hồ sơ lưu trữ',
      attachments: [{ name: 'references.pdf', contentType: 'application/pdf', content: raw }],
    });
    if (!received) throw new Error('nothing received');
    freshItem = received.itemId;
  });

  const refused = async (
    headers: Record<string, string>,
    request: (id: string) => InjectOptions,
    foreign: string,
    field: string,
  ) => {
    const forB = await send(request(foreign), headers);
    const forNobody = await send(request(randomUUID()), headers);
    expect({ status: forB.statusCode, body: forB.body }).toEqual({
      status: forNobody.statusCode,
      body: forNobody.body,
    });
    expect(forB.statusCode).toBe(422);
    expect(
      forB.json<{ error: { details: { problems: string[] } } }>().error.details.problems.join(' '),
    ).toContain(field);
    expect(forB.body).not.toContain(B_MARKER);
  };

  it('registration: a department of B is refused like a missing one, and A’s own is filed', async () => {
    const register = (departmentId: string): InjectOptions => ({
      method: 'POST',
      url: `/api/v1/intake/${freshItem}/register`,
      payload: { departmentId },
    });
    await refused(clerk, register, fixture.b.department, 'departmentId');
    expect((await web.prisma.intakeItem.findUniqueOrThrow({ where: { id: freshItem } })).state).toBe('new');
    const own = await send(register(fixture.a.department), clerk);
    expect(own.statusCode).toBe(201);
    const document = await web.prisma.document.findUniqueOrThrow({
      where: { id: own.json<{ documentId: string }>().documentId },
    });
    expect(document.departmentId).toBe(fixture.a.department);
  });

  it('assignment: B’s department or B’s person is refused like a missing one', async () => {
    const assign =
      (field: 'departmentId' | 'assigneeId') =>
      (id: string): InjectOptions => ({
        method: 'POST',
        url: `/api/v1/documents/${fixture.a.document}/assign`,
        payload: { [field]: id },
      });
    await refused(leader, assign('departmentId'), fixture.b.department, 'departmentId');
    await refused(leader, assign('assigneeId'), bPerson, 'assigneeId');
    const own = await send(assign('assigneeId')(aPerson), leader);
    expect(own.statusCode).toBe(200);
  });

  it('a follow-up status: B’s department or B’s person is refused like a missing one', async () => {
    const status =
      (field: 'departmentId' | 'assigneeId') =>
      (id: string): InjectOptions => ({
        method: 'POST',
        url: `/api/v1/documents/${fixture.a.document}/status`,
        payload: { code: '04', [field]: id },
      });
    await refused(leader, status('departmentId'), fixture.b.department, 'departmentId');
    await refused(leader, status('assigneeId'), bPerson, 'assigneeId');
  });

  it('duplicate-of: an item of B is refused like a missing one', async () => {
    await refused(
      clerk,
      (id) => ({
        method: 'POST',
        url: `/api/v1/intake/${fixture.a.other}/duplicate`,
        payload: { duplicateOf: id },
      }),
      fixture.b.open,
      'duplicateOfId',
    );
    expect((await web.prisma.intakeItem.findUniqueOrThrow({ where: { id: fixture.a.other } })).state).toBe(
      'new',
    );
  });

  it('leaves B’s department and person holding nothing of A', async () => {
    expect(await web.prisma.document.count({ where: { departmentId: fixture.b.department } })).toBe(0);
    expect(await web.prisma.document.count({ where: { assigneeId: bPerson } })).toBe(0);
    const bItem = await web.prisma.intakeItem.findUniqueOrThrow({ where: { id: fixture.b.open } });
    expect(bItem.state).toBe('new');
    expect(await web.prisma.intakeItem.count({ where: { duplicateOfId: fixture.b.open } })).toBe(0);
  });
});
