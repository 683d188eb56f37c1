import { parseArgs } from 'node:util';
import { createApiToken, type ApiTokenView } from '../../access/index.ts';
import { writeLine, type CliCommand, type CliContext } from '../cli-command.ts';
import { apiErrorMessage, callRunningHub, withHubAccess } from '../hub-session.ts';

const USAGE = 'token create --agency ORGANID [--name NAME]   API token for a partner system, shown once';

/** Creates a partner system's bearer token and prints it once, on a line `token: …`. */
async function createToken(context: CliContext): Promise<number> {
  const { values } = parseArgs({
    args: [...context.argv],
    options: { agency: { type: 'string' }, name: { type: 'string' } },
    strict: true,
  });
  if (!values.agency) {
    writeLine(context.stderr, `usage: lienthong ${USAGE}`);
    return 2;
  }
  const input = { agency: values.agency, ...(values.name === undefined ? {} : { name: values.name }) };
  return withHubAccess(context, 'lienthong token create', async (access) => {
    let outcome:
      { kind: 'created'; token: ApiTokenView; secret: string } | { kind: 'refused'; reason: string };
    if (access.kind === 'database') {
      outcome = await createApiToken(access.database.prisma, input, 'system:cli');
    } else {
      const response = await callRunningHub(access.control, 'POST', '/api/v1/tokens', input);
      outcome =
        response.status === 201
          ? { kind: 'created', ...(response.body as { token: ApiTokenView; secret: string }) }
          : { kind: 'refused', reason: apiErrorMessage(response) };
    }
    if (outcome.kind === 'refused') {
      writeLine(context.stderr, `lienthong token create: ${outcome.reason}`);
      return 1;
    }
    writeLine(
      context.stdout,
      `created token ${outcome.token.id} "${outcome.token.name}" for ${outcome.token.agency}`,
    );
    writeLine(context.stdout, `token: ${outcome.secret}`);
    writeLine(
      context.stderr,
      'the token is shown only now; the partner system sends it as "Authorization: Bearer <token>"',
    );
    return 0;
  });
}

export const commands: readonly CliCommand[] = [
  { words: ['token', 'create'], usage: USAGE, run: createToken },
];
