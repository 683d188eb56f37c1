import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';
import type { PrismaClient } from '../db/index.ts';
import { inboxMoved, renameInbox, settleInbox } from './inbox-names.ts';
import { HubError } from '../shared/index.ts';
import { EXCHANGES, QUEUES } from './topology.ts';

/**
 * Each partner agency gets its own broker user, allowed to read only its own inbox and write
 * only to `lienthong.submit` (nothing to configure). The broker enforces it; the hub also checks
 * that a submission's From is the user's agency.
 *
 * Users are per broker, not per vhost, so a hub on a vhost of its own names its users with that
 * vhost: a second hub on the same RabbitMQ that issues credentials for the same agency creates its
 * own user instead of rotating the first hub's partner's password. The default vhost `/` keeps
 * the name hubs always gave (`lienthong-<OrganId>`), so existing partners keep working.
 */
const PREFIX = 'lienthong-';

const userPrefix = (vhost: string) => (vhost === '/' ? PREFIX : `${PREFIX}${encodeURIComponent(vhost)}-`);

export function brokerUserOf(organId: string, vhost: string): string {
  return `${userPrefix(vhost)}${organId}`;
}

/** The agency a broker user of this hub's vhost stands for; null for anyone else's user. */
export function organIdOfBrokerUser(user: string, vhost: string): string | null {
  const prefix = userPrefix(vhost);
  const organId = user.startsWith(prefix) ? user.slice(prefix.length) : '';
  return organId.length > 0 ? organId : null;
}

/** Broker errors may echo the URL; never let a password reach a log, /readyz or an admin's screen. */
export function brokerErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\/\/[^@/\s]*@/g, '//');
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type ManagementApi = { url: string };

async function call(
  api: ManagementApi,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<Response> {
  const base = new URL(api.url);
  const auth = Buffer.from(
    `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`,
  ).toString('base64');
  base.username = '';
  base.password = '';
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method,
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new HubError(
      'EXCHANGE_MANAGEMENT_UNREACHABLE',
      `RabbitMQ management API at ${base.host} did not answer: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!response.ok && response.status !== 404) {
    throw new HubError(
      'EXCHANGE_MANAGEMENT_REFUSED',
      `RabbitMQ management API refused ${method} ${path}: HTTP ${response.status} ${await response.text()}`,
    );
  }
  return response;
}

/**
 * Creates or rotates the agency's broker user, allowed to read `inbox` only; the password is
 * returned once and never stored. Connections the user already holds are closed, so a rotated
 * password (or a moved inbox) takes effect now, not when the partner next reconnects; their
 * unacknowledged messages go back to the queue.
 */
export async function issueAgencyCredentials(
  api: ManagementApi,
  vhost: string,
  organId: string,
  inbox: string,
): Promise<{ username: string; password: string }> {
  const username = brokerUserOf(organId, vhost);
  const password = randomBytes(24).toString('base64url');
  await call(api, 'PUT', `/api/users/${encodeURIComponent(username)}`, { password, tags: '' });
  await call(api, 'PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(username)}`, {
    configure: '^$',
    write: `^${escapeRegex(EXCHANGES.submit)}$`,
    read: `^${escapeRegex(inbox)}$`,
  });
  await closeConnectionsOf(api, username);
  return { username, password };
}

async function closeConnectionsOf(api: ManagementApi, username: string): Promise<void> {
  const response = await call(api, 'GET', `/api/connections/username/${encodeURIComponent(username)}`);
  if (response.status === 404) return;
  const connections = (await response.json()) as { name?: string }[];
  for (const { name } of connections)
    if (name) await call(api, 'DELETE', `/api/connections/${encodeURIComponent(name)}`);
}

export type PartnerBrokerAccess = { username: string; password: string; queue: string };

/**
 * What a partner agency's system needs to reach the hub: a broker user (new or rotated), and its
 * inbox under a new name only it is told, with whatever waited in the old inbox moved there.
 */
export async function issuePartnerBrokerAccess(
  deps: { api: ManagementApi; amqpUrl: string; prisma: PrismaClient },
  organId: string,
): Promise<PartnerBrokerAccess> {
  const vhost = vhostOf(deps.amqpUrl);
  let connection;
  try {
    connection = await connect(deps.amqpUrl);
  } catch (error) {
    throw new HubError(
      'EXCHANGE_MANAGEMENT_UNREACHABLE',
      `RabbitMQ did not accept a connection to move the inbox: ${brokerErrorText(error)}`,
      { cause: error },
    );
  }
  connection.on('error', () => undefined);
  try {
    const agency = { organId, channel: 'partner' };
    const { queue, granted, moved } = await renameInbox(connection, deps.prisma, agency, (next) =>
      issueAgencyCredentials(deps.api, vhost, organId, next),
    );
    // The management API lists a connection only after its first statistics (up to ~5 s): one
    // still reading the old inbox is closed when it shows, and the move then finishes. If it
    // never shows, the old queue (unbound) waits and the relay's refresh finishes the move.
    for (let tries = 0; !moved && tries < 10 && !(await inboxMoved(deps.prisma, organId)); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await closeConnectionsOf(deps.api, granted.username);
      await settleInbox(connection, deps.prisma, agency);
    }
    return { ...granted, queue };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export type InboxState =
  | { organId: string; queue: string; messages: number; consumers: number }
  | { organId: string; queue: string; missing: true };

/** Depth and consumers of each agency's inbox, given the agencies' queue names (inbox-names.ts). */
export async function inboxStates(
  api: ManagementApi,
  vhost: string,
  inboxes: readonly { organId: string; queue: string }[],
): Promise<InboxState[]> {
  return Promise.all(
    inboxes.map(async ({ organId, queue }) => {
      const response = await call(
        api,
        'GET',
        `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`,
      );
      if (response.status === 404) return { organId, queue, missing: true as const };
      const body = (await response.json()) as { messages?: number; consumers?: number };
      return { organId, queue, messages: body.messages ?? 0, consumers: body.consumers ?? 0 };
    }),
  );
}

/** The vhost of an AMQP URL ("/" when the path is empty). */
export function vhostOf(amqpUrl: string): string {
  const path = new URL(amqpUrl).pathname;
  return path.length > 1 ? decodeURIComponent(path.slice(1)) : '/';
}

/** How many messages wait in the dead-letter queue (for the admins' live relay view). */
export async function deadLetterDepth(api: ManagementApi, vhost: string): Promise<number> {
  const response = await call(
    api,
    'GET',
    `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(QUEUES.dead)}`,
  );
  if (response.status === 404) return 0;
  const body = (await response.json()) as { messages?: number };
  return body.messages ?? 0;
}

/**
 * Whether the management API answers with the configured user and sees the hub's vhost, for
 * /readyz: resolves with nothing when it does, else with why not.
 */
export async function managementApiProblem(
  api: ManagementApi,
  vhost: string,
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    const response = await call(api, 'GET', `/api/vhosts/${encodeURIComponent(vhost)}`, undefined, timeoutMs);
    return response.status === 404 ? `the vhost "${vhost}" does not exist there` : undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
