import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEmptyDatabase,
  createTestDatabase,
  type TestDatabase,
} from '../../test/support/test-database.ts';
import { applyMigrations, openDatabase, readMigrationFiles, type Database } from '../db/index.ts';
import { isHubError, createSilentLogger } from '../shared/index.ts';
import { restoreBackup, writeBackup } from './index.ts';
import { appliedMigrations } from './table-catalog.ts';

// An archive taken by an older lienthong (fewer migrations) restores into this one: the target is
// migrated to the archive's point, loaded, then brought up to date; a newer archive is refused.
const migrations = readMigrationFiles();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-backup-migrations-'));
const oldArchive = path.join(dir, 'old.lthb');
const databases: TestDatabase[] = [];
const open = (url: string): Promise<Database> =>
  openDatabase({ kind: 'postgres', url }, { log: createSilentLogger(), purpose: 'test', migrate: false });

beforeAll(async () => {
  const source = await createEmptyDatabase('old_hub');
  databases.push(source);
  const db = await open(source.url);
  try {
    await db.withSession(async (session) => {
      await applyMigrations(session, migrations.slice(0, 1));
      await session.query(
        "INSERT INTO agency (id, organ_id, name, channel, created_at, updated_at) VALUES (gen_random_uuid(), '000.00.00.H53', 'UBND tỉnh Tây Ninh', 'hosted', '2025-01-02 03:04:05.678+07', now())",
      );
    });
    await writeBackup({ database: db, dataDir: path.join(dir, 'old-data'), file: oldArchive });
  } finally {
    await db.close();
  }
}, 60_000);

afterAll(async () => {
  for (const db of databases) await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('restoring across lienthong versions', () => {
  it('an older archive goes into an empty database migrated further, and newer migrations run after', async () => {
    expect(migrations.length).toBeGreaterThan(1);
    const target = await createTestDatabase('newer_hub');
    databases.push(target);
    const db = await open(target.url);
    try {
      const outcome = await restoreBackup({
        database: db,
        dataDir: path.join(dir, 't1'),
        file: oldArchive,
        force: false,
      });
      expect(outcome).toMatchObject({
        erased: true,
        migratedAfterwards: migrations.slice(1).map((m) => m.name),
      });
      expect((await db.withSession(appliedMigrations)).map((m) => m.name)).toEqual(
        migrations.map((m) => m.name),
      );
      const agencies = await db.prisma.agency.findMany();
      expect(agencies).toMatchObject([
        { organId: '000.00.00.H53', createdAt: new Date('2025-01-01T20:04:05.678Z') },
      ]);
    } finally {
      await db.close();
    }
  });

  it('an archive with migrations this lienthong does not know is refused before anything is written', async () => {
    const target = await createEmptyDatabase('older_code');
    databases.push(target);
    const db = await open(target.url);
    try {
      await expect(
        restoreBackup({
          database: db,
          dataDir: path.join(dir, 't2'),
          file: oldArchive,
          force: false,
          migrationFiles: [],
        }),
      ).rejects.toSatisfy(
        (e) =>
          isHubError(e, 'DB_BACKUP_INCOMPATIBLE') &&
          e.message.includes(`${migrations[0]?.name ?? ''} are unknown`),
      );
      expect(await db.withSession(appliedMigrations)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
