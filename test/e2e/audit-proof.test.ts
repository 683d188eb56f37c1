import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/index.ts';
import { auditHash, registerIntakeItem, type AuditProof } from '../../src/registry/index.ts';
import { hubEnv, runCli, startHubProcess } from '../support/hub-process.ts';
import { createAgency, prismaFor, receiveItem, SYSTEM } from '../support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTsaSimulator, type TsaSimulator } from '../support/tsa-simulator.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let dir: string;
let tsa: TsaSimulator;
let env: Record<string, string>;
let agencyA: string;
let agencyB: string;

beforeAll(async () => {
  db = await createTestDatabase('audit_proof');
  prisma = prismaFor(db.url, 2);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-proof-'));
  tsa = await startTsaSimulator(dir);
  agencyA = (await createAgency(prisma, '000.00.00.H53', 'UBND tỉnh Tây Ninh')).id;
  agencyB = (await createAgency(prisma, '000.00.12.H53', 'Sở Y tế Bảo Mật')).id;
  env = hubEnv({
    DATABASE_URL: db.url,
    LIENTHONG_DATA_DIR: path.join(dir, 'data'),
    LIENTHONG_TSA_URL: tsa.url,
    LIENTHONG_TSA_TRUST_FILE: tsa.trustFile,
    LIENTHONG_TSA_TIMEOUT_SECONDS: '5',
  });
});
afterAll(async () => {
  await tsa.close();
  await prisma.$disconnect();
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function registered(seed: string): Promise<string> {
  const itemId = await receiveItem(prisma, agencyA, seed);
  const outcome = await registerIntakeItem(prisma, SYSTEM, itemId);
  if (outcome.kind !== 'registered') throw new Error(`not registered: ${outcome.kind}`);
  return outcome.documentId;
}

const readProof = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as AuditProof;
const writeProof = (name: string, proof: AuditProof) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(proof));
  return file;
};
const verify = (file: string, ...more: string[]) => runCli(['audit', 'verify-proof', file, ...more], env);

