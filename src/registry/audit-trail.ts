import type { Prisma, PrismaClient, Transaction } from '../db/index.ts';
import { auditHash, GENESIS_HASH } from './domain/audit-hash.ts';

/**
 * The append-only, hash-chained audit trail. Appends take a transaction-scoped advisory lock, so
 * entries are chained in one order even with several hub processes; the lock is released by the
 * commit or rollback of the very transaction whose change the entry records.
 */
export type AuditInput = {
  actor: string;
  agencyId?: string | null;
  action: string;
  subject?: string | null;
  data?: Record<string, unknown>;
};

const AUDIT_CHAIN_LOCK = 7_251_001;

export async function appendAudit(
  tx: Transaction,
  input: AuditInput,
): Promise<{ seq: bigint; hash: string }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  // One round trip for the head and the next number while the chain's lock is held.
  const [next] = await tx.$queryRaw<{ hash: string | null; seq: bigint | string }[]>`
    SELECT (SELECT hash FROM audit_entry ORDER BY seq DESC LIMIT 1) AS hash,
           nextval(pg_get_serial_sequence('audit_entry', 'seq')) AS seq`;
  if (!next) throw new TypeError('the audit sequence returned no value');
  // Milliseconds only: the column keeps three fractional digits, and the hash must survive a round trip.
  const fields = {
    seq: BigInt(next.seq),
    at: new Date(Math.floor(Date.now())),
    actor: input.actor,
    agencyId: input.agencyId ?? null,
    action: input.action,
    subject: input.subject ?? null,
    data: JSON.parse(JSON.stringify(input.data ?? {})) as Record<string, unknown>,
  };
  const prevHash = next.hash ?? GENESIS_HASH;
  const hash = auditHash(prevHash, fields);
  await tx.auditEntry.create({
    data: { ...fields, data: fields.data as Prisma.InputJsonValue, prevHash, hash },
  });
  return { seq: fields.seq, hash };
}

/**
 * Several entries under one taking of the chain's lock, numbered and hashed in order, written in
 * one statement: what a batch of received mail costs the chain.
 */
export async function appendAuditEntries(tx: Transaction, inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const rows = await tx.$queryRaw<{ hash: string | null; seq: bigint | string }[]>`
    SELECT (SELECT hash FROM audit_entry ORDER BY seq DESC LIMIT 1) AS hash,
           nextval(pg_get_serial_sequence('audit_entry', 'seq')) AS seq
      FROM generate_series(1, ${inputs.length})`;
  if (rows.length !== inputs.length) throw new TypeError('the audit sequence returned too few values');
  const seqs = rows.map((r) => BigInt(r.seq)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let prevHash = rows[0]?.hash ?? GENESIS_HASH;
  const at = new Date(Math.floor(Date.now()));
  const entries = inputs.map((input, index) => {
    const fields = {
      seq: seqs[index] ?? 0n,
      at,
      actor: input.actor,
      agencyId: input.agencyId ?? null,
      action: input.action,
      subject: input.subject ?? null,
      data: JSON.parse(JSON.stringify(input.data ?? {})) as Record<string, unknown>,
    };
    const hash = auditHash(prevHash, fields);
    const entry = { ...fields, data: fields.data as Prisma.InputJsonValue, prevHash, hash };
    prevHash = hash;
    return entry;
  });
  await tx.auditEntry.createMany({ data: entries });
}

export type AuditHead = { seq: bigint; hash: string } | null;

export async function auditHead(prisma: PrismaClient | Transaction): Promise<AuditHead> {
  const last = await prisma.auditEntry.findFirst({
    orderBy: { seq: 'desc' },
    select: { seq: true, hash: true },
  });
  return last ?? null;
}

export type ChainProblem = { seq: bigint; problem: string };

/** Walks the whole chain in pages; returns the first break, or the head. */
export async function walkAuditChain(
  prisma: PrismaClient,
  pageSize = 5000,
): Promise<
  | { kind: 'intact'; head: AuditHead; count: number; hashes: Map<bigint, string> }
  | ({ kind: 'broken' } & ChainProblem)
> {
  let prevHash = GENESIS_HASH;
  let afterSeq = -1n;
  let count = 0;
  let head: AuditHead = null;
  const hashes = new Map<bigint, string>();
  for (;;) {
    const rows = await prisma.auditEntry.findMany({
      where: { seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: pageSize,
    });
    if (rows.length === 0) return { kind: 'intact', head, count, hashes };
    for (const row of rows) {
      if (row.prevHash !== prevHash) {
        return {
          kind: 'broken',
          seq: row.seq,
          problem:
            count === 0 && row.prevHash !== GENESIS_HASH
              ? `entry ${row.seq} is the first but does not start the chain: earlier entries were deleted`
              : `entry ${row.seq} does not follow entry ${head?.seq ?? '–'}: an entry between them was deleted or changed`,
        };
      }
      const expected = auditHash(prevHash, { ...row, data: row.data });
      if (expected !== row.hash) {
        return {
          kind: 'broken',
          seq: row.seq,
          problem: `entry ${row.seq} was changed after it was written (its hash no longer matches its content)`,
        };
      }
      prevHash = row.hash;
      head = { seq: row.seq, hash: row.hash };
      hashes.set(row.seq, row.hash);
      count += 1;
    }
    afterSeq = rows[rows.length - 1]?.seq ?? afterSeq;
  }
}
