import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../cli/commands/signing.ts';
import { agencyKeyDir, fileAgencyKeyStore } from './agency-key-store.ts';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';

/** `lienthong agency signing-key` installs a checked pair; the hub's key store finds it (or says none). */
let pki: TestPki;
const ORGAN = '000.00.61.H53';

beforeAll(async () => {
  pki = await createTestPki();
});

async function run(argv: string[]) {
  const command = commands.find((c) => c.words.join(' ') === 'agency signing-key')!;
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const dataDir = join(pki.dir, 'agency-data');
  const code = await command
    .run({
      argv,
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
      env: { LIENTHONG_DATA_DIR: dataDir },
    })
    .catch((error: unknown) => error as Error);
  return { code, stdout: Buffer.concat(chunks).toString('utf8'), dir: agencyKeyDir(dataDir) };
}

describe('agency signing keys', () => {
  it('has no key for an agency until one is installed, then signs with it', async () => {
    const dir = agencyKeyDir(join(pki.dir, 'agency-data'));
    const store = fileAgencyKeyStore(dir);
    expect(await store.signingKeyFor(ORGAN)).toBeNull();
    const installed = await run([ORGAN, '--key', pki.leaf.keyPath, '--cert', pki.leaf.certPath]);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(`signing key of ${ORGAN} installed`);
    expect(statSync(join(dir, `${ORGAN}.key.pem`)).mode & 0o777).toBe(0o600);
    const key = await store.signingKeyFor(ORGAN);
    expect(key?.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(await store.signingKeyFor('000.00.62.H53')).toBeNull();
  });

  it('refuses a key that does not belong to the certificate, and writes nothing', async () => {
    const other = '000.00.63.H53';
    const result = await run([other, '--key', pki.otherLeaf.keyPath, '--cert', pki.leaf.certPath]);
    expect(result.code).toMatchObject({ code: 'SIGNING_KEY_CERT_MISMATCH' });
    expect(await fileAgencyKeyStore(result.dir).signingKeyFor(other)).toBeNull();
  });

  it('names the missing file of a half-installed pair instead of signing without it', async () => {
    const half = '000.00.64.H53';
    const dir = agencyKeyDir(join(pki.dir, 'agency-data'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${half}.cert.pem`), pki.leaf.certificatePem);
    await expect(fileAgencyKeyStore(dir).signingKeyFor(half)).rejects.toMatchObject({
      code: 'SIGNING_KEY_INCOMPLETE',
      message: expect.stringContaining(`${half}.key.pem is missing`) as unknown,
    });
  });

  it('refuses a name that is not an OrganId (no path tricks)', async () => {
    const result = await run(['../../etc', '--key', pki.leaf.keyPath, '--cert', pki.leaf.certPath]);
    expect(result.code).toMatchObject({ code: 'CLI_USAGE' });
    await expect(fileAgencyKeyStore(result.dir).signingKeyFor('../x')).rejects.toMatchObject({
      code: 'SIGNING_ORGAN_ID_INVALID',
    });
  });
});
