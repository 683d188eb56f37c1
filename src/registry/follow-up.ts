import type { Prisma, PrismaClient } from '../db/index.ts';
import { actorLabel, agencyScope, type Actor, said, type Said } from '../shared/index.ts';
import { checkAgencyReferences } from './agency-references.ts';
import { appendAudit } from './audit-trail.ts';
import { agencyFor, NOT_FOUND } from './domain/agency-for.ts';
import { vietnamDate } from './domain/registration-year.ts';
import { appendFollowUpStatus, lockDocumentInScope } from './record-document-status.ts';
import { REGISTRY_TRANSACTION } from './transaction-options.ts';

/**
 * Theo dõi, đôn đốc (Quy chế 59/2014, Điều 9): a leader follows up documents whose due date has
 * passed or is near, sees the load of each department and assigns documents to a department or a
 * person. "Today" is the calendar date in Vietnam (UTC+7): a document due on the 25th becomes
 * overdue at 00:00 on the 26th Vietnam time, 17:00 UTC on the 25th.
 *
 * A document is open until it is finished (06) or refused (02). Reading is for every caller of the
 * agency (clerks, leaders, its partner system); assigning is for leaders and admins only.
 */
export const DONE_CODES = ['02', '06'] as const;
export const DEFAULT_DUE_SOON_DAYS = 3;
const DAY_MS = 86_400_000;

const openWhere = {
  OR: [{ statusCode: null }, { statusCode: { notIn: [...DONE_CODES] } }],
} satisfies Prisma.DocumentWhereInput;

const calendarDate = (value: string) => new Date(`${value}T00:00:00Z`);
const isoDate = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (date: Date, days: number) => new Date(date.getTime() + days * DAY_MS);

export type FollowUpFilter = {
  /** only the overdue, or only those due within `days` (today included) */
  due?: 'overdue' | 'due-soon';
  /** the due-soon window, default 3 days */
  days?: number;
  direction?: 'incoming' | 'outgoing';
  /** for admins: one agency (an id, already resolved from its OrganId) */
  agencyId?: string;
  cursor?: string;
  limit?: number;
};

export type FollowUpItem = {
  id: string;
  agencyId: string;
  direction: 'incoming' | 'outgoing';
  year: number;
  number: number;
  notation: string | null;
  subject: string;
  senderName: string | null;
  senderOrganId: string | null;
  statusCode: string | null;
  dueOn: string;
  overdue: boolean;
  /** whole days until the due date: 0 due today, negative when overdue */
  daysLeft: number;
  department: { id: string; name: string } | null;
  assignee: { id: string; displayName: string } | null;
};

type FollowUpKey = { direction: 'incoming' | 'outgoing'; dueOn: string; id: string };

function encodeKey(key: FollowUpKey): string {
  return Buffer.from(`${key.direction}|${key.dueOn}|${key.id}`).toString('base64url');
}

