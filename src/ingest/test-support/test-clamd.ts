import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { HubError } from '../../shared/index.ts';

/**
 * A private clamd (Debian's clamav-daemon) on a UNIX socket in a temp dir. This machine cannot
 * download the official signatures (no route to database.clamav.net), so its database holds one
 * hash signature: the EICAR test file, under the name the official database uses for it.
 */
export const CLAMD_BIN = '/usr/sbin/clamd';
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const EICAR_SIGNATURE = '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature';

export type TestClamd = { socket: string; stop(): Promise<void> };

export function clamdAvailable(): boolean {
  return fs.existsSync(CLAMD_BIN);
}

export async function startTestClamd(): Promise<TestClamd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-clamd-'));
  const socket = path.join(dir, 'clamd.sock');
  fs.writeFileSync(path.join(dir, 'eicar.hdb'), `${EICAR_SIGNATURE}\n`);
  fs.writeFileSync(
    path.join(dir, 'clamd.conf'),
    [
      `LocalSocket ${socket}`,
      `DatabaseDirectory ${dir}`,
      'Foreground yes',
      `LogFile ${dir}/clamd.log`,
      'StreamMaxLength 60M',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(CLAMD_BIN, ['--config-file', path.join(dir, 'clamd.conf')], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new HubError(
        'INGEST_TEST_SERVICE',
        `clamd exited: ${fs.readFileSync(path.join(dir, 'clamd.log'), 'utf8')}`,
      );
    const up = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ path: socket });
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => {
        resolve(false);
      });
    });
    if (up) break;
    if (Date.now() > deadline) throw new HubError('INGEST_TEST_SERVICE', 'clamd did not start within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    socket,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
