/**
 * Interactive transactions of the registry. Prisma's defaults (wait 2 s for a connection, 5 s to
 * finish) fail registrations under a burst although nothing is wrong: they only queue for the pool
 * and for the audit chain's lock (a burst of 200 on a busy 2-core machine needs tens of seconds).
 * These bounds still end a stuck transaction.
 */
export const REGISTRY_TRANSACTION = { maxWait: 60_000, timeout: 60_000 } as const;
