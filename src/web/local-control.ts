import fs from 'node:fs';
import path from 'node:path';

/**
 * How a CLI on the same machine reaches the running hub: its URL and a random token, in a file
 * only the hub's user can read (0600) inside the data directory. It is rewritten at every start
 * and removed at stop.
 */
export type LocalControl = { httpUrl: string; controlToken: string };

const FILE_NAME = 'control.json';

export function writeControlFile(dataDir: string, control: LocalControl): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, FILE_NAME);
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, JSON.stringify(control), { mode: 0o600, flag: 'wx' });
}

export function readControlFile(dataDir: string): LocalControl | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, FILE_NAME), 'utf8')) as LocalControl;
  } catch {
    return undefined;
  }
}

export function removeControlFile(dataDir: string): void {
  fs.rmSync(path.join(dataDir, FILE_NAME), { force: true });
}
