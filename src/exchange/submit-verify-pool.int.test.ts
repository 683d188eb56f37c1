import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentPackage } from '../../test/support/relay-fixtures.ts';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { openDatabase, type Database, type PrismaClient } from '../db/index.ts';
import {
  attachDirectoryCache,
  createPrismaAgencyDirectory,
  type Agency,
  type AttachedDirectoryCache,
} from '../directory/index.ts';
import { createSilentLogger, type Clock } from '../shared/index.ts';
import { cachedTrustStore, VerifyPool, type TrustMaterial } from '../signing/index.ts';
import { createTestPki, type TestPki } from '../signing/test-support/test-pki.ts';
import { signAs } from '../signing/test-support/xmldsig-cases.ts';
import type { RelayDeps } from './relay-deps.ts';
import { submitPackage, type Submitter } from './submit-package.ts';

/**
 * The submit path with signatures verified on the worker pool (issue 21): the same outcomes as
 * inline verification, trust reloads followed, a killed worker costing no submission; and the
 * directory cache never answering for a sender as it was before an admin's change.
 */
const HUB = '000.00.00.H53';
const A = '000.00.11.H53'; // the test PKI's leaf signs for this agency
const B = '000.00.12.H53';

const agency = (organId: string, extra: Partial<Agency> = {}): Agency => ({
  organId,
  name: `Cơ quan ${organId}`,
  channel: 'partner',
  signaturePolicy: 'record_only',
  emails: [],
  aliases: [],
  ...extra,
});

const fromA: Submitter = { via: 'amqp', organId: A, label: 'broker:test-A' };
// One receipt time for both paths, so their verdicts (checkedAt included) compare whole.
const at = new Date();
const fixedClock: Clock = { now: () => at };

let db: TestDatabase;
let database: Database;
let other: PrismaClient;
let cache: AttachedDirectoryCache;
let pki: TestPki;
let pool: VerifyPool;
let material: TrustMaterial;
let deps: RelayDeps;
let inlineDeps: RelayDeps;

const signed = (extra: { subject?: string; bytes?: number } = {}) =>
  Buffer.from(
    signAs(
      documentPackage({
        from: A,
        to: [B],
        ...(extra.subject ? { subject: extra.subject } : {}),
        ...(extra.bytes
          ? { attachments: [{ name: 'phuluc.pdf', bytes: Buffer.alloc(extra.bytes, 0x25) }] }
          : {}),
      }).toString('utf8'),
      pki.leaf,
    ),
  );

beforeAll(async () => {
  db = await createTestDatabase('submit_verify_pool');
  database = await openDatabase(
    { kind: 'postgres', url: db.url },
    { log: createSilentLogger(), purpose: 'test', migrate: false },
  );
  other = prismaFor(db.url, 2);
  cache = await attachDirectoryCache(database, { log: createSilentLogger() });
  const directory = createPrismaAgencyDirectory(database.prisma);
  await directory.upsertAll([agency(HUB, { channel: 'hosted' }), agency(A), agency(B)]);
  pki = await createTestPki();
  material = pki.material;
  // Re-read on every call, as the hub's cached store is once a minute: each reload is a new object.
  const trustStore = cachedTrustStore({ load: () => Promise.resolve({ ...material }) }, 0);
  const trust = () => trustStore.load();
  pool = await VerifyPool.start({ trust, size: 2 });
  const base = {
    prisma: database.prisma,
    directory,
    trust,
    clock: fixedClock,
    log: createSilentLogger(),
    ownOrganId: HUB,
    maxMessageBytes: 10_000_000,
  };
  inlineDeps = base;
  deps = { ...base, verifyEdxml: async (bytes, when) => (await pool.verifyEdxml(bytes, when)).verdict };
});

afterAll(async () => {
  await pool.close();
  await cache.stop();
  await other.$disconnect();
  await database.close();
  await db.drop();
});

