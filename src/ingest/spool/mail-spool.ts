import { bytesOf, directSql, type PrismaClient, type Transaction } from '../../db/index.ts';
import { HubError } from '../../shared/index.ts';
import type { MailEnvelope } from '../ingest-message.ts';
import { storableValue } from '../../text/index.ts';

/**
 * The mail spool: where SMTP and IMAP put a message before they acknowledge it. One INSERT of the
 * raw bytes and the envelope is all that stands between the end of DATA and the `250`; reading
 * the message (MIME, signatures, malware, DNS) happens afterwards in the spool processor, as in
 * Postfix's queue. Rows leave the spool only in the transaction that stores their intake items.
 */
export type SpooledMessage = {
  id: bigint;
  raw: Buffer;
  envelope: MailEnvelope;
  receivedAt: Date;
  /** how many times a processor has taken it, this time included */
  attempts: number;
};

export type SpoolBacklog = {
  pending: number;
  /** rows whose last store failed (the database refused or was away); retried with back-off */
  failed: number;
  oldestAgeSeconds: number;
};

/**
 * Stores the message durably; resolves with its spool id once committed. Straight to the driver:
 * this INSERT is what every SMTP session waits on for its 250 (see db/direct-sql.ts).
 */
export async function spoolMessage(
  prisma: PrismaClient,
  raw: Buffer,
  envelope: MailEnvelope,
): Promise<bigint> {
  const [row] = await directSql(prisma).query<{ id: string }>(
    'INSERT INTO mail_spool (source, envelope, raw) VALUES ($1::"IntakeSource", $2::jsonb, $3) RETURNING id::text AS id',
    [envelope.source, envelopeJson(envelope), raw],
  );
  if (!row) throw new HubError('INGEST_SPOOL_NO_ROW', 'the spool INSERT returned no row');
  return BigInt(row.id);
}

/**
 * Takes up to `limit` of the oldest messages no processor holds, and holds them for `leaseMs`.
 * SKIP LOCKED lets several hubs share one spool without waiting for each other; a hub killed
 * while holding rows loses them when the lease runs out.
 */
export async function claimSpooled(
  prisma: PrismaClient,
  limit: number,
  leaseMs: number,
): Promise<SpooledMessage[]> {
  const rows = await directSql(prisma).query<{
    id: string;
    raw: Uint8Array;
    envelope: unknown;
    received_at: Date;
    attempts: number;
  }>(
    `UPDATE mail_spool
        SET lease_until = now() + make_interval(secs => $1), attempts = attempts + 1
      WHERE id IN (SELECT id FROM mail_spool WHERE lease_until <= now()
                    ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING id::text AS id, raw, envelope, received_at, attempts`,
    [leaseMs / 1000, limit],
  );
  return rows
    .map((row) => ({
      id: BigInt(row.id),
      raw: bytesOf(row.raw),
      envelope: row.envelope as MailEnvelope,
      receivedAt: new Date(row.received_at),
      attempts: row.attempts,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Keeps rows held while they are still being read (a batch of slow messages outlives one lease). */
export async function renewLease(
  prisma: PrismaClient,
  ids: readonly bigint[],
  leaseMs: number,
): Promise<void> {
  await prisma.$executeRaw`
    UPDATE mail_spool SET lease_until = now() + make_interval(secs => ${leaseMs / 1000})
     WHERE id = ANY(${[...ids]}::bigint[])`;
}

/** Inside the transaction that stored the messages' items. */
export async function deleteSpooled(tx: Transaction, ids: readonly bigint[]): Promise<void> {
  if (ids.length > 0) await tx.mailSpool.deleteMany({ where: { id: { in: [...ids] } } });
}

/** The store failed (database trouble): try these again after `retryInMs`, with the reason kept for admins. */
export async function deferSpooled(
  prisma: PrismaClient,
  ids: readonly bigint[],
  error: unknown,
  retryInMs: number,
): Promise<void> {
  await prisma.mailSpool.updateMany({
    where: { id: { in: [...ids] } },
    data: {
      leaseUntil: new Date(Date.now() + retryInMs),
      lastError: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
    },
  });
}

export async function spoolBacklog(prisma: PrismaClient): Promise<SpoolBacklog> {
  const [row] = await prisma.$queryRaw<{ pending: bigint; failed: bigint; oldest: Date | null }[]>`
    SELECT count(*) AS pending, count(last_error) AS failed, min(received_at) AS oldest FROM mail_spool`;
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
  return {
    pending: Number(row?.pending ?? 0),
    failed: Number(row?.failed ?? 0),
    oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
  };
}

/** jsonb refuses NUL, and a client may put one in MAIL FROM or HELO: the spool must not 451 forever. */
function envelopeJson(envelope: MailEnvelope): string {
  return JSON.stringify(
    storableValue({
      source: envelope.source,
      mailFrom: envelope.mailFrom,
      recipients: envelope.recipients.map((r) => ({ agencyId: r.agencyId, organId: r.organId })),
      ...(envelope.client ? { client: envelope.client } : {}),
      ...(envelope.origin ? { origin: envelope.origin } : {}),
      ...(envelope.authenticatedAs ? { authenticatedAs: envelope.authenticatedAs } : {}),
    }),
  );
}
