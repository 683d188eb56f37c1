import type { PrismaClient } from '../db/index.ts';
import type { Agency } from './agency.ts';
import { cacheOf } from './directory-cache.ts';
import { codeKey, equivalentCode } from '../shared/index.ts';

/**
 * The one translation between what the outside names an agency by and the agency itself, for
 * every door (API query parameters, CLI arguments, mail addresses, SMTP AUTH, package recipients,
 * the submit path's From, To and ResponseFor). A code names the agency that holds it now:
 *
 * - its current code, in any case (`codeKey`);
 * - the rule-equivalent form of it (`G12` ⇄ `000.00.00.G12`, QĐ 09/2025 change-over);
 * - a former code (agency_alias): closed by a merger or a code change, it names its successor;
 * - the code of an agency a merger retired: it names the agency that absorbed it.
 *
 * The answer always carries the current code (`organId`), and says how the given code matched, so
 * a caller can tell in words that a closed code was used and when it closed.
 */
export type AgencyRef = { id: string; organId: string; name: string; channel: Agency['channel'] };

/** How a code given from outside matched the agency it names. */
export type CodeMatch =
  | { kind: 'current' }
  /** the other form of the same code (`G12` for `000.00.00.G12`) */
  | { kind: 'equivalent'; code: string }
  | {
      kind: 'former';
      /** the closed code as stored */
      code: string;
      /** YYYY-MM-DD, or null for a former code entered before the directory kept history */
      closedOn: string | null;
      reason: 'merger' | 'code_change';
      /** the agency that held the code, where a merger folded it into this one */
      retiredAgency: { organId: string; name: string } | null;
    };

/** A directory entry found by a code: the agency as it is now, its row id, and how the code matched. */
export type ResolvedAgency = Agency & { id: string; matched: CodeMatch };

type Db = Pick<PrismaClient, 'agency' | 'agencyAlias' | 'agencyEmail'>;

const WITH_LINKS = {
  emails: { orderBy: { address: 'asc' } },
  aliases: { orderBy: { organId: 'asc' } },
} as const;

type AgencyRow = {
  id: string;
  organId: string;
  name: string;
  channel: Agency['channel'];
  signaturePolicy: Agency['signaturePolicy'];
  retiredOn: Date | null;
  successorId: string | null;
  emails: { address: string }[];
  aliases: { organId: string }[];
};

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);

function entryOf(row: AgencyRow, matched: CodeMatch): ResolvedAgency {
  return Object.freeze({
    id: row.id,
    organId: row.organId,
    name: row.name,
    channel: row.channel,
    signaturePolicy: row.signaturePolicy,
    emails: Object.freeze(row.emails.map((e) => e.address)) as string[],
    aliases: Object.freeze(row.aliases.map((a) => a.organId)) as string[],
    matched: Object.freeze(matched),
  });
}

// A merger re-points the codes it closes at the live agency, so one hop is the rule; a chain is
// followed a few steps in case an older entry was left pointing at a since-retired agency.
const MAX_SUCCESSION = 4;

async function liveAgency(db: Db, row: AgencyRow): Promise<AgencyRow | null> {
  let current = row;
  for (let step = 0; current.retiredOn !== null && step < MAX_SUCCESSION; step++) {
    if (!current.successorId) return null;
    const next = await db.agency.findUnique({ where: { id: current.successorId }, include: WITH_LINKS });
    if (!next) return null;
    current = next;
  }
  return current.retiredOn === null ? current : null;
}

async function lookUp(db: Db, key: string): Promise<ResolvedAgency | null> {
  const other = equivalentCode(key);
  const keys = other ? [key, other] : [key];
  const held = await db.agency.findMany({ where: { organId: { in: keys } }, include: WITH_LINKS });
  // The exact form first: during the change-over both forms may be stored, as two entries.
  held.sort((a, b) => Number(b.organId === key) - Number(a.organId === key));
  const live = held.find((row) => row.retiredOn === null);
  if (live)
    return entryOf(live, live.organId === key ? { kind: 'current' } : { kind: 'equivalent', code: key });

  const aliases = await db.agencyAlias.findMany({
    where: { organId: { in: keys } },
    include: { agency: { include: WITH_LINKS }, retiredAgency: { select: { organId: true, name: true } } },
  });
  aliases.sort((a, b) => Number(b.organId === key) - Number(a.organId === key));
  for (const alias of aliases) {
    const successor = await liveAgency(db, alias.agency);
    if (successor)
      return entryOf(successor, {
        kind: 'former',
        code: alias.organId,
        closedOn: day(alias.closedOn),
        reason: alias.reason,
        retiredAgency: alias.retiredAgency,
      });
  }

  // A retired agency whose code no alias row carries (entered by hand): its successor still answers.
  for (const row of held) {
    const successor = await liveAgency(db, row);
    if (successor)
      return entryOf(successor, {
        kind: 'former',
        code: row.organId,
        closedOn: day(row.retiredOn),
        reason: 'merger',
        retiredAgency: { organId: row.organId, name: row.name },
      });
  }
  return null;
}

/**
 * The agency a code names now, read through any client: the hub's (served from the directory
 * cache where one is attached, see directory-cache.ts) or a transaction's (always the database).
 */
export async function findAgency(db: Db, code: string): Promise<ResolvedAgency | undefined> {
  const key = codeKey(code);
  if (key === '') return undefined;
  const cache = cacheOf(db);
  if (!cache) return (await lookUp(db, key)) ?? undefined;
  const hit = cache.get(`code:${key}`);
  if (hit !== undefined) return (hit as ResolvedAgency | null) ?? undefined;
  const generation = cache.generation();
  const found = await lookUp(db, key);
  cache.set(`code:${key}`, generation, found);
  return found ?? undefined;
}

const refOf = (agency: ResolvedAgency): AgencyRef => ({
  id: agency.id,
  organId: agency.organId,
  name: agency.name,
  channel: agency.channel,
});

/** The agency a code names, current, equivalent or former; null when none. */
export async function resolveAgency(db: Db, code: string): Promise<AgencyRef | null> {
  const found = await findAgency(db, code);
  return found ? refOf(found) : null;
}

/** The agency's row id for a code, current or former; null when none. */
export async function agencyIdOf(db: Db, code: string): Promise<string | null> {
  return (await findAgency(db, code))?.id ?? null;
}

/**
 * The agency an e-mail address reaches (an address belongs to one agency only). The address of
 * an agency a merger retired stays on its entry, for history, and reaches its successor.
 */
export async function agencyByAddress(db: Db, address: string): Promise<AgencyRef | null> {
  const row = await db.agencyEmail.findUnique({
    where: { address: address.trim().toLowerCase() },
    select: { agency: { include: WITH_LINKS } },
  });
  if (!row) return null;
  const live = await liveAgency(db, row.agency);
  return live ? refOf(entryOf(live, { kind: 'current' })) : null;
}

/** The words a delivery to a closed code is recorded with (audit entries, delivery history). */
export function closedCodeNote(given: string, agency: ResolvedAgency): string | null {
  if (agency.matched.kind !== 'former') return null;
  const closed = agency.matched.closedOn
    ? ` (đóng ngày ${agency.matched.closedOn.split('-').reverse().join('/')})`
    : '';
  const why = agency.matched.reason === 'merger' ? 'sáp nhập' : 'đổi mã';
  return `gửi tới mã đã đóng ${codeKey(given)}${closed}, chuyển cho ${agency.name} ${agency.organId} (${why}) / addressed to the closed code ${codeKey(given)}${agency.matched.closedOn ? ` (closed ${agency.matched.closedOn})` : ''}, delivered to its successor ${agency.organId}`;
}
