import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/index.ts';
import { auditHash, GENESIS_HASH, receiveIntakeItems, contentDedupKey } from '../../src/registry/index.ts';
import { hubEnv, runCli } from '../support/hub-process.ts';
import { createAgency, prismaFor, SYSTEM } from '../support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

type Setup = { db: TestDatabase; prisma: PrismaClient; env: Record<string, string> };

/** A database with 6 audit entries, anchored through the CLI at entry 6. */
async function anchoredTrail(): Promise<Setup> {
  const db = await createTestDatabase('audit');
  const prisma = prismaFor(db.url, 2);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-audit-'));
  cleanups.push(async () => {
    await prisma.$disconnect();
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const agency = await createAgency(prisma, '000.00.00.H53');
  for (let i = 0; i < 6; i += 1) {
    const raw = Buffer.from(`item ${i}`);
    await receiveIntakeItems(prisma, SYSTEM, {
      source: 'upload',
      raw,
      agencyIds: [agency.id],
      dedupKey: contentDedupKey('x', raw),
    });
  }
  const env = hubEnv({ DATABASE_URL: db.url, LIENTHONG_DATA_DIR: dataDir });
  const anchored = await runCli(['audit', 'anchor'], env);
  expect(anchored.stdout).toMatch(/^anchored entry \d+/);
  return { db, prisma, env };
}

/** What an attacker with database rights does first: switch off the append-only trigger. */
async function tamper(prisma: PrismaClient, sql: string): Promise<void> {
  await prisma.$executeRawUnsafe('ALTER TABLE audit_entry DISABLE TRIGGER USER');
  await prisma.$executeRawUnsafe(sql);
  await prisma.$executeRawUnsafe('ALTER TABLE audit_entry ENABLE TRIGGER USER');
}

const seqs = async (prisma: PrismaClient) =>
  (await prisma.auditEntry.findMany({ orderBy: { seq: 'asc' }, select: { seq: true } })).map((r) => r.seq);

describe('lienthong audit verify', () => {
  it('passes an untouched trail, and the database refuses edits while the trigger stands', async () => {
    const { prisma, env } = await anchoredTrail();
    const result = await runCli(['audit', 'verify'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ intact: true, entries: 6 });
    await expect(prisma.$executeRawUnsafe(`UPDATE audit_entry SET actor = 'x'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(prisma.$executeRawUnsafe(`DELETE FROM audit_entry`)).rejects.toThrow(/append-only/);
  });

  it('names the edited row', async () => {
    const { prisma, env } = await anchoredTrail();
    const third = (await seqs(prisma))[2];
    await tamper(prisma, `UPDATE audit_entry SET actor = 'user:someone-else' WHERE seq = ${third}`);
    const result = await runCli(['audit', 'verify'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`from entry ${third}: entry ${third} was changed after it was written`);
  });

  it('names the row after a deleted one', async () => {
    const { prisma, env } = await anchoredTrail();
    const all = await seqs(prisma);
    await tamper(prisma, `DELETE FROM audit_entry WHERE seq = ${all[2]}`);
    const result = await runCli(['audit', 'verify'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`from entry ${all[3]}: entry ${all[3]} does not follow entry ${all[1]}`);
  });

  it('catches a chain recomputed after an edit, through the exported anchor', async () => {
    const { prisma, env } = await anchoredTrail();
    const rows = await prisma.auditEntry.findMany({ orderBy: { seq: 'asc' } });
    let prev = GENESIS_HASH;
    await prisma.$executeRawUnsafe('ALTER TABLE audit_entry DISABLE TRIGGER USER');
    for (const [index, row] of rows.entries()) {
      const actor = index === 2 ? 'user:forger' : row.actor;
      const hash = auditHash(prev, { ...row, actor });
      await prisma.auditEntry.update({ where: { seq: row.seq }, data: { actor, prevHash: prev, hash } });
      prev = hash;
    }
    await prisma.$executeRawUnsafe('ALTER TABLE audit_entry ENABLE TRIGGER USER');
    const result = await runCli(['audit', 'verify'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the chain was rewritten: entry \d+ no longer has the hash anchored/);
  });

  it('catches the newest rows dropped below the last anchor', async () => {
    const { prisma, env } = await anchoredTrail();
    const all = await seqs(prisma);
    await tamper(prisma, `DELETE FROM audit_entry WHERE seq >= ${all[4]}`);
    const result = await runCli(['audit', 'verify'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `from entry ${all[4]}: the chain ends at entry ${all[3]} but entry ${all[5]} was anchored`,
    );
  });
});
