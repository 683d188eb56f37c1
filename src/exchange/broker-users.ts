import { randomBytes } from 'node:crypto';
import { HubError } from '../shared/index.ts';
import { inboxQueue, EXCHANGES, QUEUES } from './topology.ts';

/**
 * Each partner agency gets its own broker user, allowed to read only its own inbox and write
 * only to `lienthong.submit` (nothing to configure). The broker enforces it; the hub also checks
 * that a submission's From is the user's agency.
 */
const PREFIX = 'lienthong-';

export function brokerUserOf(organId: string): string {
  return `${PREFIX}${organId}`;
}

export function organIdOfBrokerUser(user: string): string | null {
  return user.startsWith(PREFIX) ? user.slice(PREFIX.length) : null;
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

/** Creates or rotates the agency's broker user; the password is returned once and never stored. */
export async function issueAgencyCredentials(
  api: ManagementApi,
  vhost: string,
  organId: string,
): Promise<{ username: string; password: string }> {
  const username = brokerUserOf(organId);
  const password = randomBytes(24).toString('base64url');
  await call(api, 'PUT', `/api/users/${encodeURIComponent(username)}`, { password, tags: '' });
  await call(api, 'PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(username)}`, {
    configure: '^$',
    write: `^${escapeRegex(EXCHANGES.submit)}$`,
    read: `^${escapeRegex(inboxQueue(organId))}$`,
  });
  return { username, password };
}

export type InboxState =
  | { organId: string; queue: string; messages: number; consumers: number }
  | { organId: string; queue: string; missing: true };

export async function inboxStates(
  api: ManagementApi,
  vhost: string,
  organIds: readonly string[],
): Promise<InboxState[]> {
  return Promise.all(
    organIds.map(async (organId) => {
      const queue = inboxQueue(organId);
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
