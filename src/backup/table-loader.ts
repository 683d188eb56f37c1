import type { MigrationSession } from '../db/index.ts';
import { HubError } from '../shared/index.ts';
import type { ArchiveSequence, RowValues, TableStart } from './archive-format.ts';
import { quoteIdent, type CatalogTable } from './table-catalog.ts';

/**
 * Inserts archived rows in batches. Each value goes in as text and is cast by the server with the
 * column's own type (`$1::text::bytea`), which reads PostgreSQL's text output back exactly; going
 * through text first also keeps PGlite from guessing a JavaScript type for the parameter.
 */
const MAX_PARAMS = 30_000;
const MAX_BATCH_CHARS = 8 * 1024 * 1024;
const MAX_BATCH_ROWS = 500;

export type TableLoader = {
  start(table: TableStart): void;
  add(values: RowValues): Promise<void>;
  /** Flushes and checks that the target holds as many rows as the archive said. */
  finish(expectedRows: number): Promise<void>;
};

export function createTableLoader(
  session: MigrationSession,
  targetTables: ReadonlyMap<string, CatalogTable>,
): TableLoader {
  let table: TableStart | undefined;
  let batch: RowValues[] = [];
  let batchChars = 0;
  const statements = new Map<number, string>();

  const statementFor = (rows: number): string => {
    const current = table as TableStart;
    const cached = statements.get(rows);
    if (cached) return cached;
    const width = current.columns.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r += 1)
      tuples.push(`(${current.columns.map((c, i) => `$${r * width + i + 1}::text::${c.type}`).join(', ')})`);
    const sql =
      `INSERT INTO public.${quoteIdent(current.name)} (${current.columns.map((c) => quoteIdent(c.name)).join(', ')}) ` +
      `VALUES ${tuples.join(', ')}`;
    statements.set(rows, sql);
    return sql;
  };

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await session.query(statementFor(batch.length), batch.flat());
    batch = [];
    batchChars = 0;
  };

  return {
    start(start) {
      const target = targetTables.get(start.name);
      const expected = start.columns.map((c) => `${c.name} ${c.type}`).join(', ');
      const actual = target?.columns.map((c) => `${c.name} ${c.type}`).join(', ');
      if (expected !== actual)
        throw new HubError(
          'DB_BACKUP_INCOMPATIBLE',
          target
            ? `table ${start.name} differs between the archive (${expected}) and this database (${actual ?? ''})`
            : `table ${start.name} of the archive does not exist in this database`,
        );
      table = start;
      statements.clear();
    },
    async add(values) {
      batch.push(values);
      for (const v of values) batchChars += v?.length ?? 0;
      const width = table?.columns.length ?? 1;
      if (
        (batch.length + 1) * width > MAX_PARAMS ||
        batchChars >= MAX_BATCH_CHARS ||
        batch.length >= MAX_BATCH_ROWS
      )
        await flush();
    },
    async finish(expectedRows) {
      await flush();
      const name = table?.name ?? '';
      const { rows } = await session.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM public.${quoteIdent(name)}`,
      );
      if (Number(rows[0]?.n) !== expectedRows)
        throw new HubError(
          'DB_RESTORE_FAILED',
          `table ${name} holds ${rows[0]?.n ?? '?'} rows after the restore, the archive has ${expectedRows}`,
        );
      table = undefined;
    },
  };
}

/**
 * Puts each sequence where the next value follows both the archived position and the highest
 * restored value, so `audit_entry.seq` continues the chain instead of colliding with it.
 */
export async function restoreSequences(
  session: MigrationSession,
  values: readonly ArchiveSequence[],
): Promise<void> {
  for (const s of values) {
    const { rows } = await session.query<{ m: string }>(
      `SELECT COALESCE(max(${quoteIdent(s.column)}), 0)::text AS m FROM public.${quoteIdent(s.table)}`,
    );
    const archived = BigInt(s.lastValue) - (s.isCalled ? 0n : 1n);
    const highest = BigInt(rows[0]?.m ?? '0');
    const position = archived > highest ? archived : highest;
    await session.query('SELECT setval($1::text::regclass, $2::text::bigint, $3::boolean)', [
      `public.${quoteIdent(s.sequence)}`,
      position >= 1n ? position.toString() : '1',
      position >= 1n,
    ]);
  }
}