describe('lienthong audit timestamp, proof and verify-proof', () => {
  let documentId: string;
  let proofFile: string;

  beforeAll(async () => {
    // A's document with another agency's entries between and after its own.
    const itemA = await receiveItem(prisma, agencyA, 'alpha');
    await receiveItem(prisma, agencyB, 'beta-bi-mat');
    const outcome = await registerIntakeItem(prisma, SYSTEM, itemA);
    if (outcome.kind !== 'registered') throw new Error('not registered');
    documentId = outcome.documentId;
    await receiveItem(prisma, agencyB, 'gamma-bi-mat');
    proofFile = path.join(dir, 'proof.json');
  });

  it('refuses a proof until a time stamp covers the document, then stamps the head once', async () => {
    const early = await runCli(['audit', 'proof', documentId, '--out', proofFile], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('chưa được đóng dấu thời gian');
    const stamped = await runCli(['audit', 'timestamp'], env);
    expect(stamped.stderr).toBe('');
    expect(stamped.code).toBe(0);
    expect(stamped.stdout).toMatch(
      /^Đã đóng dấu thời gian mục nhật ký số \d+ .* do TSA thử nghiệm Lienthong cấp/,
    );
    const again = await runCli(['audit', 'timestamp'], env);
    expect(again.stdout).toMatch(/đã được đóng dấu thời gian lúc/);
  });

  it('exports one file that shows the document in full and other agencies by hashes only', async () => {
    const result = await runCli(['audit', 'proof', documentId, '--out', proofFile], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = fs.readFileSync(proofFile, 'utf8');
    const proof = JSON.parse(text) as AuditProof;
    expect(proof.document).toMatchObject({ id: documentId, direction: 'incoming', number: 1 });
    expect(proof.documentEntries).toHaveLength(2);
    expect(proof.chain).toHaveLength(4);
    expect(proof.chain.filter((link) => link.content).map((link) => link.content?.action)).toEqual([
      'intake.received',
      'intake.registered',
    ]);
    expect(proof.chain.map((link) => link.seq)).toContain(proof.anchor.seq);
    for (const secret of ['bi-mat', 'Sở Y tế', agencyB, '000.00.12.H53']) expect(text).not.toContain(secret);
    expect(proof.received[0]).toMatchObject({ rawSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string });
  });

  it('checks it offline, in Vietnamese and in English', async () => {
    const vi = await verify(proofFile, '--trust', tsa.trustFile);
    expect(vi.code).toBe(0);
    expect(vi.stdout).toMatch(
      /^Bằng chứng HỢP LỆ: văn bản đến số 1\/\d{4} của UBND tỉnh Tây Ninh \(000\.00\.00\.H53\); 2 mục nhật ký của văn bản nằm trong chuỗi 4 mục nối liền/,
    );
    const en = await runCli(
      ['audit', 'verify-proof', proofFile, '--lang', 'en'],
      hubEnv({ LIENTHONG_TSA_TRUST_FILE: tsa.trustFile }),
    );
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/^The proof is VALID: incoming document no\. 1\/\d{4}/);
    expect(vi.stdout).toContain('2 mục khác trong chuỗi chỉ có giá trị băm');
    expect(en.stdout).toContain('2 other entries of the chain are there by their hashes only');
  });

  it('names an entry changed in the file', async () => {
    const proof = readProof(proofFile);
    const link = proof.chain.find((l) => l.content?.action === 'intake.registered')!;
    link.content!.actor = 'user:forger';
    const result = await verify(writeProof('changed.json', proof));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Bằng chứng KHÔNG hợp lệ');
    expect(result.stdout).toContain(
      `Mục nhật ký số ${link.seq} (Vào sổ văn bản đến) đã bị sửa sau khi ghi: giá trị băm không còn khớp với nội dung.`,
    );
    const en = await verify(writeProof('changed.json', proof), '--lang', 'en');
    expect(en.stdout).toContain(
      `Entry ${link.seq} (Registered an incoming document) was changed after it was written`,
    );
  });

  it('catches an entry rewritten with its hash recomputed and the next link patched, by the time-stamped accumulator', async () => {
    const proof = readProof(proofFile);
    const index = proof.chain.findIndex((l) => l.content?.action === 'intake.registered');
    const link = proof.chain[index]!;
    const content = { ...link.content!, actor: 'user:forger' };
    const hash = auditHash(link.prevHash, {
      ...content,
      seq: BigInt(link.seq),
      at: new Date(content.at),
    });
    proof.chain[index] = { ...link, content, hash };
    proof.chain[index + 1] = { ...proof.chain[index + 1]!, prevHash: hash };
    const result = await verify(writeProof('forged.json', proof));
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('đã bị sửa sau khi ghi');
    expect(result.stdout).not.toContain('không nối tiếp');
    expect(result.stdout).toContain(
      `Các giá trị băm của chuỗi không khớp với giá trị đã được đóng dấu thời gian ở mục số ${proof.anchor.seq}`,
    );
  });

  it('names an entry removed from the chain, another agency’s or the document’s own', async () => {
    const proof = readProof(proofFile);
    const [first, hidden, third] = proof.chain;
    const withoutHidden = { ...proof, chain: proof.chain.filter((l) => l !== hidden) };
    const a = await verify(writeProof('removed-hidden.json', withoutHidden));
    expect(a.code).toBe(1);
    expect(a.stdout).toContain(`Mục nhật ký số ${third!.seq} không nối tiếp mục số ${first!.seq}`);
    const withoutOwn = { ...proof, chain: proof.chain.filter((l) => l !== third) };
    const b = await verify(writeProof('removed-own.json', withoutOwn));
    expect(b.code).toBe(1);
    expect(b.stdout).toContain(`Mục nhật ký số ${third!.seq} của văn bản không có trong chuỗi`);
  });

  it('refuses a token that was issued for another head', async () => {
    const second = await registered('delta');
    expect((await runCli(['audit', 'timestamp'], env)).code).toBe(0);
    const otherFile = path.join(dir, 'other.json');
    expect((await runCli(['audit', 'proof', second, '--out', otherFile], env)).code).toBe(0);
    const other = readProof(otherFile);
    const proof = readProof(proofFile);
    expect(other.anchor.seq).not.toBe(proof.anchor.seq);
    // Its chain starts after an earlier time stamp: the accumulator before it comes from that one.
    expect(other.accumulatorBefore).not.toBe('0'.repeat(64));
    expect((await verify(otherFile)).code).toBe(0);
    const swapped = { ...proof, anchor: { ...proof.anchor, token: other.anchor.token } };
    const result = await verify(writeProof('swapped.json', swapped));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Dấu thời gian được cấp cho một giá trị băm khác');
  });

  it('refuses a time stamp from an authority outside the trust file given', async () => {
    const stranger = await startTsaSimulator(fs.mkdtempSync(path.join(dir, 'stranger-')));
    await stranger.close();
    const result = await verify(proofFile, '--trust', stranger.trustFile);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('không thuộc chuỗi tin cậy đã cấu hình');
  });
});

describe('the running hub', () => {
  it('asks the authority soon after start and shows it failing on /readyz, still ready', async () => {
    // A chain never time-stamped: the hub's first check finds it due.
    const fresh = await createTestDatabase('audit_hub');
    const freshPrisma = prismaFor(fresh.url, 2);
    const agency = await createAgency(freshPrisma, '000.00.00.H53', 'UBND tỉnh Tây Ninh');
    await receiveItem(freshPrisma, agency.id, 'epsilon');
    tsa.fault = { kind: 'http-500' };
    const before = tsa.requests();
    const hub = await startHubProcess({
      ...env,
      DATABASE_URL: fresh.url,
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
      LIENTHONG_AMQP_MANAGEMENT_URL: 'http://guest:guest@127.0.0.1:1',
    });
    try {
      let body: { status?: string; timestampAuthority?: { status: string; detail?: string } } = {};
      let code = 0;
      for (let i = 0; i < 150 && body.timestampAuthority?.status !== 'down'; i++) {
        const response = await fetch(`${hub.url}/readyz`);
        code = response.status;
        body = (await response.json()) as typeof body;
        if (body.timestampAuthority?.status !== 'down') await new Promise((r) => setTimeout(r, 200));
      }
      expect(code).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.timestampAuthority).toMatchObject({
        status: 'down',
        detail: expect.stringContaining('HTTP 500') as string,
      });
      expect(tsa.requests()).toBeGreaterThan(before);
    } finally {
      tsa.fault = { kind: 'none' };
      await hub.terminate();
      await freshPrisma.$disconnect();
      await fresh.drop();
    }
  });
});
