import { randomBytes } from 'node:crypto';
import { testServices } from './test-services.ts';

/**
 * Every test file that talks to RabbitMQ gets its own vhost (Rascal's namespace-per-test idea),
 * made and removed through the management API, so queues never leak between files or runs.
 */
export type TestVhost = { name: string; amqpUrl: string; drop(): Promise<void> };

function managementRequest(method: string, path: string, body?: unknown): Promise<Response> {
  const base = new URL(testServices.amqpManagementUrl);
  const auth = Buffer.from(
    `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`,
  ).toString('base64');
  base.username = '';
  base.password = '';
  return fetch(new URL(path, base), {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function createTestVhost(label = 'vh'): Promise<TestVhost> {
  const name = `lienthong-test-${label}-${randomBytes(4).toString('hex')}`;
  const user = decodeURIComponent(new URL(testServices.amqpUrl).username || 'guest');
  const created = await managementRequest('PUT', `/api/vhosts/${encodeURIComponent(name)}`);
  if (!created.ok) throw new Error(`cannot create vhost ${name}: HTTP ${created.status}`);
  const granted = await managementRequest(
    'PUT',
    `/api/permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`,
    {
      configure: '.*',
      write: '.*',
      read: '.*',
    },
  );
  if (!granted.ok) throw new Error(`cannot grant ${user} on ${name}: HTTP ${granted.status}`);
  const url = new URL(testServices.amqpUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    name,
    amqpUrl: url.toString(),
    drop: async () => {
      await managementRequest('DELETE', `/api/vhosts/${encodeURIComponent(name)}`);
    },
  };
}
