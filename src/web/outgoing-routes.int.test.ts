import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../access/index.ts';
import { parseEdxml } from '../edxml/index.ts';
import { listSentFiles } from '../exchange/index.ts';
import { sha256Hex } from '../registry/index.ts';
import { fileAgencyKeyStore, installAgencyKey, verifyEdxmlSignature } from '../signing/index.ts';
import { createTestPki, type TestPki } from '../signing/test-support/test-pki.ts';
import { statusPackage } from '../../test/support/relay-fixtures.ts';
import {
  addAgency,
  addPerson,
  signInAs,
  startTestWebApp,
  type TestWebApp,
} from '../../test/support/web-app.ts';
import { type Actor } from '../shared/index.ts';

/**
 * POST /api/v1/outgoing against the real app on PostgreSQL: a clerk's PDF and metadata become a
 * signed edXML package that our own reader parses and our verifier trusts, numbered 1, 2, … in the
 * outgoing book, with a delivery per recipient. Refusals leave no line in the book and no number
 * taken: no key, a non-PDF, unknown or no recipients, the wrong caller, a package the submit path refuses.
 */
const A = '000.00.51.H53';
const B = '000.00.52.H53';
const C = '000.00.53.H53';
const STRICT = '000.00.54.H53'; // must send trusted signatures; its key is from an untrusted CA
const NO_KEY = '000.00.55.H53';
const PDF = Buffer.from('%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

let pki: TestPki;
let keyDir: string;
let web: TestWebApp;
let clerkA: Record<string, string>;
let clerkB: Record<string, string>;

const compose = (overrides: Record<string, unknown> = {}) => ({
  notation: 'UBND-VP',
  documentType: 18,
  subject: 'V/v triển khai chuyển đổi số năm 2027',
  promulgatedOn: '2026-11-25',
  place: 'Tây Ninh',
  signer: { fullName: 'Nguyễn Văn An', position: 'Phó Chủ tịch', competence: 'KT. CHỦ TỊCH' },
  priority: 1,
  dueOn: '2026-12-15',
  recipients: [B, C],
  pdf: { name: 'cong-van.pdf', content: PDF.toString('base64') },
  ...overrides,
});

const send = (headers: Record<string, string>, body: unknown) =>
  web.app.inject({ method: 'POST', url: '/api/v1/outgoing', payload: body as object, headers });

async function outgoingBook(organId: string) {
  const agency = await web.prisma.agency.findUniqueOrThrow({ where: { organId } });
  return web.prisma.document.findMany({
    where: { agencyId: agency.id, direction: 'outgoing' },
    orderBy: { number: 'asc' },
  });
}

beforeAll(async () => {
  pki = await createTestPki();
  keyDir = await mkdtemp(path.join(os.tmpdir(), 'lienthong-agency-keys-'));
  await installAgencyKey(keyDir, A, Buffer.from(pki.leaf.keyPem), Buffer.from(pki.leaf.certificatePem));
  await installAgencyKey(
    keyDir,
    STRICT,
    Buffer.from(pki.untrustedLeaf.keyPem),
    Buffer.from(pki.untrustedLeaf.certificatePem),
  );
  web = await startTestWebApp('outgoing', {
    trust: pki.material,
    agencyKeys: fileAgencyKeyStore(keyDir),
  });
  for (const organId of [A, B, C, NO_KEY]) await addAgency(web.prisma, organId, `Sở ${organId}`);
  await web.prisma.agency.create({
    data: { organId: STRICT, name: 'Sở nghiêm', channel: 'hosted', signaturePolicy: 'require_trusted' },
  });
  await addPerson(web.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
  await addPerson(web.prisma, { username: 'vanthu.b', role: 'clerk', agency: B });
  await addPerson(web.prisma, { username: 'vanthu.nokey', role: 'clerk', agency: NO_KEY });
  await addPerson(web.prisma, { username: 'vanthu.strict', role: 'clerk', agency: STRICT });
  await addPerson(web.prisma, { username: 'lanhdao.a', role: 'leader', agency: A });
  await addPerson(web.prisma, { username: 'quantri', role: 'admin' });
  clerkA = (await signInAs(web.app, 'vanthu.a')).headers;
  clerkB = (await signInAs(web.app, 'vanthu.b')).headers;
});
afterAll(async () => {
  await web.close();
  await rm(keyDir, { recursive: true, force: true });
});

describe('a clerk sends a document', () => {
  let first: { documentId: string; number: number; packageId: string; notation: string; year: number };

  it('builds, signs, numbers and queues it in one step', async () => {
    const response = await send(clerkA, compose());
    expect(response.statusCode).toBe(201);
    first = response.json();
    expect(first).toMatchObject({ number: 1, notation: '1/UBND-VP', recipients: [B, C] });

    const record = await web.prisma.relayPackage.findUniqueOrThrow({
      where: { id: first.packageId },
      include: { deliveries: { orderBy: { toOrganId: 'asc' } } },
    });
    expect(record).toMatchObject({ fromOrganId: A, submittedVia: 'console', submittedBy: 'user:vanthu.a' });
    expect(record.deliveries.map((d) => [d.toOrganId, d.state])).toEqual([
      [B, 'queued'],
      [C, 'queued'],
    ]);
    const bytes = (await web.prisma.blob.findUniqueOrThrow({ where: { sha256: record.sha256 } })).content;

    // Our own reader gives back what the clerk typed, with số đi in the code and the DocumentId.
    const pkg = parseEdxml(bytes, { withContent: true });
    if (pkg.kind !== 'edoc') throw new Error('not a document package');
    expect(pkg.from).toMatchObject({ organId: A, organName: `Sở ${A}` });
    expect(pkg.to.map((t) => t.organId)).toEqual([B, C]);
    expect(pkg.code).toEqual({ number: '1', notation: 'UBND-VP' });
    expect(pkg.documentId).toBe(`${A},2026/11/25,1/UBND-VP`);
    expect(pkg.documentType).toMatchObject({ type: 1, name: 'Công văn' });
    expect(pkg).toMatchObject({
      subject: 'V/v triển khai chuyển đổi số năm 2027',
      promulgation: { place: 'Tây Ninh', date: '2026-11-25' },
      signer: { fullName: 'Nguyễn Văn An', position: 'Phó Chủ tịch', competence: 'KT. CHỦ TỊCH' },
      priority: 1,
      dueDate: '2026-12-15',
    });
    expect(pkg.attachments).toHaveLength(1);
    expect(pkg.attachments[0]).toMatchObject({ name: 'cong-van.pdf', contentType: 'application/pdf' });
    expect(Buffer.from(pkg.attachments[0]!.content!, 'base64').equals(PDF)).toBe(true);

    // Signed with A's key: the verifier with the test trust store trusts it, and the hub recorded that.
    const { verdict } = await verifyEdxmlSignature(bytes, pki.material, { at: new Date() });
    expect(verdict).toMatchObject({ status: 'valid', chain: 'trusted', trusted: true });
    expect(verdict.signer?.serial.toLowerCase()).toBe(pki.leaf.certificate.serialNumber.toLowerCase());
    expect(record.verdict).toMatchObject({ status: 'valid', trusted: true });

    const [line] = await outgoingBook(A);
    expect(line).toMatchObject({
      id: first.documentId,
      number: 1,
      notation: '1/UBND-VP',
      documentType: 'Công văn',
      documentKey: pkg.documentId,
      signer: 'Nguyễn Văn An',
      priority: 1,
      senderName: `Sở ${B}; Sở ${C}`,
      registeredBy: 'user:vanthu.a',
    });
    const audit = await web.prisma.auditEntry.findMany({
      where: { action: { in: ['relay.submitted', 'outgoing.registered'] } },
    });
    expect(audit.map((e) => e.action).sort()).toEqual(['outgoing.registered', 'relay.submitted']);
  });

  it('numbers the next one 2, and both are in the outgoing book and its CSV', async () => {
    const response = await send(
      clerkA,
      compose({ subject: 'Giấy mời họp giao ban', documentType: 23, notation: 'GM-UBND', recipients: [B] }),
    );
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ number: 2, notation: '2/GM-UBND', recipients: [B] });
    expect((await outgoingBook(A)).map((d) => d.number)).toEqual([1, 2]);

    const list = await web.app.inject({
      method: 'GET',
      url: '/api/v1/documents?direction=outgoing',
      headers: clerkA,
    });
    expect(list.json<{ documents: { number: number }[] }>().documents.map((d) => d.number)).toEqual([2, 1]);
    const incoming = await web.app.inject({
      method: 'GET',
      url: '/api/v1/documents?direction=incoming',
      headers: clerkA,
    });
    expect(incoming.json<{ documents: unknown[] }>().documents).toEqual([]);

    const csv = await web.app.inject({
      method: 'GET',
      url: '/api/v1/documents/register-book?direction=outgoing&from=2000-01-01&to=2999-12-31',
      headers: clerkA,
    });
    expect(csv.statusCode).toBe(200);
    const rows = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(rows[0]).toContain('Số, ký hiệu văn bản');
    expect(rows.slice(1)).toEqual([
      `1/UBND-VP,25/11/2026,Công văn: V/v triển khai chuyển đổi số năm 2027,Nguyễn Văn An,Sở ${B}; Sở ${C},,,,,`,
      `2/GM-UBND,25/11/2026,Giấy mời: Giấy mời họp giao ban,Nguyễn Văn An,Sở ${B},,,,,`,
    ]);
  });

  it('shows each recipient’s delivery, and a refusal (02) with its reason', async () => {
    const token = await createApiToken(web.prisma, { agency: C }, 'system:test');
    if (token.kind !== 'created') throw new Error(token.reason);
    const refusal = await web.app.inject({
      method: 'POST',
      url: '/api/v1/packages',
      payload: statusPackage({
        from: C,
        answering: A,
        documentId: `${A},2026/11/25,1/UBND-VP`,
        code: '02',
        description: 'Gửi nhầm nơi nhận',
      }),
      headers: { authorization: `Bearer ${token.secret}`, 'content-type': 'application/xml' },
    });
    expect(refusal.statusCode).toBe(202);

    const response = await web.app.inject({
      method: 'GET',
      url: `/api/v1/documents/${first.documentId}/deliveries`,
      headers: clerkA,
    });
    expect(response.statusCode).toBe(200);
    const deliveries = response.json<{
      deliveries: { toOrganId: string; state: string; reason: string | null; toName: string }[];
    }>().deliveries;
    expect(deliveries.map((d) => [d.toOrganId, d.toName, d.state, d.reason])).toEqual([
      [B, `Sở ${B}`, 'queued', null],
      [C, `Sở ${C}`, 'rejected', 'Gửi nhầm nơi nhận'],
    ]);
  });

  it('answers another agency’s clerk about A’s document exactly as about a missing one', async () => {
    const forA = await web.app.inject({
      method: 'GET',
      url: `/api/v1/documents/${first.documentId}/deliveries`,
      headers: clerkB,
    });
    const missing = await web.app.inject({
      method: 'GET',
      url: '/api/v1/documents/6f1c0a52-9d0e-4b6a-8c55-3f7f3d1e2a10/deliveries',
      headers: clerkB,
    });
    expect([forA.statusCode, forA.body]).toEqual([404, missing.body]);
  });
});

