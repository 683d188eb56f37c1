import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../../test/support/web-app.ts';
import {
  messageDedupKey,
  receiveIntakeItems,
  registerIntakeItem,
  type IncomingAttachment,
} from '../../registry/index.ts';
import { type Actor } from '../../shared/index.ts';

/**
 * The clerk's item page over HTTP: mail headers read safely from the stored message, PDFs inline
 * in the console's frame only, duplicate candidates and marking, the paper upload's refusals, and a
 * document's versions (update, revoke) with what each changed. Another agency's item is answered
 * exactly as a missing one.
 */
const A = '000.00.41.H53';
const B = '000.00.42.H53';
const PARTNER = '000.00.11.H53';
const SYSTEM: Actor = { kind: 'system', component: 'clerk-routes-test' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const LIMIT = 8_192;

let web: TestWebApp;
let agencyA: string;
let agencyB: string;
let clerk: Record<string, string>;

async function receive(
  agencyId: string,
  input: {
    raw: Buffer;
    source?: 'smtp' | 'amqp' | 'upload';
    subject?: string;
    messageId?: string;
    senderAddress?: string;
    senderOrganId?: string;
    documentKey?: string;
    businessType?: number;
    metadata?: Record<string, unknown>;
    attachments?: IncomingAttachment[];
  },
): Promise<string> {
  const [received] = await receiveIntakeItems(web.prisma, SYSTEM, {
    source: input.source ?? 'smtp',
    raw: input.raw,
    agencyIds: [agencyId],
    dedupKey: messageDedupKey(input.messageId ?? randomUUID(), input.raw),
    messageId: input.messageId ?? null,
    senderAddress: input.senderAddress ?? null,
    senderOrganId: input.senderOrganId ?? null,
    documentKey: input.documentKey ?? null,
    businessType: input.businessType ?? 0,
    subject: input.subject ?? null,
    metadata: input.metadata ?? {},
    attachments: input.attachments ?? [],
  });
  if (!received) throw new Error('nothing received');
  return received.itemId;
}

function mail(subject: string, messageId: string, extra: string[] = []): Buffer {
  return Buffer.from(
    [
      'Received: from mta.stc.example.vn ([192.0.2.7])',
      '\tby hub.lienthong.local; Wed, 25 Nov 2026 09:00:00 +0700',
      'Authentication-Results: hub.lienthong.local; spf=pass smtp.mailfrom=stc.example.vn; dkim=pass header.d=stc.example.vn',
      `Message-ID: ${messageId}`,
      `Subject: ${subject}`,
      'From: Van thu <vanthu@stc.example.vn>',
      ...extra,
      '',
      'Kính gửi quý cơ quan.',
      '',
    ].join('\r\n'),
  );
}

const get = (url: string, headers = clerk) => web.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  web = await startTestWebApp('clerk-routes', { bodyLimitBytes: LIMIT });
  agencyA = await addAgency(web.prisma, A, 'Sở Nội vụ');
  agencyB = await addAgency(web.prisma, B, 'Sở Y tế');
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  clerk = (await signInAs(web.app, 'vanthu.a')).headers;
});
afterAll(() => web.close());

