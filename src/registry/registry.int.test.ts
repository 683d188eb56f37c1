import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import {
  clerkOf,
  createAgency,
  prismaFor,
  receiveItem,
  SYSTEM,
} from '../../test/support/registry-fixtures.ts';
import type { PrismaClient } from '../db/index.ts';
import { fixedClock } from '../shared/index.ts';
import {
  contentDedupKey,
  exportRegisterBook,
  getDocument,
  getIntakeItem,
  listIntake,
  receiveIntakeItems,
  recordDocumentStatus,
  registerIntakeItem,
  rejectIntakeItem,
  releaseIntakeItem,
  searchDocuments,
  type RegisterOutcome,
} from './index.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let agencyA: string;
let agencyB: string;

beforeAll(async () => {
  db = await createTestDatabase('registry');
  prisma = prismaFor(db.url, 20);
  agencyA = (await createAgency(prisma, '000.00.00.H53', 'UBND tỉnh Tây Ninh')).id;
  agencyB = (await createAgency(prisma, '000.00.12.H53', 'Sở Y tế')).id;
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

function runBurst(ids: string[]): Promise<RegisterOutcome[]> {
  return new Promise((resolve, reject) => {
    const script = path.resolve(import.meta.dirname, '../../test/support/register-burst.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, db.url, JSON.stringify(ids)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as RegisterOutcome[]);
      else reject(new Error(`burst exited ${code}: ${err}`));
    });
  });
}

describe('registration numbers', () => {
  it('200 concurrent registrations from two processes take 1…200 with no gap and no repeat', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 200; i += 1) ids.push(await receiveItem(prisma, agencyA, `burst-${i}`));
    const [first, second] = await Promise.all([
      runBurst(ids.filter((_, i) => i % 2 === 0)),
      runBurst(ids.filter((_, i) => i % 2 === 1)),
    ]);
    const numbers = [...first, ...second].map((outcome) =>
      outcome.kind === 'registered' ? outcome.number : -1,
    );
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const year = new Date(Date.now() + 7 * 3_600_000).getUTCFullYear();
    expect(await prisma.document.count({ where: { agencyId: agencyA, year } })).toBe(200);
  }, 120_000);

  it('starts again at 1 in the new year, counted in Vietnam time', async () => {
    const newYearsEve = await receiveItem(prisma, agencyB, 'eve');
    const afterMidnightInHanoi = await receiveItem(prisma, agencyB, 'new-year');
    // 16:59 UTC on 31 Dec is 23:59 in Hà Nội; 17:01 UTC is already 1 January there.
    const eve = await registerIntakeItem(
      prisma,
      SYSTEM,
      newYearsEve,
      {},
      fixedClock(new Date('2030-12-31T16:59:00Z')),
    );
    const next = await registerIntakeItem(
      prisma,
      SYSTEM,
      afterMidnightInHanoi,
      {},
      fixedClock(new Date('2030-12-31T17:01:00Z')),
    );
    expect(eve).toMatchObject({ kind: 'registered', year: 2030, number: 1 });
    expect(next).toMatchObject({ kind: 'registered', year: 2031, number: 1 });
  });

  it('never registers one item twice, even when two clerks click at once', async () => {
    const id = await receiveItem(prisma, agencyB, 'double-click');
    const outcomes = await Promise.all([
      registerIntakeItem(prisma, clerkOf(agencyB), id),
      registerIntakeItem(prisma, clerkOf(agencyB), id),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['conflict', 'registered']);
  });
});

