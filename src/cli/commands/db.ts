import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { applyMigrations, markRolledBack, migrationStatus, openDatabase } from '../../db/index.ts';
import { createPrismaAgencyDirectory, ensureOwnAgency } from '../../directory/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { writeJson, writeLine, type CliCommand, type CliContext } from '../cli-command.ts';

async function migrate(context: CliContext): Promise<number> {
  const { values } = parseArgs({
    args: [...context.argv],
    options: { 'resolve-rolled-back': { type: 'string' }, status: { type: 'boolean', default: false } },
    strict: true,
  });
  const config = loadConfig(context.env);
  const database = await openDatabase(
    config.database.url
      ? { kind: 'postgres', url: config.database.url }
      : { kind: 'embedded', dir: config.dataDir },
    { log: createSilentLogger(), purpose: 'lienthong db migrate', migrate: false },
  );
  try {
    return await database.withSession(async (session) => {
      if (values.status) {
        const status = await migrationStatus(session);
        writeJson(context.stdout, status);
        return status.failed.length > 0 || status.pending.length > 0 ? 1 : 0;
      }
      const resolve = values['resolve-rolled-back'];
      if (resolve) {
        await markRolledBack(session, resolve);
        writeLine(
          context.stdout,
          `marked ${resolve} as rolled back; run lienthong db migrate to apply it again`,
        );
        return 0;
      }
      const outcome = await applyMigrations(session);
      for (const name of outcome.applied) writeLine(context.stdout, `applied ${name}`);
      for (const name of outcome.modifiedAfterApply)
        writeLine(
          context.stderr,
          `warning: ${name} was edited after it was applied; the edit is not applied`,
        );
      writeLine(
        context.stdout,
        outcome.applied.length === 0
          ? 'database is up to date'
          : `${outcome.applied.length} migration(s) applied`,
      );
      // The own agency too, as start does: people can be given it before the first start.
      const own = await ensureOwnAgency(
        createPrismaAgencyDirectory(database.prisma),
        config.organId,
        createSilentLogger(),
      );
      if (own === 'added') writeLine(context.stdout, `added the hub's own agency ${config.organId} (hosted)`);
      return 0;
    });
  } finally {
    await database.close();
  }
}

export const commands: readonly CliCommand[] = [
  {
    words: ['db', 'migrate'],
    usage:
      'db migrate [--status] [--resolve-rolled-back NAME]   apply pending migrations; refuses while one has failed',
    run: migrate,
  },
];
