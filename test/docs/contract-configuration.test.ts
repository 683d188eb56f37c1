import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../../src/config/config-schema.ts';

const CONTRACT = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/contract.md'), 'utf8');

/** The variables named in the first column of the contract's Configuration table. */
function documentedVariables(): string[] {
  const section = CONTRACT.split(/^## /m).find((part) => part.startsWith('Configuration')) ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) =>
      [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? ''),
    );
}

describe('docs/contract.md, Configuration', () => {
  it('names exactly the environment variables the hub reads', () => {
    expect(documentedVariables().sort()).toEqual(Object.values(ENVIRONMENT_VARIABLES).sort());
  });
});
