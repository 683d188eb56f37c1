import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { agencyKeyDir, fileAgencyKeyStore, installAgencyKey } from './agency-key-store.ts';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';

/**
 * The agency key store: an installed pair is checked first; the hub's store finds it (or says none).
 * The CLI and the console install through the audited use case (test/e2e/admin-actions-audit.test.ts).
 */
let pki: TestPki;
const ORGAN = '000.00.61.H53';

beforeAll(async () => {
  pki = await createTestPki();
});

const DATA_DIR = () => join(pki.dir, 'agency-data');

async function install(organId: string, keyPath: string, certPath: string) {
  return installAgencyKey(
    agencyKeyDir(DATA_DIR()),
    organId,
    await readFile(keyPath),
    await readFile(certPath),
  )
    .then(() => 0)
    .catch((error: unknown) => error as Error);
}

describe('agency signing keys', () => {
  it('has no key for an agency until one is installed, then signs with it', async () => {
    const dir = agencyKeyDir(join(pki.dir, 'agency-data'));
    const store = fileAgencyKeyStore(dir);
    expect(await store.signingKeyFor(ORGAN)).toBeNull();
    expect(await install(ORGAN, pki.leaf.keyPath, pki.leaf.certPath)).toBe(0);
    expect(statSync(join(dir, `${ORGAN}.key.pem`)).mode & 0o777).toBe(0o600);
    const key = await store.signingKeyFor(ORGAN);
    expect(key?.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(await store.signingKeyFor('000.00.62.H53')).toBeNull();
  });

  it('refuses a key that does not belong to the certificate, and writes nothing', async () => {
    const other = '000.00.63.H53';
    expect(await install(other, pki.otherLeaf.keyPath, pki.leaf.certPath)).toMatchObject({
      code: 'SIGNING_KEY_CERT_MISMATCH',
    });
    expect(await fileAgencyKeyStore(agencyKeyDir(DATA_DIR())).signingKeyFor(other)).toBeNull();
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
    await expect(fileAgencyKeyStore(agencyKeyDir(DATA_DIR())).signingKeyFor('../x')).rejects.toMatchObject({
      code: 'SIGNING_ORGAN_ID_INVALID',
    });
  });
});
