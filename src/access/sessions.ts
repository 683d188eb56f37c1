import type { PrismaClient } from '../db/index.ts';
import type { Actor } from '../shared/index.ts';
import { recordAccessEvent } from './access-audit.ts';
import { verifyAgainstNobody, verifyPassword, MAX_PASSWORD_LENGTH } from './password-hash.ts';
import { issueSecret, sha256Hex } from './secret-token.ts';
import { actorOfUser, toUserView, type UserView } from './user-accounts.ts';

/** A working day; a session also ends after two idle hours (a clerk's desk left unlocked). */
export const SESSION_LIFETIME_MS = 12 * 3_600_000;
export const SESSION_IDLE_MS = 2 * 3_600_000;
// lastSeenAt is written at most this often, not on every request.
const SEEN_RESOLUTION_MS = 60_000;

export type SignedIn = {
  kind: 'signed-in';
  /** The cookie value; only its sha256 is stored. */
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  user: UserView;
};

/** One answer for unknown user, wrong password and disabled account: none tells which. */
export type SignInOutcome = SignedIn | { kind: 'refused' };

export async function signIn(
  prisma: PrismaClient,
  credentials: { username: string; password: string },
  client: { address: string },
  now: Date,
): Promise<SignInOutcome> {
  const username = credentials.username.trim().toLowerCase();
  const user = await prisma.user.findUnique({
    where: { username },
    include: { agency: { select: { organId: true } }, department: { select: { name: true } } },
  });
  const passwordOk =
    user && credentials.password.length <= MAX_PASSWORD_LENGTH
      ? await verifyPassword(user.passwordHash, credentials.password)
      : await verifyAgainstNobody(credentials.password);
  const actor = user ? actorOfUser(user) : undefined;
  if (!user || !passwordOk || user.disabledAt !== null || !actor) {
    const reason = !user
      ? 'unknown user'
      : !passwordOk
        ? 'wrong password'
        : user.disabledAt
          ? 'disabled'
          : 'no agency';
    // A refused sign-in changes nothing else: its entry gets a transaction of its own.
    await prisma.$transaction((tx) =>
      recordAccessEvent(tx, {
        actor: `user:${username.slice(0, 100)}`,
        agencyId: user?.agencyId ?? null,
        action: 'auth.sign-in-refused',
        subject: user ? `user:${user.id}` : null,
        data: { reason, address: client.address },
      }),
    );
    return { kind: 'refused' };
  }
  const session = issueSecret();
  const csrfToken = issueSecret().secret;
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await prisma.$transaction(async (tx) => {
    await tx.session.create({
      data: {
        tokenHash: session.sha256,
        userId: user.id,
        csrfToken,
        createdAt: now,
        lastSeenAt: now,
        expiresAt,
      },
    });
    // Expired sessions of this person are swept here, so the table does not grow without bound.
    await tx.session.deleteMany({ where: { userId: user.id, expiresAt: { lt: now } } });
    await recordAccessEvent(tx, {
      actor: `user:${username}`,
      agencyId: user.agencyId,
      action: 'auth.sign-in',
      subject: `user:${user.id}`,
      data: { address: client.address },
    });
  });
  return { kind: 'signed-in', sessionToken: session.secret, csrfToken, expiresAt, user: toUserView(user) };
}

export type ActiveSession = {
  actor: Actor;
  user: UserView;
  csrfToken: string;
  expiresAt: Date;
};

/** The session behind a cookie, or undefined when it is unknown, expired, idle too long or its user disabled. */
export async function resolveSession(
  prisma: PrismaClient,
  sessionToken: string,
  now: Date,
): Promise<ActiveSession | undefined> {
  const tokenHash = sha256Hex(sessionToken);
  const row = await prisma.session.findUnique({
    where: { tokenHash },
    include: {
      user: { include: { agency: { select: { organId: true } }, department: { select: { name: true } } } },
    },
  });
  if (!row) return undefined;
  const idleFor = now.getTime() - row.lastSeenAt.getTime();
  if (row.expiresAt <= now || idleFor > SESSION_IDLE_MS || row.user.disabledAt !== null) {
    await prisma.session.deleteMany({ where: { tokenHash } });
    return undefined;
  }
  const actor = actorOfUser(row.user);
  if (!actor) return undefined;
  if (idleFor > SEEN_RESOLUTION_MS)
    await prisma.session.updateMany({ where: { tokenHash }, data: { lastSeenAt: now } });
  return { actor, user: toUserView(row.user), csrfToken: row.csrfToken, expiresAt: row.expiresAt };
}

export async function signOut(prisma: PrismaClient, sessionToken: string): Promise<void> {
  const tokenHash = sha256Hex(sessionToken);
  await prisma.$transaction(async (tx) => {
    const row = await tx.session.findUnique({ where: { tokenHash }, include: { user: true } });
    if (!row) return;
    await tx.session.delete({ where: { tokenHash } });
    await recordAccessEvent(tx, {
      actor: `user:${row.user.username}`,
      agencyId: row.user.agencyId,
      action: 'auth.sign-out',
      subject: `user:${row.userId}`,
      data: {},
    });
  });
}

/**
 * Whether a session still holds, without counting the question as activity: a page that only
 * listens for live events must not keep an unattended session alive past its idle limit.
 */
export async function sessionStillActive(
  prisma: PrismaClient,
  sessionToken: string,
  now: Date,
): Promise<boolean> {
  const row = await prisma.session.findUnique({
    where: { tokenHash: sha256Hex(sessionToken) },
    select: { expiresAt: true, lastSeenAt: true, user: { select: { disabledAt: true } } },
  });
  if (!row) return false;
  return (
    row.expiresAt > now &&
    now.getTime() - row.lastSeenAt.getTime() <= SESSION_IDLE_MS &&
    row.user.disabledAt === null
  );
}

/** What the database announces when a session row goes (the `session.ended` live event). */
export function sessionEndKey(sessionToken: string): string {
  return sha256Hex(sessionToken).slice(0, 16);
}
