import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { readMigrationFiles, type PrismaClient } from '../db/index.ts';

// Delivery history entries carry what a status said as fields (statusCode, description); the
// entries written before carried it only in their note. The data migration rewrites those, so
// no code parses notes. Run against rows in the old shape on a real PostgreSQL.
let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('deliveryhistory');
  prisma = prismaFor(db.url, 2);
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

const BACKFILL = '20261202180000_delivery_history_status_fields';

describe('delivery history status fields (migration backfill)', () => {
  it('moves the status code and description out of old notes, leaving other entries as they were', async () => {
    const pkg = await prisma.relayPackage.create({
      data: {
        kind: 'edoc',
        fromOrganId: '000.00.11.H53',
        documentKey: '000.00.11.H53,2026/11/20,1/STC-VP',
        sha256: 'a'.repeat(64),
        submittedVia: 'amqp',
        submittedBy: 'test',
      },
    });
    const old = [
      { state: 'queued', at: '2026-11-20T01:00:00.000Z', note: 'accepted for relay', outcome: 'moved' },
      { state: 'received', at: '2026-11-20T01:00:01.000Z', note: 'status 01', outcome: 'moved' },
      {
        state: 'rejected',
        at: '2026-11-20T01:00:02.000Z',
        note: 'status 02: Sai thể thức: thiếu chữ ký',
        outcome: 'moved',
      },
    ];
    await prisma.relayDelivery.create({
      data: { packageId: pkg.id, toOrganId: '000.00.22.H53', state: 'rejected', history: old },
    });
    const migration = readMigrationFiles().find((f) => f.name === BACKFILL);
    expect(migration, `${BACKFILL} is among the migrations`).toBeDefined();
    await prisma.$executeRawUnsafe(migration?.sql ?? '');
    // Applying it twice changes nothing (entries that have the fields are left alone).
    await prisma.$executeRawUnsafe(migration?.sql ?? '');
    const row = await prisma.relayDelivery.findUniqueOrThrow({
      where: { packageId_toOrganId: { packageId: pkg.id, toOrganId: '000.00.22.H53' } },
    });
    expect(row.history).toEqual([
      old[0],
      { ...old[1], statusCode: '01' },
      { ...old[2], statusCode: '02', description: 'Sai thể thức: thiếu chữ ký' },
    ]);
  });
});
