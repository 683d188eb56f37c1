import type { PrismaClient, Transaction } from '../db/index.ts';
import { appendAudit } from '../registry/index.ts';
import { actorLabel, type Actor } from '../shared/index.ts';
import { dropDirectoryCache } from './directory-cache.ts';
import { codeKey, organIdForm } from '../shared/index.ts';
import type { MappingProblem, MergerMappingRow } from './parse-merger-mapping.ts';

/**
 * A province merger (1 July 2025: 63 → 34 provinces, NQ 202/2025/QH15; codes per QĐ 09/2025) as one
 * admin operation. The absorbed province's agencies move under the absorbing one, each by the
 * official mapping (old code → new code, new name):
 *
 * - `recode`: the agency gets a code of its own. Its row stays — registers, documents, numbering,
 *   people and audit history are its own as before, and the next number continues its book; its
 *   old code becomes a former code (closed on the effective day, reason merger).
 * - `fold`: the new code is an agency that already exists (Sở Tài chính Long An into Sở Tài chính
 *   Tây Ninh). The old agency is retired, not deleted: its registers and history stay readable
 *   under its own code and name, with its successor named; its codes (the old one and any former
 *   ones it had) become former codes of the successor, so new traffic for them — packages, mail
 *   to its addresses, statuses answering what it sent — goes to the successor. Its people keep
 *   their accounts (they read its history); an admin moves them to the successor.
 *
 * Everything runs in one transaction, under a lock that serializes mergers: a package or mail
 * that arrives meanwhile is resolved either before (to the old code, whose successor takes it at
 * delivery) or after (to the successor); nothing is refused or lost for it. A merger run again
 * finds its steps done and changes nothing.
 */
export type ProvinceMergerInput = {
  /** level-1 code of the province that is absorbed, e.g. H43 */
  absorbed: string;
  /** level-1 code of the province that absorbs it and keeps its code, e.g. H53 */
  absorbing: string;
  /** YYYY-MM-DD, the day the old codes close */
  effectiveOn: string;
  mapping: readonly MergerMappingRow[];
};

type AgencyLine = { id: string; organId: string; name: string; channel: string };

export type MergerStep =
  | { kind: 'recode'; line: number; agency: AgencyLine; newCode: string; newName: string }
  | { kind: 'fold'; line: number; agency: AgencyLine; into: { organId: string; name: string } }
  | { kind: 'done'; line: number; oldCode: string; newCode: string };

export type MergerPlan = {
  absorbed: string;
  absorbing: string;
  effectiveOn: string;
  steps: MergerStep[];
  /** agencies of the absorbed province the mapping does not name: left as they are */
  unmapped: Omit<AgencyLine, 'id'>[];
  warnings: string[];
  problems: MappingProblem[];
};

export type MergerOutcome =
  | { kind: 'planned'; plan: MergerPlan }
  | { kind: 'merged'; plan: MergerPlan }
  | { kind: 'refused'; plan: MergerPlan };

const LEVEL_ONE = /^[A-Z]\d{2}$/;
const MERGER_LOCK = 7_251_101;
// A merger's summary entry names its rows only up to this many; each agency also has its own entry.
const AUDITED_ROWS = 500;

/** The level-1 code a code sits under (000.00.11.H43 → H43, H43 → H43); undefined for enterprises and systems. */
export function levelOneOf(code: string): string | undefined {
  const key = codeKey(code);
  const form = organIdForm(key);
  if (form === 'level-one') return key;
  if (form !== 'current' && form !== 'legacy') return undefined;
  const last = key.split('.').pop() ?? '';
  return LEVEL_ONE.test(last) ? last : undefined;
}

const SELECT_LINE = { id: true, organId: true, name: true, channel: true } as const;

