import type { PrismaClient } from '../db/index.ts';

/** The agency's row id for a current OrganId or a former one (alias), or null. */
export async function findAgencyId(prisma: PrismaClient, organId: string): Promise<string | null> {
  const agency = await prisma.agency.findUnique({ where: { organId }, select: { id: true } });
  if (agency) return agency.id;
  const alias = await prisma.agencyAlias.findUnique({ where: { organId }, select: { agencyId: true } });
  return alias?.agencyId ?? null;
}
