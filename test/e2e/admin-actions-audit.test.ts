import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/index.ts';
import { agencyKeyDir } from '../../src/signing/index.ts';
import { createTestPki, type TestPki } from '../../src/signing/test-support/test-pki.ts';
import { hubEnv, runCli } from '../support/hub-process.ts';
import { prismaFor } from '../support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The CLI's admin actions on the directory and on agencies' keys go through the same audited use
 * cases as the console: each leaves its own entry (not `agency.imported` for a single add), and a
 * refused action leaves none.
 */
const AGENCY = '000.00.71.H53';
let db: TestDatabase;
let prisma: PrismaClient;
let dataDir: string;
let env: Record<string, string>;
let pki: TestPki;

beforeAll(async () => {
  db = await createTestDatabase('adminaudit');
  prisma = prismaFor(db.url, 2);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lienthong-adminaudit-'));
  env = hubEnv({ DATABASE_URL: db.url, LIENTHONG_DATA_DIR: dataDir });
  pki = await createTestPki();
}, 60_000);

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const entries = (action: string) =>
  prisma.auditEntry.findMany({ where: { action }, orderBy: { seq: 'asc' } });

describe('admin actions from the CLI are audited', () => {
  it('records agency add as agency.added, a second add as agency.updated, an import as agency.imported', async () => {
    const add = ['agency', 'add', '--organ-id', AGENCY, '--name', 'Sở Nội vụ'];
    const first = await runCli(add, env);
    expect(first.code, first.stderr).toBe(0);
    const [added] = await entries('agency.added');
    expect(added).toMatchObject({ actor: 'system:cli', subject: `agency:${AGENCY}` });
    expect(added?.data).toMatchObject({ via: 'cli', created: 1, updated: 0, organIds: [AGENCY] });

    const again = await runCli([...add.slice(0, 5), 'Sở Nội vụ tỉnh Tây Ninh'], env);
    expect(again.code, again.stderr).toBe(0);
    const [updated] = await entries('agency.updated');
    expect(updated?.data).toMatchObject({ via: 'cli', created: 0, updated: 1, organIds: [AGENCY] });
    expect(await entries('agency.imported')).toHaveLength(0);

    const csv = path.join(dataDir, 'agencies.csv');
    await writeFile(
      csv,
      'organId,name,channel\n000.00.72.H53,Sở Y tế,hosted\n000.00.73.H53,Sở Xây dựng,partner\n',
    );
    const imported = await runCli(['agency', 'import', csv], env);
    expect(imported.code, imported.stderr).toBe(0);
    const [batch] = await entries('agency.imported');
    expect(batch?.data).toMatchObject({
      via: 'csv',
      created: 2,
      organIds: ['000.00.72.H53', '000.00.73.H53'],
    });
  });

  it('records an installed signing key with its certificate (no key material), and nothing for a refused pair', async () => {
    const installed = await runCli(
      ['agency', 'signing-key', AGENCY, '--key', pki.leaf.keyPath, '--cert', pki.leaf.certPath],
      env,
    );
    expect(installed.code, installed.stderr).toBe(0);
    const [entry] = await entries('agency.signing-key-installed');
    expect(entry).toMatchObject({ actor: 'system:cli', subject: `agency:${AGENCY}` });
    expect(entry?.data).toMatchObject({
      fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) as unknown,
      serial: expect.any(String) as unknown,
    });
    expect(JSON.stringify(entry?.data)).not.toContain('PRIVATE KEY');
    expect(existsSync(path.join(agencyKeyDir(dataDir), `${AGENCY}.key.pem`))).toBe(true);

    const mismatch = await runCli(
      ['agency', 'signing-key', '000.00.72.H53', '--key', pki.otherLeaf.keyPath, '--cert', pki.leaf.certPath],
      env,
    );
    expect(mismatch.code).not.toBe(0);
    expect(existsSync(path.join(agencyKeyDir(dataDir), '000.00.72.H53.key.pem'))).toBe(false);

    const unknown = await runCli(
      ['agency', 'signing-key', '000.00.99.H53', '--key', pki.leaf.keyPath, '--cert', pki.leaf.certPath],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no agency 000.00.99.H53');
    expect(await entries('agency.signing-key-installed')).toHaveLength(1);
  });
});
