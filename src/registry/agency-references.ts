import type { Transaction } from '../db/index.ts';
import { isUuid } from '../shared/index.ts';

/**
 * The ids a request carries besides the resource it names — the department a document is filed
 * into, the person it is assigned to, the item it duplicates — checked against the agency that
 * owns the resource, in the same transaction that uses them. A reference to another agency's row
 * is answered exactly like one to a row that does not exist (a 422 naming the field), so a clerk
 * of A can neither file into B's departments nor learn which of B's ids exist; an id that is not
 * even a UUID is the same 422, never a database error.
 */
export type AgencyReferences = {
  departmentId?: string | null | undefined;
  assigneeId?: string | null | undefined;
  duplicateOfId?: string | null | undefined;
};

export type CheckedReferences = {
  problems: string[];
  department: { id: string; name: string } | null;
  assignee: {
    id: string;
    displayName: string;
    departmentId: string | null;
    department: { id: string; name: string } | null;
  } | null;
};

export const REFERENCE_PROBLEMS = {
  departmentId: 'departmentId: no such department in this agency',
  assigneeId: 'assigneeId: no such person in this agency (a clerk or leader whose account is active)',
  duplicateOfId: 'duplicateOfId: no other item of this agency has that id',
} as const;

export async function checkAgencyReferences(
  tx: Transaction,
  agencyId: string,
  refs: AgencyReferences,
  self?: { intakeItemId: string },
): Promise<CheckedReferences> {
  const problems: string[] = [];
  let department: CheckedReferences['department'] = null;
  let assignee: CheckedReferences['assignee'] = null;

  if (refs.departmentId) {
    department = isUuid(refs.departmentId)
      ? await tx.department.findFirst({
          where: { id: refs.departmentId, agencyId },
          select: { id: true, name: true },
        })
      : null;
    if (!department) problems.push(REFERENCE_PROBLEMS.departmentId);
  }
  if (refs.assigneeId) {
    assignee = isUuid(refs.assigneeId)
      ? await tx.user.findFirst({
          where: { id: refs.assigneeId, agencyId, disabledAt: null, role: { in: ['clerk', 'leader'] } },
          select: {
            id: true,
            displayName: true,
            departmentId: true,
            department: { select: { id: true, name: true } },
          },
        })
      : null;
    if (!assignee) problems.push(REFERENCE_PROBLEMS.assigneeId);
  }
  if (refs.duplicateOfId) {
    const original =
      isUuid(refs.duplicateOfId) && refs.duplicateOfId !== self?.intakeItemId
        ? await tx.intakeItem.findFirst({ where: { id: refs.duplicateOfId, agencyId }, select: { id: true } })
        : null;
    if (!original) problems.push(REFERENCE_PROBLEMS.duplicateOfId);
  }
  return { problems, department, assignee };
}
