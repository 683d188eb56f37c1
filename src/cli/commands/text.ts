import { parseArgs } from 'node:util';
import { normalizeText, parseSourceEncoding, type EncodingDetection } from '../../text/index.ts';
import { readInput, writeLine, type CliCommand } from '../cli-command.ts';

/** `lienthong text normalize [--from …]` (docs/contract.md): stdin → Unicode NFC on stdout. */

function describe(detection: EncodingDetection): string {
  const name = (encoding: string, via: boolean): string =>
    via ? `${encoding} (shown as windows-1252 and saved as UTF-8)` : encoding;
  const runnerUp = detection.runnerUp
    ? `; runner-up: ${name(detection.runnerUp.encoding, detection.runnerUp.viaWindows1252)}`
    : '';
  return `encoding: ${name(detection.encoding, detection.viaWindows1252)}; confidence: ${detection.confidence.toFixed(2)}${runnerUp}`;
}

export const commands: readonly CliCommand[] = [
  {
    words: ['text', 'normalize'],
    usage:
      'text normalize [--from auto|tcvn3|vni|viscii|vps|viqr|windows-1258|utf-8]   stdin → Unicode NFC stdout',
    async run(context) {
      const { values } = parseArgs({
        args: [...context.argv],
        options: { from: { type: 'string', default: 'auto' } },
        strict: true,
      });
      const from = parseSourceEncoding(values.from);
      const result = normalizeText(await readInput(context, '-'), from);
      context.stdout.write(result.text);
      if (from === 'auto') writeLine(context.stderr, describe(result.detection));
      for (const warning of result.warnings) writeLine(context.stderr, `warning: ${warning}`);
      return 0;
    },
  },
];
