import type { Agency } from './agency.ts';

/** Storage the directory's use cases need. Writes are all-or-nothing. */
export interface AgencyDirectory {
  list(): Promise<Agency[]>;
  /** By current OrganId or by a former one (alias). */
  find(organId: string): Promise<Agency | undefined>;
  /**
   * Inserts or replaces each agency (keyed by OrganId) in one transaction. Returns conflicts
   * (an address or alias owned by another agency) instead of writing anything when there are any.
   */
  upsertAll(agencies: readonly Agency[]): Promise<UpsertResult>;
}

export type DirectoryConflict = { organId: string; message: string };
export type UpsertResult =
  { kind: 'saved'; created: number; updated: number } | { kind: 'conflict'; conflicts: DirectoryConflict[] };
