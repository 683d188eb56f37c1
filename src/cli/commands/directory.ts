import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  importAxisDirectory,
  mergeProvinces,
  parseAxisDirectory,
  parseMergerMapping,
  type AxisProblem,
  type MergerOutcome,
  type MergerPlan,
} from '../../directory/index.ts';
import { HubError, type Actor } from '../../shared/index.ts';
import { writeJson, writeLine, type CliCommand, type CliContext } from '../cli-command.ts';
import { apiErrorMessage, callRunningHub, withHubAccess } from '../hub-session.ts';

const CLI_ACTOR: Actor = { kind: 'system', component: 'cli' };
const MERGE_USAGE =
  'directory merge --absorbed H43 --absorbing H53 --effective YYYY-MM-DD --mapping FILE.csv [--dry-run] [--json]';

/** The plan in words, one line per agency: what the operator checks before running it for real. */
function printPlan(context: CliContext, plan: MergerPlan): void {
  const out = context.stdout;
  writeLine(
    out,
    `Sáp nhập ${plan.absorbed} vào ${plan.absorbing} từ ngày ${plan.effectiveOn} / merger of ${plan.absorbed} into ${plan.absorbing}, effective ${plan.effectiveOn}`,
  );
  for (const step of plan.steps) {
    if (step.kind === 'recode')
      writeLine(
        out,
        `  dòng ${step.line}: ${step.agency.organId} ${step.agency.name} → mã mới ${step.newCode} ${step.newName} (giữ sổ, số tiếp tục / keeps its registers)`,
      );
    else if (step.kind === 'fold')
      writeLine(
        out,
        `  dòng ${step.line}: ${step.agency.organId} ${step.agency.name} → nhập vào ${step.into.organId} ${step.into.name} (ngừng hoạt động, lịch sử giữ nguyên / retired, history kept)`,
      );
    else writeLine(out, `  dòng ${step.line}: ${step.oldCode} → ${step.newCode} đã xong / already done`);
  }
  for (const agency of plan.unmapped)
    writeLine(
      out,
      `  không có trong bảng, giữ nguyên / not in the mapping, left as it is: ${agency.organId} ${agency.name}`,
    );
  for (const warning of plan.warnings) writeLine(out, `  lưu ý / note: ${warning}`);
  for (const problem of plan.problems)
    writeLine(context.stderr, `${problem.line > 0 ? `dòng ${problem.line}: ` : ''}${problem.message}`);
}

