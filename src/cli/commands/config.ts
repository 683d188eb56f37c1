import { loadConfig, redactConfig } from '../../config/index.ts';
import { writeJson, type CliCommand } from '../cli-command.ts';

export const commands: readonly CliCommand[] = [
  {
    words: ['config', 'print'],
    usage: 'config print                 effective configuration, secrets redacted',
    run(context) {
      writeJson(context.stdout, redactConfig(loadConfig(context.env)));
      return Promise.resolve(0);
    },
  },
];