describe('GET /api/v1/intake/:id/headers', () => {
  it('returns the stored mail’s header fields, encoded words decoded beside the raw form', async () => {
    const id = await receive(agencyA, {
      raw: mail('=?utf-8?B?R2nhuqV5IG3hu51p?=', '<h1@stc.example.vn>'),
      messageId: '<h1@stc.example.vn>',
    });
    const response = await get(`/api/v1/intake/${id}/headers`);
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      mail: boolean;
      fields: { name: string; value: string; raw?: string }[];
      problems: string[];
    }>();
    expect(body.mail).toBe(true);
    expect(body.problems).toEqual([]);
    expect(body.fields.map((f) => f.name)).toEqual([
      'Received',
      'Authentication-Results',
      'Message-ID',
      'Subject',
      'From',
    ]);
    expect(body.fields[0]!.value).toBe(
      'from mta.stc.example.vn ([192.0.2.7]) by hub.lienthong.local; Wed, 25 Nov 2026 09:00:00 +0700',
    );
    expect(body.fields[3]).toEqual({
      name: 'Subject',
      value: 'Giấy mời',
      raw: '=?utf-8?B?R2nhuqV5IG3hu51p?=',
    });
  });

  it('reads a malformed message without failing: junk, NULs, no body separator, a huge header', async () => {
    const junk = await receive(agencyA, {
      raw: Buffer.concat([
        Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a]),
        Buffer.from('X-Ok: v\x00w\r\nno colon here'),
      ]),
    });
    const junkBody = (await get(`/api/v1/intake/${junk}/headers`)).json<{
      fields: unknown[];
      problems: string[];
    }>();
    expect(junkBody.fields).toEqual([{ name: 'X-Ok', value: 'v\uFFFDw' }]);
    expect(junkBody.problems).toEqual(['2 line(s) are not header fields and were left out']);

    const huge = await receive(agencyA, {
      raw: Buffer.from(`Subject: ${'á'.repeat(100_000)}\r\nFrom: x@y\r\n\r\nbody`),
    });
    const hugeResponse = await get(`/api/v1/intake/${huge}/headers`);
    expect(hugeResponse.statusCode).toBe(200);
    const hugeBody = hugeResponse.json<{
      fields: { value: string }[];
      truncated: boolean;
      size: number;
      problems: string[];
    }>();
    expect(hugeBody.truncated).toBe(true);
    expect(hugeBody.size).toBeGreaterThan(200_000);
    expect(hugeBody.fields).toHaveLength(1);
    expect(hugeBody.fields[0]!.value.length).toBeLessThanOrEqual(8_001);
    expect(hugeBody.problems[0]).toMatch(/no end of the header section/);

    const empty = await receive(agencyA, { raw: Buffer.alloc(0) });
    expect((await get(`/api/v1/intake/${empty}/headers`)).json()).toMatchObject({
      mail: true,
      fields: [],
      problems: ['no header fields could be read'],
    });
  });

  it('says a package or an upload has no mail headers, and answers B’s item as a missing one', async () => {
    const upload = await receive(agencyA, { raw: PDF, source: 'upload' });
    expect((await get(`/api/v1/intake/${upload}/headers`)).json()).toEqual({
      mail: false,
      size: 0,
      fields: [],
      truncated: false,
      problems: ['not a mail message (upload)'],
    });
    const ofB = await receive(agencyB, { raw: mail('BMARKER', '<b@x>'), messageId: '<b@x>' });
    const forB = await get(`/api/v1/intake/${ofB}/headers`);
    const forMissing = await get(`/api/v1/intake/${randomUUID()}/headers`);
    expect([forB.statusCode, forB.body]).toEqual([404, forMissing.body]);
    expect(forB.body).not.toContain('BMARKER');
  });
});

