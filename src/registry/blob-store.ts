import { createHash } from 'node:crypto';
import type { DirectSql, Transaction } from '../db/index.ts';

/** Content-addressed bytes: the same content is stored once, whoever references it. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function putBlob(tx: Transaction, bytes: Uint8Array): Promise<string> {
  const sha256 = sha256Hex(bytes);
  // ON CONFLICT keeps the transaction alive when the content is already there.
  await tx.$executeRaw`INSERT INTO blob (sha256, size, content, created_at) VALUES (${sha256}, ${bytes.length}, ${Buffer.from(bytes)}, now()) ON CONFLICT (sha256) DO NOTHING`;
  return sha256;
}

/**
 * Several blobs in one statement (a batch of mail): one round trip instead of one per blob.
 * Straight to the driver and outside any transaction (see receiveIntakeBatch): a blob is
 * immutable and never deleted, so writing it early can only leave an unreferenced copy.
 */
export async function putBlobs(sql: DirectSql, contents: ReadonlyMap<string, Uint8Array>): Promise<void> {
  if (contents.size === 0) return;
  const params: unknown[] = [];
  const rows = [...contents].map(([sha256, bytes]) => {
    params.push(sha256, bytes.length, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
    const n = params.length;
    return `($${n - 2}, $${n - 1}::int, $${n}::bytea, now())`;
  });
  await sql.query(
    `INSERT INTO blob (sha256, size, content, created_at) VALUES ${rows.join(', ')} ON CONFLICT (sha256) DO NOTHING`,
    params,
  );
}
