import type { PrismaClient } from '../db/index.ts';
import { agencyByAddress, resolveAgency } from '../directory/index.ts';

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
    const [local, host] = splitAddress(address);
    // `<OrganId>@<domain>` reaches a hosted agency by its current code or a former one (mail
    // still addressed to a code closed by a merger reaches its successor).
    let row = await agencyByAddress(prisma, address);
    if (!row && hostedOnly && host === domain) row = await resolveAgency(prisma, local);
    if (row && hostedOnly && row.channel !== 'hosted') row = null;
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