describe('intake decisions', () => {
  it("keeps the sender's số with its ký hiệu, from a package and from a mail subject", async () => {
    // A package carries them apart: Code/CodeNumber 12, Code/CodeNotation UBND-VP.
    const relayed = await receiveItem(prisma, agencyB, 'so-12', {
      metadata: {
        subject: 'Về việc triển khai kế hoạch',
        code: { number: '12', notation: 'UBND-VP' },
        from: { organId: '000.00.11.H53', organName: 'Sở Tài chính' },
      },
    });
    // What the mail reader stores for "Công văn số 13/UBND-VP V/v …" (ingest/message-analysis.ts).
    const mailed = await receiveItem(prisma, agencyB, 'so-13', {
      source: 'smtp',
      metadata: {
        subject: 'V/v triển khai',
        code: { number: '13', notation: 'UBND-VP' },
        notation: '13/UBND-VP',
      },
    });
    for (const [id, expected] of [
      [relayed, '12/UBND-VP'],
      [mailed, '13/UBND-VP'],
    ] as const) {
      expect((await getIntakeItem(prisma, clerkOf(agencyB), id))?.form.notation).toBe(expected);
      const outcome = await registerIntakeItem(prisma, clerkOf(agencyB), id);
      if (outcome.kind !== 'registered') throw new Error(`not registered: ${JSON.stringify(outcome)}`);
      expect((await getDocument(prisma, clerkOf(agencyB), outcome.documentId))?.notation).toBe(expected);
    }
  });

  it('names the sender from the directory when the mail says only who sent it, in the form and the register book', async () => {
    const id = await receiveItem(prisma, agencyB, 'ten-tac-gia', {
      source: 'smtp',
      senderOrganId: '000.00.00.H53',
      metadata: { subject: 'Thông báo lịch họp' },
    });
    const item = await getIntakeItem(prisma, clerkOf(agencyB), id);
    expect(item?.form.senderName).toBe('UBND tỉnh Tây Ninh');
    const outcome = await registerIntakeItem(prisma, clerkOf(agencyB), id);
    if (outcome.kind !== 'registered') throw new Error(`not registered: ${JSON.stringify(outcome)}`);
    expect(await getDocument(prisma, clerkOf(agencyB), outcome.documentId)).toMatchObject({
      senderName: 'UBND tỉnh Tây Ninh',
    });
    // A document registered before the name was prefilled still prints one in "Tác giả".
    await prisma.document.update({ where: { id: outcome.documentId }, data: { senderName: null } });
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    let csv = '';
    for await (const piece of exportRegisterBook(prisma, clerkOf(agencyB), {
      direction: 'incoming',
      from: today,
      to: today,
    }))
      csv += piece;
    const row = csv.split('\r\n').find((line) => line.includes('Thông báo lịch họp'));
    expect(row?.split(',')[2]).toBe('UBND tỉnh Tây Ninh');
  });

  it('registers with metadata prefilled from the package, clerk edits on top, and owes the sender status 03', async () => {
    const id = await receiveItem(prisma, agencyB, '77');
    const outcome = await registerIntakeItem(prisma, clerkOf(agencyB), id, {
      subject: 'Quyết định phê duyệt kế hoạch năm 2027',
    });
    expect(outcome.kind).toBe('registered');
    if (outcome.kind !== 'registered') return;
    const document = await getDocument(prisma, clerkOf(agencyB), outcome.documentId);
    expect(document).toMatchObject({
      subject: 'Quyết định phê duyệt kế hoạch năm 2027',
      notation: '77/QĐ-STC',
      senderName: 'Sở Tài chính',
      senderOrganId: '000.00.11.H53',
      statusCode: '03',
      registeredBy: 'user:vanthu-' + agencyB.slice(0, 4),
    });
    // What the form offered and what the clerk changed stay with the document.
    const kept = await prisma.document.findUniqueOrThrow({ where: { id: outcome.documentId } });
    expect(kept.prefill).toMatchObject({
      changed: ['subject'],
      prefilled: { notation: '77/QĐ-STC' },
      sources: { notation: { from: 'package' } },
    });
    const outbox = await prisma.outboxMessage.findFirst({
      where: {
        kind: 'status',
        headers: { path: ['documentKey'], equals: '000.00.11.H53,2026/11/20,77/STC-VP' },
      },
    });
    expect(outbox).toMatchObject({
      targetOrganId: '000.00.11.H53',
      state: 'pending',
      headers: { statusCode: '03', fromOrganId: '000.00.12.H53' },
    });
    expect(
      (await prisma.auditEntry.findFirst({ where: { subject: `document:${outcome.documentId}` } }))?.action,
    ).toBe('intake.registered');
  });

  it('rejects only with a reason, and queues status 02 with that reason', async () => {
    const id = await receiveItem(prisma, agencyB, 'reject-me');
    expect(await rejectIntakeItem(prisma, clerkOf(agencyB), id, '   ')).toMatchObject({
      kind: 'invalid',
      problems: [expect.stringMatching(/needs a reason/) as string],
      said: [{ vi: 'Lý do: hãy ghi lý do từ chối để nơi gửi biết phải làm gì', field: 'reason' }],
    });
    expect(await rejectIntakeItem(prisma, clerkOf(agencyB), id, 'Gửi nhầm cơ quan')).toEqual({
      kind: 'rejected',
    });
    expect(await rejectIntakeItem(prisma, clerkOf(agencyB), id, 'again')).toEqual({
      kind: 'conflict',
      message: {
        vi: 'Văn bản này đã bị từ chối: không thể xử lý lại. Hãy tải lại danh sách.',
        en: 'the item is already rejected',
      },
    });
    const status = await prisma.outboxMessage.findFirst({
      where: { headers: { path: ['statusCode'], equals: '02' } },
    });
    expect(status?.headers).toMatchObject({
      description: 'Gửi nhầm cơ quan',
      documentKey: '000.00.11.H53,2026/11/20,reject-me/STC-VP',
    });
  });

  it('registers a quarantined item only after a clerk released it with a note, audited', async () => {
    const id = await receiveItem(prisma, agencyB, 'held-unknown-sender', {
      quarantineReason: 'unknown sender: vanthu@la.example is not in the directory',
    });
    const clerk = clerkOf(agencyB);
    expect(await registerIntakeItem(prisma, clerk, id)).toMatchObject({
      kind: 'conflict',
      message: {
        en: 'the item is quarantined (unknown sender: vanthu@la.example is not in the directory): release it from quarantine first',
        vi: expect.stringMatching(
          /^Văn bản đang bị cách ly .*hãy đưa nó ra khỏi cách ly trước khi vào sổ\.$/,
        ) as string,
      },
    });
    expect(await releaseIntakeItem(prisma, clerk, id, '  ')).toMatchObject({
      kind: 'invalid',
      problems: ['Note: say why the item may leave quarantine (what was checked)'],
      said: [{ field: 'note' }],
    });
    expect(await releaseIntakeItem(prisma, clerk, id, 'Đã gọi điện xác nhận với Sở Tài chính')).toEqual({
      kind: 'released',
    });
    expect(await releaseIntakeItem(prisma, clerk, id, 'again')).toMatchObject({
      kind: 'conflict',
      message: {
        en: 'the item is not quarantined (it is new)',
        vi: 'Văn bản này không bị cách ly (nó đang chờ xử lý).',
      },
    });
    const audit = await prisma.auditEntry.findFirst({
      where: { action: 'intake.released', subject: `intake:${id}` },
    });
    expect(audit?.actor).toBe(`user:${clerk.kind === 'user' ? clerk.username : ''}`);
    expect(audit?.data).toEqual({
      reason: 'unknown sender: vanthu@la.example is not in the directory',
      note: 'Đã gọi điện xác nhận với Sở Tài chính',
    });
    expect(await registerIntakeItem(prisma, clerk, id)).toMatchObject({ kind: 'registered' });
  });

  it('never releases a bounce or read receipt into the queue', async () => {
    const id = await receiveItem(prisma, agencyB, 'held-dsn', {
      quarantineReason: 'delivery-status report, not a document',
      metadata: { mail: { kind: 'delivery-status' } },
    });
    expect(await releaseIntakeItem(prisma, clerkOf(agencyB), id, 'checked')).toMatchObject({
      kind: 'conflict',
      message: {
        en: 'a delivery-status report answers mail the hub sent; it is not a document and stays out of the queue',
      },
    });
    expect((await getIntakeItem(prisma, clerkOf(agencyB), id))?.state).toBe('quarantined');
  });

  it('lets only an administrator release an item held for malware', async () => {
    const id = await receiveItem(prisma, agencyB, 'held-malware', {
      quarantineReason: 'malware: invoice.zip: Eicar-Test-Signature',
      // what ingest records beside the reason; the rule reads this field, not the reason's words
      metadata: { malware: ['invoice.zip: Eicar-Test-Signature'] },
    });
    expect(await releaseIntakeItem(prisma, clerkOf(agencyB), id, 'looks fine to me')).toMatchObject({
      kind: 'forbidden',
      message: {
        en: 'held for malware (malware: invoice.zip: Eicar-Test-Signature): only an administrator can release it',
      },
    });
    expect((await getIntakeItem(prisma, clerkOf(agencyB), id))?.state).toBe('quarantined');
    const admin = {
      kind: 'user',
      userId: 'u-admin',
      username: 'quantri',
      role: 'admin',
      agencyId: null,
      departmentId: null,
    } as const;
    expect(await releaseIntakeItem(prisma, admin, id, 'ClamAV false positive, file checked offline')).toEqual(
      {
        kind: 'released',
      },
    );
    expect((await getIntakeItem(prisma, clerkOf(agencyB), id))?.state).toBe('new');
  });

  it('attaches an update package to the original document as a version, without a new number', async () => {
    const original = await receiveItem(prisma, agencyB, 'orig');
    const registered = await registerIntakeItem(prisma, clerkOf(agencyB), original);
    const update = await receiveItem(prisma, agencyB, 'orig-update', {
      documentKey: '000.00.11.H53,2026/11/20,orig/STC-VP',
      businessType: 2,
    });
    const outcome = await registerIntakeItem(prisma, clerkOf(agencyB), update);
    expect(registered.kind).toBe('registered');
    if (registered.kind !== 'registered') return;
    expect(outcome).toEqual({ kind: 'versioned', documentId: registered.documentId, businessType: 2 });
    const document = await getDocument(prisma, clerkOf(agencyB), registered.documentId);
    expect(document?.versions.map((v) => v.businessType)).toEqual([0, 2]);
  });

  it('keeps one item for the same bytes from the same sender delivered twice', async () => {
    const raw = Buffer.from('<edXMLEnvelope>same</edXMLEnvelope>');
    const input = {
      source: 'amqp' as const,
      raw,
      agencyIds: [agencyB],
      dedupKey: contentDedupKey('000.00.11.H53', raw),
    };
    const [first] = await receiveIntakeItems(prisma, SYSTEM, input);
    const [second] = await receiveIntakeItems(prisma, SYSTEM, input);
    expect(first?.outcome).toBe('created');
    expect(second).toEqual({ ...first, outcome: 'duplicate' });
  });

  it('refuses follow-up statuses that go backwards', async () => {
    const id = await receiveItem(prisma, agencyB, 'follow');
    const registered = await registerIntakeItem(prisma, clerkOf(agencyB), id);
    if (registered.kind !== 'registered') throw new Error(registered.kind);
    expect(
      await recordDocumentStatus(prisma, clerkOf(agencyB), registered.documentId, { code: '06' }),
    ).toEqual({ kind: 'recorded', code: '06', queuedForSender: true });
    expect(
      await recordDocumentStatus(prisma, clerkOf(agencyB), registered.documentId, { code: '05' }),
    ).toMatchObject({ kind: 'conflict' });
  });
});

