import type { PrismaClient } from '../db/index.ts';
import type { Agency } from './agency.ts';
import type { AgencyDirectory, DirectoryConflict, UpsertResult } from './agency-directory.ts';
import { findAgency } from './agency-reference.ts';
import { dropDirectoryCache } from './directory-cache.ts';
import { codeKey, equivalentCode } from '../shared/index.ts';

type AgencyRow = {
  organId: string;
  name: string;
  channel: Agency['channel'];
  signaturePolicy: Agency['signaturePolicy'];
  emails: { address: string }[];
  aliases: { organId: string }[];
};

const withLinks = {
  emails: { orderBy: { address: 'asc' } },
  aliases: { orderBy: { organId: 'asc' } },
} as const;

function toAgency(row: AgencyRow): Agency {
  return {
    organId: row.organId,
    name: row.name,
    channel: row.channel,
    signaturePolicy: row.signaturePolicy,
    emails: row.emails.map((e) => e.address),
    aliases: row.aliases.map((a) => a.organId),
  };
}

/** Conflicts inside one batch: two rows for one agency, or one address/alias claimed twice. */
function conflictsWithinBatch(agencies: readonly Agency[]): DirectoryConflict[] {
  const conflicts: DirectoryConflict[] = [];
  const owners = new Map<string, string>();
  const claim = (key: string, organId: string, what: string) => {
    const owner = owners.get(key);
    if (owner !== undefined && owner !== organId)
      conflicts.push({ organId, message: `${what} is also given for ${owner}` });
    else if (owner === organId && key.startsWith('id:'))
      conflicts.push({ organId, message: 'appears twice' });
    owners.set(key, organId);
  };
  for (const agency of agencies) {
    claim(`id:${agency.organId}`, agency.organId, `OrganId ${agency.organId}`);
    const sameByRule = equivalentCode(agency.organId);
    if (sameByRule)
      claim(`id:${sameByRule}`, agency.organId, `OrganId ${sameByRule} (the same agency by rule)`);
    for (const alias of agency.aliases) claim(`id:${alias}`, agency.organId, `alias ${alias}`);
    for (const address of agency.emails) claim(`mail:${address}`, agency.organId, `address ${address}`);
  }
  return conflicts;
}

export function createPrismaAgencyDirectory(prisma: PrismaClient): AgencyDirectory {
  return {
    // Live agencies only: one a merger retired is read through formerCodes() and its registers.
    async list() {
      const rows = await prisma.agency.findMany({
        where: { retiredOn: null },
        include: withLinks,
        orderBy: { organId: 'asc' },
      });
      return rows.map(toAgency);
    },

    find: (organId) => findAgency(prisma, organId),

    async upsertAll(given, options = {}): Promise<UpsertResult> {
      // Codes are stored by their key (upper-case), whichever case they were typed in.
      const agencies = given.map((a) => ({
        ...a,
        organId: codeKey(a.organId),
        aliases: [...new Set(a.aliases.map(codeKey))],
      }));
      const batchConflicts = conflictsWithinBatch(agencies);
      if (batchConflicts.length > 0) return { kind: 'conflict', conflicts: batchConflicts };
      const batchIds = agencies.map((a) => a.organId);
      const outcome = await prisma.$transaction(async (tx): Promise<UpsertResult> => {
        const notInBatch = { agency: { organId: { notIn: batchIds } } };
        const [takenAddresses, takenAliases, clashingAgencies] = await Promise.all([
          tx.agencyEmail.findMany({
            where: { address: { in: agencies.flatMap((a) => a.emails) }, ...notInBatch },
            include: { agency: true },
          }),
          tx.agencyAlias.findMany({
            where: { organId: { in: [...batchIds, ...agencies.flatMap((a) => a.aliases)] }, ...notInBatch },
            include: { agency: true },
          }),
          tx.agency.findMany({
            where: { organId: { in: agencies.flatMap((a) => a.aliases) }, retiredOn: null },
          }),
        ]);
        const equivalents = await tx.agency.findMany({
          where: {
            organId: {
              in: batchIds.map(equivalentCode).filter((c): c is string => c !== undefined),
              notIn: batchIds,
            },
            retiredOn: null,
          },
        });
        const conflicts: DirectoryConflict[] = [];
        for (const agency of agencies) {
          for (const taken of takenAddresses.filter((t) => agency.emails.includes(t.address))) {
            conflicts.push({
              organId: agency.organId,
              message: `address ${taken.address} belongs to ${taken.agency.organId}`,
            });
          }
          for (const taken of takenAliases.filter(
            (t) => t.organId === agency.organId || agency.aliases.includes(t.organId),
          )) {
            conflicts.push({
              organId: agency.organId,
              message: `${taken.organId} is a former code of ${taken.agency.organId}`,
            });
          }
          for (const clash of clashingAgencies.filter((c) => agency.aliases.includes(c.organId))) {
            conflicts.push({
              organId: agency.organId,
              message: `alias ${clash.organId} is the current code of ${clash.name}`,
            });
          }
          for (const same of equivalents.filter((e) => e.organId === equivalentCode(agency.organId))) {
            conflicts.push({
              organId: agency.organId,
              message: `${agency.organId} và ${same.organId} là một cơ quan theo quy tắc mã (QĐ 09/2025), đã có trong danh bạ là ${same.name} / ${agency.organId} and ${same.organId} name one agency by rule; it is already in the directory`,
            });
          }
        }
        if (conflicts.length > 0) return { kind: 'conflict', conflicts } as const;

        const existing = new Set(
          (await tx.agency.findMany({ where: { organId: { in: batchIds } }, select: { organId: true } })).map(
            (a) => a.organId,
          ),
        );
        for (const agency of agencies) {
          const links = {
            emails: { create: agency.emails.map((address) => ({ address })) },
            aliases: { create: agency.aliases.map((organId) => ({ organId })) },
          };
          const fields = {
            name: agency.name,
            channel: agency.channel,
            signaturePolicy: agency.signaturePolicy,
          };
          if (existing.has(agency.organId)) {
            // Former codes kept in the list keep their history (closing day, reason, retired holder).
            const kept = (
              await tx.agencyAlias.findMany({
                where: { agency: { organId: agency.organId }, organId: { in: agency.aliases } },
                select: { organId: true },
              })
            ).map((a) => a.organId);
            await tx.agency.update({
              where: { organId: agency.organId },
              data: {
                ...fields,
                emails: { deleteMany: {}, ...links.emails },
                aliases: {
                  deleteMany: { organId: { notIn: agency.aliases } },
                  create: agency.aliases.filter((a) => !kept.includes(a)).map((organId) => ({ organId })),
                },
              },
            });
          } else {
            await tx.agency.create({ data: { organId: agency.organId, ...fields, ...links } });
          }
        }
        const saved = {
          kind: 'saved',
          created: agencies.length - existing.size,
          updated: existing.size,
          outcomes: agencies.map((a) => ({
            organId: a.organId,
            outcome: existing.has(a.organId) ? ('updated' as const) : ('created' as const),
          })),
        } as const;
        await options.inTransaction?.(tx, saved);
        return saved;
      });
      if (outcome.kind === 'saved') dropDirectoryCache(prisma);
      return outcome;
    },
  };
}
