import { createPrismaAgencyDirectory } from '../../directory/index.ts';
import { cachedTrust, issuePartnerBrokerAccess, submitPackage } from '../../exchange/index.ts';
import { systemClock, createSilentLogger } from '../../shared/index.ts';
import { seedTrustDirectory } from '../../signing/index.ts';
import { readInput, writeJson, writeLine, type CliCommand, type CliContext } from '../cli-command.ts';
import { apiErrorMessage, callRunningHub, withHubAccess } from '../hub-session.ts';
import { issueBrokerCredentials } from '../../access/index.ts';
import { loadConfig } from '../../config/index.ts';

async function credentials(context: CliContext): Promise<number> {
  const organId = context.argv[0];
  if (!organId) {
    writeLine(context.stderr, 'usage: lienthong agency credentials ORGANID');
    return 2;
  }
  const config = loadConfig(context.env);
  // The same use case as the admin console's: partner agencies only, and an audit entry.
  const outcome = await withHubAccess(
    context,
    'lienthong agency credentials',
    async (
      access,
    ): Promise<
      | { kind: 'issued'; username: string; password: string; queue: string }
      | { kind: 'refused'; reason: string }
    > => {
      if (access.kind === 'running-hub') {
        const response = await callRunningHub(
          access.control,
          'POST',
          `/api/v1/agencies/${encodeURIComponent(organId)}/broker-credentials`,
        );
        return response.status === 201
          ? { kind: 'issued', ...(response.body as { username: string; password: string; queue: string }) }
          : { kind: 'refused', reason: apiErrorMessage(response) };
      }
      const issued = await issueBrokerCredentials(
        {
          prisma: access.database.prisma,
          directory: createPrismaAgencyDirectory(access.database.prisma),
          issue: (id) =>
            issuePartnerBrokerAccess(
              {
                api: { url: config.amqp.managementUrl },
                amqpUrl: config.amqp.url,
                prisma: access.database.prisma,
              },
              id,
            ),
        },
        { kind: 'system', component: 'cli' },
        organId,
      );
      return issued.kind === 'issued' ? issued : { kind: 'refused', reason: issued.message };
    },
  );
  if (outcome.kind === 'refused') {
    writeLine(context.stderr, `lienthong agency credentials: ${outcome.reason}`);
    return 1;
  }
  writeLine(context.stdout, `username: ${outcome.username}`);
  writeLine(context.stdout, `password: ${outcome.password}`);
  writeLine(context.stdout, `inbox: ${outcome.queue}`);
  writeLine(
    context.stderr,
    'The password and the inbox name are shown once: give both to the partner’s system. The user may read only that inbox and publish only to lienthong.submit (with user_id set); what waited in its previous inbox has been moved there.',
  );
  return 0;
}

async function send(context: CliContext): Promise<number> {
  const file = context.argv[0];
  if (!file) {
    writeLine(context.stderr, 'usage: lienthong send FILE.edxml');
    return 2;
  }
  const bytes = await readInput(context, file);
  return withHubAccess(context, 'lienthong send', async (access) => {
    if (access.kind === 'running-hub') {
      writeLine(
        context.stderr,
        'lienthong send: the hub holds the embedded database; submit through its API (POST /api/v1/packages) or stop it first',
      );
      return 1;
    }
    const { config, database } = access;
    await seedTrustDirectory(config.trustDir);
    const outcome = await submitPackage(
      {
        prisma: database.prisma,
        directory: createPrismaAgencyDirectory(database.prisma),
        trust: cachedTrust(config.trustDir),
        clock: systemClock,
        log: createSilentLogger(),
        ownOrganId: config.organId,
        maxMessageBytes: config.maxMessageBytes,
      },
      { via: 'cli', organId: config.organId, label: 'cli:lienthong send' },
      bytes,
    );
    writeJson(context.stdout, outcome);
    // Queued: the running hub's relay publishes it (from the outbox) as soon as the broker is reachable.
    return outcome.kind === 'accepted' || outcome.kind === 'duplicate' ? 0 : 1;
  });
}

export const commands: readonly CliCommand[] = [
  {
    words: ['agency', 'credentials'],
    usage:
      'agency credentials ORGANID    creates or rotates a partner agency’s broker user (audited); prints its password once',
    run: credentials,
  },
  {
    words: ['send'],
    usage: 'send FILE.edxml               submits a package for relay as the hub’s own agency',
    run: send,
  },
];
