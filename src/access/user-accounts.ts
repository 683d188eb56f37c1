import type { PrismaClient } from '../db/index.ts';
import { departmentNamed } from '../registry/index.ts';
import { type Actor, said, type Said } from '../shared/index.ts';
import { recordAccessEvent } from './access-audit.ts';
import { agencyIdOf } from '../directory/index.ts';
import { sha256Hex } from './secret-token.ts';
import { generateOneTimePassword, hashPassword, passwordProblems, verifyPassword } from './password-hash.ts';

export const USER_ROLES = ['clerk', 'leader', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A person as the API and the CLI show them; never the password hash. */
export type UserView = {
  id: string;
  username: string;
  displayName: string;
  role: UserRole;
  agency: string | null;
  department: string | null;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
};

export type NewUser = {
  username: string;
  role: UserRole;
  agency?: string | undefined;
  department?: string | undefined;
  displayName?: string | undefined;
};

export type CreateUserOutcome =
  { kind: 'created'; user: UserView; oneTimePassword: string } | { kind: 'refused'; reason: Said };

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,99}$/;

const userInclude = {
  agency: { select: { organId: true } },
  department: { select: { name: true } },
} as const;

type UserRow = {
  id: string;
  username: string;
  displayName: string;
  role: UserRole;
  agencyId: string | null;
  departmentId: string | null;
  mustChangePassword: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  agency: { organId: string } | null;
  department: { name: string } | null;
};

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    agency: row.agency?.organId ?? null,
    department: row.department?.name ?? null,
    mustChangePassword: row.mustChangePassword,
    disabled: row.disabledAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The actor a signed-in person acts as; an inconsistent row (clerk without agency) gives none. */
export function actorOfUser(
  row: Pick<UserRow, 'id' | 'username' | 'role' | 'agencyId' | 'departmentId'>,
): Actor | undefined {
  if (row.role === 'admin')
    return {
      kind: 'user',
      userId: row.id,
      username: row.username,
      role: 'admin',
      agencyId: null,
      departmentId: null,
    };
  if (row.agencyId === null) return undefined;
  return {
    kind: 'user',
    userId: row.id,
    username: row.username,
    role: row.role,
    agencyId: row.agencyId,
    departmentId: row.departmentId,
  };
}

/**
 * Creates a person with a generated one-time password that must be changed at first sign-in.
 * Clerks and leaders belong to one agency; admins are hub-wide and belong to none. A department
 * named for the first time is created in that agency (departments have no other way in yet).
 */
export async function createUser(
  prisma: PrismaClient,
  input: NewUser,
  by: string,
): Promise<CreateUserOutcome> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username))
    return {
      kind: 'refused',
      reason: said(
        'Tên đăng nhập: 3–100 ký tự gồm chữ a–z không dấu, số 0–9, dấu chấm, gạch dưới hoặc gạch ngang',
        'a username has 3–100 characters: a–z, 0–9, ".", "_", "-"',
        'username',
      ),
    };
  if (input.role === 'admin' && (input.agency !== undefined || input.department !== undefined))
    return {
      kind: 'refused',
      reason: said(
        'Quản trị viên làm việc cho toàn hệ thống: không chọn cơ quan hay phòng ban',
        'an admin is hub-wide: give no agency or department',
        'agency',
      ),
    };
  if (input.role !== 'admin' && input.agency === undefined)
    return {
      kind: 'refused',
      reason: said(
        'Cơ quan: văn thư và lãnh đạo thuộc một cơ quan, hãy chọn cơ quan',
        `a ${input.role} belongs to an agency: give its OrganId`,
        'agency',
      ),
    };
  const agencyId = input.agency === undefined ? null : await agencyIdOf(prisma, input.agency);
  if (input.agency !== undefined && agencyId === null)
    return {
      kind: 'refused',
      reason: said(
        `Cơ quan: không có mã ${input.agency} trong danh bạ`,
        `no agency ${input.agency} in the directory`,
        'agency',
      ),
    };

  const oneTimePassword = generateOneTimePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  return prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { username }, select: { id: true } }))
      return {
        kind: 'refused',
        reason: said(
          `Tên đăng nhập: “${username}” đã có người dùng, hãy chọn tên khác`,
          `username ${username} is taken`,
          'username',
        ),
      } as const;
    const department =
      agencyId !== null && input.department !== undefined
        ? await departmentNamed(tx, by, agencyId, input.department)
        : null;
    const row = await tx.user.create({
      data: {
        username,
        displayName: input.displayName?.trim().normalize('NFC') || username,
        passwordHash,
        role: input.role,
        agencyId,
        departmentId: department?.id ?? null,
        mustChangePassword: true,
      },
      include: userInclude,
    });
    await recordAccessEvent(tx, {
      actor: by,
      agencyId,
      action: 'user.created',
      subject: `user:${row.id}`,
      data: { username, role: input.role },
    });
    return { kind: 'created', user: toUserView(row), oneTimePassword } as const;
  });
}

export async function listUsers(prisma: PrismaClient): Promise<UserView[]> {
  const rows = await prisma.user.findMany({ include: userInclude, orderBy: { username: 'asc' } });
  return rows.map(toUserView);
}

