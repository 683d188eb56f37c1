import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { clerkOf, createAgency, prismaFor, receiveItem } from '../../test/support/registry-fixtures.ts';
import { openDatabase, readMigrationFiles, type Database, type PrismaClient } from '../db/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import { indexItemText, listIntake, registerIntakeItem, searchDocuments, type Passage } from './index.ts';

/**
 * Full-text search in the queue and the register, on PostgreSQL and on the embedded database:
 * tone marks optional, đ = d, exact tone first, phrases, notations, passages, agency scope.
 */
const LONG_TEXT =
  'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; xét đề nghị của Giám đốc Sở Tài chính. ' +
  'Ủy ban nhân dân tỉnh QUYẾT ĐỊNH: Điều 1. Phê duyệt kế hoạch chuyển đổi số trong cơ quan nhà nước năm 2026, ' +
  'kèm theo danh mục dự án nâng cấp đường giao thông nông thôn. Điều 2. Giao Sở Tài chính chủ trì.';

type Setup = { prisma: PrismaClient; close(): Promise<void> };

const targets: [string, () => Promise<Setup>][] = [
  [
    'PostgreSQL',
    async () => {
      const db: TestDatabase = await createTestDatabase('fulltext');
      const prisma = prismaFor(db.url, 4);
      return {
        prisma,
        close: async () => {
          await prisma.$disconnect();
          await db.drop();
        },
      };
    },
  ],
  [
    'the embedded database',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-fulltext-'));
      const embedded: Database = await openDatabase(
        { kind: 'embedded', dir },
        { log: createSilentLogger(), purpose: 'full-text test', migrate: true },
      );
      return {
        prisma: embedded.prisma,
        close: async () => {
          await embedded.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

const MARKED_WORDS = '20261207160000_search_words_as_written';

const marked = (p: Passage | null | undefined) => (p ? p.marks.map(([s, e]) => p.text.slice(s, e)) : []);

describe.each(targets)('full-text search on %s', (_name, open) => {
  let setup: Setup;
  let prisma: PrismaClient;
  let agencyA: string;
  let agencyB: string;
  const ids: Record<string, string> = {};
  let at = Date.parse('2026-11-01T00:00:00Z');

  const item = async (key: string, agencyId: string, subject: string, notation?: string, text?: string) => {
    at += 60_000;
    const id = await receiveItem(prisma, agencyId, `${key}-${agencyId.slice(0, 4)}`, {
      subject,
      receivedAt: new Date(at),
      metadata: {
        subject,
        ...(notation ? { code: { number: notation.split('/')[0] ?? '', notation } } : {}),
        from: { organId: '000.00.11.H53', organName: 'Sở Tài chính' },
        promulgation: { date: '2026-11-20' },
      },
    });
    if (text) await prisma.$transaction((tx) => indexItemText(tx, id, text));
    ids[key] = id;
    return id;
  };

  beforeAll(async () => {
    setup = await open();
    prisma = setup.prisma;
    agencyA = (await createAgency(prisma, '000.00.30.H53', 'UBND huyện Châu Thành')).id;
    agencyB = (await createAgency(prisma, '000.00.31.H53', 'UBND huyện Gò Dầu')).id;
    await item('decision', agencyA, 'Quyết định phê duyệt kế hoạch', '12/QĐ-UBND', LONG_TEXT);
    await item('toneless', agencyA, 'Cong van ve duong giao thong', '112/QĐ-UBND');
    await item('auction', agencyA, 'Kế hoạch bán đấu giá tài sản');
    await item('issuing', agencyA, 'Kế hoạch ban hành văn bản');
    await item(
      'apart',
      agencyA,
      'Báo cáo',
      undefined,
      'Số liệu chuyển về Sở để chuyển đổi mới và đổi số cách làm.',
    );
    await item(
      'other-agency',
      agencyB,
      'Quyết định phê duyệt kế hoạch chuyển đổi số',
      '12/QĐ-UBND',
      LONG_TEXT,
    );
  }, 180_000);
  afterAll(async () => setup.close());

  const queue = async (q: string, extra: Parameters<typeof listIntake>[2] = {}) => {
    const page = await listIntake(prisma, clerkOf(agencyA), { q, ...extra });
    if ('kind' in page) throw new Error('invalid cursor');
    return page;
  };
  const keysOf = (found: { id: string }[]) =>
    found.map((f) => Object.keys(ids).find((k) => ids[k] === f.id || k === f.id) ?? f.id);

  it('finds text with tone marks from a query without them, in subject and the files’ text', async () => {
    expect(keysOf((await queue('quyet dinh')).items)).toEqual(['decision']);
    expect(keysOf((await queue('chuyen doi so')).items).sort()).toEqual(['apart', 'decision']);
    expect(keysOf((await queue('giao thong nong thon')).items)).toEqual(['decision']);
  });

  it('matches đ and d both ways', async () => {
    expect(keysOf((await queue('đường')).items).sort()).toEqual(['decision', 'toneless']);
    expect(keysOf((await queue('duong')).items).sort()).toEqual(['decision', 'toneless']);
  });

  it('ranks an exact-tone match first, even when it is older', async () => {
    // newest first is issuing, auction, decision ("Ủy ban" in its text)
    expect(keysOf((await queue('bán')).items)).toEqual(['auction', 'issuing', 'decision']);
    expect(keysOf((await queue('ban hành')).items)).toEqual(['issuing']);
    expect(keysOf((await queue('ban')).items)).toEqual(['issuing', 'decision', 'auction']);
  });

  it('lists exact-tone matches first across pages, and pages on without repeating or skipping', async () => {
    // "bán" as typed: auction (older) before issuing and decision ("ban" without its mark)
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await queue('bán', { limit: 1, ...(cursor ? { cursor } : {}) });
      pages.push(keysOf(page.items));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 10);
    expect(pages).toEqual([['auction'], ['issuing'], ['decision']]);
    // the same in urgency order, and a query without marks is newest first
    const urgent = await queue('bán', { limit: 1, sort: 'urgency' });
    expect(keysOf(urgent.items)).toEqual(['auction']);
    const next = await queue('bán', { limit: 1, sort: 'urgency', cursor: urgent.nextCursor ?? '' });
    expect(keysOf(next.items)).toEqual(['issuing']);
    expect(keysOf((await queue('ban', { limit: 1 })).items)).toEqual(['issuing']);
    // the words as typed must all be there: "ban hành" has both only in issuing
    expect(keysOf((await queue('bán hành')).items)).toEqual(['issuing']);
  });

  it('rows written before the marked words get them from the migration, as searchVector writes them', async () => {
    const migration = readMigrationFiles().find((f) => f.name === MARKED_WORDS);
    expect(migration, `${MARKED_WORDS} is among the migrations`).toBeDefined();
    const lexemes = async (id: string) =>
      (
        await prisma.$queryRaw<
          { l: string }[]
        >`SELECT unnest(tsvector_to_array(search_vector)) AS l FROM intake_item WHERE id = ${id}::uuid`
      )
        .map((r) => r.l)
        .sort();
    const id = ids.decision ?? '';
    const now = await lexemes(id);
    expect(now).toEqual(expect.arrayContaining(['quyết', 'định', 'qđ', 'chuyển', 'đổi']));
    // the old shape: folded words (with their positions) and pairs only
    await prisma.$executeRaw`UPDATE intake_item SET search_vector = ts_delete(search_vector, ARRAY(
      SELECT l FROM unnest(tsvector_to_array(search_vector)) AS l WHERE l !~ '^[a-z0-9_]+$')) WHERE id = ${id}::uuid`;
    expect((await lexemes(id)).some((l) => l === 'quyết')).toBe(false);
    for (const statement of (migration?.sql ?? '').split(/;\s*\n\s*\n/u).filter((s) => /UPDATE/u.test(s)))
      await prisma.$executeRawUnsafe(statement);
    expect(await lexemes(id)).toEqual(now);
  });

  it('a phrase does not match its words apart', async () => {
    expect(keysOf((await queue('"chuyển đổi số"')).items)).toEqual(['decision']);
    expect(keysOf((await queue('“chuyen doi so”')).items)).toEqual(['decision']);
    expect(keysOf((await queue('"doi so chuyen"')).items)).toEqual([]);
  });

  it('a number or notation is a phrase of its words', async () => {
    expect(keysOf((await queue('12/QĐ-UBND')).items)).toEqual(['decision']);
    expect(keysOf((await queue('112/qd-ubnd')).items)).toEqual(['toneless']);
    expect(keysOf((await queue('2015')).items)).toEqual(['decision']);
  });

  it('shows the passage with the right characters marked', async () => {
    const [found] = (await queue('"quyet dinh" "chuyen doi so"')).items;
    expect(found?.passage?.field).toBe('text');
    expect(marked(found?.passage)).toEqual(['QUYẾT ĐỊNH', 'chuyển đổi số']);
    const [words] = (await queue('so tai chinh')).items;
    expect(words?.passage).toMatchObject({ field: 'sender', text: 'Sở Tài chính', marks: [[0, 12]] });
    expect(found?.passage?.text.length).toBeLessThanOrEqual(200);
    expect(found?.passage?.cut).toEqual([true, true]);
    const [byNotation] = (await queue('112/QD-UBND')).items;
    expect(byNotation?.passage).toMatchObject({ field: 'notation', text: '112/QĐ-UBND', marks: [[0, 11]] });
  });

  it('keeps the filters and the cursor working with a text query', async () => {
    const first = await queue('ke hoach', { limit: 1 });
    expect(first.items).toHaveLength(1);
    const second = await queue('ke hoach', { limit: 1, cursor: first.nextCursor ?? '' });
    const third = await queue('ke hoach', { limit: 1, cursor: second.nextCursor ?? '' });
    const all = [...first.items, ...second.items, ...third.items].map((i) => i.id);
    expect(new Set(all).size).toBe(3);
    expect(third.nextCursor).toBeNull();
    expect((await queue('ke hoach', { state: 'rejected' })).items).toEqual([]);
    expect((await queue('ke hoach', { sender: 'tai chinh' })).items).toHaveLength(3);
    expect((await queue('ke hoach', { sort: 'urgency' })).items).toHaveLength(3);
  });

  it('never returns another agency’s items or documents', async () => {
    const found = (await queue('quyet dinh chuyen doi so 12/QĐ-UBND')).items;
    expect(found.map((f) => f.agencyId)).toEqual([agencyA]);
    const docs = await searchDocuments(prisma, clerkOf(agencyB), { q: 'ke hoach' });
    if ('kind' in docs) throw new Error('invalid cursor');
    expect(docs.documents.every((d) => d.agencyId === agencyB)).toBe(true);
  });

  it('answers injection-like and odd queries safely', async () => {
    for (const q of [
      "quyết'định",
      'a & b | !c',
      '!!! :* <-> ()',
      '\\',
      "'; DROP TABLE intake_item; --",
      '"unclosed phrase',
      'ke:* & hoach',
      'quyết '.repeat(2000),
      '🙂 dự án',
    ]) {
      const page = await queue(q);
      expect(Array.isArray(page.items)).toBe(true);
    }
    expect(keysOf((await queue('ke:* & hoach')).items)).toHaveLength(3);
    // no searchable word at all: the list as without a query
    expect((await queue('!!!')).items.length).toBe((await queue('')).items.length);
    expect((await queue('')).items.length).toBeGreaterThanOrEqual(5);
  });

  it('searches the register with the document text, once registered or after', async () => {
    const clerk = clerkOf(agencyA);
    expect(await registerIntakeItem(prisma, clerk, ids.decision ?? '')).toMatchObject({ kind: 'registered' });
    expect(await registerIntakeItem(prisma, clerk, ids.apart ?? '')).toMatchObject({ kind: 'registered' });
    const search = async (q: string) => {
      const page = await searchDocuments(prisma, clerk, { q });
      if ('kind' in page) throw new Error('invalid cursor');
      return page.documents;
    };
    const [decision] = await search('giao thong nong thon');
    expect(decision?.notation).toBe('12/QĐ-UBND');
    expect(marked(decision?.passage)).toEqual(['giao thông nông thôn', 'Giao']);
    expect(await search('12/qd-ubnd')).toHaveLength(1);
    expect(await search('"chuyen doi so"')).toHaveLength(1);
    expect(await search('chuyen doi so')).toHaveLength(2);
    // a file's text recorded after registration reaches the register; the same text twice is one
    await prisma.$transaction((tx) => indexItemText(tx, ids.apart ?? '', 'Tờ trình về cây cao su tiểu điền'));
    await prisma.$transaction((tx) => indexItemText(tx, ids.apart ?? '', 'Tờ trình về cây cao su tiểu điền'));
    expect(await prisma.itemText.count({ where: { intakeItemId: ids.apart ?? '' } })).toBe(2);
    const [rubber] = await search('cao su tieu dien');
    expect(marked(rubber?.passage)).toEqual(['cao su tiểu điền']);
    expect(await search('so lieu chuyen ve')).toHaveLength(1);
    // exact tone first in the register too, page by page: decision has "chuyển đổi số" as written,
    // apart has "chuyển … đổi … số" too; both have the words, so both are exact and newest first
    const first = await searchDocuments(prisma, clerk, { q: 'chuyển đổi', limit: 1 });
    if ('kind' in first) throw new Error('invalid cursor');
    const second = await searchDocuments(prisma, clerk, {
      q: 'chuyển đổi',
      limit: 1,
      cursor: first.nextCursor ?? '',
    });
    if ('kind' in second) throw new Error('invalid cursor');
    expect([...first.documents, ...second.documents].map((d) => d.notation ?? d.subject)).toEqual([
      'Báo cáo',
      '12/QĐ-UBND',
    ]);
    expect(second.nextCursor).toBeNull();
    const year = await searchDocuments(prisma, clerk, { q: 'chuyen doi so', year: 1999 });
    expect('documents' in year && year.documents).toEqual([]);
  });
});
