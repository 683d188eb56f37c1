import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../shared/index.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { claimSpooled, spoolMessage } from '../ingest/spool/mail-spool.ts';
import { putBlobs, sha256Hex } from '../registry/blob-store.ts';
import type { MailEnvelope } from '../ingest/ingest-message.ts';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { directSql, openDatabase, postgresClient, type Database } from './index.ts';

/**
 * The statements that bypass Prisma (spool in and out, blobs) give the same values on every
 * driver the hub runs on: pg under PostgreSQL, PGlite embedded, and Prisma's own raw queries
 * for a client made elsewhere. Bytes must come back byte-exact, ids as bigint, NUL-free JSON.
 */
let db: TestDatabase;
let embedded: Database;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-direct-'));
const clients: { name: string; prisma: PrismaClient }[] = [];

beforeAll(async () => {
  db = await createTestDatabase('directsql');
  embedded = await openDatabase(
    { kind: 'embedded', dir: dataDir },
    { log: createSilentLogger(), purpose: 'direct-sql test', migrate: true },
  );
  clients.push(
    { name: 'pg pool', prisma: postgresClient(db.url, { max: 2 }) },
    { name: 'PGlite', prisma: embedded.prisma },
    {
      name: 'Prisma fallback',
      prisma: new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) }),
    },
  );
}, 120_000);

afterAll(async () => {
  for (const { name, prisma } of clients) if (name !== 'PGlite') await prisma.$disconnect();
  await embedded.close();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const envelope: MailEnvelope = {
  source: 'smtp',
  mailFrom: 'van\u0000thu@stc.example.vn',
  recipients: [{ agencyId: '7b0f1f4e-0000-4000-8000-000000000001', organId: '000.00.00.H53' }],
  client: { ip: '127.0.0.1', helo: 'mail.example', mta: 'lienthong.local' },
};

describe.each(['pg pool', 'PGlite', 'Prisma fallback'])('direct statements through %s', (name) => {
  const prismaOf = () => {
    const found = clients.find((c) => c.name === name);
    if (!found) throw new Error(`no client ${name}`);
    return found.prisma;
  };

  it('spool a message and claim it back byte-exact, once', async () => {
    const prisma = prismaOf();
    // every byte value, and a size that crosses the drivers' chunking
    const raw = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(70_000)]);
    const id = await spoolMessage(prisma, raw, envelope);
    expect(typeof id).toBe('bigint');

    const claimed = await claimSpooled(prisma, 50, 60_000);
    const mine = claimed.find((m) => m.id === id);
    expect(mine).toBeDefined();
    expect(Buffer.isBuffer(mine?.raw)).toBe(true);
    expect(mine?.raw.equals(raw)).toBe(true);
    expect(mine?.attempts).toBe(1);
    expect(mine?.receivedAt).toBeInstanceOf(Date);
    // NUL is not allowed in jsonb: it is replaced, the rest of the envelope kept
    expect(mine?.envelope).toEqual({ ...envelope, mailFrom: 'van\ufffdthu@stc.example.vn' });
    // held: a second claim does not see it
    expect((await claimSpooled(prisma, 50, 60_000)).some((m) => m.id === id)).toBe(false);
  });

  it('writes blobs idempotently', async () => {
    const prisma = prismaOf();
    const a = randomBytes(40_000);
    const b = new Uint8Array(randomBytes(10));
    const blobs = new Map([
      [sha256Hex(a), a],
      [sha256Hex(b), b],
    ]);
    await putBlobs(directSql(prisma), blobs);
    await putBlobs(directSql(prisma), blobs); // the same content again: no error, one row
    const rows = await prisma.blob.findMany({ where: { sha256: { in: [...blobs.keys()] } } });
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const original = blobs.get(row.sha256);
      expect(original && Buffer.from(row.content).equals(Buffer.from(original))).toBe(true);
      expect(row.size).toBe(original?.length);
    }
  });
});
