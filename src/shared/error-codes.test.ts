import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import moduleBoundaries from '../../eslint-rules/module-boundaries.js';
import { describe, expect, it } from 'vitest';
import { HUB_ERROR_CODES } from './error-codes.ts';
import { HubError, type HubErrorCode } from './hub-error.ts';

describe('the error catalogue', () => {
  it('is closed: an unlisted code does not compile (npm run check type-checks this file)', () => {
    // @ts-expect-error EDXML_NOT_WELL_FORMD is a typo, not a code of the catalogue
    const typo: HubErrorCode = 'EDXML_NOT_WELL_FORMD';
    expect(HUB_ERROR_CODES).not.toContain(typo);
    expect(new HubError('EDXML_NOT_WELL_FORMED', 'x').code).toBe('EDXML_NOT_WELL_FORMED');
  });

  it('lists each code once, prefixed with a module', () => {
    expect(new Set(HUB_ERROR_CODES).size).toBe(HUB_ERROR_CODES.length);
    for (const code of HUB_ERROR_CODES) expect(code).toMatch(/^[A-Z]+_[A-Z0-9_]+$/);
  });
});

describe('the module-entry lint rule', () => {
  const ROOT = path.resolve(import.meta.dirname, '../..');
  // The rule alone, on code that is not on disk (the project's typed config needs real files).
  const lint = async (file: string, code: string) => {
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser },
          plugins: { lienthong: moduleBoundaries },
          rules: { 'lienthong/module-entry': 'error' },
        },
      ],
    });
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return (result?.messages ?? [])
      .filter((m) => m.ruleId === 'lienthong/module-entry')
      .map((m) => m.message);
  };

  it('is on for the source of every module, and off for tests', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const rule = async (file: string) =>
      ((await eslint.calculateConfigForFile(path.join(ROOT, file))) as { rules?: Record<string, unknown> })
        .rules?.['lienthong/module-entry'];
    expect(await rule('src/exchange/relay-worker.ts')).toEqual([2]);
    expect(await rule('src/exchange/relay.int.test.ts')).toBeUndefined();
  });

  it('refuses a deep import into another module, and takes its index.ts', async () => {
    const deep = await lint(
      'src/exchange/example.ts',
      "export { listZip } from '../edxml/zip-listing.ts';\n",
    );
    expect(deep).toEqual([expect.stringContaining("reaches into module 'edxml'")]);
    expect(await lint('src/exchange/example.ts', "export { listZip } from '../edxml/index.ts';\n")).toEqual(
      [],
    );
    expect(await lint('src/exchange/example.ts', "export { inboxQueue } from './topology.ts';\n")).toEqual(
      [],
    );
  });

  it('keeps the generated Prisma client behind src/db', async () => {
    const outside = await lint(
      'src/registry/example.ts',
      "export type { PrismaClient } from '../generated/prisma/client.ts';\n",
    );
    expect(outside).toEqual(['the generated Prisma client is reached only through src/db']);
  });
});
