import { createHash } from 'node:crypto';

/**
 * The audit chain: each entry's hash covers its own fields and the previous entry's hash, so an
 * edited or deleted row breaks every hash after it. A recomputed chain is caught by the signed
 * anchors (audit-anchors.ts); a truncated tail by the last anchor's sequence number.
 */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditFields = {
  seq: bigint;
  at: Date;
  actor: string;
  agencyId: string | null;
  action: string;
  subject: string | null;
  data: unknown;
};

/** JSON with object keys sorted, so the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // JSON.stringify(undefined) is undefined at run time, whatever its declared type says.
    const json: unknown = JSON.stringify(value);
    return typeof json === 'string' ? json : 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function auditHash(prevHash: string, fields: AuditFields): string {
  const body = canonicalJson({
    seq: fields.seq.toString(),
    at: fields.at.toISOString(),
    actor: fields.actor,
    agencyId: fields.agencyId,
    action: fields.action,
    subject: fields.subject,
    data: fields.data,
  });
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}
