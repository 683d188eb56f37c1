import type { PrismaClient } from '../db/index.ts';

/** A hosted agency a mail address reaches. `agencyId` is the registry's internal id. */
export type MailRecipient = { agencyId: string; organId: string };

/** What ingest needs from the agency directory: address → hosted agency, and known sender domains. */
export interface RecipientDirectory {
  /** undefined when no hosted agency has the address; throws when the lookup itself fails. */
  resolve(address: string): Promise<MailRecipient | undefined>;
  /** The agency whose configured addresses include this sender, if any (any channel). */
  senderAgency(address: string): Promise<MailRecipient | undefined>;
}

const CACHE_MS = 5_000;

/**
 * Reads the directory tables (agency, agency_email) directly: the directory module offers no
 * lookup by address. A short cache keeps RCPT TO off the database during bursts; a failed lookup
 * is not cached so the next RCPT tries again.
 */
export function prismaRecipientDirectory(prisma: PrismaClient, mailDomain: string): RecipientDirectory {
  const cache = new Map<string, { at: number; value: MailRecipient | undefined }>();
  const domain = mailDomain.toLowerCase();

  async function lookup(address: string, hostedOnly: boolean): Promise<MailRecipient | undefined> {
    const key = `${hostedOnly ? 'h' : 's'}:${address}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const channel = hostedOnly ? { channel: 'hosted' as const } : {};
    const [local, host] = splitAddress(address);
    let row = await prisma.agency.findFirst({
      where: { ...channel, emails: { some: { address } } },
      select: { id: true, organId: true },
    });
    if (!row && hostedOnly && host === domain)
      row = await prisma.agency.findFirst({
        where: { ...channel, organId: local.toUpperCase() },
        select: { id: true, organId: true },
      });
    const value = row ? { agencyId: row.id, organId: row.organId } : undefined;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: Date.now(), value });
    return value;
  }

  return {
    resolve: (address) => lookup(normalizeAddress(address), true),
    senderAgency: (address) => lookup(normalizeAddress(address), false),
  };
}

export function normalizeAddress(address: string): string {
  return address.trim().replace(/^<|>$/g, '').toLowerCase();
}

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf('@');
  return at < 0 ? [address, ''] : [address.slice(0, at), address.slice(at + 1)];
}
