import { randomUUID } from 'node:crypto';
import { analyzeMessage } from '../../src/ingest/message-analysis.ts';
import type { PrismaClient } from '../../src/db/index.ts';
import { messageDedupKey, receiveIntakeItems } from '../../src/registry/index.ts';
import type { Actor } from '../../src/shared/index.ts';

const SYSTEM: Actor = { kind: 'system', component: 'mail-items-test' };

/**
 * A mail item as the hub's reader makes it (the real analysis of the raw message: subject facts,
 * urgency mark, text and HTML flags), stored for one agency without an SMTP session. Lines may end
 * in \n; they are sent as CRLF.
 */
export async function receiveMailItem(
  prisma: PrismaClient,
  agencyId: string,
  raw: string,
  sender = 'vanthu@soyte.example.vn',
): Promise<string> {
  const bytes = Buffer.from(raw.replace(/\r?\n/g, '\r\n'));
  const analysis = await analyzeMessage(bytes, new Date(), { parseTimeoutMs: 5_000 });
  const messageId = analysis.message?.messageId ?? `<${randomUUID()}@test>`;
  const [received] = await receiveIntakeItems(prisma, SYSTEM, {
    source: 'smtp',
    raw: bytes,
    agencyIds: [agencyId],
    dedupKey: messageDedupKey(messageId, bytes),
    messageId,
    senderAddress: sender,
    subject: analysis.message?.subject ?? null,
    metadata: analysis.metadata,
  });
  if (!received) throw new Error('nothing received');
  return received.itemId;
}
