import type { Transaction } from '../db/index.ts';
import type { Agency } from './agency.ts';
import type { ResolvedAgency } from './agency-reference.ts';

/** Work to commit with a directory change (the audit entry recording it). */
export type UpsertOptions = {
  inTransaction?: (tx: Transaction, saved: Extract<UpsertResult, { kind: 'saved' }>) => Promise<void>;
};

/** Storage the directory's use cases need. Writes are all-or-nothing. */
export interface AgencyDirectory {
  list(): Promise<Agency[]>;
  /** By any code that names the agency now: current, rule-equivalent or former (agency-reference.ts). */
  find(organId: string): Promise<ResolvedAgency | undefined>;
  /**
   * Inserts or replaces each agency (keyed by OrganId) in one transaction. Returns conflicts
   * (an address or alias owned by another agency) instead of writing anything when there are any.
   */
  upsertAll(agencies: readonly Agency[], options?: UpsertOptions): Promise<UpsertResult>;
}

export type DirectoryConflict = { organId: string; message: string };
export type UpsertResult =
  | {
      kind: 'saved';
      created: number;
      updated: number;
      /** OrganIds in the order given, each created or updated. */
      outcomes: { organId: string; outcome: 'created' | 'updated' }[];
    }
  | { kind: 'conflict'; conflicts: DirectoryConflict[] };