async function merge(context: CliContext): Promise<number> {
  const { values } = parseArgs({
    args: [...context.argv],
    options: {
      absorbed: { type: 'string' },
      absorbing: { type: 'string' },
      effective: { type: 'string' },
      mapping: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.absorbed || !values.absorbing || !values.effective || !values.mapping) {
    writeLine(context.stderr, `usage: lienthong ${MERGE_USAGE}`);
    return 2;
  }
  const text = await fs.readFile(values.mapping, 'utf8');
  const mapping = parseMergerMapping(text);
  if (mapping.kind === 'invalid') {
    for (const p of mapping.problems) writeLine(context.stderr, `${values.mapping}:${p.line}: ${p.message}`);
    writeLine(
      context.stderr,
      `Không sáp nhập / nothing merged: ${mapping.problems.length} problem(s) in ${values.mapping}`,
    );
    return 1;
  }
  const input = {
    absorbed: values.absorbed,
    absorbing: values.absorbing,
    effectiveOn: values.effective,
    mapping: mapping.rows,
  };
  const dryRun = values['dry-run'];
  return withHubAccess(context, 'lienthong directory merge', async (access) => {
    let outcome: MergerOutcome;
    if (access.kind === 'database') {
      outcome = await mergeProvinces(access.database.prisma, CLI_ACTOR, input, { dryRun });
    } else {
      const response = await callRunningHub(access.control, 'POST', '/api/v1/directory/merge', {
        ...input,
        mapping: text,
        dryRun,
      });
      const details = (response.body as { error?: { details?: { plan?: MergerPlan } } } | null)?.error
        ?.details;
      if (response.status === 200) outcome = response.body as MergerOutcome;
      else if (details?.plan) outcome = { kind: 'refused', plan: details.plan };
      else throw new HubError('CLI_HUB_REFUSED', apiErrorMessage(response));
    }
    if (values.json) writeJson(context.stdout, outcome);
    else printPlan(context, outcome.plan);
    if (outcome.kind === 'refused') {
      writeLine(
        context.stderr,
        `Không sáp nhập / nothing merged: ${outcome.plan.problems.length} problem(s)`,
      );
      return 1;
    }
    const moved = outcome.plan.steps.filter((s) => s.kind !== 'done').length;
    writeLine(
      context.stdout,
      outcome.kind === 'planned'
        ? `Chạy thử: chưa thay đổi gì (${moved} cơ quan sẽ chuyển) / dry run: nothing changed (${moved} agencies would move)`
        : `Đã sáp nhập: ${moved} cơ quan chuyển sang ${outcome.plan.absorbing} / merged: ${moved} agencies moved under ${outcome.plan.absorbing}`,
    );
    return 0;
  });
}

async function importAxis(context: CliContext): Promise<number> {
  const file = context.argv.find((a) => !a.startsWith('--'));
  if (!file) {
    writeLine(context.stderr, 'usage: lienthong directory import-axis FILE.json');
    return 2;
  }
  const text = await fs.readFile(file, 'utf8');
  const parsed = parseAxisDirectory(text);
  if (parsed.kind === 'invalid') {
    for (const p of parsed.problems) writeLine(context.stderr, `${file}:${p.line}: ${p.message}`);
    return 1;
  }
  return withHubAccess(context, 'lienthong directory import-axis', async (access) => {
    let counts: {
      added: number;
      renamed: number;
      unchanged: number;
      keptChannel: number;
      mailsTaken: number;
      elapsedMs: number;
    };
    let problems: AxisProblem[];
    if (access.kind === 'database') {
      const { skipped, ...rest } = await importAxisDirectory(
        access.database.prisma,
        CLI_ACTOR,
        parsed.entries,
        file,
      );
      counts = rest;
      problems = [...parsed.problems, ...skipped].sort((a, b) => a.line - b.line);
    } else {
      const response = await callRunningHub(access.control, 'POST', '/api/v1/directory/import-axis', {
        json: text,
        source: file,
      });
      if (response.status !== 200) throw new HubError('CLI_HUB_REFUSED', apiErrorMessage(response));
      ({ problems, ...counts } = response.body as typeof counts & { problems: AxisProblem[] });
    }
    for (const p of problems) writeLine(context.stderr, `${file}:${p.line}: ${p.message}`);
    writeLine(
      context.stdout,
      `Đã nạp danh bạ trục từ ${file}: ${counts.added} cơ quan mới, ${counts.renamed} đổi tên, ${counts.unchanged} không đổi, ${counts.keptChannel} giữ kênh riêng, ${problems.length} dòng bỏ qua hoặc lưu ý, ${counts.mailsTaken} địa chỉ thư đã thuộc cơ quan khác (${(counts.elapsedMs / 1000).toFixed(1)} s) / loaded: ${counts.added} new, ${counts.renamed} renamed, ${counts.unchanged} unchanged, ${counts.keptChannel} kept their own channel, ${problems.length} rows skipped or noted`,
    );
    return 0;
  });
}

type FormerCode = {
  code: string;
  closedOn: string | null;
  reason: string;
  successor: { organId: string; name: string };
  retiredAgency: { organId: string; name: string } | null;
};

async function formerCodes(context: CliContext): Promise<number> {
  return withHubAccess(context, 'lienthong directory former-codes', async (access) => {
    let rows: FormerCode[];
    if (access.kind === 'database') {
      const found = await access.database.prisma.agencyAlias.findMany({
        include: {
          agency: { select: { organId: true, name: true } },
          retiredAgency: { select: { organId: true, name: true } },
        },
        orderBy: [{ closedOn: 'desc' }, { organId: 'asc' }],
      });
      rows = found.map((r) => ({
        code: r.organId,
        closedOn: r.closedOn ? r.closedOn.toISOString().slice(0, 10) : null,
        reason: r.reason,
        successor: r.agency,
        retiredAgency: r.retiredAgency,
      }));
    } else {
      const response = await callRunningHub(access.control, 'GET', '/api/v1/directory/former-codes');
      if (response.status !== 200) throw new HubError('CLI_HUB_REFUSED', apiErrorMessage(response));
      rows = (response.body as { formerCodes: FormerCode[] }).formerCodes;
    }
    if (context.argv.includes('--json')) writeJson(context.stdout, rows);
    else
      for (const r of rows)
        writeLine(
          context.stdout,
          [
            r.code,
            r.closedOn ?? '',
            r.reason,
            r.successor.organId,
            r.successor.name,
            r.retiredAgency?.name ?? '',
          ].join('\t'),
        );
    return 0;
  });
}

export const commands: readonly CliCommand[] = [
  {
    words: ['directory', 'former-codes'],
    usage:
      'directory former-codes [--json]   closed codes: the day each closed, why, the agency that now receives what is sent to it',
    run: formerCodes,
  },
  {
    words: ['directory', 'merge'],
    usage: `${MERGE_USAGE}   move an absorbed province's agencies under the absorbing one (CSV: oldCode,newCode,newName); --dry-run prints the plan`,
    run: merge,
  },
  {
    words: ['directory', 'import-axis'],
    usage:
      'directory import-axis FILE.json   load the national axis’s agency list (getAgenciesList: [{code, name, mail}]); new agencies get channel national',
    run: importAxis,
  },
];
