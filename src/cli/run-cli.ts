import process from 'node:process';
import { isHubError } from '../shared/index.ts';
import { writeLine, type CliCommand, type CliContext } from './cli-command.ts';
import { loadCommandTable } from './command-table.ts';

/** Picks the command whose words match the longest prefix of argv. */
function selectCommand(table: readonly CliCommand[], argv: readonly string[]): CliCommand | undefined {
  let best: CliCommand | undefined;
  for (const command of table) {
    const matches = command.words.every((word, index) => argv[index] === word);
    if (matches && (!best || command.words.length > best.words.length)) best = command;
  }
  return best;
}

function printUsage(table: readonly CliCommand[], stream: NodeJS.WritableStream): void {
  stream.write('Cách dùng / usage: lienthong <command> [options]\n\n');
  for (const command of table) stream.write(`  lienthong ${command.usage}\n`);
}

export async function runCli(
  argv: readonly string[],
  io: Partial<Omit<CliContext, 'argv'>> = {},
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
    printUsage(await loadCommandTable(), stdout);
    return argv.length === 0 ? 2 : 0;
  }
  const command = selectCommand(await loadCommandTable(argv[0]), argv);
  if (!command) {
    writeLine(stderr, `lienthong: unknown command "${argv.join(' ')}"`);
    printUsage(await loadCommandTable(), stderr);
    return 2;
  }
  try {
    return await command.run({
      argv: argv.slice(command.words.length),
      stdin: io.stdin ?? process.stdin,
      stdout,
      stderr,
      // eslint-disable-next-line no-restricted-properties -- the CLI hands the environment to loadConfig, the only reader
      env: io.env ?? process.env,
    });
  } catch (error) {
    if (isHubError(error)) {
      writeLine(stderr, `lienthong: ${error.message} [${error.code}]`);
      return 1;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      writeLine(stderr, `lienthong: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
