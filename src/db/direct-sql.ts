import type { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';

/**
 * Statements sent straight to the driver, for the few that move large bytea values: mail into
 * the spool and out of it, and blobs. Prisma's raw-query path copies every parameter through
 * JSON and base64 several times: spooling a 50 KB message costs ~0.5 ms of CPU through Prisma and
 * ~0.1–0.15 ms through pg (npm run bench:spool), CPU taken from the SMTP sessions waiting for
 * their 250. Everything else keeps using Prisma.
 *
 * Rows come back as the driver gives them: select bigint columns as text, and read bytea with
 * `bytesOf` (pg gives a Buffer, PGlite and Prisma a Uint8Array).
 */
export type DirectSql = {
  query<Row>(sql: string, params: readonly unknown[]): Promise<Row[]>;
};

// Each client made here remembers the driver under it; any other client (a test's own) falls back
// to Prisma's raw queries, which give the same results more slowly.
const drivers = new WeakMap<PrismaClient, DirectSql>();
const pools = new WeakMap<PrismaClient, pg.Pool>();

/** The driver beneath a client made by `postgresClient`/`pgliteClient`; Prisma itself otherwise. */
export function directSql(prisma: PrismaClient): DirectSql {
  return (
    drivers.get(prisma) ?? {
      query: <Row>(sql: string, params: readonly unknown[]) => prisma.$queryRawUnsafe<Row[]>(sql, ...params),
    }
  );
}

/** A Prisma client on a pg pool that direct statements share (one connection budget). */
export function postgresClient(
  url: string,
  options: { max?: number; connectionTimeoutMillis?: number } = {},
) {
  const pool = new pg.Pool({ connectionString: url, ...options });
  // An idle connection the server drops (restart, admin) must not crash the process: the next
  // query that needs a connection gets a fresh one or reports the outage itself.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  drivers.set(prisma, {
    query: async <Row>(sql: string, params: readonly unknown[]) =>
      (await pool.query(sql, [...params])).rows as Row[],
  });
  pools.set(prisma, pool);
  return prisma;
}

/**
 * Disconnects a client and ends its pool. Prisma ends a shared pool only if it connected
 * itself; a client that only ever ran direct statements would keep its connections open.
 */
export async function closeClient(prisma: PrismaClient): Promise<void> {
  await prisma.$disconnect();
  const pool = pools.get(prisma);
  if (pool && !pool.ended) await pool.end();
}

/** A Prisma client on the embedded database; PGlite runs one statement at a time for both. */
export function pgliteClient(db: PGlite): PrismaClient {
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  drivers.set(prisma, {
    query: async <Row>(sql: string, params: readonly unknown[]) =>
      (await db.query<Row>(sql, [...params])).rows,
  });
  return prisma;
}

/** A bytea value as any of the drivers returns it, without copying. */
export function bytesOf(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
