import type { Logger } from '../shared/index.ts';
import type { AgencyDirectory } from './agency-directory.ts';

/**
 * The hub's own agency (LIENTHONG_ORGAN_ID) is hosted out of the box. `lienthong start` and
 * `lienthong db migrate` both add it, so people can be given it (`user add --agency`) before the
 * first start. An agency already there — renamed or given addresses by an admin — is left alone.
 */
/** The name the own agency is given when added; an admin renames it in the directory. */
export function ownAgencyName(organId: string): string {
  return `Cơ quan chủ quản của hub ${organId}`;
}

export async function ensureOwnAgency(
  directory: AgencyDirectory,
  organId: string,
  log: Logger,
): Promise<'added' | 'present'> {
  if (await directory.find(organId)) return 'present';
  await directory.upsertAll([
    {
      organId,
      name: ownAgencyName(organId),
      channel: 'hosted',
      signaturePolicy: 'record_only',
      emails: [],
      aliases: [],
    },
  ]);
  log.info({ organId }, 'own agency added to the directory');
  return 'added';
}
