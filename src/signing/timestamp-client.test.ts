import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsaSimulator, type TsaFault, type TsaSimulator } from '../../test/support/tsa-simulator.ts';
import { readTrustPath } from './file-trust-store.ts';
import { requestTimestamp, timestampAuthority } from './timestamp-client.ts';
import { timestampWords, verifyTimestampToken, type TimestampProblem } from './timestamp-token.ts';
import type { TrustMaterial } from './trust-store.ts';

let dir: string;
let tsa: TsaSimulator;
let trust: TrustMaterial;
const digest = createHash('sha256')
  .update('lienthong audit head 7 ' + 'ab'.repeat(32))
  .digest();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lienthong-tsa-'));
  tsa = await startTsaSimulator(dir);
  trust = await readTrustPath(tsa.trustFile);
});
afterAll(async () => {
  await tsa.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = (timeoutMs = 5_000) => requestTimestamp({ url: tsa.url, trust, timeoutMs }, digest);

describe('requestTimestamp against the RFC 3161 simulator', () => {
  it('returns a token that is checked: imprint, nonce, signature, timeStamping purpose, chain', async () => {
    tsa.fault = { kind: 'none' };
    const outcome = await ask();
    expect(outcome).toMatchObject({ ok: true, tsa: 'TSA thử nghiệm Lienthong' });
    if (!outcome.ok) return;
    expect(Math.abs(outcome.genTime.getTime() - Date.now())).toBeLessThan(10_000);
    // Offline, later: the same token for the same digest, no nonce to compare.
    expect(await verifyTimestampToken(outcome.token, digest, trust)).toMatchObject({ ok: true });
    // For another hash it does not hold.
    const other = createHash('sha256').update('another head').digest();
    const wrong = await verifyTimestampToken(outcome.token, other, trust);
    expect(wrong).toMatchObject({ ok: false, problem: { kind: 'wrong-imprint' } });
  });

  it('makes tokens openssl ts -verify accepts for the digest and the simulator root', async () => {
    tsa.fault = { kind: 'none' };
    const outcome = await ask();
    if (!outcome.ok) throw new Error('no token');
    const tokenPath = join(dir, 'token.der');
    writeFileSync(tokenPath, outcome.token);
    const verified = execFileSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-token_in',
        '-in',
        tokenPath,
        '-digest',
        digest.toString('hex'),
        '-CAfile',
        tsa.trustFile,
      ],
      { encoding: 'utf8' },
    );
    expect(verified).toContain('Verification: OK');
    const datumPath = join(dir, 'datum.txt');
    writeFileSync(datumPath, 'not the datum');
    const refused = spawnSync(
      'openssl',
      ['ts', '-verify', '-token_in', '-in', tokenPath, '-data', datumPath, '-CAfile', tsa.trustFile],
      { encoding: 'utf8' },
    );
    expect(refused.status).not.toBe(0);
  });

  const cases: {
    fault: TsaFault;
    problem: Partial<TimestampProblem>;
    vi: RegExp;
    en: RegExp;
    timeoutMs?: number;
  }[] = [
    {
      fault: { kind: 'reject', failInfo: [0, 25], text: 'thuật toán không hỗ trợ' },
      problem: { kind: 'rejected', failInfo: ['badAlg', 'systemFailure'] },
      vi: /không cấp dấu thời gian \(từ chối\): thuật toán băm không được hỗ trợ; hệ thống của đơn vị cấp dấu thời gian gặp sự cố/,
      en: /rejection.*badAlg.*systemFailure/,
    },
    {
      fault: { kind: 'reject', failInfo: [14] },
      problem: { kind: 'rejected', failInfo: ['timeNotAvailable'] },
      vi: /nguồn thời gian/,
      en: /time source is not available/,
    },
    { fault: { kind: 'waiting' }, problem: { kind: 'rejected', status: 3 }, vi: /đang chờ/, en: /waiting/ },
    { fault: { kind: 'wrong-nonce' }, problem: { kind: 'wrong-nonce' }, vi: /nonce/, en: /replay/ },
    {
      fault: { kind: 'wrong-imprint' },
      problem: { kind: 'wrong-imprint' },
      vi: /giá trị băm khác/,
      en: /another hash/,
    },
    {
      fault: { kind: 'untrusted-signer' },
      problem: { kind: 'untrusted-tsa', tsa: 'TSA giả mạo' },
      vi: /không thuộc chuỗi tin cậy/,
      en: /does not chain to the configured trust/,
    },
    {
      fault: { kind: 'no-timestamping-usage' },
      problem: { kind: 'no-timestamping-usage' },
      vi: /không phải chứng thư cấp dấu thời gian/,
      en: /not a time-stamping certificate/,
    },
    {
      fault: { kind: 'http-500' },
      problem: { kind: 'http-error', status: 500 },
      vi: /HTTP 500/,
      en: /HTTP 500/,
    },
    {
      fault: { kind: 'not-a-reply' },
      problem: { kind: 'not-a-reply' },
      vi: /không trả lời bằng phản hồi dấu thời gian/,
      en: /did not answer with an RFC 3161/,
    },
    {
      fault: { kind: 'slow', ms: 1_500 },
      problem: { kind: 'timeout' },
      vi: /không trả lời trong 0.3 giây/,
      en: /within 0.3 s/,
      timeoutMs: 300,
    },
    {
      fault: { kind: 'silent' },
      problem: { kind: 'timeout' },
      vi: /không trả lời trong/,
      en: /did not answer within/,
      timeoutMs: 300,
    },
  ];

  it.each(cases)('names the fault $fault.kind in words', async ({ fault, problem, vi, en, timeoutMs }) => {
    tsa.fault = fault;
    const outcome = await ask(timeoutMs);
    tsa.fault = { kind: 'none' };
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problem).toMatchObject(problem);
    const words = timestampWords(outcome.problem);
    expect(words.vi).toMatch(vi);
    expect(words.en).toMatch(en);
  });

  it('says when the authority cannot be reached at all', async () => {
    const outcome = await requestTimestamp(
      { url: 'http://127.0.0.1:9/tsa', trust, timeoutMs: 2_000 },
      digest,
    );
    expect(outcome).toMatchObject({ ok: false, problem: { kind: 'unreachable' } });
    if (!outcome.ok) expect(timestampWords(outcome.problem).vi).toMatch(/Không kết nối được/);
  });

  it('refuses a token whose signature was altered', async () => {
    tsa.fault = { kind: 'none' };
    const outcome = await ask();
    if (!outcome.ok) throw new Error('no token');
    const altered = Buffer.from(outcome.token);
    // The SignerInfo's signature is the token's last field: its last byte is part of it.
    altered.writeUInt8((altered.at(-1) ?? 0) ^ 0x01, altered.length - 1);
    const check = await verifyTimestampToken(altered, digest, trust);
    expect(check).toMatchObject({ ok: false, problem: { kind: 'bad-signature' } });
    if (!check.ok)
      expect(timestampWords(check.problem).vi).toMatch(/Chữ ký số trên dấu thời gian không khớp/);
  });

  it('refuses a token whose authority chains to another root than the trust file', async () => {
    tsa.fault = { kind: 'none' };
    const outcome = await ask();
    if (!outcome.ok) throw new Error('no token');
    const elsewhere = join(dir, 'other-root.pem');
    writeFileSync(elsewhere, (await startTsaSimulatorRoot()).rootPem);
    const check = await verifyTimestampToken(outcome.token, digest, await readTrustPath(elsewhere));
    expect(check).toMatchObject({ ok: false, problem: { kind: 'untrusted-tsa' } });
  });

  it('the port adapter reports an unreadable trust file in words', async () => {
    const authority = timestampAuthority({
      url: tsa.url,
      trustFile: join(dir, 'missing.pem'),
      timeoutMs: 1_000,
    });
    const stamp = await authority.stamp(digest);
    expect(stamp).toMatchObject({
      ok: false,
      problem: { vi: expect.stringMatching(/LIENTHONG_TSA_TRUST_FILE/) as string },
    });
  });
});

/** A second simulator's root: a valid CA that did not issue the first one's TSA certificate. */
async function startTsaSimulatorRoot(): Promise<{ rootPem: string }> {
  const other = await startTsaSimulator(mkdtempSync(join(tmpdir(), 'lienthong-tsa-other-')));
  await other.close();
  return { rootPem: other.rootPem };
}
