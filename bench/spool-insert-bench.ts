/**
 * What one spooled message costs the hub's process: the spool INSERT every SMTP session waits on
 * for its 250, through the driver (db/direct-sql.ts, what the hub uses), through Prisma's raw
 * queries (its fallback for other clients) and through Prisma's typed create (what it used before), against a bare pg INSERT of the same row — the ceiling,
 * measured in the same run. CPU is the process's own (user + system): on a 2-core machine it is
 * taken from the SMTP sessions. 50 KB messages, 4 concurrent inserts.
 * Run: npm run bench:spool   (optional: BENCH_SCALE=3)
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { closeClient, postgresClient } from '../src/db/index.ts';
import { spoolMessage } from '../src/ingest/spool/mail-spool.ts';
import type { MailEnvelope } from '../src/ingest/ingest-message.ts';
import { createTestDatabase } from '../test/support/test-database.ts';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const COUNT = Math.round(2_000 * scale);
const db = await createTestDatabase('spoolbench');
const pool = new pg.Pool({ connectionString: db.url, max: 4 });
const viaDriver = postgresClient(db.url, { max: 4 });
// A client the direct path does not know: spoolMessage falls back to Prisma's raw queries.
const viaPrisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 4 }) });

const raw = Buffer.from(randomBytes(38_000).toString('base64'));
const envelope: MailEnvelope = {
  source: 'smtp',
  mailFrom: 'vanthu@stc.example.vn',
  recipients: [{ agencyId: '7b0f1f4e-0000-4000-8000-000000000001', organId: '000.00.00.H53' }],
  client: { ip: '127.0.0.1', helo: 'bench', mta: 'lienthong.local' },
};
const envelopeJson = JSON.stringify(envelope);

const bareInsert = () =>
  pool.query('INSERT INTO mail_spool (source, envelope, raw) VALUES ($1, $2::jsonb, $3) RETURNING id', [
    'smtp',
    envelopeJson,
    raw,
  ]);

async function measure(insert: () => Promise<unknown>) {
  for (let i = 0; i < 100; i++) await insert(); // warm-up
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next++ < COUNT) await insert();
    }),
  );
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: COUNT / seconds, cpuMs: (used.user + used.system) / 1000 / COUNT };
}

try {
  console.log(`bench:spool — ${COUNT} spool INSERTs of ${(raw.length / 1024).toFixed(0)} KB, 4 at a time`);
  const rows = [
    {
      name: 'bare pg INSERT (ceiling)',
      result: await measure(bareInsert),
    },
    {
      name: 'spoolMessage via the driver',
      result: await measure(() => spoolMessage(viaDriver, raw, envelope)),
    },
    {
      name: "spoolMessage via Prisma's raw query",
      result: await measure(() => spoolMessage(viaPrisma, raw, envelope)),
    },
    {
      name: 'prisma.mailSpool.create (the hub before)',
      result: await measure(() =>
        viaPrisma.mailSpool.create({
          data: { source: 'smtp', envelope: JSON.parse(envelopeJson) as object, raw: new Uint8Array(raw) },
          select: { id: true },
        }),
      ),
    },
  ];
  // The table grows as the run goes on: the ceiling is measured first and again last, best kept.
  const again = await measure(bareInsert);
  const first = rows[0]?.result ?? again;
  const ceiling = {
    perSecond: Math.max(first.perSecond, again.perSecond),
    cpuMs: Math.min(first.cpuMs, again.cpuMs),
  };
  rows[0] = { name: 'bare pg INSERT (ceiling, best of 2)', result: ceiling };
  for (const { name, result } of rows)
    console.log(
      `  ${name.padEnd(42)} ${result.perSecond.toFixed(0).padStart(6)} /s  ×${(result.perSecond / ceiling.perSecond).toFixed(2)}   CPU ${result.cpuMs.toFixed(3)} ms/message  ×${(result.cpuMs / ceiling.cpuMs).toFixed(2)}`,
    );
} finally {
  await pool.end();
  await closeClient(viaDriver);
  await viaPrisma.$disconnect();
  await db.drop();
}
