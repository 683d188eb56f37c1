import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaFor, SYSTEM } from '../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import type { PrismaClient } from '../db/index.ts';
import { walkAuditChain } from '../registry/index.ts';
import { findAgency } from './agency-reference.ts';
import { importAxisDirectory } from './import-axis-directory.ts';
import { mergeProvinces } from './merge-provinces.ts';
import { parseAxisDirectory } from './parse-axis-directory.ts';
import { createPrismaAgencyDirectory } from './prisma-agency-directory.ts';

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('axis_import');
  prisma = prismaFor(db.url);
  await createPrismaAgencyDirectory(prisma).upsertAll([
    {
      organId: '000.00.11.H53',
      name: 'Sở Tài chính Tây Ninh',
      channel: 'hosted',
      signaturePolicy: 'record_only',
      emails: ['stc@tayninh.gov.vn'],
      aliases: [],
    },
    {
      organId: '000.00.00.G12',
      name: 'Bộ Khoa học và Công nghệ',
      channel: 'partner',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
    // H43 stands for Long An (illustrative number); it is merged into Tây Ninh below.
    {
      organId: '000.00.00.H43',
      name: 'UBND tỉnh Long An',
      channel: 'national',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
    {
      organId: '000.00.00.H53',
      name: 'UBND tỉnh Tây Ninh',
      channel: 'national',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
  ]);
  await mergeProvinces(prisma, SYSTEM, {
    absorbed: 'H43',
    absorbing: 'H53',
    effectiveOn: '2025-07-01',
    mapping: [{ line: 2, oldCode: '000.00.00.H43', newCode: '000.00.00.H53', newName: null }],
  });
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

// As the axis's getAgenciesList answers: extra fields, a duplicate, empty and bad mails, NFD names.
const NFD = 'Sở Y tế tỉnh Nghệ An'.normalize('NFD');
const AXIS_LIST = `[
  {"code": "000.00.12.H41", "name": "${NFD}", "mail": "syt@nghean.gov.vn", "id": 17, "parentCode": "000.00.00.H41"},
  {"code": "020100107370", "name": "Tập đoàn Điện lực Việt Nam", "mail": ""},
  {"code": "000.00.11.H53", "name": "Sở Tài chính (tên trên trục)", "mail": "khac@tayninh.gov.vn"},
  {"code": "Sở Nội vụ", "name": "mã sai", "mail": ""},
  {"code": "000.00.12.H41", "name": "Sở Y tế Nghệ An (lặp)", "mail": ""},
  {"code": "G12", "name": "Bộ Khoa học và Công nghệ", "mail": null},
  {"code": "000.00.00.H43", "name": "UBND tỉnh Long An", "mail": "ubnd@longan.gov.vn"},
  {"code": "vxp.saas.03", "name": "Hệ thống thử nghiệm", "mail": "not a mail"},
  {"code": "000.00.13.H41", "name": "", "mail": ""}
]`;

describe('loading the national axis’s agency list', () => {
  it('reports bad rows and duplicates with the line they start on, and keeps the rest', () => {
    const parsed = parseAxisDirectory(AXIS_LIST);
    expect(parsed.kind).toBe('ok');
    if (parsed.kind !== 'ok') return;
    expect(parsed.entries.map((e) => e.code)).toEqual([
      '000.00.12.H41',
      '020100107370',
      '000.00.11.H53',
      'G12',
      '000.00.00.H43',
      'VXP.SAAS.03',
    ]);
    expect(parsed.entries[0]?.name).toBe('Sở Y tế tỉnh Nghệ An'.normalize('NFC'));
    expect(parsed.duplicates).toBe(1);
    expect(parsed.problems.map((p) => p.line)).toEqual([5, 6, 9, 10]);
    expect(parsed.problems[1]?.message).toContain('trùng với dòng 2');
  });

  it('adds unknown agencies as national, never changes a hosted or partner one, and brings no closed code back', async () => {
    const parsed = parseAxisDirectory(AXIS_LIST);
    if (parsed.kind !== 'ok') throw new Error('unreadable');
    const outcome = await importAxisDirectory(prisma, SYSTEM, parsed.entries, 'test.json');
    expect(outcome).toMatchObject({ added: 3, renamed: 0, keptChannel: 1, mailsTaken: 0 });
    expect(outcome.skipped.map((s) => s.line)).toEqual([7, 8]);
    expect(await findAgency(prisma, '000.00.12.H41')).toMatchObject({
      channel: 'national',
      emails: ['syt@nghean.gov.vn'],
    });
    expect(await findAgency(prisma, '000.00.11.H53')).toMatchObject({
      channel: 'hosted',
      name: 'Sở Tài chính Tây Ninh',
      emails: ['stc@tayninh.gov.vn'],
    });
    expect((await findAgency(prisma, '000.00.00.H43'))?.organId).toBe('000.00.00.H53');
    expect(await prisma.agency.count({ where: { organId: 'G12' } })).toBe(0);
    expect((await walkAuditChain(prisma)).kind).toBe('intact');
  });

  it('renames national agencies on a second load and adds nothing twice', async () => {
    const parsed = parseAxisDirectory(
      JSON.stringify([{ code: '000.00.12.H41', name: 'Sở Y tế Nghệ An', mail: 'syt@nghean.gov.vn' }]),
    );
    if (parsed.kind !== 'ok') throw new Error('unreadable');
    const outcome = await importAxisDirectory(prisma, SYSTEM, parsed.entries, 'again.json');
    expect(outcome).toMatchObject({ added: 0, renamed: 1 });
    expect((await findAgency(prisma, '000.00.12.H41'))?.name).toBe('Sở Y tế Nghệ An');
  });

  it('refuses a file that is not JSON, saying so', () => {
    expect(parseAxisDirectory('{"code": ')).toMatchObject({ kind: 'invalid' });
  });
});
