import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import {
  buildEdxml,
  parseEdxml,
  refusalRule,
  validateEdxml,
  type Severity,
  type ValidationResult,
} from '../../edxml/index.ts';
import { HubError, isHubError } from '../../shared/index.ts';
import { readInput, writeJson, type CliCommand, type CliContext } from '../cli-command.ts';

/** `lienthong edxml parse|validate|build` (docs/contract.md). `sign`/`verify` belong to the signing module. */

function fileArgument(context: CliContext): { file: string; withContent: boolean } {
  const { values, positionals } = parseArgs({
    args: [...context.argv],
    options: { 'with-content': { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) {
    throw new HubError(
      'CLI_USAGE',
      'Cần đúng một tệp hoặc "-" cho stdin / exactly one FILE or "-" (stdin) is required',
    );
  }
  return { file, withContent: values['with-content'] };
}

/** Reads the input, refusing a file over the message limit before reading it into memory. */
/** Reads FILE or stdin; a missing or unreadable file becomes a HubError with the OS reason. */
async function readAll(context: CliContext, file: string): Promise<Buffer> {
  try {
    return await readInput(context, file);
  } catch (error) {
    throw unreadable(file, error);
  }
}

function unreadable(file: string, error: unknown): unknown {
  if (!(error instanceof Error) || !('code' in error)) return error;
  return new HubError(
    'CLI_INPUT_UNREADABLE',
    `Không đọc được tệp ${file} / cannot read ${file}: ${String(error.code)}`,
    { cause: error },
  );
}

async function readPackageInput(context: CliContext, file: string, limit: number): Promise<Buffer> {
  if (file !== '-') {
    const { size } = await stat(file).catch((error: unknown) => {
      throw unreadable(file, error);
    });
    if (size > limit) {
      throw new HubError(
        'EDXML_TOO_LARGE',
        `Tệp ${size} byte vượt giới hạn ${limit} byte / file of ${size} bytes exceeds the limit of ${limit} bytes`,
        {
          details: { size, limit },
        },
      );
    }
  }
  return readAll(context, file);
}

function errorJson(error: HubError): { error: { code: string; message: string; details?: unknown } } {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
}

const SEVERITY_WORDS: Readonly<Record<Severity, string>> = {
  error: 'lỗi (error)',
  warning: 'cảnh báo (warning)',
  note: 'ghi chú (note)',
};

/** The validation for a person: per problem its severity in words, path, message and rule, then a total. */
export function describeValidation(result: ValidationResult): string {
  const blocks = result.problems.map(
    (p) => `${SEVERITY_WORDS[p.severity]}  ${p.path}\n  ${p.message}\n  quy tắc / rule: ${p.rule}\n`,
  );
  const count = (severity: Severity): number => result.problems.filter((p) => p.severity === severity).length;
  const verdict = result.valid ? 'hợp lệ / valid' : 'không hợp lệ / not valid';
  return `${blocks.join('')}${count('error')} lỗi, ${count('warning')} cảnh báo, ${count('note')} ghi chú: ${verdict}\n`;
}

export const commands: readonly CliCommand[] = [
  {
    words: ['edxml', 'parse'],
    usage: 'edxml parse FILE|- [--with-content]   package → normalized JSON',
    async run(context) {
      const { file, withContent } = fileArgument(context);
      const maxBytes = loadConfig(context.env).maxMessageBytes;
      try {
        const input = await readPackageInput(context, file, maxBytes);
        writeJson(context.stdout, parseEdxml(input, { withContent, limits: { maxBytes } }));
        return 0;
      } catch (error) {
        if (!isHubError(error)) throw error;
        writeJson(context.stdout, errorJson(error));
        return 1;
      }
    },
  },
  {
    words: ['edxml', 'validate'],
    usage:
      'edxml validate FILE|-               QCVN 102 problems: JSON on stdout, one block each on stderr (exit 1 on errors)',
    async run(context) {
      const { file } = fileArgument(context);
      const maxBytes = loadConfig(context.env).maxMessageBytes;
      let result: ValidationResult;
      try {
        result = validateEdxml(await readPackageInput(context, file, maxBytes), {
          limits: { maxBytes },
        });
      } catch (error) {
        if (!isHubError(error)) throw error;
        result = {
          valid: false,
          problems: [
            {
              path: '/',
              code: error.code,
              severity: 'error',
              message: error.message,
              rule: refusalRule(error.code),
            },
          ],
        };
      }
      writeJson(context.stdout, result);
      context.stderr.write(describeValidation(result));
      return result.valid ? 0 : 1;
    },
  },
  {
    words: ['edxml', 'build'],
    usage: 'edxml build FILE.json|-             normalized JSON with content → edXML',
    async run(context) {
      const { file } = fileArgument(context);
      const raw = (await readAll(context, file)).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (error) {
        throw new HubError(
          'EDXML_BUILD_INVALID_INPUT',
          `Đầu vào không phải JSON / the input is not JSON: ${String(error)}`,
        );
      }
      context.stdout.write(buildEdxml(json));
      return 0;
    },
  },
];