describe('the files a document was sent with', () => {
  const MISSING = '6f1c0a52-9d0e-4b6a-8c55-3f7f3d1e2a10';
  let sent: string;
  const get = (url: string, headers: Record<string, string>) =>
    web.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    const [first] = await outgoingBook(A);
    sent = first!.id;
  });

  it('lists the PDF of the signed package, and serves exactly the bytes the clerk composed', async () => {
    const list = await get(`/api/v1/documents/${sent}/files`, clerkA);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      files: [
        {
          index: 0,
          name: 'cong-van.pdf',
          contentType: 'application/pdf',
          size: PDF.length,
          sha256: sha256Hex(PDF),
        },
      ],
    });

    const file = await get(`/api/v1/documents/${sent}/files/0`, clerkA);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(PDF)).toBe(true);
    // The same headers as an incoming attachment's download (registry-replies.ts `download`).
    expect(file.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="cong-van.pdf"; filename*=UTF-8''cong-van.pdf`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'self'; sandbox",
    });
    const inline = await get(`/api/v1/documents/${sent}/files/0?disposition=inline`, clerkA);
    expect(inline.headers['content-disposition']).toMatch(/^inline; /);
    expect(inline.rawPayload.equals(PDF)).toBe(true);

    // A leader of A reads the agency's register too.
    const leader = (await signInAs(web.app, 'lanhdao.a')).headers;
    expect((await get(`/api/v1/documents/${sent}/files/0`, leader)).rawPayload.equals(PDF)).toBe(true);
  });

  it('answers 404 for a file the package does not have, and 400 for an index that is not one', async () => {
    const beyond = await get(`/api/v1/documents/${sent}/files/1`, clerkA);
    const missing = await get(`/api/v1/documents/${MISSING}/files/0`, clerkA);
    expect([beyond.statusCode, beyond.body]).toEqual([404, missing.body]);
    for (const index of ['-1', 'abc', '..%2F..%2Fetc%2Fpasswd', '0.5']) {
      const response = await get(`/api/v1/documents/${sent}/files/${index}`, clerkA);
      expect([index, response.statusCode]).toEqual([index, 400]);
    }
  });

  it('answers another agency’s clerk about A’s files exactly as about a missing document', async () => {
    for (const suffix of ['files', 'files/0', 'files/0?disposition=inline']) {
      const forA = await get(`/api/v1/documents/${sent}/${suffix}`, clerkB);
      const missing = await get(`/api/v1/documents/${MISSING}/${suffix}`, clerkB);
      expect([suffix, forA.statusCode, forA.body]).toEqual([suffix, 404, missing.body]);
      expect(forA.body).not.toContain('cong-van');
    }
  });

  it('refuses to load a stored package over the hub’s current limit', async () => {
    const clerk = await web.prisma.user.findUniqueOrThrow({ where: { username: 'vanthu.a' } });
    const actor: Actor = {
      kind: 'user',
      userId: clerk.id,
      username: clerk.username,
      role: 'clerk',
      agencyId: clerk.agencyId!,
      departmentId: null,
    };
    const outcome = await listSentFiles(web.prisma, actor, sent, { maxPackageBytes: 1_000 });
    expect(outcome).toMatchObject({ kind: 'too-large' });
  });
});

describe('refusals take no number and queue nothing', () => {
  const packagesBefore = () => web.prisma.relayPackage.count({ where: { kind: 'edoc' } });

  it('refuses to send unsigned when the agency has no key, and says what to configure', async () => {
    const before = await packagesBefore();
    const response = await send(
      (await signInAs(web.app, 'vanthu.nokey')).headers,
      compose({ recipients: [A] }),
    );
    expect(response.statusCode).toBe(409);
    const error = response.json<{ error: { code: string; message: string } }>().error;
    expect(error.code).toBe('WEB_CONFLICT');
    expect(error.message).toContain(`lienthong agency signing-key ${NO_KEY} --key`);
    expect(await outgoingBook(NO_KEY)).toEqual([]);
    expect(await packagesBefore()).toBe(before);
  });

  it('rolls the number back when the submit path refuses the package', async () => {
    const before = await packagesBefore();
    const response = await send(
      (await signInAs(web.app, 'vanthu.strict')).headers,
      compose({ recipients: [A] }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json<{ error: { message: string } }>().error.message).toContain('trusted signature');
    expect(await outgoingBook(STRICT)).toEqual([]);
    const strict = await web.prisma.agency.findUniqueOrThrow({ where: { organId: STRICT } });
    expect(await web.prisma.registerCounter.count({ where: { agencyId: strict.id } })).toBe(0);
    expect(await packagesBefore()).toBe(before);
  });

  it.each([
    [
      'a file that is not a PDF',
      { pdf: { name: 'x.pdf', content: Buffer.from('<html>hi</html>').toString('base64') } },
      'not a PDF',
    ],
    ['an unknown recipient', { recipients: [B, '000.00.99.H53'] }, '000.00.99.H53'],
    ['its own agency as recipient', { recipients: [A] }, A],
    ['no recipient', { recipients: [] }, 'at least one recipient'],
    ['a type not in the NĐ 30 table', { documentType: 99 }, 'documentType'],
    ['a confidential marking', { subject: 'TỐI MẬT - Phương án bảo vệ' }, 'never travels'],
  ])('refuses %s with 4xx naming the problem', async (_name, overrides, words) => {
    const before = await packagesBefore();
    const response = await send(clerkA, compose(overrides));
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.json<{ error: { message: string } }>().error.message).toContain(words);
    expect((await outgoingBook(A)).map((d) => d.number)).toEqual([1, 2]);
    expect(await packagesBefore()).toBe(before);
  });

  it('numbers concurrent sends of one agency without gaps or repeats', async () => {
    const sent = await Promise.all(
      [1, 2, 3].map((i) => send(clerkA, compose({ subject: `Công văn gửi đồng thời ${i}` }))),
    );
    expect(sent.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(sent.map((r) => r.json<{ number: number }>().number).sort()).toEqual([3, 4, 5]);
    expect((await outgoingBook(A)).map((d) => d.number)).toEqual([1, 2, 3, 4, 5]);
  });

  it('lets only clerks send: leaders, admins and partner tokens are refused', async () => {
    const token = await createApiToken(web.prisma, { agency: A }, 'system:test');
    if (token.kind !== 'created') throw new Error(token.reason);
    for (const headers of [
      (await signInAs(web.app, 'lanhdao.a')).headers,
      (await signInAs(web.app, 'quantri')).headers,
      { authorization: `Bearer ${token.secret}` },
    ]) {
      const response = await send(headers, compose());
      expect(response.statusCode).toBe(403);
    }
    expect((await outgoingBook(A)).map((d) => d.number)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses a PDF over the size limit with 413 before reading it', async () => {
    const small = await startTestWebApp('outgoing-small', { bodyLimitBytes: 200_000 });
    try {
      await addAgency(small.prisma, A);
      await addPerson(small.prisma, { username: 'vanthu.a', role: 'clerk', agency: A });
      const headers = (await signInAs(small.app, 'vanthu.a')).headers;
      const big = Buffer.concat([
        Buffer.from('%PDF-1.7\n'),
        Buffer.alloc(300_000, 0x41),
        Buffer.from('%%EOF\n'),
      ]);
      const response = await small.app.inject({
        method: 'POST',
        url: '/api/v1/outgoing',
        payload: compose({ pdf: { name: 'big.pdf', content: big.toString('base64') } }),
        headers,
      });
      expect(response.statusCode).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe('a sent file with an odd name', () => {
  it('is served under its name, quoted harmlessly, whatever the name holds', async () => {
    const name = '../../Quyết định "số 7"\\x.pdf';
    const response = await send(clerkA, compose({ pdf: { name, content: PDF.toString('base64') } }));
    expect(response.statusCode).toBe(201);
    const { documentId } = response.json<{ documentId: string }>();
    const list = await web.app.inject({
      method: 'GET',
      url: `/api/v1/documents/${documentId}/files`,
      headers: clerkA,
    });
    expect(list.json<{ files: { name: string }[] }>().files.map((f) => f.name)).toEqual([name]);
    const file = await web.app.inject({
      method: 'GET',
      url: `/api/v1/documents/${documentId}/files/0`,
      headers: clerkA,
    });
    expect(file.rawPayload.equals(PDF)).toBe(true);
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="../../Quyet inh _so 7__x.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`,
    );
  });
});