describe('attachments inline', () => {
  let item: string;
  let ids: Record<string, string>;
  beforeAll(async () => {
    item = await receive(agencyA, {
      raw: mail('Tệp đính kèm', '<att@x>'),
      messageId: '<att@x>',
      attachments: [
        { name: 'giấy mời.pdf', contentType: 'application/pdf', content: PDF },
        {
          name: 'fake.pdf',
          contentType: 'application/pdf',
          content: Buffer.from('<html><script>1</script>'),
        },
        { name: 'page.html', contentType: 'text/html', content: Buffer.from('<script>alert(1)</script>') },
      ],
    });
    const attachments = await web.prisma.attachment.findMany({ where: { intakeItemId: item } });
    ids = Object.fromEntries(attachments.map((a) => [a.name, a.id]));
  });

  it('serves a PDF inline for the console’s frame only, with nosniff', async () => {
    const response = await get(
      `/api/v1/intake/${item}/attachments/${ids['giấy mời.pdf']}?disposition=inline`,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'application/pdf',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
    });
    expect(response.headers['content-disposition']).toMatch(/^inline; filename="giay moi.pdf"/);
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(response.rawPayload.equals(PDF)).toBe(true);
    // Without the query it stays a download.
    const plain = await get(`/api/v1/intake/${item}/attachments/${ids['giấy mời.pdf']}`);
    expect(plain.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('never serves inline what is not a PDF by its bytes, nor renders HTML', async () => {
    const fake = await get(`/api/v1/intake/${item}/attachments/${ids['fake.pdf']}?disposition=inline`);
    expect(fake.headers['content-disposition']).toMatch(/^attachment;/);
    const html = await get(`/api/v1/intake/${item}/attachments/${ids['page.html']}?disposition=inline`);
    expect(html.headers['content-type']).toBe('application/octet-stream');
    expect(html.headers['content-disposition']).toMatch(/^attachment;/);
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    const bad = await get(`/api/v1/intake/${item}/attachments/${ids['page.html']}?disposition=render`);
    expect(bad.statusCode).toBe(400);
  });

  it('answers B’s attachment inline exactly as a missing one', async () => {
    const ofB = await receive(agencyB, {
      raw: mail('B', '<b2@x>'),
      messageId: '<b2@x>',
      attachments: [{ name: 'b.pdf', contentType: 'application/pdf', content: PDF }],
    });
    const attachment = await web.prisma.attachment.findFirstOrThrow({ where: { intakeItemId: ofB } });
    const forB = await get(`/api/v1/intake/${ofB}/attachments/${attachment.id}?disposition=inline`);
    const forMissing = await get(
      `/api/v1/intake/${randomUUID()}/attachments/${randomUUID()}?disposition=inline`,
    );
    expect([forB.statusCode, forB.body]).toEqual([404, forMissing.body]);
  });
});

describe('duplicates', () => {
  it('finds the first delivery for the second and marks it a duplicate, audited', async () => {
    const subject = 'Số 88/UBND-VP: V/v họp giao ban';
    // Bytes no other item of this file carries: an item sharing the attachment would be a candidate too.
    const content = Buffer.concat([PDF, Buffer.from('% giao ban 88\n')]);
    const attachment = { name: 'gm.pdf', contentType: 'application/pdf', content };
    const first = await receive(agencyA, {
      raw: mail(subject, '<d1@x>'),
      messageId: '<d1@x>',
      subject,
      senderAddress: 'vanthu@stc.example.vn',
      attachments: [attachment],
    });
    const registered = await registerIntakeItem(web.prisma, SYSTEM, first);
    if (registered.kind !== 'registered') throw new Error(registered.kind);
    const second = await receive(agencyA, {
      raw: mail(subject, '<d2@x>', ['X-Resent: yes']),
      messageId: '<d2@x>',
      subject,
      senderAddress: 'vanthu@stc.example.vn',
      attachments: [attachment],
    });
    // The same document in another agency is nobody's business here.
    await receive(agencyB, {
      raw: mail(subject, '<d3@x>'),
      messageId: '<d3@x>',
      subject,
      senderAddress: 'vanthu@stc.example.vn',
      attachments: [attachment],
    });
    const response = await get(`/api/v1/intake/${second}/duplicate-candidates`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      candidates: [
        {
          id: first,
          state: 'registered',
          document: { id: registered.documentId, number: registered.number },
          matches: ['same-attachment', 'subject-and-sender'],
        },
      ],
    });
    const marked = await web.app.inject({
      method: 'POST',
      url: `/api/v1/intake/${second}/duplicate`,
      headers: clerk,
      payload: { duplicateOf: first },
    });
    expect(marked.json()).toEqual({ state: 'duplicate' });
    const audit = await web.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'intake.duplicate', subject: `intake:${second}` },
    });
    expect(audit.data).toEqual({ duplicateOfId: first });
    const again = await web.app.inject({
      method: 'POST',
      url: `/api/v1/intake/${second}/duplicate`,
      headers: clerk,
      payload: { duplicateOf: first },
    });
    expect(again.statusCode).toBe(409);
  });
});

describe('POST /api/v1/intake/uploads refusals', () => {
  const upload = (
    scan: { name: string; contentType: string; content: Buffer },
    attachments?: (typeof scan)[],
  ) =>
    web.app.inject({
      method: 'POST',
      url: '/api/v1/intake/uploads',
      headers: clerk,
      payload: {
        subject: 'Công văn giấy',
        scan: { ...scan, content: scan.content.toString('base64') },
        ...(attachments
          ? { attachments: attachments.map((a) => ({ ...a, content: a.content.toString('base64') })) }
          : {}),
      },
    });
  const problemsOf = (response: { json: <T>() => T }) =>
    response.json<{ error: { code: string; details: { problems: string[] } } }>().error;

  it('refuses a scan that is not a PDF, by type or by bytes, with the reason', async () => {
    const word = await upload({
      name: 'scan.docx',
      contentType: 'application/msword',
      content: Buffer.from('PK..'),
    });
    expect(word.statusCode).toBe(422);
    expect(problemsOf(word)).toEqual({
      code: 'WEB_UNPROCESSABLE',
      message: expect.stringContaining(
        'scan: scan.docx is not a PDF (declared application/msword)',
      ) as string,
      details: { problems: [expect.stringContaining('not a PDF') as string] },
    });
    const disguised = await upload({
      name: 'scan.pdf',
      contentType: 'application/pdf',
      content: Buffer.from('GIF89a'),
    });
    expect(disguised.statusCode).toBe(422);
  });

  it('refuses an empty scan or attachment', async () => {
    const empty = await upload({
      name: 'scan.pdf',
      contentType: 'application/pdf',
      content: Buffer.alloc(0),
    });
    expect(empty.statusCode).toBe(422);
    expect(problemsOf(empty).details.problems).toEqual(['scan: the file is empty (0 bytes)']);
    const emptyAttachment = await upload({ name: 'scan.pdf', contentType: 'application/pdf', content: PDF }, [
      { name: 'phu-luc.xlsx', contentType: 'application/vnd.ms-excel', content: Buffer.alloc(0) },
    ]);
    expect(problemsOf(emptyAttachment).details.problems).toEqual([
      'attachments.0: phu-luc.xlsx is empty (0 bytes)',
    ]);
    expect(await web.prisma.intakeItem.count({ where: { source: 'upload', subject: 'Công văn giấy' } })).toBe(
      0,
    );
  });

  it('refuses files over the hub’s limit with 413', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(LIMIT, 0x20)]);
    const response = await upload({ name: 'scan.pdf', contentType: 'application/pdf', content: big });
    expect(response.statusCode).toBe(413);
    expect(response.json<{ error: { code: string; message: string } }>().error).toEqual({
      code: 'WEB_BODY_TOO_LARGE',
      message: `the files exceed the hub's limit of ${LIMIT} bytes`,
    });
  });

  it('takes a scanned PDF into the queue', async () => {
    const response = await upload({ name: 'scan.pdf', contentType: 'application/pdf', content: PDF });
    expect(response.statusCode).toBe(201);
  });
});

