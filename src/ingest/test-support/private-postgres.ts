import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HubError } from '../../shared/index.ts';

/**
 * A throw-away PostgreSQL cluster of our own (initdb into a temp dir, own port, socket in the temp
 * dir), for tests that stop the database. Never touches the shared server. Runs as `postgres`
 * when we are root, as initdb refuses root.
 */
const BIN = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'].find(
  (dir) => fs.existsSync(path.join(dir, 'pg_ctl')),
);

export type PrivatePostgres = { url: string; port: number; stop(): void; start(): void; destroy(): void };

export function privatePostgresAvailable(): boolean {
  return BIN !== undefined;
}

function asOwner(command: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const result = root
    ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe', timeout: 60_000 })
    : spawnSync(command, args, { stdio: 'pipe', timeout: 60_000 });
  if (result.status !== 0)
    throw new HubError(
      'INGEST_TEST_SERVICE',
      `${path.basename(command)} failed: ${result.stderr.toString()}${result.stdout.toString()}`,
    );
}

export function startPrivatePostgres(port: number): PrivatePostgres {
  if (!BIN)
    throw new HubError(
      'INGEST_TEST_SERVICE',
      'PostgreSQL server binaries not found under /usr/lib/postgresql',
    );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  asOwner(path.join(BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const pgCtl = path.join(BIN, 'pg_ctl');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = () => asOwner(pgCtl, ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  const stop = () => asOwner(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
