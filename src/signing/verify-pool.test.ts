import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEdxmlPackage } from './test-support/edxml-package.ts';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';
import { signAs } from './test-support/xmldsig-cases.ts';
import { VerifyPool } from './verify-pool.ts';

let pki: TestPki;
let pool: VerifyPool;

beforeAll(async () => {
  pki = await createTestPki();
  pool = await VerifyPool.start({ material: pki.material, size: 2 });
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
});
