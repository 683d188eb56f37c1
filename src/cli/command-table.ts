import type { CliCommand } from './cli-command.ts';

/**
 * Every command of `lienthong`, grouped by its first word. A group is imported only when its word
 * is typed, so `lienthong text normalize` does not load the database, the web server or crypto.
 * A module's commands live in `commands/<file>.ts`; add one line here and nothing else changes.
 */
type CommandGroup = { word: string; load: () => Promise<readonly CliCommand[]> };

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { word: 'start', load: () => import('./commands/start.ts').then((m) => m.commands) },
  { word: 'config', load: () => import('./commands/config.ts').then((m) => m.commands) },
  { word: 'db', load: () => import('./commands/db.ts').then((m) => m.commands) },
  { word: 'agency', load: () => import('./commands/agency.ts').then((m) => m.commands) },
  { word: 'directory', load: () => import('./commands/directory.ts').then((m) => m.commands) },
  { word: 'user', load: () => import('./commands/user.ts').then((m) => m.commands) },
  { word: 'token', load: () => import('./commands/token.ts').then((m) => m.commands) },
  { word: 'agency', load: () => import('./commands/relay.ts').then((m) => m.commands) },
  { word: 'agency', load: () => import('./commands/signing.ts').then((m) => m.commands) },
  { word: 'send', load: () => import('./commands/relay.ts').then((m) => m.commands) },
  { word: 'audit', load: () => import('./commands/audit.ts').then((m) => m.commands) },
  { word: 'edxml', load: () => import('./commands/edxml.ts').then((m) => m.commands) },
  { word: 'edxml', load: () => import('./commands/signing.ts').then((m) => m.commands) },
  { word: 'verify', load: () => import('./commands/signing.ts').then((m) => m.commands) },
  { word: 'text', load: () => import('./commands/text.ts').then((m) => m.commands) },
  { word: 'backup', load: () => import('./commands/backup.ts').then((m) => m.commands) },
  { word: 'restore', load: () => import('./commands/backup.ts').then((m) => m.commands) },
];

/** The commands that may match argv, or all of them (for help) when argv is empty. */
export async function loadCommandTable(firstWord?: string): Promise<readonly CliCommand[]> {
  const groups = COMMAND_GROUPS.filter((g) => firstWord === undefined || g.word === firstWord);
  const loaded = await Promise.all(groups.map((g) => g.load()));
  // One file may serve two words (signing: `edxml sign`, `verify`): keep each command once.
  return [...new Set(loaded.flat())].filter((c) => firstWord === undefined || c.words[0] === firstWord);
}
