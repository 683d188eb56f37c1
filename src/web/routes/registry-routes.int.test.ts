import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../../test/support/web-app.ts';
import { routeTableOf } from '../index.ts';

/** A clerk's day over HTTP: paper upload, the queue, registration, follow-up, the register book. */
let web: TestWebApp;
let clerk: Record<string, string>;
let leader: Record<string, string>;
const AGENCY = '000.00.11.H53';

beforeAll(async () => {
  web = await startTestWebApp('registry-routes');
  await addAgency(web.prisma, AGENCY);
  await addPerson(web.prisma, { username: 'vanthu', role: 'clerk', agency: AGENCY });
  await addPerson(web.prisma, { username: 'lanhdao', role: 'leader', agency: AGENCY });
  clerk = (await signInAs(web.app, 'vanthu')).headers;
  leader = (await signInAs(web.app, 'lanhdao')).headers;
});
afterAll(() => web.close());

const upload = (
  subject: string,
  text: string,
  attachments: { name: string; contentType: string; content: string }[] = [],
) =>
  web.app.inject({
    method: 'POST',
    url: '/api/v1/intake/uploads',
    headers: clerk,
    payload: {
      subject,
      notation: '12/QĐ-UBND',
      senderName: 'UBND tỉnh Tây Ninh',
      promulgatedOn: '2026-11-20',
      scan: {
        name: 'quyết định.pdf',
        contentType: 'application/pdf',
        content: Buffer.from(text).toString('base64'),
      },
      ...(attachments.length > 0 ? { attachments } : {}),
    },
  });

