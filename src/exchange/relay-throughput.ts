import type { PrismaClient } from '../db/index.ts';

/**
 * The relay's last hour, minute by minute, for the admins' dashboard: packages accepted for relay
 * (held ones are not), copies delivered (the broker confirmed them into the recipient's inbox, or
 * the mail server took them), and submissions refused. Every minute of the window is present,
 * zeros included, oldest first; the current minute is the last and still counting.
 */
export type ThroughputMinute = { minute: string; accepted: number; delivered: number; refused: number };

const MINUTE_MS = 60_000;

type Row = { minute: Date; count: bigint | number };

export async function relayThroughput(
  prisma: PrismaClient,
  now: Date,
  minutes = 60,
): Promise<ThroughputMinute[]> {
  const last = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  const from = new Date(last - (minutes - 1) * MINUTE_MS);
  const [accepted, delivered, refused] = await Promise.all([
    prisma.$queryRaw<Row[]>`
      SELECT date_trunc('minute', received_at) AS minute, count(*) AS count
      FROM relay_package
      WHERE received_at >= ${from} AND held_reason IS NULL
      GROUP BY 1`,
    // A delivery's history records each move with its time; a delivery published in the window
    // was last changed in it or later, so the updated_at index bounds the scan.
    prisma.$queryRaw<Row[]>`
      SELECT date_trunc('minute', (step->>'at')::timestamptz) AS minute, count(*) AS count
      FROM relay_delivery d,
        jsonb_array_elements(CASE WHEN jsonb_typeof(d.history) = 'array' THEN d.history ELSE '[]'::jsonb END) AS step
      WHERE d.updated_at >= ${from}
        AND step->>'state' = 'published'
        AND coalesce(step->>'outcome', 'moved') = 'moved'
        AND (step->>'at')::timestamptz >= ${from}
      GROUP BY 1`,
    prisma.$queryRaw<Row[]>`
      SELECT date_trunc('minute', refused_at) AS minute, count(*) AS count
      FROM relay_refusal
      WHERE refused_at >= ${from}
      GROUP BY 1`,
  ]);
  const series = Array.from({ length: minutes }, (_, index) => ({
    minute: new Date(from.getTime() + index * MINUTE_MS).toISOString(),
    accepted: 0,
    delivered: 0,
    refused: 0,
  }));
  const add = (rows: Row[], field: 'accepted' | 'delivered' | 'refused') => {
    for (const row of rows) {
      const slot = series[Math.round((row.minute.getTime() - from.getTime()) / MINUTE_MS)];
      if (slot) slot[field] += Number(row.count);
    }
  };
  add(accepted, 'accepted');
  add(delivered, 'delivered');
  add(refused, 'refused');
  return series;
}
