import type { MigrationSession } from '../db/index.ts';
import { HubError } from '../shared/index.ts';
import type { ArchiveColumn, ArchiveSequence } from './archive-format.ts';

/**
 * What the database itself says about the hub's tables: columns with their exact types, primary
 * keys, the foreign-key order, and the sequences behind serial columns. Read from the catalog rather
 * than listed by hand, so a table added by a later migration is backed up without touching this code.
 */
export type CatalogTable = { name: string; columns: ArchiveColumn[]; primaryKey: string[] };

/** Prisma's bookkeeping travels in the archive header, not as rows (the target keeps its own). */
export const MIGRATIONS_TABLE = '_prisma_migrations';

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export async function listTables(session: MigrationSession): Promise<string[]> {
  const { rows } = await session.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
  );
  return rows.map((r) => r.name);
}

async function describeTable(session: MigrationSession, name: string): Promise<CatalogTable> {
  const columns = await session.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a
      WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [`public.${quoteIdent(name)}`],
  );
  const key = await session.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_index i
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1::text::regclass AND i.indisprimary
      ORDER BY k.ord`,
    [`public.${quoteIdent(name)}`],
  );
  return { name, columns: columns.rows, primaryKey: key.rows.map((r) => r.name) };
}

/**
 * Tables (without the migrations table) with parents before children, so rows restored in archive
 * order never point at a row not yet there. A cycle cannot be restored this way and is refused.
 */
export async function describeTablesInForeignKeyOrder(session: MigrationSession): Promise<CatalogTable[]> {
  const names = (await listTables(session)).filter((n) => n !== MIGRATIONS_TABLE);
  const { rows: edges } = await session.query<{ child: string; parent: string }>(
    `SELECT ch.relname AS child, pa.relname AS parent
       FROM pg_constraint f
       JOIN pg_class ch ON ch.oid = f.conrelid
       JOIN pg_class pa ON pa.oid = f.confrelid
       JOIN pg_namespace n ON n.oid = ch.relnamespace
      WHERE f.contype = 'f' AND n.nspname = 'public' AND f.conrelid <> f.confrelid`,
  );
  const ordered: string[] = [];
  const remaining = new Set(names);
  while (remaining.size > 0) {
    const ready = [...remaining].filter(
      (name) => !edges.some((e) => e.child === name && remaining.has(e.parent) && e.parent !== name),
    );
    if (ready.length === 0)
      throw new HubError(
        'DB_BACKUP_FAILED',
        `the foreign keys between ${[...remaining].join(', ')} form a cycle; this backup format cannot order them`,
      );
    for (const name of ready.sort()) {
      ordered.push(name);
      remaining.delete(name);
    }
  }
  const selfReferencing = new Set(edges.filter((e) => e.child === e.parent).map((e) => e.child));
  const tables: CatalogTable[] = [];
  for (const name of ordered) {
    const table = await describeTable(session, name);
    if (selfReferencing.has(name) || table.primaryKey.length === 0)
      throw new HubError(
        'DB_BACKUP_FAILED',
        `table ${name} ${table.primaryKey.length === 0 ? 'has no primary key' : 'references itself'}; this backup format does not handle it`,
      );
    tables.push(table);
  }
  return tables;
}

/** Sequences owned by a column (serial, bigserial, identity) with their current position. */
export async function readSequences(session: MigrationSession): Promise<ArchiveSequence[]> {
  const { rows } = await session.query<{ sequence: string; table: string; column: string }>(
    `SELECT s.relname AS sequence, t.relname AS "table", a.attname AS "column"
       FROM pg_depend d
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_class t ON t.oid = d.refobjid
       JOIN pg_namespace n ON n.oid = s.relnamespace
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND n.nspname = 'public'
      ORDER BY 1`,
  );
  const values: ArchiveSequence[] = [];
  for (const row of rows) {
    const { rows: state } = await session.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text AS last_value, is_called FROM public.${quoteIdent(row.sequence)}`,
    );
    const current = state[0];
    if (current) values.push({ ...row, lastValue: current.last_value, isCalled: current.is_called });
  }
  return values;
}

/** Tables of the target that hold at least one row (the migrations table aside). */
export async function nonEmptyTables(session: MigrationSession): Promise<string[]> {
  const found: string[] = [];
  for (const name of await listTables(session)) {
    if (name === MIGRATIONS_TABLE) continue;
    const { rows } = await session.query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM public.${quoteIdent(name)}) AS any`,
    );
    if (rows[0]?.any) found.push(name);
  }
  return found;
}

/** Migrations finished on this database, oldest first; none when it was never migrated. */
export async function appliedMigrations(
  session: MigrationSession,
): Promise<{ name: string; checksum: string }[]> {
  if (!(await listTables(session)).includes(MIGRATIONS_TABLE)) return [];
  const { rows } = await session.query<{ name: string; checksum: string }>(
    `SELECT migration_name AS name, checksum FROM ${quoteIdent(MIGRATIONS_TABLE)}
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return rows;
}

export type SecondaryIndex = { table: string; name: string; definition: string };

/**
 * Indexes no constraint stands on (not primary keys, not those a foreign key or unique constraint
 * uses): a restore drops them before loading and builds them once afterwards, which is far faster
 * than maintaining a trigram GIN index row by row over a million documents.
 */
export async function secondaryIndexes(session: MigrationSession): Promise<SecondaryIndex[]> {
  const { rows } = await session.query<SecondaryIndex>(
    `SELECT t.relname AS "table", i.relname AS name, pg_get_indexdef(i.oid) AS definition
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND NOT x.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      ORDER BY 1, 2`,
  );
  return rows;
}
