import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedHub } from '../../src/backup/test-support/seed-hub.ts';
import { openDatabase } from '../../src/db/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { hubEnv, runCli, startHubProcess } from '../support/hub-process.ts';
import { createEmptyDatabase, type TestDatabase } from '../support/test-database.ts';

// Acceptance 6 as an operator runs it: an embedded hub grows into PostgreSQL through
// `lienthong backup` and `lienthong restore`, and its audit trail still verifies there.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-backup-cli-'));
const embeddedDir = path.join(root, 'embedded');
const postgresDir = path.join(root, 'postgres');
const archive = path.join(root, 'hub.lthb');
const embeddedEnv = hubEnv({ LIENTHONG_DATA_DIR: embeddedDir, AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' });
let target: TestDatabase;
let postgresEnv: Record<string, string>;

beforeAll(async () => {
  const db = await openDatabase(
    { kind: 'embedded', dir: embeddedDir },
    { log: createSilentLogger(), purpose: 'seeding', migrate: true },
  );
  try {
    await seedHub(db, embeddedDir);
  } finally {
    await db.close();
  }
  target = await createEmptyDatabase('backup_cli');
  postgresEnv = { ...embeddedEnv, LIENTHONG_DATA_DIR: postgresDir, DATABASE_URL: target.url };
}, 120_000);

afterAll(async () => {
  await target.drop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('lienthong backup and restore', () => {
  it('refuses to back up the embedded database while the hub runs, and says what to do', async () => {
    const hub = await startHubProcess(embeddedEnv);
    try {
      const result = await runCli(['backup', archive], embeddedEnv);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('lienthong backup needs it to itself: stop the hub');
      expect(fs.existsSync(archive)).toBe(false);
    } finally {
      expect((await hub.terminate()).code).toBe(0);
    }
  });

  it('backs up the stopped embedded hub and restores it into an empty PostgreSQL database', async () => {
    const backup = await runCli(['backup', archive], embeddedEnv);
    expect(backup).toMatchObject({ code: 0, stdout: expect.stringContaining('backup written to') as string });
    expect(fs.statSync(archive).mode & 0o777).toBe(0o600);

    const check = await runCli(['restore', archive, '--check'], embeddedEnv);
    expect(check.stdout).toMatch(/archive intact/);
    expect(check.stdout).toMatch(/document 4/);

    const restored = await runCli(['restore', archive], postgresEnv);
    expect(restored.stderr).toBe('');
    expect(restored).toMatchObject({ code: 0, stdout: expect.stringContaining('into PostgreSQL') as string });

    const verify = await runCli(['audit', 'verify'], postgresEnv);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({
      intact: true,
      anchor: { keyId: expect.any(String) as string },
    });

    const before = await runCli(['agency', 'list'], embeddedEnv);
    const after = await runCli(['agency', 'list'], postgresEnv);
    expect(after.stdout).toBe(before.stdout);
  });

  it('refuses to restore over a database that holds rows', async () => {
    const again = await runCli(['restore', archive], postgresEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('nothing was restored: the target database holds rows');
    expect(again.stderr).toContain('--force');
  });

  it('restores into a database that lienthong db migrate prepared (it holds only the own agency)', async () => {
    const prepared = await createEmptyDatabase('backup_cli_migrated');
    try {
      const env = {
        ...embeddedEnv,
        LIENTHONG_DATA_DIR: path.join(root, 'migrated'),
        DATABASE_URL: prepared.url,
      };
      expect((await runCli(['db', 'migrate'], env)).stdout).toContain("added the hub's own agency");
      const restored = await runCli(['restore', archive], env);
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      const before = await runCli(['agency', 'list'], embeddedEnv);
      expect((await runCli(['agency', 'list'], env)).stdout).toBe(before.stdout);
    } finally {
      await prepared.drop();
    }
  });

  it('refuses a truncated archive with a clear message', async () => {
    const cut = path.join(root, 'cut.lthb');
    fs.writeFileSync(cut, fs.readFileSync(archive).subarray(0, 2000));
    const result = await runCli(['restore', cut, '--check'], embeddedEnv);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `backup archive ${cut} is damaged or incomplete: it ends early (truncated)`,
    );
  });
});