describe('the intake queue and the register over HTTP', () => {
  it('takes a paper upload into the queue once, prefilled for registration', async () => {
    const first = await upload('Quyết định về việc phê duyệt kế hoạch', '%PDF-1.4 first');
    expect(first.statusCode).toBe(201);
    const { id, duplicate } = first.json<{ id: string; duplicate: boolean }>();
    expect(duplicate).toBe(false);
    const again = await upload('Quyết định về việc phê duyệt kế hoạch', '%PDF-1.4 first');
    expect(again.json()).toEqual({ id, duplicate: true });

    const queue = await web.app.inject({
      method: 'GET',
      url: '/api/v1/intake?state=new&source=upload',
      headers: clerk,
    });
    expect(queue.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([id]);
    const item = await web.app.inject({ method: 'GET', url: `/api/v1/intake/${id}`, headers: clerk });
    expect(item.json()).toMatchObject({
      item: { id, source: 'upload', state: 'new', subject: 'Quyết định về việc phê duyệt kế hoạch' },
    });
  });

  it('registers an item with the next số đến, searchable without accents, then follows it up', async () => {
    const { id } = (await upload('Công văn về công tác văn thư năm 2026', '%PDF-1.4 second')).json<{
      id: string;
    }>();
    const registered = await web.app.inject({
      method: 'POST',
      url: `/api/v1/intake/${id}/register`,
      headers: clerk,
      payload: { priority: 1 },
    });
    expect(registered.statusCode).toBe(201);
    const { documentId, number } = registered.json<{ documentId: string; number: number }>();
    expect(number).toBe(1);
    const twice = await web.app.inject({
      method: 'POST',
      url: `/api/v1/intake/${id}/register`,
      headers: clerk,
      payload: {},
    });
    expect(twice.statusCode).toBe(409);

    const found = await web.app.inject({
      method: 'GET',
      url: '/api/v1/documents?q=cong%20tac%20van%20thu',
      headers: clerk,
    });
    expect(found.json<{ documents: { id: string; number: number }[] }>().documents).toMatchObject([
      { id: documentId, number: 1 },
    ]);

    const document = await web.app.inject({
      method: 'GET',
      url: `/api/v1/documents/${documentId}`,
      headers: clerk,
    });
    const shown = document.json<{
      document: Record<string, unknown> & { intakeItem: { attachments: { id: string }[] } };
    }>().document;
    expect(shown).toMatchObject({
      subject: 'Công văn về công tác văn thư năm 2026',
      notation: '12/QĐ-UBND',
      priority: 1,
    });
    expect(shown).not.toHaveProperty('searchText');

    const attachmentId = shown.intakeItem.attachments[0]!.id;
    const bytes = await web.app.inject({
      method: 'GET',
      url: `/api/v1/documents/${documentId}/attachments/${attachmentId}`,
      headers: clerk,
    });
    expect(bytes.statusCode).toBe(200);
    expect(bytes.body).toBe('%PDF-1.4 second');
    expect(bytes.headers['content-type']).toBe('application/pdf');
    expect(bytes.headers['content-disposition']).toContain(
      "filename*=UTF-8''quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf",
    );
    expect(bytes.headers['x-content-type-options']).toBe('nosniff');

    const status = await web.app.inject({
      method: 'POST',
      url: `/api/v1/documents/${documentId}/status`,
      headers: leader,
      payload: { code: '05' },
    });
    expect(status.json()).toEqual({ code: '05', queuedForSender: false });
    const back = await web.app.inject({
      method: 'POST',
      url: `/api/v1/documents/${documentId}/status`,
      headers: leader,
      payload: { code: '04' },
    });
    expect(back.statusCode).toBe(409);

    const book = await web.app.inject({
      method: 'GET',
      url: '/api/v1/documents/register-book?direction=incoming&from=2000-01-01&to=2999-12-31',
      headers: clerk,
    });
    expect(book.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(book.body).toContain('Số đến');
    expect(book.body).toContain('Công văn về công tác văn thư năm 2026');
  });

  it('serves an attachment of a risky type only as a download of bytes', async () => {
    const html = {
      name: 'to-trinh.html',
      contentType: 'text/html',
      content: 'PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    };
    const { id } = (await upload('Tờ trình', '%PDF-1.4 risky', [html])).json<{ id: string }>();
    const item = await web.app.inject({ method: 'GET', url: `/api/v1/intake/${id}`, headers: clerk });
    const attachmentId = item
      .json<{ item: { attachments: { id: string; name: string }[] } }>()
      .item.attachments.find((a) => a.name === html.name)!.id;
    const bytes = await web.app.inject({
      method: 'GET',
      url: `/api/v1/intake/${id}/attachments/${attachmentId}`,
      headers: clerk,
    });
    expect(bytes.body).toBe('<script>alert(1)</script>');
    expect(bytes.headers['content-type']).toBe('application/octet-stream');
    expect(bytes.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('rejects an item only with a reason, and leaders may not decide intake', async () => {
    const { id } = (await upload('Giấy mời', '%PDF-1.4 third')).json<{ id: string }>();
    const noReason = await web.app.inject({
      method: 'POST',
      url: `/api/v1/intake/${id}/reject`,
      headers: clerk,
      payload: { reason: '' },
    });
    expect(noReason.statusCode).toBe(400);
    const byLeader = await web.app.inject({
      method: 'POST',
      url: `/api/v1/intake/${id}/reject`,
      headers: leader,
      payload: { reason: 'sai' },
    });
    expect(byLeader.statusCode).toBe(403);
    const rejected = await web.app.inject({
      method: 'POST',
      url: `/api/v1/intake/${id}/reject`,
      headers: clerk,
      payload: { reason: 'Gửi nhầm cơ quan' },
    });
    expect(rejected.json()).toEqual({ state: 'rejected' });
  });
});

describe('the OpenAPI document', () => {
  it('describes every /api/v1 route from the schemas that validate it, refusing unknown fields', async () => {
    const response = await web.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const document = response.json<{
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: {
                'application/json': { schema: { additionalProperties?: boolean; required?: string[] } };
              };
            };
          }
        >
      >;
    }>();
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const routes = routeTableOf(web.app)
      .entries.filter((r) => r.url.startsWith('/api/v1'))
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(routes.sort());
    const login = document.paths['/api/v1/auth/login']!.post!.requestBody!.content['application/json'].schema;
    expect(login).toMatchObject({ additionalProperties: false, required: ['username', 'password'] });
  });
});
