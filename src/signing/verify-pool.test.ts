import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEdxmlPackage } from './test-support/edxml-package.ts';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';
import { buildXmlCases, signAs, type XmlCase } from './test-support/xmldsig-cases.ts';
import type { TrustMaterial } from './trust-store.ts';
import { VerifyPool } from './verify-pool.ts';
import { verifyEdxmlSignature } from './xmldsig-verify.ts';

let pki: TestPki;
let cases: XmlCase[];
let pool: VerifyPool;

beforeAll(async () => {
  pki = await createTestPki();
  cases = buildXmlCases(pki);
  pool = await VerifyPool.start({ trust: pki.material, size: 2 });
});

afterAll(async () => {
  await pool.close();
});

describe('VerifyPool', () => {
  it('verifies packages on worker threads with the same verdicts as in-process', async () => {
    const good = Buffer.from(signAs(makeEdxmlPackage(), pki.leaf));
    const forged = Buffer.from(good.toString('utf8').replace('Sở Tài chính', 'Sở Giả mạo'));
    const untrusted = Buffer.from(signAs(makeEdxmlPackage(), pki.untrustedLeaf));
    const results = await Promise.all(
      [good, forged, untrusted, good].map((bytes) => pool.verifyEdxml(bytes, new Date(), true)),
    );
    expect(results.map((r) => [r.verdict.status, r.verdict.chain, r.verdict.trusted])).toEqual([
      ['valid', 'trusted', true],
      ['invalid', 'trusted', false],
      ['valid', 'untrusted', false],
      ['valid', 'trusted', true],
    ]);
    expect(results[0]!.signedXml).toContain('000.00.11.H53');
    expect(pool.size).toBe(2);
  });

  it('gives every signing fixture exactly the verdict and signed XML of inline verification', async () => {
    const at = new Date();
    // Each case brings its own material (CRLs, pins), so the workers switch material between jobs.
    let current: TrustMaterial = pki.material;
    const switching = await VerifyPool.start({ trust: () => Promise.resolve(current), size: 2 });
    try {
      for (const row of cases) {
        current = row.material;
        const bytes = Buffer.from(row.xml);
        const [pooled, inline] = await Promise.all([
          switching.verifyEdxml(bytes, at, true),
          verifyEdxmlSignature(bytes, row.material, { at }),
        ]);
        expect({ name: row.name, ...pooled }).toEqual({ name: row.name, ...inline });
      }
    } finally {
      await switching.close();
    }
  });

  it('checks the next job against reloaded trust material (a CRL added, an anchor removed)', async () => {
    const revoked = Buffer.from(signAs(makeEdxmlPackage(), pki.revoked));
    const good = Buffer.from(signAs(makeEdxmlPackage(), pki.leaf));
    let material: TrustMaterial = pki.material;
    const reloading = await VerifyPool.start({ trust: () => Promise.resolve(material), size: 2 });
    try {
      expect((await reloading.verifyEdxml(revoked, new Date())).verdict.chain).toBe('trusted');
      material = pki.materialWithCrl;
      const [afterCrl, stillGood] = await Promise.all([
        reloading.verifyEdxml(revoked, new Date()),
        reloading.verifyEdxml(good, new Date()),
      ]);
      expect(afterCrl.verdict.chain).toBe('revoked');
      expect(stillGood.verdict.trusted).toBe(true);
      material = { ...pki.material, anchors: [] };
      const verdicts = await Promise.all([good, good, good].map((b) => reloading.verifyEdxml(b, new Date())));
      expect(verdicts.map((v) => v.verdict.trusted)).toEqual([false, false, false]);
    } finally {
      await reloading.close();
    }
  });

  it('answers every job when a worker is killed mid-job: a new worker takes them, none is lost', async () => {
    const lost: number[] = [];
    const crashing = await VerifyPool.start({
      trust: pki.material,
      size: 2,
      onWorkerLost: (event) => lost.push(event.jobs),
    });
    try {
      // Packages of about 2 MB keep a worker busy long enough to be killed with jobs in flight.
      const big = Array.from({ length: 6 }, () =>
        Buffer.from(signAs(makeEdxmlPackage({ size: 2_000_000 }), pki.leaf)),
      );
      const jobs = big.map((bytes) => crashing.verifyEdxml(bytes, new Date(), true));
      await crashing.killWorker(0);
      const results = await Promise.all(jobs);
      expect(results.map((r) => r.verdict.trusted)).toEqual([true, true, true, true, true, true]);
      expect(results.every((r) => r.signedXml?.includes('000.00.11.H53'))).toBe(true);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeGreaterThan(0);
      expect(crashing.size).toBe(2);
      const after = await crashing.verifyEdxml(big[0]!, new Date());
      expect(after.verdict.trusted).toBe(true);
    } finally {
      await crashing.close();
    }
  });

  it('answers with SIGNING_WORKER_FAILED, not silence, when the job loses its worker twice', async () => {
    const crashing = await VerifyPool.start({ trust: pki.material, size: 1 });
    try {
      const bytes = Buffer.from(signAs(makeEdxmlPackage({ size: 2_000_000 }), pki.leaf));
      const job = crashing.verifyEdxml(bytes, new Date());
      const settled = job.then(
        () => 'answered',
        (error: unknown) => (error as { code?: string }).code,
      );
      await crashing.killWorker(0);
      // The job went to the replacement at once, which is still starting: kill that one too.
      await crashing.killWorker(0);
      expect(await settled).toBe('SIGNING_WORKER_FAILED');
      expect((await crashing.verifyEdxml(bytes, new Date())).verdict.trusted).toBe(true);
    } finally {
      await crashing.close();
    }
  });

  it('refuses jobs after close instead of leaving them waiting', async () => {
    const closing = await VerifyPool.start({ trust: pki.material, size: 1 });
    const bytes = Buffer.from(signAs(makeEdxmlPackage({ size: 2_000_000 }), pki.leaf));
    const inFlight = closing.verifyEdxml(bytes, new Date()).then(
      () => 'answered',
      (error: unknown) => (error as { code?: string }).code,
    );
    await closing.close();
    expect(await inFlight).toBe('SIGNING_WORKER_FAILED');
    await expect(closing.verifyEdxml(bytes, new Date())).rejects.toMatchObject({
      code: 'SIGNING_WORKER_FAILED',
    });
  });
});