export async function findUser(prisma: PrismaClient, id: string): Promise<UserView | undefined> {
  const row = await prisma.user.findUnique({ where: { id }, include: userInclude });
  return row ? toUserView(row) : undefined;
}

export type SetDisabledOutcome =
  { kind: 'changed'; user: UserView } | { kind: 'not-found' } | { kind: 'refused'; reason: Said };

/**
 * Disabling also ends the person's sessions at once; enabling does not restore them. Two locks
 * that would leave the hub without administration are refused: an admin locking their own account
 * (the session they act from would end), and locking the last active admin — after either, no one
 * could unlock anyone without a shell on the server. The active admins' rows are locked first, so
 * two admins locking each other at the same moment cannot both succeed.
 */
export async function setUserDisabled(
  prisma: PrismaClient,
  id: string,
  disabled: boolean,
  by: { label: string; userId?: string | undefined },
): Promise<SetDisabledOutcome> {
  if (disabled && by.userId === id)
    return {
      kind: 'refused',
      reason: said(
        'Không thể tự khóa tài khoản của chính mình: một quản trị viên khác phải làm việc này',
        'you cannot lock your own account: another admin must do it',
      ),
    };
  return prisma.$transaction(async (tx): Promise<SetDisabledOutcome> => {
    const existing = await tx.user.findUnique({
      where: { id },
      select: { id: true, role: true, disabledAt: true },
    });
    if (!existing) return { kind: 'not-found' };
    if (disabled && existing.role === 'admin' && existing.disabledAt === null) {
      const activeAdmins = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM app_user WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE`;
      if (activeAdmins.filter((admin) => admin.id !== id).length === 0)
        return {
          kind: 'refused',
          reason: said(
            'Đây là quản trị viên cuối cùng còn hoạt động: hãy thêm hoặc mở khóa một quản trị viên khác trước',
            'this is the last active admin: add or enable another admin first',
          ),
        };
    }
    const row = await tx.user.update({
      where: { id },
      data: { disabledAt: disabled ? new Date() : null },
      include: userInclude,
    });
    if (disabled) await tx.session.deleteMany({ where: { userId: id } });
    await recordAccessEvent(tx, {
      actor: by.label,
      agencyId: row.agencyId,
      action: disabled ? 'user.disabled' : 'user.enabled',
      subject: `user:${id}`,
      data: { username: row.username },
    });
    return { kind: 'changed', user: toUserView(row) };
  });
}

export type UserChanges = {
  role?: UserRole | undefined;
  /** OrganId; null takes the person out of any agency (admins only have none) */
  agency?: string | null | undefined;
  displayName?: string | undefined;
};

export type UpdateUserOutcome =
  | { kind: 'updated'; user: UserView; changed: boolean }
  | { kind: 'not-found' }
  | { kind: 'refused'; reason: Said }
  /** the change would take the admin role from the acting admin or from the last active admin */
  | { kind: 'keeps-administration'; reason: Said };

/**
 * An admin changes a person's role, agency or name. The rules of `createUser` hold (clerks and
 * leaders belong to one agency, admins to none), and the hub is never left without administration:
 * an admin cannot take the admin role from themselves, nor from the last active admin (the active
 * admins' rows are locked first, as for a lock). A person moved to another agency leaves their
 * department (it is the old agency's). A change of role or agency ends the person's sessions, so
 * no open page or live stream keeps what the person was allowed before.
 */
export async function updateUser(
  prisma: PrismaClient,
  id: string,
  changes: UserChanges,
  by: { label: string; userId?: string | undefined },
): Promise<UpdateUserOutcome> {
  const agencyId =
    changes.agency === undefined || changes.agency === null
      ? changes.agency
      : await agencyIdOf(prisma, changes.agency);
  if (typeof changes.agency === 'string' && agencyId === null)
    return {
      kind: 'refused',
      reason: said(
        `Cơ quan: không có mã ${changes.agency} trong danh bạ`,
        `Agency: no agency ${changes.agency} in the directory`,
        'agency',
      ),
    };
  return prisma.$transaction(async (tx): Promise<UpdateUserOutcome> => {
    const existing = await tx.user.findUnique({ where: { id }, include: userInclude });
    if (!existing) return { kind: 'not-found' };
    const role = changes.role ?? existing.role;
    const nextAgencyId = role === 'admin' ? null : agencyId === undefined ? existing.agencyId : agencyId;
    if (role === 'admin' && typeof changes.agency === 'string')
      return {
        kind: 'refused',
        reason: said(
          'Cơ quan: quản trị viên làm việc cho toàn hệ thống, không chọn cơ quan',
          'Agency: an admin is hub-wide, give no agency',
          'agency',
        ),
      };
    if (role !== 'admin' && nextAgencyId === null)
      return {
        kind: 'refused',
        reason: said(
          'Cơ quan: văn thư và lãnh đạo thuộc một cơ quan, hãy chọn cơ quan',
          `Agency: a ${role} belongs to an agency, choose it`,
          'agency',
        ),
      };
    if (existing.role === 'admin' && role !== 'admin') {
      if (by.userId === id)
        return {
          kind: 'keeps-administration',
          reason: said(
            'Vai trò: không thể tự bỏ quyền quản trị của chính mình, một quản trị viên khác phải làm việc này',
            'Role: you cannot take the admin role from yourself; another admin must do it',
            'role',
          ),
        };
      const activeAdmins = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM app_user WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE`;
      if (existing.disabledAt === null && activeAdmins.filter((admin) => admin.id !== id).length === 0)
        return {
          kind: 'keeps-administration',
          reason: said(
            'Vai trò: đây là quản trị viên cuối cùng còn hoạt động, hãy thêm hoặc mở khóa một quản trị viên khác trước',
            'Role: this is the last active admin; add or enable another admin first',
            'role',
          ),
        };
    }
    const displayName = changes.displayName?.trim().normalize('NFC') || existing.displayName;
    const scopeChanged = role !== existing.role || nextAgencyId !== existing.agencyId;
    if (!scopeChanged && displayName === existing.displayName)
      return { kind: 'updated', user: toUserView(existing), changed: false };
    const row = await tx.user.update({
      where: { id },
      data: {
        role,
        agencyId: nextAgencyId,
        displayName,
        ...(nextAgencyId !== existing.agencyId ? { departmentId: null } : {}),
      },
      include: userInclude,
    });
    if (scopeChanged) await tx.session.deleteMany({ where: { userId: id } });
    const facts = (r: typeof existing) => ({
      role: r.role,
      agency: r.agency?.organId ?? null,
      displayName: r.displayName,
    });
    await recordAccessEvent(tx, {
      actor: by.label,
      agencyId: row.agencyId ?? existing.agencyId,
      action: 'user.updated',
      subject: `user:${id}`,
      data: { username: row.username, before: facts(existing), after: facts(row), signedOut: scopeChanged },
    });
    return { kind: 'updated', user: toUserView(row), changed: true };
  });
}

