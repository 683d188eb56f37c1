import type { CliCommand } from './cli-command.ts';

/**
 * Every command of `lienthong`. Each module's commands live in `commands/<group>.ts`;
 * add a group's array here (one line) and nothing else changes.
 */
export async function loadCommandTable(): Promise<readonly CliCommand[]> {
  const groups = await Promise.all([
    import('./commands/start.ts').then((m) => m.commands),
    import('./commands/config.ts').then((m) => m.commands),
    import('./commands/signing.ts').then((m) => m.commands),
    import('./commands/db.ts').then((m) => m.commands),
    import('./commands/agency.ts').then((m) => m.commands),
    import('./commands/edxml.ts').then((m) => m.commands),
    import('./commands/text.ts').then((m) => m.commands),
  ]);
  return groups.flat();
}
