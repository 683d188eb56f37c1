import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  AgencyInputSchema,
  createPrismaAgencyDirectory,
  importAgencies,
  parseAgencyCsv,
  saveAgency,
  type Agency,
  type DirectoryConflict,
  type UpsertResult,
} from '../../directory/index.ts';
import { HubError, type Actor } from '../../shared/index.ts';
import { writeJson, writeLine, type CliCommand, type CliContext } from '../cli-command.ts';
import { apiErrorMessage, callRunningHub, withHubAccess, type HubAccess } from '../hub-session.ts';

/** The CLI acts as itself on the database; through a running hub it is the hub's local CLI. */
const CLI_ACTOR: Actor = { kind: 'system', component: 'cli' };

type SaveOutcome = UpsertResult | { kind: 'refused'; message: string };

function conflictOrRefusal(response: { status: number; body: unknown }): SaveOutcome {
  if (response.status === 409) {
    return {
      kind: 'conflict',
      conflicts: (response.body as { error: { details: DirectoryConflict[] } }).error.details,
    };
  }
  return { kind: 'refused', message: apiErrorMessage(response) };
}

/** One agency: audited as agency.added / agency.updated, whichever way the CLI reaches the hub. */
async function saveOne(access: HubAccess, agency: Agency): Promise<SaveOutcome> {
  if (access.kind === 'database')
    return saveAgency(createPrismaAgencyDirectory(access.database.prisma), CLI_ACTOR, agency, 'cli');
  const response = await callRunningHub(access.control, 'POST', '/api/v1/agencies', agency);
  if (response.status === 200 || response.status === 201) {
    const created = (response.body as { created: boolean }).created;
    return {
      kind: 'saved',
      created: created ? 1 : 0,
      updated: created ? 0 : 1,
      outcomes: [{ organId: agency.organId, outcome: created ? 'created' : 'updated' }],
    };
  }
  return conflictOrRefusal(response);
}

/** A CSV file: all or none, audited as agency.imported. */
async function saveMany(access: HubAccess, agencies: Agency[]): Promise<SaveOutcome> {
  if (access.kind === 'database')
    return importAgencies(createPrismaAgencyDirectory(access.database.prisma), CLI_ACTOR, agencies, 'csv');
  const response = await callRunningHub(access.control, 'POST', '/api/v1/agencies/import', { agencies });
  if (response.status === 200) return response.body as UpsertResult;
  return conflictOrRefusal(response);
}

async function listAgencies(access: HubAccess): Promise<Agency[]> {
  if (access.kind === 'database') return createPrismaAgencyDirectory(access.database.prisma).list();
  const response = await callRunningHub(access.control, 'GET', '/api/v1/agencies');
  if (response.status !== 200) throw new HubError('CLI_HUB_REFUSED', apiErrorMessage(response));
  return (response.body as { agencies: Agency[] }).agencies;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter(Boolean);

async function addAgency(context: CliContext): Promise<number> {
  const { values } = parseArgs({
    args: [...context.argv],
    options: {
      'organ-id': { type: 'string' },
      name: { type: 'string' },
      channel: { type: 'string', default: 'hosted' },
      email: { type: 'string', multiple: true },
      alias: { type: 'string', multiple: true },
      'signature-policy': { type: 'string' },
    },
    strict: true,
  });
  const parsed = AgencyInputSchema.safeParse({
    organId: values['organ-id'] ?? '',
    name: values.name ?? '',
    channel: values.channel,
    emails: (values.email ?? []).flatMap(list),
    aliases: (values.alias ?? []).flatMap(list),
    ...(values['signature-policy'] ? { signaturePolicy: values['signature-policy'] } : {}),
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      writeLine(context.stderr, `lienthong agency add: ${issue.message}`);
    return 1;
  }
  return withHubAccess(context, 'lienthong agency add', async (access) => {
    const result = await saveOne(access, parsed.data);
    if (result.kind !== 'saved') {
      const messages = result.kind === 'conflict' ? result.conflicts.map((c) => c.message) : [result.message];
      for (const message of messages) writeLine(context.stderr, `lienthong agency add: ${message}`);
      return 1;
    }
    writeLine(
      context.stdout,
      `${result.created ? 'added' : 'updated'} ${parsed.data.organId} ${parsed.data.name}`,
    );
    return 0;
  });
}

async function importAgencyFile(context: CliContext): Promise<number> {
  const file = context.argv[0];
  if (!file) {
    writeLine(context.stderr, 'usage: lienthong agency import FILE.csv');
    return 2;
  }
  const csv = parseAgencyCsv(await fs.readFile(file, 'utf8'));
  if (csv.kind === 'invalid') {
    for (const problem of csv.problems)
      writeLine(context.stderr, `${file}:${problem.line}: ${problem.message}`);
    writeLine(context.stderr, `nothing imported: ${csv.problems.length} problem(s) in ${file}`);
    return 1;
  }
  return withHubAccess(context, 'lienthong agency import', async (access) => {
    const result = await saveMany(access, csv.agencies);
    if (result.kind === 'saved') {
      writeLine(
        context.stdout,
        `imported ${csv.agencies.length} agencies (${result.created} new, ${result.updated} updated)`,
      );
      return 0;
    }
    if (result.kind === 'conflict') {
      for (const c of result.conflicts)
        writeLine(context.stderr, `${file}:${csv.lineOf.get(c.organId) ?? '?'}: ${c.organId}: ${c.message}`);
    } else {
      writeLine(context.stderr, `${file}: ${result.message}`);
    }
    writeLine(context.stderr, `nothing imported from ${file}`);
    return 1;
  });
}

export const commands: readonly CliCommand[] = [
  {
    words: ['agency', 'add'],
    usage:
      'agency add --organ-id ID --name NAME [--channel hosted|partner|email|national] [--email A]… [--alias OLD_ID]… [--signature-policy record_only|require_trusted]',
    run: addAgency,
  },
  {
    words: ['agency', 'list'],
    usage: 'agency list [--json]          the agency directory',
    run: (context) =>
      withHubAccess(context, 'lienthong agency list', async (access) => {
        const agencies = await listAgencies(access);
        if (context.argv.includes('--json')) writeJson(context.stdout, agencies);
        else
          for (const a of agencies)
            writeLine(
              context.stdout,
              [a.organId, a.channel, a.name, a.emails.join(';'), a.aliases.join(';')].join('\t'),
            );
        return 0;
      }),
  },
  {
    words: ['agency', 'import'],
    usage:
      'agency import FILE.csv       all rows or none (columns: organId,name,channel,emails,aliases,signaturePolicy)',
    run: importAgencyFile,
  },
];
