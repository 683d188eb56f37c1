// Registration throughput: intake items received and then registered concurrently through the
// registry's real use cases, against a raw ceiling — the same statements in one transaction per
// document, hand-written over `pg`, with the same counter lock and audit-chain lock.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import {
  auditHash,
  contentDedupKey,
  GENESIS_HASH,
  foldForSearch,
  receiveIntakeItems,
  registerIntakeItem,
  vietnamYear,
} from '../src/registry/index.ts';
import { ms, percentile, runConcurrently } from './latency-stats.ts';
import { type Actor } from '../src/shared/index.ts';

const SYSTEM: Actor = { kind: 'system', component: 'bench' };
const SENDER = '000.00.12.H53';
const CONCURRENCY = 16;

async function receiveBatch(
  prisma: PrismaClient,
  agencyId: string,
  n: number,
  label: string,
): Promise<string[]> {
  const run = randomUUID().slice(0, 8);
  const ids: string[] = new Array<string>(n).fill('');
  const { elapsedMs } = await runConcurrently(
    Array.from({ length: n }, (_, i) => i),
    8,
    async (i) => {
      const raw = Buffer.from(`<edXMLEnvelope>bench ${run} ${label} ${i}</edXMLEnvelope>`);
      const [item] = await receiveIntakeItems(prisma, SYSTEM, {
        source: 'amqp',
        raw,
        agencyIds: [agencyId],
        dedupKey: contentDedupKey(SENDER, raw),
        senderOrganId: SENDER,
        documentKey: `${SENDER},2026/11/25,${i}/SYT-VP-${run}`,
        subject: `Về việc kiểm tra an toàn thực phẩm đợt ${i}`,
        metadata: {
          subject: `Quyết định về việc kiểm tra an toàn thực phẩm đợt ${i}`,
          code: { number: String(i + 1), notation: `${i + 1}/QĐ-SYT` },
          from: { organId: SENDER, organName: 'Sở Y tế' },
          promulgation: { date: '2026-11-25' },
        },
      });
      ids[i] = item?.itemId ?? '';
    },
  );
  if (label === 'registry')
    console.log(
      `intake: ${n} items received (receiveIntakeItems, 8 concurrent) at ${((n * 1000) / elapsedMs).toFixed(0)}/s`,
    );
  return ids;
}

