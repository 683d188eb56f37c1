import type { PrismaClient } from '../db/index.ts';
import type { AgencyDirectory } from '../directory/index.ts';

import { isHubError, actorLabel, type Actor } from '../shared/index.ts';
import { recordAccessEvent } from './access-audit.ts';
import { agencyIdOf } from '../directory/index.ts';

/**
 * A partner agency's user on the broker (RabbitMQ): created or rotated, its password shown once,
 * and recorded in the audit trail — the same rules and the same entry whether an admin asks in the
 * console or the data centre's operator runs `lienthong agency credentials`. Only partner agencies
 * get one: the hub reads hosted agencies' inboxes itself, and e-mail agencies have none.
 */
export type BrokerCredentialsOutcome =
  | { kind: 'issued'; username: string; password: string; queue: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'not-partner'; message: string }
  | { kind: 'unavailable'; message: string };

export type BrokerCredentialsDeps = {
  prisma: PrismaClient;
  directory: AgencyDirectory;
  /** the broker user and inbox name (exchange/broker-users.ts issuePartnerBrokerAccess) */
  issue: (organId: string) => Promise<{ username: string; password: string; queue: string }>;
};

export async function issueBrokerCredentials(
  deps: BrokerCredentialsDeps,
  actor: Actor,
  organId: string,
): Promise<BrokerCredentialsOutcome> {
  const agency = await deps.directory.find(organId);
  // A former code (alias) is not the agency's name on the broker.
  if (agency?.organId !== organId) return { kind: 'not-found', message: `no agency ${organId}` };
  if (agency.channel !== 'partner')
    return {
      kind: 'not-partner',
      message:
        agency.channel === 'hosted'
          ? `${organId} is hosted by the hub, which reads its inbox itself; only partner agencies get a broker user`
          : `${organId} is reached by e-mail; only partner agencies get a broker user`,
    };
  let issued: { username: string; password: string; queue: string };
  try {
    issued = await deps.issue(organId);
  } catch (error) {
    if (isHubError(error) && error.code.startsWith('EXCHANGE_MANAGEMENT_'))
      return {
        kind: 'unavailable',
        message: `the broker is not reachable, no password was issued: ${error.message}`,
      };
    throw error;
  }
  // The broker holds no transaction of ours: the entry follows the change it records.
  const agencyId = await agencyIdOf(deps.prisma, organId);
  await deps.prisma.$transaction((tx) =>
    recordAccessEvent(tx, {
      actor: actorLabel(actor),
      agencyId,
      action: 'agency.broker-credentials-issued',
      subject: `agency:${organId}`,
      data: { username: issued.username, inbox: issued.queue },
    }),
  );
  return { kind: 'issued', ...issued };
}
