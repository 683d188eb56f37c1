import { createHash } from 'node:crypto';
import { Prisma, type Transaction } from '../db/index.ts';

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

/** Several blobs in one statement (a batch of mail): one round trip instead of one per blob. */
export async function putBlobs(tx: Transaction, contents: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const rows = [...contents].map(
    ([sha256, bytes]) => Prisma.sql`(${sha256}, ${bytes.length}, ${Buffer.from(bytes)}, now())`,
  );
  if (rows.length === 0) return;
  await tx.$executeRaw`INSERT INTO blob (sha256, size, content, created_at) VALUES ${Prisma.join(rows)} ON CONFLICT (sha256) DO NOTHING`;
}
