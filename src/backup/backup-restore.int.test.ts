import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { openDatabase, readMigrationFiles, type Database } from '../db/index.ts';
import { registerIntakeItem } from '../registry/index.ts';
import { isHubError, createSilentLogger } from '../shared/index.ts';
import { ArchiveWriter } from './archive-format.ts';
import { inspectBackup, restoreBackup, writeBackup } from './index.ts';
import { listTables } from './table-catalog.ts';
import {
  auditVerdict,
  dataFiles,
  indexDefinitions,
  seedHub,
  SYSTEM,
  tableSnapshot,
} from './test-support/seed-hub.ts';

type Snapshot = Awaited<ReturnType<typeof tableSnapshot>>;
const dirs: string[] = [];
const databases: TestDatabase[] = [];
const tempDir = (label: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lienthong-backup-${label}-`));
  dirs.push(dir);
  return dir;
};
const emptyPostgres = async (): Promise<TestDatabase> => {
  const db = await createEmptyDatabase('restore');
  databases.push(db);
  return db;
};
const open = (
  target: { kind: 'embedded'; dir: string } | { kind: 'postgres'; url: string },
  migrate = false,
) => openDatabase(target, { log: createSilentLogger(), purpose: 'backup test', migrate });

async function using<T>(database: Database, work: (db: Database) => Promise<T>): Promise<T> {
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

const sourceDir = tempDir('source');
const workDir = tempDir('archives');
const archive = path.join(workDir, 'hub.lthb');
let source: Snapshot;
let sourceHead: string | undefined;
let sourceIndexes: string[] = [];
let restoredUrl: string;
const restoredDir = tempDir('restored');

beforeAll(async () => {
  await using(await open({ kind: 'embedded', dir: sourceDir }, true), async (db) => {
    await seedHub(db, sourceDir);
  });
  await using(await open({ kind: 'embedded', dir: sourceDir }), async (db) => {
    await writeBackup({ database: db, dataDir: sourceDir, file: archive });
    source = await tableSnapshot(db);
    sourceIndexes = await indexDefinitions(db);
    const verdict = await auditVerdict(db, sourceDir);
    sourceHead = verdict.intact ? verdict.head?.hash : undefined;
  });
}, 120_000);

afterAll(async () => {
  for (const db of databases) await db.drop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('backup of an embedded hub restored into PostgreSQL', () => {
  it('the archive describes itself: migrations, row counts, data files', async () => {
    const summary = await inspectBackup(archive);
    expect(summary.header.source).toBe('embedded');
    expect(summary.header.migrations.map((m) => m.name)).toEqual(readMigrationFiles().map((m) => m.name));
    expect(summary.trailer.tables).toMatchObject({
      agency: 2,
      document: 4,
      audit_entry: source.audit_entry?.length,
    });
    expect(summary.files.map((f) => f.path)).toEqual([
      'audit/anchors.jsonl',
      'keys/audit-anchor-ed25519.pem',
      'secrets/cookie.key',
      'trust/extra-anchor.pem',
    ]);
    // Parents come before children, so a restore never meets a dangling reference.
    const order = summary.tables.map((t) => t.name);
    expect(order.indexOf('agency')).toBeLessThan(order.indexOf('intake_item'));
    expect(order.indexOf('intake_item')).toBeLessThan(order.indexOf('document'));
    expect(order.indexOf('document')).toBeLessThan(order.indexOf('status_event'));
  });

  it('gives every table row for row, with exact types, and the same data files', async () => {
    const target = await emptyPostgres();
    restoredUrl = target.url;
    await using(await open({ kind: 'postgres', url: target.url }), async (db) => {
      const outcome = await restoreBackup({
        database: db,
        dataDir: restoredDir,
        file: archive,
        force: false,
      });
      expect(outcome).toMatchObject({ erased: false, migratedAfterwards: [], changedMigrations: [] });
      const restored = await tableSnapshot(db);
      expect(Object.keys(restored)).toEqual(Object.keys(source));
      for (const table of Object.keys(source)) expect(restored[table], table).toEqual(source[table]);
      // Indexes are dropped for the load and rebuilt: the same set must come back.
      expect(await indexDefinitions(db)).toEqual(sourceIndexes);
      expect(sourceIndexes.length).toBeGreaterThan(20);
    });
    expect(dataFiles(restoredDir)).toEqual(dataFiles(sourceDir));
    expect(source.blob?.some((row) => row[1] === String(5 * 1024 * 1024 + 7))).toBe(true);
    expect(source.document?.map((row) => row[4])).toEqual(expect.arrayContaining(['1', '2']));
  });

  it('keeps the audit chain intact against the restored anchors, and the numbering goes on', async () => {
    await using(await open({ kind: 'postgres', url: restoredUrl }), async (db) => {
      const verdict = await auditVerdict(db, restoredDir);
      expect(verdict).toMatchObject({ intact: true, entries: source.audit_entry?.length });
      expect(verdict.intact && verdict.head?.hash).toBe(sourceHead);

      const pending = await db.prisma.intakeItem.findFirstOrThrow({ where: { state: 'new' } });
      const outcome = await registerIntakeItem(
        db.prisma,
        SYSTEM,
        pending.id,
        {},
        { now: () => new Date('2026-06-01T00:00:00Z') },
      );
      expect(outcome).toMatchObject({ kind: 'registered', year: 2026, number: 3 });
      const after = await auditVerdict(db, restoredDir);
      expect(after).toMatchObject({ intact: true, entries: (source.audit_entry?.length ?? 0) + 1 });
      const last = await db.prisma.auditEntry.findFirstOrThrow({ orderBy: { seq: 'desc' } });
      expect(last.seq).toBe(BigInt(source.audit_entry?.length ?? 0) + 1n);
    });
  });

  it('refuses a target that holds rows, and changes nothing', async () => {
    await using(await open({ kind: 'postgres', url: restoredUrl }), async (db) => {
      const before = await tableSnapshot(db);
      await expect(
        restoreBackup({ database: db, dataDir: tempDir('x'), file: archive, force: false }),
      ).rejects.toSatisfy(
        (e) => isHubError(e, 'DB_RESTORE_TARGET_NOT_EMPTY') && /holds rows \(tables agency/.test(e.message),
      );
      expect(await tableSnapshot(db)).toEqual(before);
    });
  });

  it('refuses a data directory whose files differ, unless forced', async () => {
    const dir = tempDir('conflict');
    fs.mkdirSync(path.join(dir, 'secrets'));
    fs.writeFileSync(path.join(dir, 'secrets', 'cookie.key'), 'other');
    const target = await emptyPostgres();
    await using(await open({ kind: 'postgres', url: target.url }), async (db) => {
      await expect(
        restoreBackup({ database: db, dataDir: dir, file: archive, force: false }),
      ).rejects.toSatisfy(
        (e) => isHubError(e, 'DB_RESTORE_TARGET_NOT_EMPTY') && e.message.includes('secrets/cookie.key'),
      );
      expect(await db.withSession(listTables)).toEqual([]);
    });
  });
});

describe('a damaged archive', () => {
  const bytes = () => fs.readFileSync(archive);
  const variants: [string, () => Buffer, RegExp][] = [
    [
      'with one byte flipped',
      () => {
        const b = Buffer.from(bytes());
        const at = Math.floor(b.length / 2);
        b[at] = (b[at] ?? 0) ^ 0x01;
        return b;
      },
      /damaged or incomplete/,
    ],
    ['cut short', () => bytes().subarray(0, Math.floor(bytes().length * 0.7)), /ends early \(truncated\)/],
    [
      'cut exactly before its end record, recompressed',
      () => {
        const text = gunzipSync(bytes()).toString('utf8');
        return gzipSync(text.slice(0, text.lastIndexOf('{"kind":"end"')));
      },
      /ends early \(truncated\): the end record is missing/,
    ],
    [
      'with a value changed and recompressed',
      () => gzipSync(gunzipSync(bytes()).toString('utf8').replace('Sở Y tế', 'Sở Y tê')),
      /do not match their checksum/,
    ],
    ['that is not an archive at all', () => Buffer.from('hello'), /not a gzip-compressed lienthong backup/],
  ];

  it.each(variants)(
    '%s is refused with a clear message and nothing is written',
    async (_label, make, message) => {
      const file = path.join(workDir, 'damaged.lthb');
      fs.writeFileSync(file, make());
      const target = await emptyPostgres();
      const dir = tempDir('damaged');
      await using(await open({ kind: 'postgres', url: target.url }), async (db) => {
        await expect(restoreBackup({ database: db, dataDir: dir, file, force: true })).rejects.toSatisfy(
          (e) => isHubError(e, 'DB_BACKUP_CORRUPT') && message.test(e.message),
        );
        expect(await db.withSession(listTables)).toEqual([]);
      });
      expect(fs.readdirSync(dir)).toEqual([]);
    },
  );
});

describe('a load that the target refuses', () => {
  it('rolls back every row, places no data file, and says why', async () => {
    // A well-formed archive whose row points at an agency that is not in it: the FK refuses it.
    const summary = await inspectBackup(archive);
    const file = path.join(workDir, 'dangling.lthb');
    const gzip = createGzip();
    const done = pipeline(gzip, fs.createWriteStream(file));
    const writer = new ArchiveWriter(gzip);
    await writer.header({
      createdAt: new Date().toISOString(),
      source: 'postgres',
      migrations: summary.header.migrations,
    });
    await writer.beginFile({ path: 'keys/k.pem', mode: 0o600, size: 3 });
    await writer.fileChunk(Buffer.from('key'));
    await writer.endFile(createHash('sha256').update('key').digest('hex'));
    const columns = summary.tables.find((t) => t.name === 'agency_email')?.columns ?? [];
    await writer.beginTable({ name: 'agency_email', columns, rows: 1 });
    await writer.row(['x@y.vn', '6f1c2a9e-4b1d-4c56-9a0e-0d2f7e8b1a99']);
    await writer.endTable();
    await writer.finish();
    gzip.end();
    await done;

    const target = await emptyPostgres();
    const dir = tempDir('dangling');
    await using(await open({ kind: 'postgres', url: target.url }), async (db) => {
      await expect(restoreBackup({ database: db, dataDir: dir, file, force: false })).rejects.toSatisfy(
        (e) => isHubError(e, 'DB_RESTORE_FAILED') && /rolled back: .*foreign key/.test(e.message),
      );
      const snapshot = await tableSnapshot(db);
      expect(Object.values(snapshot).every((rows) => rows.length === 0)).toBe(true);
    });
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('PostgreSQL back to embedded, and --force', () => {
  it('a PostgreSQL hub restores into a fresh embedded data directory unchanged', async () => {
    const pgArchive = path.join(workDir, 'from-postgres.lthb');
    let fromPostgres: Snapshot = {};
    await using(await open({ kind: 'postgres', url: restoredUrl }), async (db) => {
      const outcome = await writeBackup({ database: db, dataDir: restoredDir, file: pgArchive });
      expect(outcome.tables.document).toBe(5);
      fromPostgres = await tableSnapshot(db);
    });
    const embeddedDir = tempDir('embedded');
    await using(await open({ kind: 'embedded', dir: embeddedDir }), async (db) => {
      await restoreBackup({ database: db, dataDir: embeddedDir, file: pgArchive, force: false });
      expect(await tableSnapshot(db)).toEqual(fromPostgres);
      expect(await auditVerdict(db, embeddedDir)).toMatchObject({ intact: true });

      // --force erases the target and puts the older archive back exactly.
      const outcome = await restoreBackup({ database: db, dataDir: embeddedDir, file: archive, force: true });
      expect(outcome.erased).toBe(true);
      expect(await tableSnapshot(db)).toEqual(source);
      expect(await auditVerdict(db, embeddedDir)).toMatchObject({ intact: true });
    });
  });
});
