import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hubEnv, runCli, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// What a new operator meets in the first hour: the start banner, /readyz, the log, and the
// commands run before the first start.

const tempDirs: string[] = [];
function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-first-hour-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

type LogLine = { level: number; msg: string; method?: string; path?: string; statusCode?: number };

function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

async function bannerOf(hub: HubProcess): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (!hub.output().includes('stop with Ctrl+C')) {
    if (Date.now() > deadline) throw new Error(`no start banner:\n${hub.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return hub.output();
}

describe('a hub whose RabbitMQ management API does not answer', () => {
  let db: TestDatabase;
  let hub: HubProcess;
  let smtpPort: number;
  let managementPort: number;
  let relayPort: number;
  beforeAll(async () => {
    db = await createTestDatabase('first-hour');
    smtpPort = await freePort();
    managementPort = await freePort();
    relayPort = await freePort();
    hub = await startHubProcess(
      hubEnv({
        LIENTHONG_DATA_DIR: tempDataDir(),
        DATABASE_URL: db.url,
        LIENTHONG_SMTP_PORT: String(smtpPort),
        LIENTHONG_AMQP_MANAGEMENT_URL: `http://guest:guest@127.0.0.1:${managementPort}`,
        // two optional dependencies configured but not there
        LIENTHONG_SMTP_RELAY_URL: `smtp://127.0.0.1:${relayPort}`,
        LIENTHONG_CLAMD: '/nonexistent/clamd.ctl',
        LIENTHONG_LOG_LEVEL: 'debug',
      }),
    );
    await bannerOf(hub);
  });
  afterAll(async () => {
    expect((await hub.terminate()).code).toBe(0);
    await db.drop();
  });

  it('prints every URL, the SMTP port and the own agency address in its banner, and each URL answers', async () => {
    const banner = await bannerOf(hub);
    const urls = ['/', '/api/v1/openapi.json', '/healthz', '/readyz', '/metrics'].map(
      (p) => `${hub.url}${p}`,
    );
    for (const url of urls) {
      expect(banner).toContain(url);
      expect((await fetch(url)).status, url).toBe(200);
    }
    expect(banner).toContain(
      `SMTP: 127.0.0.1:${smtpPort}; mail to 000.00.00.H53@lienthong.local reaches the hub's own agency`,
    );
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toMatch(/^lienthong_broker_up [01]$/m);
  });

  it('is ready but degraded on /readyz, and says what does not work without the management API', async () => {
    const response = await fetch(`${hub.url}/readyz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      ready: boolean;
      status: string;
      database: { status: string };
      brokerManagement: { status: string; detail: string; withoutIt: string };
      mailRelay: { status: string; detail: string };
      malwareScanner: { status: string };
      degraded: string[];
      reasons: string[];
    };
    expect(body).toMatchObject({ ready: true, status: 'degraded', reasons: [], database: { status: 'up' } });
    expect(body.brokerManagement.status).toBe('down');
    expect(body.brokerManagement.detail).toContain(`127.0.0.1:${managementPort} did not answer`);
    expect(body.brokerManagement.detail).not.toContain('guest:guest');
    expect(body.brokerManagement.withoutIt).toMatch(/partner broker users cannot be created/);
    expect(body.mailRelay).toMatchObject({
      status: 'down',
      withoutIt: expect.stringMatching(/^receipts, admin alerts/) as string,
    });
    expect(body.mailRelay.detail).toContain(`127.0.0.1:${relayPort}: connect ECONNREFUSED`);
    expect(body.malwareScanner).toMatchObject({
      status: 'down',
      detail: 'clamd: connect ENOENT /nonexistent/clamd.ctl',
      withoutIt: expect.stringMatching(/quarantined as not scanned/) as string,
    });
    expect(body.degraded).toContainEqual(
      expect.stringMatching(/^brokerManagement down \(.*\): partner broker users/),
    );
  });

  it('writes one log line per request: reads at debug, changes and refusals at info', async () => {
    // Lines of the earlier tests' requests are written after their responses: let them land first.
    await new Promise((r) => setTimeout(r, 300));
    const before = hub.output().length;
    for (let i = 0; i < 3; i++) expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    const login = await fetch(`${hub.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'wrong password' }),
    });
    expect(login.status).toBe(401);
    const missing = await fetch(`${hub.url}/api/v1/no-such-thing`);
    expect(missing.status).toBe(404);
    // the last line is written after the response has gone out
    await new Promise((r) => setTimeout(r, 300));
    const lines = logLines(hub.output().slice(before));
    const ofRequests = lines.filter((line) => line.method !== undefined);
    expect(ofRequests.map((l) => [l.level, l.method, l.path, l.statusCode])).toEqual([
      [20, 'GET', '/healthz', 200],
      [20, 'GET', '/healthz', 200],
      [20, 'GET', '/healthz', 200],
      [30, 'POST', '/api/v1/auth/login', 401],
      [30, 'GET', '/api/v1/no-such-thing', 404],
    ]);
    // Fastify's own pair ("incoming request", "request completed") is gone.
    expect(lines.filter((l) => /incoming request|request completed/.test(l.msg))).toEqual([]);
  });
});

describe('before the first start', () => {
  it('lienthong db migrate adds the own agency, so a person can be given it', async () => {
    const db = await createEmptyDatabase('first-hour-migrate');
    try {
      const env = hubEnv({
        LIENTHONG_DATA_DIR: tempDataDir(),
        DATABASE_URL: db.url,
        LIENTHONG_ORGAN_ID: '000.00.00.G01',
      });
      const migrated = await runCli(['db', 'migrate'], env);
      expect(migrated.code).toBe(0);

      const added = await runCli(
        ['user', 'add', '--username', 'van.thu', '--role', 'clerk', '--agency', '000.00.00.G01'],
        env,
      );
      expect(added.stderr).not.toContain('no agency');
      expect(added.code).toBe(0);
      expect(added.stdout).toMatch(/^added van\.thu \(clerk of 000\.00\.00\.G01\)$/m);
      expect(added.stdout).toMatch(/^password: \S+$/m);
      expect(migrated.stdout).toContain("added the hub's own agency 000.00.00.G01 (hosted)");
      const listed = await runCli(['agency', 'list', '--json'], env);
      expect(JSON.parse(listed.stdout)).toMatchObject([{ organId: '000.00.00.G01', channel: 'hosted' }]);

      // A second run finds it there and says nothing about it.
      const again = await runCli(['db', 'migrate'], env);
      expect(again).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
    } finally {
      await db.drop();
    }
  });
});
