import type { PrismaClient } from '../db/index.ts';
import type { Agency } from './agency.ts';

/**
 * The one translation between what the outside names an agency by and the agency itself, for
 * every door (API query parameters, CLI arguments, mail addresses, SMTP AUTH, package recipients):
 * a current OrganId or a former one (a code closed by the 2025 merger of provinces) names the same
 * agency, and the answer always carries its current code.
 */
export type AgencyRef = { id: string; organId: string; name: string; channel: Agency['channel'] };

type Db = Pick<PrismaClient, 'agency' | 'agencyAlias' | 'agencyEmail'>;
const REF = { id: true, organId: true, name: true, channel: true } as const;

/** The agency a code names, current or former; null when none. OrganIds are upper-case. */
export async function resolveAgency(db: Db, code: string): Promise<AgencyRef | null> {
  const organId = code.trim().toUpperCase();
  if (organId === '') return null;
  const current = await db.agency.findUnique({ where: { organId }, select: REF });
  if (current) return current;
  const former = await db.agencyAlias.findUnique({ where: { organId }, select: { agency: { select: REF } } });
  return former?.agency ?? null;
}

/** The agency's row id for a code, current or former; null when none. */
export async function agencyIdOf(db: Db, code: string): Promise<string | null> {
  return (await resolveAgency(db, code))?.id ?? null;
}

/** The agency an e-mail address belongs to (an address belongs to one agency only). */
export async function agencyByAddress(db: Db, address: string): Promise<AgencyRef | null> {
  const row = await db.agencyEmail.findUnique({
    where: { address: address.trim().toLowerCase() },
    select: { agency: { select: REF } },
  });
  return row?.agency ?? null;
}
