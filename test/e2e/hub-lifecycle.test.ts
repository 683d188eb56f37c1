import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../../src/db/data-dir-lock.ts';
import { readMigrationFiles } from '../../src/db/sql-migrator.ts';
import { freePort, hubEnv, runCli, startHubProcess } from '../support/hub-process.ts';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const tempDirs: string[] = [];
function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-e2e-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the hub on its embedded database', () => {
  const dataDir = tempDataDir();
  const env = hubEnv({ LIENTHONG_DATA_DIR: dataDir });

  it('starts with no configuration, is healthy, and reports database and broker honestly', async () => {
    const started = Date.now();
    const hub = await startHubProcess(env);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(hub.output()).toContain(`web console and API: ${hub.url}/`);
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      database: { status: string; detail: string };
      broker: { status: string };
    };
    expect(body.database).toEqual({ status: 'up', detail: 'embedded (PGlite)' });
    expect(['up', 'connecting']).toContain(body.broker.status);
    const metrics = await fetch(`${hub.url}/metrics`);
    expect(await metrics.text()).toMatch(/^lienthong_broker_up [01]$/m);
    const stopped = await hub.terminate();
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(10_000);
  });

  it('keeps agencies added through the running hub, concurrently, across a restart', async () => {
    const hub = await startHubProcess(env);
    const codes = ['000.00.11.H53', '000.00.12.H53', '000.00.13.H53', '000.00.14.H53', '000.00.15.H53'];
    const results = await Promise.all(
      codes.map((code) => runCli(['agency', 'add', '--organ-id', code, '--name', `Sở ${code}`], env)),
    );
    for (const result of results)
      expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^added /) as string });
    expect((await hub.terminate()).code).toBe(0);

    const listed = await runCli(['agency', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const organIds = (JSON.parse(listed.stdout) as { organId: string }[]).map((a) => a.organId);
    expect(organIds).toEqual(['000.00.00.H53', ...codes]);

    const again = await startHubProcess(env);
    const relisted = await runCli(['agency', 'list', '--json'], env);
    expect((JSON.parse(relisted.stdout) as unknown[]).length).toBe(6);
    expect((await again.terminate()).code).toBe(0);
  });

  it('refuses data commands while another process holds the embedded database, and says why', async () => {
    const lock = acquireDataDirLock(dataDir, 'a maintenance script');
    try {
      const result = await runCli(
        ['agency', 'add', '--organ-id', '000.00.20.H53', '--name', 'Sở Xây dựng'],
        env,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`in use by process ${process.pid} (a maintenance script)`);
      expect(result.stderr).toContain('DB_EMBEDDED_IN_USE');
    } finally {
      lock.release();
    }
    const listed = await runCli(['agency', 'list', '--json'], env);
    expect(listed.stdout).not.toContain('000.00.20.H53');
  });

  it('imports nothing of a CSV file with a bad row, and names the line', async () => {
    const csv = path.join(dataDir, 'agencies.csv');
    fs.writeFileSync(
      csv,
      'organId,name,channel\n000.00.30.H53,Sở Nội vụ,hosted\nSTP Tây Ninh,Sở Tư pháp,hosted\n',
    );
    const result = await runCli(['agency', 'import', csv], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${csv}:3: Mã định danh của cơ quan "STP Tây Ninh" không đúng dạng nào (NNN.NN.NN.XNN như 000.00.11.H53`,
    );
    expect((await runCli(['agency', 'list'], env)).stdout).not.toContain('000.00.30.H53');
  });
});

describe('configuration errors', () => {
  it('stop start-up and name every problem at once', async () => {
    const result = await runCli(
      ['start'],
      hubEnv({ LIENTHONG_DATA_DIR: tempDataDir(), LIENTHONG_HTTP_PORT: 'abc', AMQP_URL: 'nonsense' }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('LIENTHONG_HTTP_PORT');
    expect(result.stderr).toContain('AMQP_URL');
  });
});

describe('the hub on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('e2e');
  });
  afterAll(() => db.drop());

  it('keeps agencies across restarts and serves while the broker is down', async () => {
    const env = hubEnv({
      LIENTHONG_DATA_DIR: tempDataDir(),
      DATABASE_URL: db.url,
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
    });
    const added = await runCli(
      [
        'agency',
        'add',
        '--organ-id',
        '000.00.11.H53',
        '--name',
        'Sở Tài chính',
        '--channel',
        'email',
        '--email',
        'stc@tayninh.gov.vn',
      ],
      env,
    );
    expect(added.code).toBe(0);
    const hub = await startHubProcess(env);
    // On PostgreSQL the CLI and a running hub share the database directly.
    expect(
      (await runCli(['agency', 'add', '--organ-id', '000.00.12.H53', '--name', 'Sở Y tế'], env)).code,
    ).toBe(0);
    const ready = (await (await fetch(`${hub.url}/readyz`)).json()) as {
      ready: boolean;
      broker: { status: string; detail?: string };
    };
    expect(ready.ready).toBe(true);
    expect(ready.broker.status).toMatch(/down|connecting/);
    expect((await hub.terminate()).code).toBe(0);
    const listed = await runCli(['agency', 'list'], env);
    expect(listed.stdout).toMatch(/000\.00\.11\.H53\temail\tSở Tài chính\tstc@tayninh\.gov\.vn/);
    expect(listed.stdout).toContain('000.00.12.H53');
  });

  it('answers 503 on /readyz with a reason when the database goes away', async () => {
    const own = await createTestDatabase('readyz');
    const hub = await startHubProcess(hubEnv({ LIENTHONG_DATA_DIR: tempDataDir(), DATABASE_URL: own.url }));
    await own.drop();
    const response = await fetch(`${hub.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { reasons: string[] };
    expect(body.reasons[0]).toMatch(/^database down/);
    expect((await hub.terminate()).code).toBe(0);
  });
});

describe('lienthong db migrate', () => {
  it('refuses while a failed migration is unresolved, and goes on once it is resolved', async () => {
    const db = await createEmptyDatabase('migrate-cli');
    try {
      const env = hubEnv({ LIENTHONG_DATA_DIR: tempDataDir(), DATABASE_URL: db.url });
      const [first] = readMigrationFiles();
      if (!first) throw new Error('the project has no migration');
      // Book a failed attempt of the first migration, as a crash half-way through it would.
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query(
        `CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`,
      );
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs) VALUES ('x', $1, $2, 'disk full')`,
        [first.checksum, first.name],
      );
      await client.end();

      const refused = await runCli(['db', 'migrate'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`migration ${first.name} failed earlier (disk full)`);
      expect((await runCli(['start'], env)).code).toBe(1);

      expect((await runCli(['db', 'migrate', '--resolve-rolled-back', first.name], env)).code).toBe(0);
      const applied = await runCli(['db', 'migrate'], env);
      expect(applied).toMatchObject({
        code: 0,
        stdout: expect.stringContaining(`applied ${first.name}`) as string,
      });
      expect((await runCli(['db', 'migrate', '--status'], env)).code).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