function decodeKey(cursor: string | undefined): FollowUpKey | undefined | 'invalid' {
  if (!cursor) return undefined;
  const [direction, dueOn, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (
    (direction !== 'incoming' && direction !== 'outgoing') ||
    !/^\d{4}-\d{2}-\d{2}$/.test(dueOn ?? '') ||
    Number.isNaN(calendarDate(dueOn ?? '').getTime()) ||
    !/^[0-9a-f-]{36}$/.test(id ?? '')
  )
    return 'invalid';
  return { direction, dueOn: dueOn as string, id: id as string };
}

/** Incoming before outgoing, then the earliest due date (the most overdue) first, then id. */
function afterKey(key: FollowUpKey | undefined): Prisma.DocumentWhereInput {
  if (!key) return {};
  const due = calendarDate(key.dueOn);
  const sameDirection: Prisma.DocumentWhereInput = {
    direction: key.direction,
    OR: [{ dueOn: { gt: due } }, { dueOn: due, id: { gt: key.id } }],
  };
  return key.direction === 'incoming' ? { OR: [{ direction: 'outgoing' }, sameDirection] } : sameDirection;
}

export type FollowUpPage = { today: string; items: FollowUpItem[]; nextCursor: string | null };

export async function listFollowUp(
  prisma: PrismaClient,
  actor: Actor,
  now: Date,
  filter: FollowUpFilter = {},
): Promise<FollowUpPage | { kind: 'invalid-cursor' } | { kind: 'not-found' }> {
  const cursor = decodeKey(filter.cursor);
  if (cursor === 'invalid') return { kind: 'invalid-cursor' };
  const agencyId = agencyFor(actor, filter.agencyId);
  if (agencyId === NOT_FOUND) return { kind: 'not-found' };
  const today = calendarDate(vietnamDate(now));
  const horizon = addDays(today, filter.days ?? DEFAULT_DUE_SOON_DAYS);
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const dueOn =
    filter.due === 'overdue'
      ? { lt: today }
      : filter.due === 'due-soon'
        ? { gte: today, lte: horizon }
        : { lte: horizon };
  const rows = await prisma.document.findMany({
    where: {
      ...(agencyId ? { agencyId } : {}),
      ...(filter.direction ? { direction: filter.direction } : {}),
      dueOn,
      AND: [openWhere, afterKey(cursor)],
    },
    orderBy: [{ direction: 'asc' }, { dueOn: 'asc' }, { id: 'asc' }],
    take: limit + 1,
    select: {
      id: true,
      agencyId: true,
      direction: true,
      year: true,
      number: true,
      notation: true,
      subject: true,
      senderName: true,
      senderOrganId: true,
      statusCode: true,
      dueOn: true,
      department: { select: { id: true, name: true } },
      assignee: { select: { id: true, displayName: true } },
    },
  });
  const items = rows.slice(0, limit).map(({ dueOn: due, ...row }): FollowUpItem => {
    const date = due ?? today;
    const daysLeft = Math.round((date.getTime() - today.getTime()) / DAY_MS);
    return { ...row, dueOn: isoDate(date), overdue: daysLeft < 0, daysLeft };
  });
  const last = items.at(-1);
  return {
    today: isoDate(today),
    items,
    nextCursor:
      rows.length > limit && last
        ? encodeKey({ direction: last.direction, dueOn: last.dueOn, id: last.id })
        : null,
  };
}

export type Load = { total: number; open: number; overdue: number; dueSoon: number };
export type DepartmentLoad = Load & { id: string; name: string; agencyId: string };

/**
 * Incoming documents per department: all assigned to it, the open ones, the overdue and the due
 * soon among those; documents with no department are counted apart (`unassigned`). Departments
 * with nothing assigned are listed with zeros.
 */
export async function followUpByDepartment(
  prisma: PrismaClient,
  actor: Actor,
  now: Date,
  filter: { agencyId?: string; days?: number } = {},
): Promise<{ today: string; departments: DepartmentLoad[]; unassigned: Load } | { kind: 'not-found' }> {
  const agencyId = agencyFor(actor, filter.agencyId);
  if (agencyId === NOT_FOUND) return { kind: 'not-found' };
  const today = vietnamDate(now);
  const horizon = isoDate(addDays(calendarDate(today), filter.days ?? DEFAULT_DUE_SOON_DAYS));
  const rows = await prisma.$queryRaw<(Load & { departmentId: string | null })[]>`
    WITH counted AS (
      SELECT department_id, due_on, (status_code IS NULL OR status_code NOT IN ('02', '06')) AS open
      FROM document
      WHERE direction = 'incoming' AND (${agencyId}::uuid IS NULL OR agency_id = ${agencyId}::uuid)
    )
    SELECT department_id AS "departmentId",
           count(*)::int AS total,
           (count(*) FILTER (WHERE open))::int AS open,
           (count(*) FILTER (WHERE open AND due_on < ${today}::date))::int AS overdue,
           (count(*) FILTER (WHERE open AND due_on >= ${today}::date AND due_on <= ${horizon}::date))::int AS "dueSoon"
    FROM counted GROUP BY department_id`;
  const departments = await prisma.department.findMany({
    where: agencyId ? { agencyId } : {},
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, agencyId: true },
  });
  const zero: Load = { total: 0, open: 0, overdue: 0, dueSoon: 0 };
  const loadOf = (departmentId: string | null): Load => {
    const row = rows.find((r) => r.departmentId === departmentId);
    return row ? { total: row.total, open: row.open, overdue: row.overdue, dueSoon: row.dueSoon } : zero;
  };
  return {
    today,
    departments: departments.map((d) => ({ ...d, ...loadOf(d.id) })),
    unassigned: loadOf(null),
  };
}

/** `null` clears a field; an absent field is left as it is. */
export type AssignInput = {
  departmentId?: string | null;
  assigneeId?: string | null;
  dueOn?: string | null;
};

export type AssignOutcome =
  | {
      kind: 'assigned';
      document: { id: string; departmentId: string | null; assigneeId: string | null; dueOn: string | null };
      /** 04 (phân công) recorded on the document's timeline, null when the assignment recorded no status */
      statusRecorded: '04' | null;
      queuedForSender: boolean;
    }
  | { kind: 'not-found' }
  | { kind: 'forbidden'; message: Said }
  | { kind: 'conflict'; message: Said }
  | { kind: 'invalid'; problems: string[]; said?: Said[] };

