import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, prismaFor, receiveItem } from '../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { startTsaSimulator, type TsaSimulator } from '../../test/support/tsa-simulator.ts';
import type { PrismaClient } from '../db/index.ts';
import { readTrustPath, timestampAuthority, verifyTimestampToken } from '../signing/index.ts';
import {
  accumulate,
  anchorDigest,
  GENESIS_HASH,
  startAuditTimestamping,
  type AuditTimestamping,
} from './index.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let dir: string;
let tsa: TsaSimulator;
let agencyId: string;
const logged: { level: string; message: string; fields: object }[] = [];
const log = {
  info: (fields: object, message: string) => logged.push({ level: 'info', message, fields }),
  warn: (fields: object, message: string) => logged.push({ level: 'warn', message, fields }),
};

beforeAll(async () => {
  db = await createTestDatabase('audit_tsa');
  prisma = prismaFor(db.url, 4);
  dir = mkdtempSync(join(tmpdir(), 'lienthong-tsa-int-'));
  tsa = await startTsaSimulator(dir);
  agencyId = (await createAgency(prisma, '000.00.00.H53', 'UBND tỉnh Tây Ninh')).id;
});
afterAll(async () => {
  await tsa.close();
  await prisma.$disconnect();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

const head = async () => prisma.auditEntry.findFirstOrThrow({ orderBy: { seq: 'desc' } });

describe('daily time stamps of the audit chain head', () => {
  let job: AuditTimestamping;
  let now = new Date();
  const later = (hours: number) => {
    now = new Date(now.getTime() + hours * 3_600_000);
  };

  beforeAll(() => {
    job = startAuditTimestamping(
      prisma,
      timestampAuthority({ url: tsa.url, trustFile: tsa.trustFile, timeoutMs: 2_000 }),
      log,
      { checkEveryMs: 3_600_000, firstCheckMs: 3_600_000, clock: { now: () => now } },
    );
  });
  afterAll(async () => {
    await job.stop();
  });

  it('does nothing on an empty chain, then stamps the first head at once and keeps a checkable token', async () => {
    expect(await job.runOnce()).toEqual({ kind: 'empty' });
    await receiveItem(prisma, agencyId, 'mot');
    const outcome = await job.runOnce();
    const top = await head();
    expect(outcome).toMatchObject({ kind: 'stamped', seq: top.seq, hash: top.hash });
    const [row] = await prisma.auditTimestamp.findMany();
    expect(row).toMatchObject({ seq: top.seq, hash: top.hash, tsa: 'TSA thử nghiệm Lienthong' });
    const check = await verifyTimestampToken(
      new Uint8Array(row!.token),
      anchorDigest(top.seq, top.hash, row!.accumulator),
      await readTrustPath(tsa.trustFile),
    );
    expect(check).toMatchObject({ ok: true });
    expect(job.state()).toMatchObject({
      status: 'up',
      lastStamp: { seq: top.seq.toString() },
      lastError: null,
    });
  });

  it('waits a day before the next one, and skips a day when the head did not change', async () => {
    await receiveItem(prisma, agencyId, 'hai');
    later(1);
    expect(await job.runOnce()).toBeNull();
    later(24);
    const top = await head();
    expect(await job.runOnce()).toMatchObject({ kind: 'stamped', seq: top.seq });
    later(25);
    expect(await job.runOnce()).toMatchObject({ kind: 'unchanged', seq: top.seq });
    expect(await prisma.auditTimestamp.count()).toBe(2);
  });

  it('on demand, stamps a changed head before the day is over', async () => {
    await receiveItem(prisma, agencyId, 'ba');
    later(1);
    const top = await head();
    expect(await job.runOnce(true)).toMatchObject({ kind: 'stamped', seq: top.seq });
  });

  it('logs a failure, shows it, and retries at the next check until the authority answers', async () => {
    await receiveItem(prisma, agencyId, 'bon');
    later(1);
    tsa.fault = { kind: 'http-500' };
    expect(await job.runOnce(true)).toMatchObject({ kind: 'failed' });
    const state = job.state();
    expect(state.status).toBe('down');
    expect(state.lastError?.vi).toMatch(/HTTP 500/);
    expect(logged.at(-1)).toMatchObject({ level: 'warn', message: 'audit time stamp failed; will retry' });
    // Not a day after the last time stamp, yet the next check tries again: the failure is pending.
    later(0.25);
    tsa.fault = { kind: 'none' };
    const top = await head();
    expect(await job.runOnce()).toMatchObject({ kind: 'stamped', seq: top.seq });
    expect(job.state()).toMatchObject({ status: 'up', lastError: null });
    later(0.25);
    expect(await job.runOnce()).toBeNull();
  });

  it('two rounds asked at once make one request', async () => {
    await receiveItem(prisma, agencyId, 'nam');
    const before = tsa.requests();
    const [a, b] = await Promise.all([job.runOnce(true), job.runOnce(true)]);
    expect(a).toEqual(b);
    expect(tsa.requests() - before).toBe(1);
  });

  it('carries the accumulator of every hash of the chain from one time stamp to the next', async () => {
    const entries = await prisma.auditEntry.findMany({
      orderBy: { seq: 'asc' },
      select: { seq: true, hash: true },
    });
    const stamps = await prisma.auditTimestamp.findMany({ orderBy: { id: 'asc' } });
    expect(stamps.length).toBeGreaterThan(3);
    for (const stamp of stamps) {
      let expected = GENESIS_HASH;
      for (const entry of entries) if (entry.seq <= stamp.seq) expected = accumulate(expected, entry.hash);
      expect(stamp.accumulator).toBe(expected);
    }
  });
});
