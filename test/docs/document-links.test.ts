import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README and docs/*.md are read in a clone, where nothing outside the repository exists: every
 * relative link and every path they name must be a file of the repository.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCUMENTS = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

const read = (document: string) => fs.readFileSync(path.join(ROOT, document), 'utf8');

/** `[text](target)` targets that are not URLs or in-page anchors, without their #fragment. */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0] ?? '');
}

/** Paths into the repository's own folders, and names of Markdown files, as the text mentions them. */
function mentionedPaths(text: string): string[] {
  // not a package name (@prisma/…) nor a system path (/usr/bin/…)
  const inFolders =
    text.match(/(?<![\w/@.-])(?:docs|src|test|scripts|bench|prisma|bin|\.ci)\/[\w./-]*[\w/]/g) ?? [];
  const markdown = text.match(/(?<![\w/.-])[\w-]+\.md\b/g) ?? [];
  return [...inFolders, ...markdown];
}

function exists(document: string, target: string): boolean {
  // A path is written from the repository root (docs/ingest.md) or from the document (ingest.md).
  return [ROOT, path.dirname(path.join(ROOT, document))].some((base) =>
    fs.existsSync(path.resolve(base, target)),
  );
}

describe('the README and docs/*.md', () => {
  it.each(DOCUMENTS)('%s: every relative link resolves to a file of the repository', (document) => {
    const broken = relativeLinks(read(document)).filter((target) => !exists(document, target));
    expect(broken).toEqual([]);
  });

  it.each(DOCUMENTS)('%s: every path and Markdown file it names is in the repository', (document) => {
    const missing = mentionedPaths(read(document)).filter((target) => !exists(document, target));
    expect(missing).toEqual([]);
  });

  it.each(DOCUMENTS)('%s: names nothing outside the repository', (document) => {
    const outside = read(document).match(
      /\.\.\/shared|\bshared\/(?:standards|design)|CONTRACT\.md|\/work\//g,
    );
    expect(outside).toBeNull();
  });

  it('checks the links of a document that has them (the test reads what it means to)', () => {
    expect(relativeLinks('see [the contract](docs/contract.md#http) and [x](https://example.org)')).toEqual([
      'docs/contract.md',
    ]);
    expect(
      mentionedPaths('as `src/web/console` serves, see console.md; not @prisma/client nor /usr/bin/chromium'),
    ).toEqual(['src/web/console', 'console.md']);
  });
});
