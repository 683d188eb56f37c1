import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Agency } from './agency.ts';
import { createPrismaAgencyDirectory } from './prisma-agency-directory.ts';

const agency = (organId: string, extra: Partial<Agency> = {}): Agency => ({
  organId,
  name: `Cơ quan ${organId}`,
  channel: 'hosted',
  signaturePolicy: 'record_only',
  emails: [],
  aliases: [],
  ...extra,
});

describe('prisma agency directory (PostgreSQL)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await createTestDatabase('directory');
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) });
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it('saves agencies with addresses and former codes, and finds them by either code', async () => {
    const directory = createPrismaAgencyDirectory(prisma);
    const result = await directory.upsertAll([
      agency('000.00.11.H53', {
        channel: 'email',
        emails: ['stc@tayninh.gov.vn'],
        aliases: ['000.00.11.H54'],
      }),
      agency('000.00.00.G22', { channel: 'partner' }),
    ]);
    expect(result).toEqual({
      kind: 'saved',
      created: 2,
      updated: 0,
      outcomes: [
        { organId: '000.00.11.H53', outcome: 'created' },
        { organId: '000.00.00.G22', outcome: 'created' },
      ],
    });
    expect((await directory.find('000.00.11.H54'))?.organId).toBe('000.00.11.H53');
    expect((await directory.list()).map((a) => a.organId)).toEqual(['000.00.00.G22', '000.00.11.H53']);
  });

  it('replaces an agency’s addresses and aliases on update', async () => {
    const directory = createPrismaAgencyDirectory(prisma);
    const result = await directory.upsertAll([
      agency('000.00.11.H53', { channel: 'email', emails: ['tc@tayninh.gov.vn'], name: 'Sở Tài chính' }),
    ]);
    expect(result).toEqual({
      kind: 'saved',
      created: 0,
      updated: 1,
      outcomes: [{ organId: '000.00.11.H53', outcome: 'updated' }],
    });
    expect(await directory.find('000.00.11.H53')).toMatchObject(
      agency('000.00.11.H53', { channel: 'email', emails: ['tc@tayninh.gov.vn'], name: 'Sở Tài chính' }),
    );
    expect(await directory.find('000.00.11.H54')).toBeUndefined();
  });

  it('writes nothing of a batch when one entry conflicts with another agency', async () => {
    const directory = createPrismaAgencyDirectory(prisma);
    const result = await directory.upsertAll([
      agency('000.00.12.H53'),
      agency('000.00.13.H53', { channel: 'email', emails: ['tc@tayninh.gov.vn'] }),
      agency('000.00.14.H53', { aliases: ['000.00.00.G22'] }),
    ]);
    expect(result).toEqual({
      kind: 'conflict',
      conflicts: [
        { organId: '000.00.13.H53', message: 'address tc@tayninh.gov.vn belongs to 000.00.11.H53' },
        {
          organId: '000.00.14.H53',
          message: 'alias 000.00.00.G22 is the current code of Cơ quan 000.00.00.G22',
        },
      ],
    });
    expect(await directory.find('000.00.12.H53')).toBeUndefined();
  });

  it('refuses a batch that claims one address for two agencies', async () => {
    const directory = createPrismaAgencyDirectory(prisma);
    const result = await directory.upsertAll([
      agency('000.00.15.H53', { emails: ['vp@x.gov.vn'] }),
      agency('000.00.16.H53', { emails: ['vp@x.gov.vn'] }),
    ]);
    expect(result).toEqual({
      kind: 'conflict',
      conflicts: [
        { organId: '000.00.16.H53', message: 'address vp@x.gov.vn is also given for 000.00.15.H53' },
      ],
    });
  });

  it('commits the caller’s work (the audit entry) with the change, and neither when that work fails', async () => {
    const directory = createPrismaAgencyDirectory(prisma);
    const seen: number[] = [];
    const saved = await directory.upsertAll([agency('000.00.17.H53')], {
      inTransaction: async (tx, result) => {
        seen.push(result.created, await tx.agency.count({ where: { organId: '000.00.17.H53' } }));
      },
    });
    expect(saved.kind).toBe('saved');
    expect(seen).toEqual([1, 1]);
    await expect(
      directory.upsertAll([agency('000.00.18.H53')], {
        inTransaction: () => Promise.reject(new TypeError('the audit trail is not writable')),
      }),
    ).rejects.toThrow('the audit trail is not writable');
    expect(await directory.find('000.00.18.H53')).toBeUndefined();
  });
});
