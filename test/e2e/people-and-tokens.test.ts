import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubEnv, runCli, startHubProcess } from '../support/hub-process.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-people-'));
// The hub's relay gets a vhost of its own: on the default one it would share queues with other files' hubs.
let vhost: TestVhost;
beforeAll(async () => {
  vhost = await createTestVhost('people');
});
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await vhost.drop();
});

const passwordOf = (stdout: string) => /^password: (\S+)$/m.exec(stdout)?.[1] ?? '';
const tokenOf = (stdout: string) => /^token: (\S+)$/m.exec(stdout)?.[1] ?? '';

describe('lienthong user add and token create', () => {
  const env = () => hubEnv({ LIENTHONG_DATA_DIR: dataDir, AMQP_URL: vhost.amqpUrl });

  it('work through a running hub on the embedded database, and what they print lets one in', async () => {
    const hub = await startHubProcess(env());
    try {
      // The first start made an admin and said how to sign in.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(hub.output()).toContain('first run: sign in as admin with the one-time password');
      const adminLogin = await fetch(`${hub.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'admin',
          password: /^ {2}password: (\S+)$/m.exec(hub.output())?.[1],
        }),
      });
      expect(adminLogin.status).toBe(200);

      const user = await runCli(
        [
          'user',
          'add',
          '--username',
          'vanthu',
          '--role',
          'clerk',
          '--agency',
          '000.00.00.H53',
          '--department',
          'Văn phòng',
        ],
        env(),
      );
      expect(user).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('added vanthu (clerk of 000.00.00.H53, Văn phòng)') as string,
      });
      const password = passwordOf(user.stdout);
      expect(password).toMatch(/^[\w]{5}(-[\w]{5}){3}$/);

      const login = await fetch(`${hub.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'vanthu', password }),
      });
      expect(login.status).toBe(200);
      expect(
        ((await login.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword,
      ).toBe(true);

      const token = await runCli(
        ['token', 'create', '--agency', '000.00.00.H53', '--name', 'eOffice'],
        env(),
      );
      expect(token.code).toBe(0);
      const secret = tokenOf(token.stdout);
      const intake = await fetch(`${hub.url}/api/v1/intake`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(intake.status).toBe(200);

      const refused = await runCli(
        ['user', 'add', '--username', 'vanthu', '--role', 'clerk', '--agency', '000.00.00.H53'],
        env(),
      );
      expect(refused).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('username vanthu is taken') as string,
      });
      const noAgency = await runCli(['token', 'create', '--agency', '000.00.77.H53'], env());
      expect(noAgency).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('no agency 000.00.77.H53') as string,
      });
    } finally {
      expect((await hub.terminate()).code).toBe(0);
    }
  });

  it('work on the database directly when no hub runs; a second start makes no new admin', async () => {
    const admin = await runCli(['user', 'add', '--username', 'quantri', '--role', 'admin'], env());
    expect(admin.code).toBe(0);
    expect(passwordOf(admin.stdout)).not.toBe('');
    const usage = await runCli(['user', 'add', '--username', 'x', '--role', 'boss'], env());
    expect(usage.code).toBe(2);
    const again = await startHubProcess(env());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(again.output()).not.toContain('first run');
    expect((await again.terminate()).code).toBe(0);
  });
});
