import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Table ownership (docs/database.md, "Who writes which table"): the writers of each table are
 * derived from the code — Prisma write calls on a model, and INSERT / UPDATE … SET / DELETE FROM
 * in SQL — and each must be the table's owner or named beside it.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src');
/** restore writes every table; the migrator its bookkeeping */
const EXEMPT_MODULES = new Set(['backup', 'db']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ['generated', 'test-support', 'console'].includes(entry.name) ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Prisma model name (as the client spells it) → table, from schema.prisma's @@map. */
function modelTables(): Map<string, string> {
  const schema = fs.readFileSync(path.join(ROOT, 'prisma/schema.prisma'), 'utf8');
  const tables = new Map<string, string>();
  for (const block of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const [, model = '', body = ''] = block;
    const table = /@@map\("(\w+)"\)/.exec(body)?.[1] ?? model;
    tables.set(model.charAt(0).toLowerCase() + model.slice(1), table);
  }
  return tables;
}

type Ownership = Map<string, { owner: string; also: string[] }>;

function documentedOwnership(): Ownership {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/database.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Who writes which table'));
  const rows: Ownership = new Map();
  for (const row of section.matchAll(/^\| `(\w+)` \| ([\w-]+) \|(.*)\|$/gm)) {
    const [, table = '', owner = '', rest = ''] = row;
    const also = [...rest.matchAll(/(?:^|,)\s*([\w-]+) \(/g)].map((m) => m[1] ?? '');
    rows.set(table, { owner, also });
  }
  return rows;
}

const WRITE_CALL =
  /\.(\w+)\.(?:create|createMany|createManyAndReturn|update|updateMany|upsert|delete|deleteMany)\(/g;
const SQL_WRITE = /\b(?:INSERT INTO|DELETE FROM)\s+"?(\w+)"?|\bUPDATE\s+"?(\w+)"?\s+(?:AS\s+\w+\s+)?SET\b/g;

function writers(): { table: string; module: string; file: string }[] {
  const models = modelTables();
  const found: { table: string; module: string; file: string }[] = [];
  for (const file of sourceFiles(SRC)) {
    const module = path.relative(SRC, file).split(path.sep)[0]?.replace(/\.ts$/, '') ?? '';
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(WRITE_CALL)) {
      const table = models.get(match[1] ?? '');
      if (table) found.push({ table, module, file: path.relative(ROOT, file) });
    }
    for (const match of text.matchAll(SQL_WRITE)) {
      const table = match[1] ?? match[2] ?? '';
      if ([...models.values()].includes(table))
        found.push({ table, module, file: path.relative(ROOT, file) });
    }
  }
  return found;
}

describe('table ownership', () => {
  it('lists every table of the schema, once', () => {
    expect([...documentedOwnership().keys()].sort()).toEqual([...new Set(modelTables().values())].sort());
  });

  it('finds the writes it checks (the scan is not blind)', () => {
    const tables = new Set(writers().map((w) => w.table));
    for (const table of ['agency', 'intake_item', 'mail_spool', 'outbox_message', 'relay_delivery', 'blob'])
      expect(tables, table).toContain(table);
  });

  it('has every table written only by its owner or the modules named beside it', () => {
    const ownership = documentedOwnership();
    const wrong = writers()
      .filter((w) => !EXEMPT_MODULES.has(w.module))
      .filter((w) => {
        const rule = ownership.get(w.table);
        return !rule || (rule.owner !== w.module && !rule.also.includes(w.module));
      })
      .map((w) => `${w.file} writes ${w.table} (owner: ${ownership.get(w.table)?.owner ?? 'none'})`);
    expect([...new Set(wrong)]).toEqual([]);
  });
});
