import type { Transaction } from '../db/index.ts';
import { appendAudit } from '../registry/index.ts';
import { actorLabel, type Actor } from '../shared/index.ts';
import type { Agency } from './agency.ts';
import type { AgencyDirectory, UpsertResult } from './agency-directory.ts';

/**
 * Every change to the agency directory, from whichever door (the console's form, the API, a CSV
 * import, the CLI with or without a running hub): saved all or none, and audited in the same
 * transaction. One agency is `agency.added` or `agency.updated`; a batch is `agency.imported`.
 */
export type AgencyChangeVia = 'form' | 'json' | 'csv' | 'cli';

// An import of thousands of agencies names them all only up to this many in its audit entry.
const AUDITED_ORGAN_IDS = 200;

function auditEntry(actor: Actor, via: AgencyChangeVia, batch: boolean) {
  return async (tx: Transaction, saved: Extract<UpsertResult, { kind: 'saved' }>) => {
    const organIds = saved.outcomes.map((o) => o.organId);
    const action = batch ? 'agency.imported' : saved.created > 0 ? 'agency.added' : 'agency.updated';
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action,
      subject: organIds.length === 1 ? `agency:${organIds[0] ?? ''}` : null,
      data: {
        via,
        created: saved.created,
        updated: saved.updated,
        ...(organIds.length <= AUDITED_ORGAN_IDS ? { organIds } : {}),
      },
    });
  };
}

/** Adds or replaces one agency (by OrganId). */
export function saveAgency(
  directory: AgencyDirectory,
  actor: Actor,
  agency: Agency,
  via: AgencyChangeVia,
): Promise<UpsertResult> {
  return directory.upsertAll([agency], { inTransaction: auditEntry(actor, via, false) });
}

/** Adds or replaces many agencies in one transaction: one conflict and none is saved. */
export function importAgencies(
  directory: AgencyDirectory,
  actor: Actor,
  agencies: readonly Agency[],
  via: AgencyChangeVia,
): Promise<UpsertResult> {
  return directory.upsertAll(agencies, { inTransaction: auditEntry(actor, via, true) });
}