describe('submitted packages verified on the worker pool', () => {
  it('records the verdict inline verification gives, and refuses what inline refuses, in the same words', async () => {
    const good = signed();
    const forged = Buffer.from(good.toString('utf8').replace('Cơ quan 000.00.12.H53', 'Cơ quan giả mạo'));
    const pooled = await submitPackage(deps, fromA, good);
    expect(pooled.kind).toBe('accepted');
    const row = await database.prisma.relayPackage.findFirstOrThrow({
      where: { id: pooled.kind === 'accepted' ? pooled.packageId : '' },
    });
    const inline = await submitPackage(inlineDeps, fromA, signed());
    expect(inline.kind).toBe('accepted');
    const inlineRow = await database.prisma.relayPackage.findFirstOrThrow({
      where: { id: inline.kind === 'accepted' ? inline.packageId : '' },
    });
    expect(row.verdict).toEqual(inlineRow.verdict);
    expect(row.verdict).toMatchObject({ status: 'valid', chain: 'trusted', trusted: true });

    const [refusedPooled, refusedInline] = [
      await submitPackage(deps, fromA, forged),
      await submitPackage(inlineDeps, fromA, forged),
    ];
    expect(refusedPooled.kind).toBe('refused');
    expect(refusedPooled).toEqual(refusedInline);
  });

  it('judges the next submission by reloaded trust material (a CRL naming the signer)', async () => {
    await createPrismaAgencyDirectory(database.prisma).upsertAll([
      agency(A, { signaturePolicy: 'require_trusted' }),
    ]);
    const byRevoked = () =>
      Buffer.from(signAs(documentPackage({ from: A, to: [B] }).toString('utf8'), pki.revoked));
    try {
      expect((await submitPackage(deps, fromA, byRevoked())).kind).toBe('accepted');
      material = pki.materialWithCrl;
      const after = await submitPackage(deps, fromA, byRevoked());
      expect(after.kind).toBe('refused');
      expect(after.kind === 'refused' ? after.reasons.join(' ') : '').toContain('revoked');
    } finally {
      material = pki.material;
      await createPrismaAgencyDirectory(database.prisma).upsertAll([agency(A)]);
    }
  });

  it('loses no submission when a worker is killed while verifying it', async () => {
    const lost: number[] = [];
    const crashing = await VerifyPool.start({
      trust: () => Promise.resolve(material),
      size: 2,
      onWorkerLost: (event) => lost.push(event.jobs),
    });
    try {
      const crashDeps: RelayDeps = {
        ...deps,
        verifyEdxml: async (bytes, when) => (await crashing.verifyEdxml(bytes, when)).verdict,
      };
      const packages = Array.from({ length: 4 }, () => signed({ bytes: 1_500_000 }));
      const submissions = packages.map((bytes) => submitPackage(crashDeps, fromA, bytes));
      // Let the checks before verification run, so the jobs are on the workers.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && crashing.pendingJobs < 4) await new Promise((r) => setTimeout(r, 5));
      await crashing.killWorker(0);
      const outcomes = await Promise.all(submissions);
      expect(outcomes.map((o) => o.kind)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
      expect(lost).toEqual([expect.any(Number)]);
      expect(lost[0]).toBeGreaterThan(0);
      const ids = outcomes.map((o) => (o.kind === 'accepted' ? o.packageId : ''));
      expect(await database.prisma.relayPackage.count({ where: { id: { in: ids } } })).toBe(4);
    } finally {
      await crashing.close();
    }
  });
});

describe('the sender as the directory says now (directory cache)', () => {
  const unsigned = () => documentPackage({ from: A, to: [B] });

  it('refuses an unsigned package the moment an admin of this hub requires trusted signatures from its sender', async () => {
    expect((await submitPackage(deps, fromA, unsigned())).kind).toBe('accepted');
    expect(cache.size()).toBeGreaterThan(0);
    await createPrismaAgencyDirectory(database.prisma).upsertAll([
      agency(A, { signaturePolicy: 'require_trusted' }),
    ]);
    try {
      const refused = await submitPackage(deps, fromA, unsigned());
      expect(refused.kind).toBe('refused');
      expect(refused.kind === 'refused' ? refused.reasons.join(' ') : '').toContain('trusted signature');
    } finally {
      await createPrismaAgencyDirectory(database.prisma).upsertAll([agency(A)]);
    }
  });

  it('follows a change written by another hub process once its notification arrives', async () => {
    expect((await submitPackage(deps, fromA, unsigned())).kind).toBe('accepted');
    expect(cache.size()).toBeGreaterThan(0);
    await createPrismaAgencyDirectory(other).upsertAll([agency(A, { signaturePolicy: 'require_trusted' })]);
    try {
      const deadline = Date.now() + 5000;
      while (cache.size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const refused = await submitPackage(deps, fromA, unsigned());
      expect(refused.kind).toBe('refused');
    } finally {
      await createPrismaAgencyDirectory(other).upsertAll([agency(A)]);
    }
  });
});