async function planIn(db: Transaction | PrismaClient, input: ProvinceMergerInput): Promise<MergerPlan> {
  const absorbed = codeKey(input.absorbed);
  const absorbing = codeKey(input.absorbing);
  const plan: MergerPlan = {
    absorbed,
    absorbing,
    effectiveOn: input.effectiveOn,
    steps: [],
    unmapped: [],
    warnings: [],
    problems: [],
  };
  const problem = (line: number, message: string) => plan.problems.push({ line, message });
  if (!LEVEL_ONE.test(absorbed) || !LEVEL_ONE.test(absorbing) || absorbed === absorbing) {
    problem(
      0,
      `Mã cấp 1 của tỉnh bị sáp nhập và tỉnh nhận phải là hai mã như H43, H53 / the absorbed and absorbing province codes must be two level-1 codes such as H43 and H53 (given ${absorbed}, ${absorbing})`,
    );
    return plan;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.effectiveOn) || Number.isNaN(Date.parse(input.effectiveOn))) {
    problem(
      0,
      `Ngày hiệu lực phải có dạng YYYY-MM-DD / the effective date must be YYYY-MM-DD (given ${input.effectiveOn})`,
    );
    return plan;
  }
  if (input.mapping.length === 0) problem(0, 'Bảng ánh xạ trống / the mapping has no rows');

  const codes = [...new Set(input.mapping.flatMap((r) => [r.oldCode, r.newCode]))];
  const [agencies, aliases] = await Promise.all([
    db.agency.findMany({ where: { organId: { in: codes } }, select: { ...SELECT_LINE, retiredOn: true } }),
    db.agencyAlias.findMany({
      where: { organId: { in: codes } },
      select: { organId: true, reason: true, agency: { select: { organId: true } } },
    }),
  ]);
  const live = new Map(agencies.filter((a) => a.retiredOn === null).map((a) => [a.organId, a]));
  const closed = new Map(aliases.map((a) => [a.organId, a]));
  // New codes taken by a recode earlier in the mapping: later rows with the same code fold into it.
  const recodedTo = new Map<string, { organId: string; name: string }>();
  const moving = new Set<string>();

  for (const row of input.mapping) {
    if (levelOneOf(row.oldCode) !== absorbed) {
      problem(
        row.line,
        `Mã cũ ${row.oldCode} không thuộc ${absorbed} / the old code ${row.oldCode} is not under ${absorbed}`,
      );
      continue;
    }
    if (levelOneOf(row.newCode) !== absorbing) {
      problem(
        row.line,
        `Mã mới ${row.newCode} không thuộc ${absorbing} / the new code ${row.newCode} is not under ${absorbing}`,
      );
      continue;
    }
    const done = closed.get(row.oldCode);
    if (done && done.agency.organId === row.newCode) {
      plan.steps.push({ kind: 'done', line: row.line, oldCode: row.oldCode, newCode: row.newCode });
      continue;
    }
    const agency = live.get(row.oldCode);
    if (!agency) {
      problem(
        row.line,
        done
          ? `Mã cũ ${row.oldCode} đã đóng, nay là của ${done.agency.organId} / ${row.oldCode} is already closed, a former code of ${done.agency.organId}`
          : `Không có cơ quan ${row.oldCode} trong danh bạ / no agency ${row.oldCode} in the directory`,
      );
      continue;
    }
    if (closed.has(row.newCode)) {
      problem(row.line, `Mã mới ${row.newCode} là mã đã đóng / the new code ${row.newCode} is a closed code`);
      continue;
    }
    moving.add(agency.id);
    const target = live.get(row.newCode) ?? recodedTo.get(row.newCode);
    if (target) {
      plan.steps.push({
        kind: 'fold',
        line: row.line,
        agency,
        into: { organId: row.newCode, name: target.name },
      });
      if (agency.channel === 'partner')
        plan.warnings.push(
          `${agency.organId}: hệ thống đối tác của cơ quan này cần gửi tới ${row.newCode} / the partner system of ${agency.organId} now answers for ${row.newCode}; re-issue its broker credentials if it keeps running`,
        );
    } else {
      const newName = row.newName ?? agency.name;
      plan.steps.push({ kind: 'recode', line: row.line, agency, newCode: row.newCode, newName });
      recodedTo.set(row.newCode, { organId: row.newCode, name: newName });
      if (agency.channel === 'partner')
        plan.warnings.push(
          `${agency.organId} → ${row.newCode}: cấp lại tài khoản trục cho hệ thống đối tác / re-issue the partner's broker credentials under its new code (lienthong agency credentials ${row.newCode})`,
        );
    }
  }
  for (const step of plan.steps)
    if (step.kind === 'fold' && moving.has(live.get(step.into.organId)?.id ?? ''))
      problem(
        step.line,
        `${step.into.organId} cũng đang được đổi mã / ${step.into.organId} is itself moved by this mapping`,
      );

  const rest = await db.agency.findMany({
    where: {
      retiredOn: null,
      OR: [{ organId: absorbed }, { organId: { endsWith: `.${absorbed}` } }],
      id: { notIn: [...moving] },
    },
    select: { organId: true, name: true, channel: true },
    orderBy: { organId: 'asc' },
  });
  plan.unmapped = rest;
  return plan;
}