/** What registerIntakeItem does for an amqp item owed a status, as plain SQL. */
async function registerRaw(pool: pg.Pool, itemId: string, who: string): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const item = await c.query<{ agency_id: string; document_key: string; organ_id: string }>(
      `SELECT i.agency_id, i.document_key, a.organ_id FROM intake_item i JOIN agency a ON a.id = i.agency_id
        WHERE i.id = $1::uuid FOR UPDATE OF i`,
      [itemId],
    );
    const it = item.rows[0];
    if (!it) throw new TypeError('no item');
    const now = new Date();
    const year = vietnamYear(now);
    const counter = await c.query<{ last_number: number }>(
      `INSERT INTO register_counter (agency_id, direction, year, last_number) VALUES ($1::uuid, 'incoming', $2, 1)
       ON CONFLICT (agency_id, direction, year) DO UPDATE SET last_number = register_counter.last_number + 1
       RETURNING last_number`,
      [it.agency_id, year],
    );
    const number = counter.rows[0]?.last_number ?? 0;
    const subject = 'Quyết định về việc kiểm tra an toàn thực phẩm';
    const doc = await c.query<{ id: string }>(
      `INSERT INTO document (id, agency_id, direction, year, number, registered_at, registered_by, intake_item_id, document_key,
                             notation, subject, sender_organ_id, sender_name, promulgated_on, priority, status_code, search_text)
       VALUES (gen_random_uuid(), $1, 'incoming', $2, $3, $4, $5, $6, $7, '1/QĐ-SYT', $8, $9, 'Sở Y tế', '2026-11-25', 0, '03', $10)
       RETURNING id`,
      [
        it.agency_id,
        year,
        number,
        now,
        who,
        itemId,
        it.document_key,
        subject,
        SENDER,
        foldForSearch(`${subject} 1/QĐ-SYT Sở Y tế ${SENDER}`),
      ],
    );
    const documentId = doc.rows[0]?.id ?? '';
    await c.query(
      'INSERT INTO document_version (id, document_id, business_type, intake_item_id) VALUES (gen_random_uuid(), $1, 0, $2)',
      [documentId, itemId],
    );
    await c.query(
      "UPDATE intake_item SET state = 'registered', decided_at = $2, decided_by = $3 WHERE id = $1",
      [itemId, now, who],
    );
    await c.query(
      `INSERT INTO status_event (id, document_id, code, direction, description) VALUES (gen_random_uuid(), $1, '03', 'outgoing', 'Đã tiếp nhận')`,
      [documentId],
    );
    await c.query(
      `INSERT INTO outbox_message (id, kind, target_organ_id, headers) VALUES (gen_random_uuid(), 'status', $1, $2)`,
      [SENDER, JSON.stringify({ statusCode: '03', fromOrganId: it.organ_id, documentKey: it.document_key })],
    );
    await c.query('SELECT pg_advisory_xact_lock(7251001)');
    const last = await c.query<{ hash: string }>('SELECT hash FROM audit_entry ORDER BY seq DESC LIMIT 1');
    const next = await c.query<{ seq: string }>(
      "SELECT nextval(pg_get_serial_sequence('audit_entry', 'seq'))::text AS seq",
    );
    const fields = {
      seq: BigInt(next.rows[0]?.seq ?? '0'),
      at: now,
      actor: who,
      agencyId: it.agency_id,
      action: 'intake.registered',
      subject: `document:${documentId}`,
      data: { intakeItemId: itemId, year, number },
    };
    const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
    await c.query(
      `INSERT INTO audit_entry (seq, at, actor, agency_id, action, subject, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        fields.seq.toString(),
        now,
        who,
        it.agency_id,
        fields.action,
        fields.subject,
        JSON.stringify(fields.data),
        prevHash,
        auditHash(prevHash, fields),
      ],
    );
    await c.query('COMMIT');
    return number;
  } catch (error) {
    await c.query('ROLLBACK');
    throw error;
  } finally {
    c.release();
  }
}

export async function measureRegistration(
  prisma: PrismaClient,
  pool: pg.Pool,
  clerk: Actor,
  n: number,
): Promise<void> {
  if (clerk.kind !== 'user' || clerk.agencyId === null) throw new TypeError('the bench registers as a clerk');
  const agencyId = clerk.agencyId;
  const items = await receiveBatch(prisma, agencyId, n, 'registry');
  const numbers: number[] = [];
  const viaRegistry = await runConcurrently(items, CONCURRENCY, async (id) => {
    const outcome = await registerIntakeItem(prisma, clerk, id);
    if (outcome.kind !== 'registered')
      throw new TypeError(`registration refused: ${JSON.stringify(outcome)}`);
    numbers.push(outcome.number);
  });
  numbers.sort((a, b) => a - b);
  const gapless = numbers.every((value, i) => i === 0 || value === (numbers[i - 1] ?? 0) + 1);

  const rawItems = await receiveBatch(prisma, agencyId, n, 'raw');
  const raw = await runConcurrently(rawItems, CONCURRENCY, async (id) => {
    await registerRaw(pool, id, 'user:vanthu-bench');
  });
  const rate = (r: { elapsedMs: number }) => (n * 1000) / r.elapsedMs;
  console.log(
    `\nregistration into the big agency's incoming book, ${n} documents, ${CONCURRENCY} concurrent:`,
  );
  console.log(
    `  registerIntakeItem  ${rate(viaRegistry).toFixed(0)}/s   p50 ${ms(percentile(viaRegistry.latencies, 50))}   p95 ${ms(percentile(viaRegistry.latencies, 95))}   numbers ${numbers[0] ?? '?'}…${numbers.at(-1) ?? '?'} ${gapless ? 'gapless' : 'WITH GAPS'}`,
  );
  console.log(
    `  raw pg, same SQL    ${rate(raw).toFixed(0)}/s   p50 ${ms(percentile(raw.latencies, 50))}   p95 ${ms(percentile(raw.latencies, 95))}`,
  );
  console.log(`  registry / raw throughput: ${(rate(viaRegistry) / rate(raw)).toFixed(2)}`);
}
