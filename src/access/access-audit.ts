import type { Transaction } from '../db/index.ts';
import { appendAudit } from '../registry/index.ts';

/** What the access module records in the audit trail: sign-ins, and changes to people and tokens. */
export type AccessEvent = {
  /** `user:<name>`, `token:<id>`, `system:<component>`; for a failed sign-in, the name that was tried. */
  actor: string;
  agencyId: string | null;
  action:
    | 'auth.sign-in'
    | 'auth.sign-in-refused'
    | 'auth.sign-out'
    | 'auth.password-changed'
    | 'user.created'
    | 'user.updated'
    | 'user.disabled'
    | 'user.enabled'
    | 'user.password-reset'
    | 'token.created'
    | 'token.revoked'
    | 'agency.broker-credentials-issued'
    | 'agency.signing-key-installed';
  subject: string | null;
  data: Record<string, unknown>;
};

/**
 * The single call site of the audit trail for the access module. A change passes its own
 * transaction, so the entry commits or rolls back with it.
 */
export async function recordAccessEvent(tx: Transaction, event: AccessEvent): Promise<void> {
  const entry = {
    actor: event.actor,
    agencyId: event.agencyId,
    action: event.action,
    subject: event.subject,
    data: event.data,
  };
  await appendAudit(tx, entry);
}