/** What a merger would do, read without changing anything (`--dry-run`, the console's preview). */
export function planProvinceMerger(prisma: PrismaClient, input: ProvinceMergerInput): Promise<MergerPlan> {
  return planIn(prisma, input);
}

export async function mergeProvinces(
  prisma: PrismaClient,
  actor: Actor,
  input: ProvinceMergerInput,
  options: { dryRun?: boolean } = {},
): Promise<MergerOutcome> {
  if (options.dryRun) return { kind: 'planned', plan: await planIn(prisma, input) };
  const outcome = await prisma.$transaction(
    async (tx): Promise<MergerOutcome> => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${MERGER_LOCK})`;
      const plan = await planIn(tx, input);
      if (plan.problems.length > 0) return { kind: 'refused', plan };
      await applyPlan(tx, actor, plan);
      return { kind: 'merged', plan };
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
  if (outcome.kind === 'merged') dropDirectoryCache(prisma);
  return outcome;
}

async function applyPlan(tx: Transaction, actor: Actor, plan: MergerPlan): Promise<void> {
  const closedOn = new Date(`${plan.effectiveOn}T00:00:00Z`);
  const label = actorLabel(actor);
  const merger = `${plan.absorbed} → ${plan.absorbing}`;
  // Recodes first: a fold may go into an agency the same mapping gave its new code.
  for (const step of plan.steps) {
    if (step.kind !== 'recode') continue;
    await tx.agency.update({
      where: { id: step.agency.id },
      data: { organId: step.newCode, name: step.newName },
    });
    await tx.agencyAlias.create({
      data: { organId: step.agency.organId, agencyId: step.agency.id, closedOn, reason: 'merger' },
    });
    await appendAudit(tx, {
      actor: label,
      agencyId: step.agency.id,
      action: 'agency.code-closed',
      subject: `agency:${step.newCode}`,
      data: {
        merger,
        effectiveOn: plan.effectiveOn,
        oldCode: step.agency.organId,
        newCode: step.newCode,
        oldName: step.agency.name,
        newName: step.newName,
        outcome: 'recode',
      },
    });
  }
  for (const step of plan.steps) {
    if (step.kind !== 'fold') continue;
    const successor = await tx.agency.findUniqueOrThrow({ where: { organId: step.into.organId } });
    const old = step.agency;
    await tx.agency.update({
      where: { id: old.id },
      data: { retiredOn: closedOn, successorId: successor.id },
    });
    // Its former codes follow it to the successor, keeping when they closed.
    await tx.agencyAlias.updateMany({
      where: { agencyId: old.id, retiredAgencyId: null },
      data: { agencyId: successor.id, retiredAgencyId: old.id },
    });
    await tx.agencyAlias.updateMany({ where: { agencyId: old.id }, data: { agencyId: successor.id } });
    await tx.agency.updateMany({ where: { successorId: old.id }, data: { successorId: successor.id } });
    await tx.agencyAlias.create({
      data: {
        organId: old.organId,
        agencyId: successor.id,
        closedOn,
        reason: 'merger',
        retiredAgencyId: old.id,
      },
    });
    await appendAudit(tx, {
      actor: label,
      agencyId: old.id,
      action: 'agency.retired',
      subject: `agency:${old.organId}`,
      data: {
        merger,
        effectiveOn: plan.effectiveOn,
        oldCode: old.organId,
        name: old.name,
        successor: successor.organId,
        successorName: successor.name,
        outcome: 'fold',
      },
    });
  }
  const moved = plan.steps.flatMap((s) =>
    s.kind === 'recode'
      ? [{ old: s.agency.organId, new: s.newCode, outcome: 'recode' }]
      : s.kind === 'fold'
        ? [{ old: s.agency.organId, new: s.into.organId, outcome: 'fold' }]
        : [],
  );
  await appendAudit(tx, {
    actor: label,
    action: 'directory.merged',
    subject: `province:${plan.absorbed}`,
    data: {
      absorbed: plan.absorbed,
      absorbing: plan.absorbing,
      effectiveOn: plan.effectiveOn,
      recoded: moved.filter((s) => s.outcome === 'recode').length,
      folded: moved.filter((s) => s.outcome === 'fold').length,
      unmapped: plan.unmapped.map((a) => a.organId).slice(0, AUDITED_ROWS),
      ...(moved.length <= AUDITED_ROWS ? { rows: moved } : {}),
    },
  });
}