describe('GET /api/v1/documents/:id versions', () => {
  it('lists original, update and revoke with what each changed, and the document as revoked', async () => {
    const key = `${PARTNER},2026/11/20,77/KH-STC`;
    const pkg = (businessType: number, subject: string, attachment: string) =>
      receive(agencyA, {
        raw: Buffer.from(`<edXMLEnvelope>${businessType}${subject}</edXMLEnvelope>`),
        source: 'amqp',
        senderOrganId: PARTNER,
        documentKey: key,
        businessType,
        subject,
        metadata: {
          subject,
          code: { notation: '77/KH-STC' },
          from: { organId: PARTNER, organName: 'Sở Tài chính' },
        },
        attachments: [
          {
            name: attachment,
            contentType: 'application/pdf',
            content: Buffer.concat([PDF, Buffer.from(subject)]),
          },
        ],
      });
    const original = await pkg(0, 'Kế hoạch kiểm tra quý IV', 'kh.pdf');
    const registered = await registerIntakeItem(web.prisma, SYSTEM, original);
    if (registered.kind !== 'registered') throw new Error(registered.kind);
    const update = await pkg(2, 'Kế hoạch kiểm tra quý IV (điều chỉnh)', 'kh-v2.pdf');
    expect(await registerIntakeItem(web.prisma, SYSTEM, update)).toMatchObject({ kind: 'versioned' });
    const revoke = await pkg(1, 'Kế hoạch kiểm tra quý IV (điều chỉnh)', 'thu-hoi.pdf');
    expect(await registerIntakeItem(web.prisma, SYSTEM, revoke)).toMatchObject({ kind: 'versioned' });

    const response = await get(`/api/v1/documents/${registered.documentId}`);
    const document = response.json<{
      document: {
        standing: { kind: string; versionId: string };
        versions: {
          id: string;
          businessType: number;
          changes: unknown[];
          item: { id: string; source: string };
        }[];
      };
    }>().document;
    expect(document.versions.map((v) => [v.businessType, v.item.id, v.item.source])).toEqual([
      [0, original, 'amqp'],
      [2, update, 'amqp'],
      [1, revoke, 'amqp'],
    ]);
    expect(document.versions[0]!.changes).toEqual([]);
    expect(document.versions[1]!.changes).toEqual([
      {
        field: 'subject',
        before: 'Kế hoạch kiểm tra quý IV',
        after: 'Kế hoạch kiểm tra quý IV (điều chỉnh)',
      },
      { field: 'attachments', before: 'kh.pdf', after: 'kh-v2.pdf' },
    ]);
    expect(document.versions[2]!.changes).toEqual([
      { field: 'attachments', before: 'kh-v2.pdf', after: 'thu-hoi.pdf' },
    ]);
    expect(document.standing).toMatchObject({ kind: 'revoked', versionId: document.versions[2]!.id });
  });
});

describe('GET /api/v1/document-types', () => {
  it('gives the Nghị định 30 table', async () => {
    const types = (await get('/api/v1/document-types')).json<{
      types: { name: string; abbreviation: string | null }[];
    }>().types;
    expect(types).toHaveLength(32);
    expect(types).toContainEqual(expect.objectContaining({ name: 'Giấy mời', abbreviation: 'GM' }));
  });
});