describe('isolation between agencies', () => {
  it('answers a clerk of A about B’s item exactly as about a missing one', async () => {
    const itemOfB = await receiveItem(prisma, agencyB, 'secret-of-b');
    const missing = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const clerkA = clerkOf(agencyA);
    expect(await getIntakeItem(prisma, clerkA, itemOfB)).toEqual(
      await getIntakeItem(prisma, clerkA, missing),
    );
    expect(await registerIntakeItem(prisma, clerkA, itemOfB)).toEqual(
      await registerIntakeItem(prisma, clerkA, missing),
    );
    expect(await rejectIntakeItem(prisma, clerkA, itemOfB, 'x')).toEqual(
      await rejectIntakeItem(prisma, clerkA, missing, 'x'),
    );
    const heldOfB = await receiveItem(prisma, agencyB, 'held-of-b', { quarantineReason: 'DMARC fail' });
    expect(await releaseIntakeItem(prisma, clerkA, heldOfB, 'x')).toEqual(
      await releaseIntakeItem(prisma, clerkA, missing, 'x'),
    );
    expect((await getIntakeItem(prisma, clerkOf(agencyB), heldOfB))?.state).toBe('quarantined');
    const page = await listIntake(prisma, clerkA, { limit: 200 });
    expect('items' in page && page.items.every((item) => item.agencyId === agencyA)).toBe(true);
    const found = await searchDocuments(prisma, clerkA, { q: 'Sở Tài chính', limit: 200 });
    expect('documents' in found && found.documents.every((d) => d.agencyId === agencyA)).toBe(true);
    expect((await getIntakeItem(prisma, clerkOf(agencyB), itemOfB))?.id).toBe(itemOfB);
  });
});

describe('search', () => {
  it('finds "quyet dinh ke hoach" without accents, and pages with a stable cursor', async () => {
    const page1 = await searchDocuments(prisma, clerkOf(agencyB), { q: 'quyet dinh ke hoach' });
    expect('documents' in page1 && page1.documents.map((d) => d.subject)).toEqual([
      'Quyết định phê duyệt kế hoạch năm 2027',
    ]);
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchDocuments(prisma, SYSTEM, {
        direction: 'incoming',
        limit: 7,
        ...(cursor ? { cursor } : {}),
      });
      if (!('documents' in page)) throw new Error('invalid cursor');
      all.push(...page.documents.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(all).size).toBe(await prisma.document.count({ where: { direction: 'incoming' } }));
    expect(await searchDocuments(prisma, SYSTEM, { cursor: 'bm90LWEtY3Vyc29y' })).toEqual({
      kind: 'invalid-cursor',
    });
  });

  it('finds by notation prefix, case-insensitively', async () => {
    const found = await searchDocuments(prisma, clerkOf(agencyB), { notationPrefix: '77/qđ' });
    expect('documents' in found && found.documents.map((d) => d.notation)).toEqual(['77/QĐ-STC']);
  });
});
