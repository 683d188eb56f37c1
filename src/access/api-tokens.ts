import type { PrismaClient } from '../db/index.ts';
import type { Actor } from '../shared/index.ts';
import { recordAccessEvent } from './access-audit.ts';
import { agencyIdOf } from '../directory/index.ts';
import { issueSecret, sha256Hex } from './secret-token.ts';

/** A partner system's token as lists show it: never the secret, only its first characters. */
export type ApiTokenView = {
  id: string;
  agency: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
};

export type CreateTokenOutcome =
  { kind: 'created'; token: ApiTokenView; secret: string } | { kind: 'refused'; reason: string };

// Recognisable in logs and by secret scanners; the rest is 256 random bits.
const TOKEN_PREFIX = 'lt_';
const SHOWN_PREFIX_LENGTH = 10;
// A token used all day would otherwise write its row on every request.
const LAST_USED_RESOLUTION_MS = 60_000;

type TokenRow = {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  agency: { organId: string };
};

function toView(row: TokenRow): ApiTokenView {
  return {
    id: row.id,
    agency: row.agency.organId,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revoked: row.revokedAt !== null,
  };
}

const withAgency = { agency: { select: { organId: true } } } as const;

/** Creates a token acting for one agency; the secret is returned here and never again. */
export async function createApiToken(
  prisma: PrismaClient,
  input: { agency: string; name?: string | undefined },
  by: string,
): Promise<CreateTokenOutcome> {
  const agencyId = await agencyIdOf(prisma, input.agency);
  if (agencyId === null) return { kind: 'refused', reason: `no agency ${input.agency} in the directory` };
  const { secret, sha256 } = issueSecret(TOKEN_PREFIX);
  const name = input.name?.trim().normalize('NFC') || `partner system of ${input.agency}`;
  return prisma.$transaction(async (tx) => {
    const row = await tx.apiToken.create({
      data: { agencyId, name, tokenHash: sha256, prefix: secret.slice(0, SHOWN_PREFIX_LENGTH) },
      include: withAgency,
    });
    await recordAccessEvent(tx, {
      actor: by,
      agencyId,
      action: 'token.created',
      subject: `token:${row.id}`,
      data: { name },
    });
    return { kind: 'created', token: toView(row), secret } as const;
  });
}

export async function listApiTokens(prisma: PrismaClient): Promise<ApiTokenView[]> {
  const rows = await prisma.apiToken.findMany({ include: withAgency, orderBy: { createdAt: 'asc' } });
  return rows.map(toView);
}

/** Revoking is final; a revoked token answers 401 from the next request on. */
export async function revokeApiToken(
  prisma: PrismaClient,
  id: string,
  by: string,
): Promise<ApiTokenView | undefined> {
  return prisma.$transaction(async (tx) => {
    const existing = await tx.apiToken.findUnique({ where: { id }, select: { revokedAt: true } });
    if (!existing) return undefined;
    const row = await tx.apiToken.update({
      where: { id },
      data: { revokedAt: existing.revokedAt ?? new Date() },
      include: withAgency,
    });
    if (!existing.revokedAt)
      await recordAccessEvent(tx, {
        actor: by,
        agencyId: row.agencyId,
        action: 'token.revoked',
        subject: `token:${id}`,
        data: { name: row.name },
      });
    return toView(row);
  });
}

/** The actor behind a presented token, or undefined for an unknown or revoked one. */
export async function authenticateApiToken(
  prisma: PrismaClient,
  secret: string,
  now: Date,
): Promise<Actor | undefined> {
  if (!secret.startsWith(TOKEN_PREFIX)) return undefined;
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: sha256Hex(secret) } });
  if (!row || row.revokedAt) return undefined;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS)
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  return { kind: 'token', tokenId: row.id, agencyId: row.agencyId };
}

/** Whether a token still works (a long-lived stream checks again now and then); uses nothing up. */
export async function apiTokenStillActive(prisma: PrismaClient, tokenId: string): Promise<boolean> {
  const row = await prisma.apiToken.findUnique({ where: { id: tokenId }, select: { revokedAt: true } });
  return row !== null && row.revokedAt === null;
}
