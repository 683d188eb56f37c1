import type { Transaction } from '../db/index.ts';
import { vietnamYear } from './domain/registration-year.ts';

/**
 * Takes the next number of an agency's register book for the year of `at` (Vietnam time).
 * The counter row stays locked until the caller's transaction ends: concurrent registrations,
 * in this process or another, wait for it, and a rolled-back registration gives its number back,
 * so the book has no gaps and no repeats.
 */
export async function takeRegistrationNumber(
  tx: Transaction,
  agencyId: string,
  direction: 'incoming' | 'outgoing',
  at: Date,
): Promise<{ year: number; number: number }> {
  const year = vietnamYear(at);
  const [row] = await tx.$queryRaw<{ last_number: number }[]>`
    INSERT INTO register_counter (agency_id, direction, year, last_number)
    VALUES (${agencyId}::uuid, ${direction}::"Direction", ${year}, 1)
    ON CONFLICT (agency_id, direction, year) DO UPDATE SET last_number = register_counter.last_number + 1
    RETURNING last_number`;
  if (!row) throw new TypeError('the register counter returned no row');
  return { year, number: row.last_number };
}
