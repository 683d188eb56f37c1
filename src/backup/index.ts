// Backup and restore of the whole hub: every table (in foreign-key order, types exact), the sequences
// and the data directory's files, in one self-checking, streamed archive (docs/backup.md).
export { writeBackup, type BackupOptions, type BackupOutcome } from './write-backup.ts';
export { restoreBackup, inspectBackup, type RestoreOptions, type RestoreOutcome } from './restore-backup.ts';
export { ARCHIVE_FORMAT, ARCHIVE_VERSION } from './archive-format.ts';
export type { ArchiveSummary } from './archive-reader.ts';
