// Database access: opens PostgreSQL (DATABASE_URL) or the embedded PGlite database, applies
// prisma/migrations with Prisma-compatible bookkeeping, and guards the embedded data directory.
// It knows no business rules; modules receive the Prisma client from the composition root.
export {
  openDatabase,
  Prisma,
  type Database,
  type DatabaseTarget,
  type Listener,
  type ListenHandlers,
  type PrismaClient,
  type Transaction,
} from './open-database.ts';
export {
  applyMigrations,
  markRolledBack,
  migrationStatus,
  readMigrationFiles,
  type MigrationSession,
} from './sql-migrator.ts';
export { bytesOf, closeClient, directSql, postgresClient, type DirectSql } from './direct-sql.ts';
export { readLockHolder, type LockHolder } from './data-dir-lock.ts';
