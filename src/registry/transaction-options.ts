/**
 * Interactive transactions of the registry. Prisma's defaults (wait 2 s for a connection, 5 s to
 * finish) fail registrations under a burst although nothing is wrong: they only queue for the pool
 * and for the audit chain's lock. These bounds still end a stuck transaction.
 */
export const REGISTRY_TRANSACTION = { maxWait: 20_000, timeout: 30_000 } as const;
