import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaFor, receiveItem, SYSTEM } from '../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { openDatabase, type Database, type PrismaClient } from '../db/index.ts';
import { registerIntakeItem, walkAuditChain } from '../registry/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import { AgencyInputSchema, type Agency } from './agency.ts';
import { agencyByAddress, findAgency, resolveAgency } from './agency-reference.ts';
import { attachDirectoryCache } from './directory-cache.ts';
import { mergeProvinces } from './merge-provinces.ts';
import { parseAgencyCsv } from './parse-agency-csv.ts';
import { parseMergerMapping } from './parse-merger-mapping.ts';
import { createPrismaAgencyDirectory } from './prisma-agency-directory.ts';

// H43 stands for Long An here; the level-1 number is illustrative (the official list was not at hand).
const LONG_AN = 'H43';
const TAY_NINH = 'H53';

const agency = (organId: string, extra: Partial<Agency> = {}): Agency => ({
  organId,
  name: `Cơ quan ${organId}`,
  channel: 'hosted',
  signaturePolicy: 'record_only',
  emails: [],
  aliases: [],
  ...extra,
});

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('agency_history');
  prisma = prismaFor(db.url);
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

describe('agencies with any legitimate code form', () => {
  it('takes a ministry’s level-1 code, a state enterprise and an axis system id as agencies', async () => {
    const parsed = ['G12', '020100107370', 'vxp.saas.03', '01.02.G22'].map((organId) =>
      AgencyInputSchema.parse({ organId, name: `Cơ quan ${organId}`, channel: 'national' }),
    );
    expect(parsed.map((a) => a.organId)).toEqual(['G12', '020100107370', 'VXP.SAAS.03', '01.02.G22']);
    const saved = await createPrismaAgencyDirectory(prisma).upsertAll(parsed);
    expect(saved.kind).toBe('saved');
    expect((await resolveAgency(prisma, '020100107370'))?.name).toBe('Cơ quan 020100107370');
    expect((await resolveAgency(prisma, 'vxp.saas.03'))?.organId).toBe('VXP.SAAS.03');
  });

  it('names the field in words, Vietnamese first, when a code has no legitimate form', () => {
    const result = AgencyInputSchema.safeParse({ organId: 'Sở Tài chính', name: 'x', channel: 'hosted' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(
      /^Mã định danh của cơ quan "Sở Tài chính" không đúng dạng .* \/ the agency code \(OrganId\) "Sở Tài chính" has none of the accepted forms$/,
    );
  });

  it('imports a CSV row for an enterprise', () => {
    const csv = parseAgencyCsv(
      'organId,name,channel,emails,aliases\n020100107370,Tổng công ty Điện lực,email,vanthu@evn.com.vn,\n',
    );
    expect(csv.kind).toBe('ok');
  });

  it('refuses a second entry for the rule-equivalent form of a code already there', async () => {
    const result = await createPrismaAgencyDirectory(prisma).upsertAll([agency('000.00.00.G12')]);
    expect(result.kind).toBe('conflict');
  });
});

describe('lookups by any code', () => {
  it('finds G12 by 000.00.00.G12 and says it matched by rule, answering with the stored code', async () => {
    const found = await findAgency(prisma, '000.00.00.g12');
    expect(found?.organId).toBe('G12');
    expect(found?.matched).toEqual({ kind: 'equivalent', code: '000.00.00.G12' });
  });

  it('finds the successor by a former code with its closing day and reason, also in the other form', async () => {
    const directory = createPrismaAgencyDirectory(prisma);
    await directory.upsertAll([agency('000.00.00.H55'), agency('000.00.00.H53')]);
    await mergeProvinces(prisma, SYSTEM, {
      absorbed: 'H55',
      absorbing: TAY_NINH,
      effectiveOn: '2025-07-01',
      mapping: [{ line: 2, oldCode: '000.00.00.H55', newCode: '000.00.00.H53', newName: null }],
    });
    for (const code of ['000.00.00.H55', 'H55', 'h55']) {
      const found = await findAgency(prisma, code);
      expect(found?.organId).toBe('000.00.00.H53');
      expect(found?.matched).toEqual({
        kind: 'former',
        code: '000.00.00.H55',
        closedOn: '2025-07-01',
        reason: 'merger',
        retiredAgency: { organId: '000.00.00.H55', name: 'Cơ quan 000.00.00.H55' },
      });
    }
  });

  it('keeps a former code’s history when its agency is saved again with the same list', async () => {
    const directory = createPrismaAgencyDirectory(prisma);
    const current = await directory.find('000.00.00.H53');
    if (!current) throw new Error('missing');
    await directory.upsertAll([
      { ...agency('000.00.00.H53'), aliases: current.aliases, name: 'UBND tỉnh Tây Ninh' },
    ]);
    expect((await findAgency(prisma, '000.00.00.H55'))?.matched).toMatchObject({ closedOn: '2025-07-01' });
  });
});

describe('province merger', () => {
  let longAnHealth: string;
  let longAnFinance: string;
  let tayNinhFinance: string;

  beforeAll(async () => {
    const directory = createPrismaAgencyDirectory(prisma);
    await directory.upsertAll([
      agency(`000.00.00.${LONG_AN}`, { name: 'UBND tỉnh Long An' }),
      agency(`000.00.12.${LONG_AN}`, { name: 'Sở Y tế Long An', aliases: ['000.00.92.H43'] }),
      agency(`000.00.11.${LONG_AN}`, { name: 'Sở Tài chính Long An', emails: ['stc@longan.gov.vn'] }),
      agency(`000.00.11.${TAY_NINH}`, { name: 'Sở Tài chính Tây Ninh' }),
      agency(`000.00.77.${LONG_AN}`, { name: 'Ban không có trong danh mục' }),
    ]);
    const id = async (organId: string) => (await prisma.agency.findUniqueOrThrow({ where: { organId } })).id;
    [longAnHealth, longAnFinance, tayNinhFinance] = await Promise.all([
      id(`000.00.12.${LONG_AN}`),
      id(`000.00.11.${LONG_AN}`),
      id(`000.00.11.${TAY_NINH}`),
    ]);
    // Two registered documents in each Long An register, before the merger.
    for (const [agencyId, seed] of [
      [longAnHealth, 'yt-1'],
      [longAnHealth, 'yt-2'],
      [longAnFinance, 'tc-1'],
    ] as const) {
      const item = await receiveItem(prisma, agencyId, seed);
      expect((await registerIntakeItem(prisma, SYSTEM, item)).kind).toBe('registered');
    }
  });

  const mapping = parseMergerMapping(
    [
      'oldCode,newCode,newName',
      '000.00.00.H43,000.00.00.H53,',
      '000.00.12.H43,000.00.32.H53,Sở Y tế (cơ sở Long An)',
      '000.00.11.H43,000.00.11.H53,',
    ].join('\n'),
  );
  const input = () => {
    if (mapping.kind !== 'ok') throw new Error(JSON.stringify(mapping.problems));
    return { absorbed: LONG_AN, absorbing: TAY_NINH, effectiveOn: '2025-07-01', mapping: mapping.rows };
  };

  it('prints the plan on a dry run and changes nothing', async () => {
    const outcome = await mergeProvinces(prisma, SYSTEM, input(), { dryRun: true });
    expect(outcome.kind).toBe('planned');
    expect(outcome.plan.problems).toEqual([]);
    expect(outcome.plan.steps.map((s) => s.kind)).toEqual(['fold', 'recode', 'fold']);
    expect(outcome.plan.unmapped.map((a) => a.organId)).toEqual(['000.00.77.H43']);
    expect((await resolveAgency(prisma, '000.00.12.H43'))?.organId).toBe('000.00.12.H43');
  });

  it('moves a recoded agency with its registers: numbering continues, its old code closes', async () => {
    const before = await prisma.document.findMany({
      where: { agencyId: longAnHealth },
      orderBy: { number: 'asc' },
    });
    const outcome = await mergeProvinces(prisma, SYSTEM, input());
    expect(outcome.kind).toBe('merged');

    const moved = await findAgency(prisma, '000.00.12.H43');
    expect(moved).toMatchObject({
      id: longAnHealth,
      organId: '000.00.32.H53',
      name: 'Sở Y tế (cơ sở Long An)',
      matched: { kind: 'former', code: '000.00.12.H43', closedOn: '2025-07-01', reason: 'merger' },
    });
    // An older former code of the same agency still names it.
    expect((await resolveAgency(prisma, '000.00.92.H43'))?.organId).toBe('000.00.32.H53');
    const after = await prisma.document.findMany({
      where: { agencyId: longAnHealth },
      orderBy: { number: 'asc' },
    });
    expect(after.map((d) => [d.id, d.number])).toEqual(before.map((d) => [d.id, d.number]));
    const next = await receiveItem(prisma, longAnHealth, 'yt-3');
    const registered = await registerIntakeItem(prisma, SYSTEM, next);
    expect(registered).toMatchObject({ kind: 'registered', number: 3 });
  });

  it('retires an agency folded into an existing one: its history stays, its codes and mail reach the successor', async () => {
    const retired = await prisma.agency.findUniqueOrThrow({ where: { id: longAnFinance } });
    expect(retired).toMatchObject({ organId: '000.00.11.H43', successorId: tayNinhFinance });
    expect(retired.retiredOn?.toISOString().slice(0, 10)).toBe('2025-07-01');
    expect(await prisma.document.count({ where: { agencyId: longAnFinance } })).toBe(1);
    expect((await resolveAgency(prisma, '000.00.11.H43'))?.id).toBe(tayNinhFinance);
    expect((await agencyByAddress(prisma, 'stc@longan.gov.vn'))?.organId).toBe('000.00.11.H53');
    const live = (await createPrismaAgencyDirectory(prisma).list()).map((a) => a.organId);
    expect(live).not.toContain('000.00.11.H43');
    expect(live).toContain('000.00.77.H43');
  });

  it('records the merger in the audit trail, and the chain verifies', async () => {
    const entries = await prisma.auditEntry.findMany({
      where: { action: { in: ['directory.merged', 'agency.code-closed', 'agency.retired'] } },
      orderBy: { seq: 'asc' },
    });
    const merged = entries.find((e) => e.action === 'directory.merged' && e.subject === 'province:H43');
    expect(merged?.data).toMatchObject({ absorbed: 'H43', absorbing: 'H53', recoded: 1, folded: 2 });
    expect(entries.filter((e) => e.agencyId === longAnHealth).map((e) => e.action)).toEqual([
      'agency.code-closed',
    ]);
    expect((await walkAuditChain(prisma)).kind).toBe('intact');
  });

  it('changes nothing when run again, and refuses a mapping with codes outside the provinces', async () => {
    const again = await mergeProvinces(prisma, SYSTEM, input());
    expect(again.plan.steps.map((s) => s.kind)).toEqual(['done', 'done', 'done']);
    const wrong = await mergeProvinces(prisma, SYSTEM, {
      ...input(),
      mapping: [{ line: 2, oldCode: '000.00.77.H43', newCode: '000.00.77.H41', newName: null }],
    });
    expect(wrong.kind).toBe('refused');
    expect(wrong.plan.problems).toEqual([
      {
        line: 2,
        message: 'Mã mới 000.00.77.H41 không thuộc H53 / the new code 000.00.77.H41 is not under H53',
      },
    ]);
  });
});

describe('directory cache', () => {
  let database: Database;
  let other: PrismaClient;
  beforeAll(async () => {
    database = await openDatabase(
      { kind: 'postgres', url: db.url },
      { log: createSilentLogger(), purpose: 'test', migrate: false },
    );
    other = prismaFor(db.url, 2);
  });
  afterAll(async () => {
    await other.$disconnect();
    await database.close();
  });

  it('answers from memory and drops its copy when another process changes the directory', async () => {
    const cache = await attachDirectoryCache(database, { log: createSilentLogger() });
    try {
      expect(await resolveAgency(database.prisma, '000.00.50.H53')).toBeNull();
      expect(await resolveAgency(database.prisma, 'G12')).not.toBeNull();
      expect(cache.size()).toBe(2);
      // Another hub process adds the agency: its NOTIFY empties this process's copy at commit.
      await createPrismaAgencyDirectory(other).upsertAll([agency('000.00.50.H53')]);
      const deadline = Date.now() + 5000;
      while (cache.size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect((await resolveAgency(database.prisma, '000.00.50.H53'))?.organId).toBe('000.00.50.H53');
    } finally {
      await cache.stop();
    }
  });
});
