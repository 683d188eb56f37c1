import type { PrismaClient } from '../db/index.ts';
import type { Agency } from './agency.ts';
import type { AgencyDirectory, DirectoryConflict, UpsertResult } from './agency-directory.ts';

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
    for (const alias of agency.aliases) claim(`id:${alias}`, agency.organId, `alias ${alias}`);
    for (const address of agency.emails) claim(`mail:${address}`, agency.organId, `address ${address}`);
  }
  return conflicts;
}

/**
 * One agency by current OrganId or former one, read through any client: the hub's, or a
 * transaction's (the submit path checks inside a caller's transaction on the embedded database).
 */
export async function findAgency(
  db: Pick<PrismaClient, 'agency' | 'agencyAlias'>,
  organId: string,
): Promise<Agency | undefined> {
  const row =
    (await db.agency.findUnique({ where: { organId }, include: withLinks })) ??
    (
      await db.agencyAlias.findUnique({
        where: { organId },
        include: { agency: { include: withLinks } },
      })
    )?.agency;
  return row ? toAgency(row) : undefined;
}

export function createPrismaAgencyDirectory(prisma: PrismaClient): AgencyDirectory {
  return {
    async list() {
      const rows = await prisma.agency.findMany({ include: withLinks, orderBy: { organId: 'asc' } });
      return rows.map(toAgency);
    },

    find: (organId) => findAgency(prisma, organId),

    async upsertAll(agencies, options = {}): Promise<UpsertResult> {
      const batchConflicts = conflictsWithinBatch(agencies);
      if (batchConflicts.length > 0) return { kind: 'conflict', conflicts: batchConflicts };
      const batchIds = agencies.map((a) => a.organId);
      return prisma.$transaction(async (tx) => {
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
          tx.agency.findMany({ where: { organId: { in: agencies.flatMap((a) => a.aliases) } } }),
        ]);
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
            await tx.agency.update({
              where: { organId: agency.organId },
              data: {
                ...fields,
                emails: { deleteMany: {}, ...links.emails },
                aliases: { deleteMany: {}, ...links.aliases },
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
    },
  };
}
