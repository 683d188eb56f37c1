import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import type { PrismaClient } from '../db/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import { moveDelivery } from './apply-status.ts';

// A status from the recipient and the sender's own "published" may be applied at the same moment
// by two transactions (the axis accepted, the hub's call timed out, the answer came before the
// retry recorded it). Neither may overwrite the other: on a real PostgreSQL, two transactions
// interleaved so that the second reads while the first holds its change uncommitted.
let db: TestDatabase;
let prisma: PrismaClient;
const log = createSilentLogger();

beforeAll(async () => {
  db = await createTestDatabase('applystatus');
  prisma = prismaFor(db.url, 4);
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

async function queuedDelivery(n: number) {
  const pkg = await prisma.relayPackage.create({
    data: {
      kind: 'edoc',
      fromOrganId: '000.00.00.H53',
      documentKey: `000.00.00.H53,2026/12/07,${n}/UBND-VP`,
      sha256: String(n).padStart(64, '0'),
      submittedVia: 'cli',
      submittedBy: 'test',
    },
  });
  const key = { packageId: pkg.id, toOrganId: '000.00.00.G22' };
  await prisma.relayDelivery.create({
    data: { ...key, state: 'queued', history: [{ state: 'queued', note: 'accepted for relay' }] },
  });
  return key;
}

describe('moveDelivery under concurrent moves', () => {
  it('keeps the recipient’s 03 when the sender records "published" while it commits', async () => {
    const key = await queuedDelivery(1);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let statusMoved!: () => void;
    const statusApplied = new Promise<void>((r) => (statusMoved = r));
    const statusTx = prisma.$transaction(
      async (tx) => {
        await moveDelivery(tx, log, key, 'accepted', 'status 03', undefined, { statusCode: '03' });
        statusMoved();
        await held; // uncommitted while the sender's transaction starts
      },
      { timeout: 20_000 },
    );
    await statusApplied;
    const publishTx = prisma.$transaction(
      (tx) => moveDelivery(tx, log, key, 'published', 'broker confirmed'),
      {
        timeout: 20_000,
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    release();
    await statusTx;
    expect(await publishTx).toBe(false); // published after accepted: ignored, not applied
    const row = await prisma.relayDelivery.findUniqueOrThrow({ where: { packageId_toOrganId: key } });
    expect(row.state).toBe('accepted');
    const history = row.history as { state: string; outcome?: string }[];
    expect(history.map((h) => [h.state, h.outcome])).toEqual([
      ['queued', undefined],
      ['accepted', 'moved'],
      ['published', 'ignored'],
    ]);
  });

  it('applies a hundred moves racing on one delivery, each in the history once, the furthest state kept', async () => {
    const key = await queuedDelivery(2);
    const wanted = ['published', 'received', 'accepted', 'assigned', 'processing'] as const;
    const moves = Array.from({ length: 100 }, (_, i) => wanted[i % wanted.length] ?? 'published');
    await Promise.all(
      moves.map((to, i) => prisma.$transaction((tx) => moveDelivery(tx, log, key, to, `move ${String(i)}`))),
    );
    const row = await prisma.relayDelivery.findUniqueOrThrow({ where: { packageId_toOrganId: key } });
    expect(row.state).toBe('processing');
    const notes = (row.history as { note: string }[]).map((h) => h.note).filter((n) => n.startsWith('move '));
    expect(new Set(notes).size).toBe(100);
  });

  it('answers false for a delivery that does not exist, writing nothing', async () => {
    const moved = await prisma.$transaction((tx) =>
      moveDelivery(
        tx,
        log,
        { packageId: '00000000-0000-4000-8000-000000000000', toOrganId: 'x' },
        'failed',
        'n',
      ),
    );
    expect(moved).toBe(false);
  });
});
