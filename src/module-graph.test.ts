import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * docs/architecture.md's module graph against the code: every import between modules of src/
 * (a module is a folder directly under src/, and src/main.ts is `main`) in non-test code must be in
 * the document's list, and every edge in the list must exist in the imports.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ['generated', 'test-support'].includes(entry.name) ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const moduleOf = (file: string): string | null => {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts[0]?.startsWith('..')) return null;
  return parts.length === 1 ? (parts[0] ?? '').replace(/\.ts$/, '') : (parts[0] ?? null);
};

function importedEdges(): Set<string> {
  const edges = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const from = moduleOf(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/g)) {
      const to = moduleOf(path.resolve(path.dirname(file), match[1] ?? ''));
      if (from && to && to !== from && to !== 'generated') edges.add(`${from} -> ${to}`);
    }
  }
  return edges;
}

function documentedEdges(): Set<string> {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
  const block = /```modules\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new TypeError('docs/architecture.md has no ```modules block');
  const edges = new Set<string>();
  for (const line of block.split('\n').filter(Boolean)) {
    const [from = '', targets = ''] = line.split(':');
    for (const to of targets.trim().split(/\s+/).filter(Boolean)) edges.add(`${from.trim()} -> ${to}`);
  }
  return edges;
}

describe('the module graph in docs/architecture.md', () => {
  it('draws every import between modules, and nothing that is not imported', () => {
    const code = importedEdges();
    const doc = documentedEdges();
    expect(code.size).toBeGreaterThan(30);
    expect([...code].filter((edge) => !doc.has(edge)).sort(), 'imported but not in the doc').toEqual([]);
    expect([...doc].filter((edge) => !code.has(edge)).sort(), 'in the doc but not imported').toEqual([]);
  });

  it('has no cycle between modules other than the CLI and the composition root', () => {
    const edges = [...importedEdges()].map((edge) => edge.split(' -> ') as [string, string]);
    const cyclic = edges.filter(([from, to]) => edges.some(([a, b]) => a === to && b === from));
    expect(
      cyclic.filter(([from, to]) => !['cli', 'main'].includes(from) || !['cli', 'main'].includes(to)),
    ).toEqual([]);
  });
});
