import { parseArgs } from 'node:util';
import { createUser, USER_ROLES, type UserRole, type UserView } from '../../access/index.ts';
import { writeLine, type CliCommand, type CliContext } from '../cli-command.ts';
import { apiErrorMessage, callRunningHub, withHubAccess } from '../hub-session.ts';

const USAGE =
  'user add --username U --role clerk|leader|admin [--agency ORGANID] [--department NAME] [--display-name NAME]';

function isRole(value: string): value is UserRole {
  return (USER_ROLES as readonly string[]).includes(value);
}

/** Creates a person and prints the one-time password once, on a line `password: …` (docs/contract.md). */
async function addUser(context: CliContext): Promise<number> {
  const { values } = parseArgs({
    args: [...context.argv],
    options: {
      username: { type: 'string' },
      role: { type: 'string' },
      agency: { type: 'string' },
      department: { type: 'string' },
      'display-name': { type: 'string' },
    },
    strict: true,
  });
  const role = values.role ?? '';
  if (!values.username || !isRole(role)) {
    writeLine(context.stderr, `usage: lienthong ${USAGE}`);
    return 2;
  }
  const input = {
    username: values.username,
    role,
    ...(values.agency === undefined ? {} : { agency: values.agency }),
    ...(values.department === undefined ? {} : { department: values.department }),
    ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
  };
  return withHubAccess(context, 'lienthong user add', async (access) => {
    let outcome: { kind: 'created'; user: UserView; password: string } | { kind: 'refused'; reason: string };
    if (access.kind === 'database') {
      const created = await createUser(access.database.prisma, input, 'system:cli');
      outcome =
        created.kind === 'created'
          ? { ...created, password: created.oneTimePassword }
          : { kind: 'refused', reason: `${created.reason.vi} / ${created.reason.en}` };
    } else {
      const response = await callRunningHub(access.control, 'POST', '/api/v1/users', input);
      outcome =
        response.status === 201
          ? { kind: 'created', ...(response.body as { user: UserView; password: string }) }
          : { kind: 'refused', reason: apiErrorMessage(response) };
    }
    if (outcome.kind === 'refused') {
      writeLine(context.stderr, `lienthong user add: ${outcome.reason}`);
      return 1;
    }
    const { user } = outcome;
    writeLine(
      context.stdout,
      `added ${user.username} (${user.role}${user.agency ? ` of ${user.agency}` : ''}${user.department ? `, ${user.department}` : ''})`,
    );
    writeLine(context.stdout, `password: ${outcome.password}`);
    writeLine(
      context.stderr,
      'this one-time password is shown only now; it must be changed at first sign-in',
    );
    return 0;
  });
}

export const commands: readonly CliCommand[] = [{ words: ['user', 'add'], usage: USAGE, run: addUser }];
