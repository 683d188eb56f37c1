import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { HubError } from '../shared/index.ts';

/**
 * The embedded database (PGlite) is one process's private file set: a second process opening it
 * would corrupt it. This lock file, created with O_EXCL, says who holds the data directory.
 * A lock whose process is gone (kill -9, power loss) is stale and taken over.
 */
export type LockHolder = { pid: number; purpose: string; startedAt: string; httpUrl?: string };

export type DataDirLock = {
  readonly file: string;
  /** Adds facts to the lock file (e.g. the hub's URL once it listens), for other processes to read. */
  update(extra: Partial<LockHolder>): void;
  release(): void;
};

const LOCK_NAME = 'lienthong.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockHolder(dataDir: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_NAME), 'utf8')) as LockHolder;
    return isAlive(holder.pid) && holder.pid !== process.pid ? holder : undefined;
  } catch {
    return undefined;
  }
}

export function acquireDataDirLock(dataDir: string, purpose: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_NAME);
  let holder: LockHolder = { pid: process.pid, purpose, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      fs.writeFileSync(file, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
      return {
        file,
        update(extra) {
          holder = { ...holder, ...extra };
          fs.writeFileSync(file, JSON.stringify(holder), { mode: 0o600 });
        },
        release() {
          try {
            const current = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
            if (current.pid === process.pid) fs.unlinkSync(file);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readLockHolder(dataDir);
      if (owner) {
        const via = owner.httpUrl ? `, web console and API at ${owner.httpUrl}` : '';
        throw new HubError(
          'DB_EMBEDDED_IN_USE',
          `the embedded database in ${dataDir} is in use by process ${owner.pid} (${owner.purpose}${via}). ` +
            'It serves one process at a time: stop that process first, or make the change through the running hub ' +
            '(web console or API), or run the hub on PostgreSQL (DATABASE_URL) where CLI and hub can share the database. ' +
            `/ Cơ sở dữ liệu nhúng đang được tiến trình ${owner.pid} sử dụng.`,
          { details: { holder: owner } },
        );
      }
      // Stale: its process is gone. Remove and retry; O_EXCL settles a race with another taker.
      fs.rmSync(file, { force: true });
    }
  }
  throw new HubError(
    'DB_EMBEDDED_IN_USE',
    `could not take the lock ${file}; another process keeps taking it`,
  );
}
