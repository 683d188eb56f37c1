import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HubError } from '../shared/index.ts';

/**
 * The files of the data directory that a backup carries: keys, trust store, exported audit anchors,
 * generated secrets — everything except the embedded database itself (its rows travel as tables),
 * the lock and the running hub's control file, which describe a process, not the hub's state.
 */
const NOT_BACKED_UP = new Set(['pglite', 'lienthong.lock', 'control.json']);
const STAGING_PREFIX = '.restore-staging-';

export type DataFile = { path: string; absolute: string; mode: number; size: number };

/** Regular files under `dataDir`, relative paths with `/`, sorted; symlinks and sockets are skipped. */
export function listDataFiles(dataDir: string, alsoSkip: readonly string[] = []): DataFile[] {
  const skip = new Set(alsoSkip.map((p) => path.resolve(p)));
  const found: DataFile[] = [];
  const walk = (dir: string, relative: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const absolute = path.join(dir, entry.name);
      if (!relative && (NOT_BACKED_UP.has(entry.name) || entry.name.startsWith(STAGING_PREFIX))) continue;
      if (skip.has(absolute)) continue;
      if (entry.isDirectory()) walk(absolute, rel);
      else if (entry.isFile()) {
        const stat = fs.statSync(absolute);
        found.push({ path: rel, absolute, mode: stat.mode & 0o777, size: stat.size });
      }
    }
  };
  walk(path.resolve(dataDir), '');
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** An archive path is trusted only as a plain relative path inside the data directory. */
export function safeDataPath(dataDir: string, relative: string): string {
  const parts = relative.split('/');
  const first = parts[0] ?? '';
  if (
    relative.length === 0 ||
    relative.includes('\\') ||
    relative.includes('\0') ||
    path.isAbsolute(relative) ||
    parts.some((p) => p === '' || p === '.' || p === '..') ||
    NOT_BACKED_UP.has(first) ||
    first.startsWith(STAGING_PREFIX)
  )
    throw new HubError(
      'DB_BACKUP_CORRUPT',
      `the archive names a data file outside the data directory: ${relative}`,
    );
  return path.join(path.resolve(dataDir), ...parts);
}

export function sha256OfFile(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Files of the archive that exist in the data directory with other content. */
export function conflictingDataFiles(
  dataDir: string,
  files: readonly { path: string; contentSha256: string }[],
): string[] {
  return files
    .filter((f) => {
      const existing = sha256OfFile(safeDataPath(dataDir, f.path));
      return existing !== undefined && existing !== f.contentSha256;
    })
    .map((f) => f.path);
}

/**
 * Restored files are written to a staging directory first and moved into place only once the
 * database part has committed, so a failed restore leaves the data directory as it was.
 */
export type FileStager = {
  begin(relative: string, mode: number): void;
  write(bytes: Buffer): void;
  end(): void;
  /** Moves every staged file into place (same file system: a rename each). */
  commit(): string[];
  discard(): void;
};

export function createFileStager(dataDir: string): FileStager {
  const root = path.resolve(dataDir);
  const staging = path.join(root, `${STAGING_PREFIX}${randomBytes(4).toString('hex')}`);
  const staged: { relative: string; temp: string; mode: number }[] = [];
  let current: { fd: number } | undefined;
  return {
    begin(relative, mode) {
      safeDataPath(root, relative);
      fs.mkdirSync(staging, { recursive: true, mode: 0o700 });
      const temp = path.join(staging, String(staged.length));
      current = { fd: fs.openSync(temp, 'w', 0o600) };
      staged.push({ relative, temp, mode: mode & 0o777 });
    },
    write(bytes) {
      if (!current) throw new HubError('DB_RESTORE_FAILED', 'file data outside a file');
      fs.writeSync(current.fd, bytes);
    },
    end() {
      if (!current) return;
      fs.fsyncSync(current.fd);
      fs.closeSync(current.fd);
      current = undefined;
    },
    commit() {
      for (const file of staged) {
        const target = safeDataPath(root, file.relative);
        fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
        fs.chmodSync(file.temp, file.mode);
        fs.renameSync(file.temp, target);
      }
      fs.rmSync(staging, { recursive: true, force: true });
      return staged.map((f) => f.relative);
    },
    discard() {
      if (current) fs.closeSync(current.fd);
      current = undefined;
      fs.rmSync(staging, { recursive: true, force: true });
    },
  };
}
