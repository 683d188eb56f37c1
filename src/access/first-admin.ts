import type { PrismaClient } from '../db/index.ts';
import { createUser } from './user-accounts.ts';

export const FIRST_ADMIN_USERNAME = 'admin';

/**
 * On a hub with no admin at all (the first `npm start`), creates `admin` with a one-time password
 * for the start-up message, so the console can be reached without reading documentation first.
 * Two hubs starting at once on one database: the second finds the name taken and shows nothing.
 */
export async function ensureFirstAdmin(
  prisma: PrismaClient,
): Promise<{ username: string; password: string } | undefined> {
  if ((await prisma.user.count({ where: { role: 'admin' } })) > 0) return undefined;
  const created = await createUser(
    prisma,
    { username: FIRST_ADMIN_USERNAME, role: 'admin', displayName: 'Quản trị hệ thống' },
    'system:first-run',
  );
  return created.kind === 'created'
    ? { username: created.user.username, password: created.oneTimePassword }
    : undefined;
}