export type ResetPasswordOutcome =
  | { kind: 'reset'; user: UserView; oneTimePassword: string }
  | { kind: 'not-found' }
  | { kind: 'refused'; reason: Said };

/**
 * An admin gives a person a new one-time password (a forgotten password, a handover). Every
 * session of the person ends, and the new password must be changed at the next sign-in. An admin
 * cannot reset their own: that would end the session they act from; they change it instead.
 */
export async function resetPassword(
  prisma: PrismaClient,
  id: string,
  by: { label: string; userId?: string | undefined },
): Promise<ResetPasswordOutcome> {
  if (by.userId === id)
    return {
      kind: 'refused',
      reason: said(
        'Hãy tự đổi mật khẩu của mình thay vì đặt lại.',
        'change your own password instead of resetting it',
      ),
    };
  const oneTimePassword = generateOneTimePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  return prisma.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { id }, select: { id: true } });
    if (!existing) return { kind: 'not-found' } as const;
    const row = await tx.user.update({
      where: { id },
      data: { passwordHash, mustChangePassword: true },
      include: userInclude,
    });
    await tx.session.deleteMany({ where: { userId: id } });
    await recordAccessEvent(tx, {
      actor: by.label,
      agencyId: row.agencyId,
      action: 'user.password-reset',
      subject: `user:${id}`,
      data: { username: row.username },
    });
    return { kind: 'reset', user: toUserView(row), oneTimePassword } as const;
  });
}

export type ChangePasswordOutcome = { kind: 'changed' } | { kind: 'refused'; problems: Said[] };

/**
 * The current password is asked again, so a borrowed session cannot lock its owner out. Every
 * other session of the person ends: whoever knew the old password is signed out too.
 */
export async function changePassword(
  prisma: PrismaClient,
  userId: string,
  current: string,
  next: string,
  keepSessionToken?: string,
): Promise<ChangePasswordOutcome> {
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user || user.disabledAt)
    return { kind: 'refused', problems: [said('Tài khoản không còn hoạt động.', 'no such user')] };
  if (!(await verifyPassword(user.passwordHash, current)))
    return {
      kind: 'refused',
      problems: [
        said(
          'Mật khẩu hiện tại: không đúng, hãy nhập lại',
          'the current password is wrong',
          'currentPassword',
        ),
      ],
    };
  const problems = passwordProblems(next, user.username);
  if (next === current)
    problems.push(
      said(
        'Mật khẩu mới: phải khác mật khẩu hiện tại',
        'the new password must differ from the current one',
        'newPassword',
      ),
    );
  if (problems.length > 0) return { kind: 'refused', problems };
  const passwordHash = await hashPassword(next);
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: false } });
    const kept = keepSessionToken === undefined ? undefined : sha256Hex(keepSessionToken);
    await tx.session.deleteMany({ where: { userId, ...(kept ? { NOT: { tokenHash: kept } } : {}) } });
    await recordAccessEvent(tx, {
      actor: `user:${user.username}`,
      agencyId: user.agencyId,
      action: 'auth.password-changed',
      subject: `user:${userId}`,
      data: {},
    });
  });
  return { kind: 'changed' };
}
