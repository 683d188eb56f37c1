import type { PrismaClient, Transaction } from '../db/index.ts';
import { actorLabel, type Actor, said, type Said } from '../shared/index.ts';
import { appendAudit } from './audit-trail.ts';
import { agencyFor, NOT_FOUND } from './domain/agency-for.ts';
import { REGISTRY_TRANSACTION } from './transaction-options.ts';

/**
 * Departments (phòng ban) of an agency: listed with the people a document may be assigned to,
 * added by leaders (their own agency) and admins, and named when a person is added to one. The
 * only writer of table `department` (docs/database.md).
 */

export type DepartmentList = {
  departments: { id: string; name: string; agencyId: string }[];
  /** the people a document may be assigned to: clerks and leaders of the agency, not disabled */
  people: {
    id: string;
    displayName: string;
    role: 'clerk' | 'leader';
    departmentId: string | null;
    agencyId: string;
  }[];
};

export async function listDepartments(
  prisma: PrismaClient,
  actor: Actor,
  filter: { agencyId?: string } = {},
): Promise<DepartmentList | { kind: 'not-found' }> {
  const agencyId = agencyFor(actor, filter.agencyId);
  if (agencyId === NOT_FOUND) return { kind: 'not-found' };
  const where = agencyId ? { agencyId } : {};
  const departments = await prisma.department.findMany({
    where,
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, agencyId: true },
  });
  const people = await prisma.user.findMany({
    where: {
      ...where,
      agencyId: agencyId ?? { not: null },
      disabledAt: null,
      role: { in: ['clerk', 'leader'] },
    },
    orderBy: [{ displayName: 'asc' }, { id: 'asc' }],
    select: { id: true, displayName: true, role: true, departmentId: true, agencyId: true },
  });
  return {
    departments,
    people: people.flatMap((p) =>
      p.agencyId !== null && p.role !== 'admin' ? [{ ...p, role: p.role, agencyId: p.agencyId }] : [],
    ),
  };
}

export type CreateDepartmentOutcome =
  | { kind: 'created'; department: { id: string; name: string; agencyId: string } }
  | { kind: 'not-found' }
  | { kind: 'forbidden'; message: Said }
  | { kind: 'conflict'; message: Said }
  | { kind: 'invalid'; problems: string[]; said?: Said[] };

/** Leaders add departments to their own agency, admins to the agency they name. */
export async function createDepartment(
  prisma: PrismaClient,
  actor: Actor,
  /** `agencyId` null: the caller named an agency the directory does not know */
  input: { name: string; agencyId?: string | null },
): Promise<CreateDepartmentOutcome> {
  if (actor.kind === 'token')
    return {
      kind: 'forbidden',
      message: said('Hệ thống đối tác không quản lý phòng ban.', 'partner systems do not manage departments'),
    };
  if (actor.kind === 'user' && actor.role === 'clerk')
    return {
      kind: 'forbidden',
      message: said(
        'Chỉ lãnh đạo và quản trị viên mới thêm phòng ban.',
        'departments are added by leaders and admins',
      ),
    };
  // Decided after the role, so a clerk naming another agency hears what a clerk naming none hears.
  if (input.agencyId === null) return { kind: 'not-found' };
  const agencyId = agencyFor(actor, input.agencyId);
  if (agencyId === NOT_FOUND) return { kind: 'not-found' };
  if (agencyId === null)
    return {
      kind: 'invalid',
      problems: ['agency: an admin names the agency (OrganId)'],
      said: [said('Cơ quan: hãy ghi mã định danh của cơ quan', 'Agency: give the agency code', 'agency')],
    };
  const name = input.name.trim().normalize('NFC');
  if (!name)
    return {
      kind: 'invalid',
      problems: ['name: a department needs a name'],
      said: [said('Tên phòng ban: không được để trống', 'Department name: required', 'name')],
    };
  return prisma.$transaction(async (tx): Promise<CreateDepartmentOutcome> => {
    // Serializes additions per agency, so two leaders adding the same name get one row and a 409.
    await tx.$executeRaw`SELECT id FROM agency WHERE id = ${agencyId}::uuid FOR UPDATE`;
    if (await tx.department.findUnique({ where: { agencyId_name: { agencyId, name } } }))
      return {
        kind: 'conflict',
        message: said(
          `Cơ quan đã có phòng ban tên “${name}”: hãy đặt tên khác.`,
          `the agency already has a department named ${name}`,
          'name',
        ),
      };
    const department = await tx.department.create({
      data: { agencyId, name },
      select: { id: true, name: true, agencyId: true },
    });
    await appendAudit(tx, {
      actor: actorLabel(actor),
      agencyId,
      action: 'department.created',
      subject: `department:${department.id}`,
      data: { name },
    });
    return { kind: 'created', department };
  }, REGISTRY_TRANSACTION);
}

/**
 * The department of this name in the agency, created if missing (adding a person "to the
 * Phòng Tổng hợp" creates it); in the caller's transaction, audited when it is new.
 */
export async function departmentNamed(
  tx: Transaction,
  /** who acts, as the audit trail names them (actorLabel) */
  by: string,
  agencyId: string,
  rawName: string,
): Promise<{ id: string }> {
  const name = rawName.trim().normalize('NFC');
  const existing = await tx.department.findUnique({
    where: { agencyId_name: { agencyId, name } },
    select: { id: true },
  });
  if (existing) return existing;
  const department = await tx.department.create({ data: { agencyId, name }, select: { id: true } });
  await appendAudit(tx, {
    actor: by,
    agencyId,
    action: 'department.created',
    subject: `department:${department.id}`,
    data: { name, via: 'user.created' },
  });
  return department;
}
