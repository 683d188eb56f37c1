import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../../test/support/web-app.ts';
import { indexItemText } from '../../registry/index.ts';

/** Full-text search over HTTP: the queue and the register answer with the passage to highlight. */
let web: TestWebApp;
let clerk: Record<string, string>;
const AGENCY = '000.00.11.H53';
type Passage = { field: string; text: string; marks: [number, number][]; cut: [boolean, boolean] };
const marked = (p: Passage | null | undefined) => (p ? p.marks.map(([s, e]) => p.text.slice(s, e)) : []);

beforeAll(async () => {
  web = await startTestWebApp('search-routes');
  await addAgency(web.prisma, AGENCY);
  await addPerson(web.prisma, { username: 'vanthu', role: 'clerk', agency: AGENCY });
  clerk = (await signInAs(web.app, 'vanthu')).headers;
});
afterAll(() => web.close());

describe('full-text search over HTTP', () => {
  it('answers the queue and the register with a marked passage of the document text', async () => {
    const uploaded = await web.app.inject({
      method: 'POST',
      url: '/api/v1/intake/uploads',
      headers: clerk,
      payload: {
        subject: 'Quyết định phê duyệt kế hoạch',
        notation: '12/QĐ-UBND',
        senderName: 'UBND tỉnh Tây Ninh',
        promulgatedOn: '2026-11-20',
        scan: {
          name: 'qd.pdf',
          contentType: 'application/pdf',
          content: Buffer.from('%PDF-1.4 x').toString('base64'),
        },
      },
    });
    const { id } = uploaded.json<{ id: string }>();
    await web.prisma.$transaction((tx) =>
      indexItemText(tx, id, 'Điều 1. Phê duyệt kế hoạch chuyển đổi số của tỉnh Tây Ninh năm 2026.'),
    );
    const queue = await web.app.inject({
      method: 'GET',
      url: `/api/v1/intake?q=${encodeURIComponent('"chuyen doi so"')}`,
      headers: clerk,
    });
    expect(queue.statusCode).toBe(200);
    const [item] = queue.json<{ items: { id: string; passage: Passage }[] }>().items;
    expect(item?.id).toBe(id);
    expect(item?.passage.field).toBe('text');
    expect(marked(item?.passage)).toEqual(['chuyển đổi số']);

    expect(
      (
        await web.app.inject({
          method: 'POST',
          url: `/api/v1/intake/${id}/register`,
          headers: clerk,
          payload: {},
        })
      ).statusCode,
    ).toBe(201);
    const register = await web.app.inject({
      method: 'GET',
      url: `/api/v1/documents?q=${encodeURIComponent('12/QĐ-UBND tay ninh')}`,
      headers: clerk,
    });
    const [document] = register.json<{ documents: { passage: Passage }[] }>().documents;
    expect(document?.passage.field).toBe('text');
    expect(marked(document?.passage)).toEqual(['Tây Ninh']);
  });

  it('answers odd queries with a list, never an error', async () => {
    for (const q of ['!!!', "a' | b & !c:*", '\\', '"', '12/', 'x'.repeat(200)]) {
      const reply = await web.app.inject({
        method: 'GET',
        url: `/api/v1/documents?q=${encodeURIComponent(q)}`,
        headers: clerk,
      });
      expect(reply.statusCode).toBe(200);
      const queue = await web.app.inject({
        method: 'GET',
        url: `/api/v1/intake?q=${encodeURIComponent(q)}`,
        headers: clerk,
      });
      expect(queue.statusCode).toBe(200);
    }
  });
});
