import fs from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { HubError, type Logger } from '../shared/index.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { closeClient, pgliteClient, postgresClient } from './direct-sql.ts';
import { applyMigrations, type MigrationOutcome, type MigrationSession } from './sql-migrator.ts';

export type { PrismaClient } from '../generated/prisma/client.ts';
export { Prisma } from '../generated/prisma/client.ts';
import type { Prisma as PrismaTypes } from '../generated/prisma/client.ts';
/** The client handed to `prisma.$transaction(async (tx) => …)`. */
export type Transaction = PrismaTypes.TransactionClient;

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'embedded'; dir: string };

export type Database = {
  readonly target: DatabaseTarget;
  readonly prisma: PrismaClient;
  /** Embedded mode only: the data-directory lock, which also tells other processes where the hub listens. */
  readonly lock: DataDirLock | undefined;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Runs `work` with a single raw session (migrations, maintenance). */
  withSession<T>(work: (session: MigrationSession) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel: `onNotify` gets each payload committed by any session (any hub process
   * on PostgreSQL). On PostgreSQL the listener holds its own connection and reconnects with
   * back-off; `onResumed` is called after a reconnect, since notifications sent meanwhile are lost.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<Listener>;
  close(): Promise<void>;
};

export type ListenHandlers = {
  onNotify(payload: string): void;
  onResumed?(): void;
  /** The connection dropped: notifications may be missed until `onResumed`. */
  onLost?(): void;
};
export type Listener = { close(): Promise<void> };

export type OpenDatabaseOptions = {
  log: Logger;
  /** Why this process opens the database; shown to anyone who finds the embedded database locked. */
  purpose: string;
  /** Apply pending migrations before returning (the hub does; `db migrate` applies them itself). */
  migrate: boolean;
};

function pgSession(client: pg.Client): MigrationSession {
  return {
    query: async <T>(sql: string, params?: unknown[]) => ({
      rows: (await client.query(sql, params)).rows as T[],
    }),
    exec: (sql) => client.query(sql),
  };
}

function pgliteSession(db: PGlite): MigrationSession {
  return {
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await db.query<T>(sql, params)).rows }),
    exec: (sql) => db.exec(sql),
  };
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A dedicated connection that LISTENs, reconnecting (1 s doubling to 30 s) until closed. */
function listenPostgres(
  url: string,
  channel: string,
  handlers: ListenHandlers,
  log: Logger,
): Promise<Listener> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delayMs = 1000;
  const connect = async (resumed: boolean): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    client = next;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed || closed) return;
      failed = true;
      log.warn({ err: error, channel, retryInMs: delayMs }, 'database listener lost; reconnecting');
      handlers.onLost?.();
      next.removeAllListeners('notification');
      void next.end().catch(() => undefined);
      retry = setTimeout(() => {
        void connect(true);
      }, delayMs);
      retry.unref();
      delayMs = Math.min(delayMs * 2, 30_000);
    };
    next.on('error', fail);
    next.on('end', () => {
      fail(new Error('connection ended'));
    });
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) handlers.onNotify(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      if (!resumed && !closed) throw error;
      fail(error);
      return;
    }
    delayMs = 1000;
    if (resumed) handlers.onResumed?.();
  };
  return connect(false).then(
    () => ({
      close: async () => {
        closed = true;
        clearTimeout(retry);
        await client?.end().catch(() => undefined);
      },
    }),
    (error: unknown) => {
      closed = true;
      void client?.end().catch(() => undefined);
      throw new HubError('DB_UNAVAILABLE', `cannot listen on PostgreSQL: ${(error as Error).message}`, {
        cause: error,
      });
    },
  );
}

function reportMigrations(log: Logger, outcome: MigrationOutcome): void {
  if (outcome.applied.length > 0) log.info({ applied: outcome.applied }, 'migrations applied');
  if (outcome.modifiedAfterApply.length > 0) {
    log.warn(
      { migrations: outcome.modifiedAfterApply },
      'applied migrations were edited afterwards; edits are not re-run',
    );
  }
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const withSession = async <T>(work: (session: MigrationSession) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined); // a dropped idle session is reported by the query that needs it
    try {
      await client.connect();
    } catch (error) {
      throw new HubError('DB_UNAVAILABLE', `cannot reach PostgreSQL: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      return await work(pgSession(client));
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  if (options.migrate) reportMigrations(options.log, await withSession((s) => applyMigrations(s)));
  const prisma = postgresClient(url, { connectionTimeoutMillis: 5000 });
  return {
    target: { kind: 'postgres', url },
    prisma,
    lock: undefined,
    ping: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    withSession,
    listen: (channel, handlers) => {
      if (!CHANNEL_NAME.test(channel)) throw new TypeError(`not a channel name: ${channel}`);
      return listenPostgres(url, channel, handlers, options.log);
    },
    close: () => closeClient(prisma),
  };
}

async function openEmbedded(dir: string, options: OpenDatabaseOptions): Promise<Database> {
  const lock = acquireDataDirLock(dir, options.purpose);
  let db: PGlite | undefined;
  try {
    fs.mkdirSync(dir, { recursive: true });
    // The extensions our migrations create must be compiled in: PGlite loads them explicitly.
    db = await PGlite.create(`${dir}/pglite`, { extensions: { pg_trgm } });
    const session = pgliteSession(db);
    if (options.migrate) reportMigrations(options.log, await applyMigrations(session));
    const pglite = db;
    const prisma = pgliteClient(pglite);
    return {
      target: { kind: 'embedded', dir },
      prisma,
      lock,
      ping: async () => {
        await pglite.query('SELECT 1');
      },
      withSession: (work) => work(session),
      // One process holds the embedded database, so PGlite's own LISTEN sees every change.
      listen: async (channel, handlers) => {
        if (!CHANNEL_NAME.test(channel)) throw new TypeError(`not a channel name: ${channel}`);
        const unlisten = await pglite.listen(channel, (payload) => {
          handlers.onNotify(payload);
        });
        return { close: () => unlisten() };
      },
      close: async () => {
        await prisma.$disconnect();
        await pglite.close();
        lock.release();
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    lock.release();
    throw error;
  }
}

/** PostgreSQL when a URL is configured, else the embedded PGlite database in the data directory. */
export function openDatabase(target: DatabaseTarget, options: OpenDatabaseOptions): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url, options) : openEmbedded(target.dir, options);
}