/**
 * Assigns a document to a department and/or a person and sets its due date, audited in the same
 * transaction. A department or person of another agency is refused exactly like one that does not
 * exist. A person given without a department brings their own department, if any. The first
 * assignment of an incoming document records status 04 (phân công) through the same path as
 * `POST …/status`, so the sender of an edXML package hears of it; reassignments are only audited.
 */
export async function assignDocument(
  prisma: PrismaClient,
  actor: Actor,
  documentId: string,
  input: AssignInput,
): Promise<AssignOutcome> {
  if (actor.kind === 'token')
    return {
      kind: 'forbidden',
      message: said('Hệ thống đối tác không giao xử lý văn bản.', 'partner systems do not assign documents'),
    };
  if (actor.kind === 'user' && actor.role === 'clerk')
    return {
      kind: 'forbidden',
      message: said('Chỉ lãnh đạo mới giao xử lý văn bản.', 'assigning documents is for leaders'),
    };
  if (!/^[0-9a-f-]{36}$/i.test(documentId)) return { kind: 'not-found' };
  if (input.departmentId === undefined && input.assigneeId === undefined && input.dueOn === undefined)
    return {
      kind: 'invalid',
      problems: ['give departmentId, assigneeId or dueOn'],
      said: [
        said(
          'Hãy chọn phòng ban, người xử lý hoặc hạn xử lý.',
          'Choose a department, a person or a due date.',
        ),
      ],
    };
  const scope = agencyScope(actor);
  return prisma.$transaction(async (tx): Promise<AssignOutcome> => {
    const document = await lockDocumentInScope(tx, documentId, scope);
    if (!document) return { kind: 'not-found' };
    if (document.statusCode !== null && (DONE_CODES as readonly string[]).includes(document.statusCode))
      return {
        kind: 'conflict',
        message: said(
          'Văn bản đã kết thúc xử lý (hoàn thành hoặc thu hồi): không giao lại được.',
          `the document is closed (status ${document.statusCode})`,
        ),
      };
    const { problems, department, assignee } = await checkAgencyReferences(tx, document.agencyId, {
      departmentId: input.departmentId,
      assigneeId: input.assigneeId,
    });
    if (problems.length > 0) return { kind: 'invalid', problems };

    const before = {
      departmentId: document.departmentId,
      assigneeId: document.assigneeId,
      dueOn: document.dueOn ? isoDate(document.dueOn) : null,
    };
    const departmentId =
      input.departmentId !== undefined
        ? input.departmentId
        : assignee?.departmentId
          ? assignee.departmentId
          : before.departmentId;
    const after = {
      departmentId,
      assigneeId: input.assigneeId !== undefined ? input.assigneeId : before.assigneeId,
      dueOn: input.dueOn !== undefined ? input.dueOn : before.dueOn,
    };
    await tx.document.update({
      where: { id: documentId },
      data: {
        departmentId: after.departmentId,
        assigneeId: after.assigneeId,
        dueOn: after.dueOn === null ? null : calendarDate(after.dueOn),
      },
    });
    await appendAudit(tx, {
      actor: actorLabel(actor),
      agencyId: document.agencyId,
      action: 'document.assigned',
      subject: `document:${documentId}`,
      data: { before, after },
    });

    const newlyAssigned =
      (after.departmentId !== null && after.departmentId !== before.departmentId) ||
      (after.assigneeId !== null && after.assigneeId !== before.assigneeId);
    const belowAssigned = document.statusCode === null || document.statusCode < '04';
    if (document.direction !== 'incoming' || !newlyAssigned || !belowAssigned)
      return {
        kind: 'assigned',
        document: { id: documentId, ...after },
        statusRecorded: null,
        queuedForSender: false,
      };
    const departmentName =
      department?.name ??
      assignee?.department?.name ??
      (after.departmentId
        ? (await tx.department.findUnique({ where: { id: after.departmentId } }))?.name
        : undefined);
    const staff: Record<string, string> = {
      ...(departmentName ? { department: departmentName } : {}),
      ...(assignee ? { staff: assignee.displayName } : {}),
    };
    const { queuedForSender } = await appendFollowUpStatus(tx, actor, document, {
      code: '04',
      description: ['Đã phân công', [departmentName, assignee?.displayName].filter(Boolean).join(', ')]
        .filter(Boolean)
        .join(': '),
      staff,
      auditData: { departmentId: after.departmentId, assigneeId: after.assigneeId },
    });
    return {
      kind: 'assigned',
      document: { id: documentId, ...after },
      statusRecorded: '04',
      queuedForSender,
    };
  }, REGISTRY_TRANSACTION);
}
