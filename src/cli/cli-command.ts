import type { Readable, Writable } from 'node:stream';

/** What a command may touch: its arguments, the three streams and the environment (for config loading). */
export type CliContext = {
  readonly argv: readonly string[];
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
};

export type CliCommand = {
  /** Words that select the command, e.g. `['edxml', 'parse']`. */
  readonly words: readonly string[];
  /** One line for `lienthong help`. */
  readonly usage: string;
  /** Resolves to the process exit code. */
  run(context: CliContext): Promise<number>;
};

export function writeLine(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}

export function writeJson(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a file argument, or all of stdin for `-`. */
export async function readInput(context: CliContext, file: string): Promise<Buffer> {
  if (file !== '-') {
    const { readFile } = await import('node:fs/promises');
    return readFile(file);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of context.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}
