import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../db/index.ts';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import { createTestVhost, type TestVhost } from '../../test/support/test-broker.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { testServices } from '../../test/support/test-services.ts';
import { issuePartnerBrokerAccess, type PartnerBrokerAccess } from './broker-users.ts';

/**
 * Two hubs on one RabbitMQ, each on its own vhost with its own database (a data centre running a
 * test hub beside production, or two provinces sharing a cluster). Broker users are per broker,
 * not per vhost: when both named the partner's user `lienthong-<OrganId>`, the second hub issuing
 * credentials rotated the password the first hub's partner was using (issue 13, defect 7).
 */
const PARTNER = '000.00.31.H53';
const api = { url: testServices.amqpManagementUrl };

type Hub = { db: TestDatabase; vhost: TestVhost; prisma: PrismaClient };
let hubs: Hub[] = [];
const issued: PartnerBrokerAccess[] = [];

const asUser = (vhost: TestVhost, access: { username: string; password: string }) => {
  const url = new URL(vhost.amqpUrl);
  url.username = encodeURIComponent(access.username);
  url.password = encodeURIComponent(access.password);
  return url.toString();
};

function management(path: string, method = 'GET'): Promise<Response> {
  const base = new URL(api.url);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`);
  base.username = '';
  base.password = '';
  return fetch(new URL(path, base), {
    method,
    headers: { authorization: `Basic ${auth.toString('base64')}` },
  });
}

const deleteUser = (username: string) => management(`/api/users/${encodeURIComponent(username)}`, 'DELETE');

beforeAll(async () => {
  hubs = await Promise.all(
    ['hub1', 'hub2'].map(async (label) => {
      const [db, vhost] = await Promise.all([
        createTestDatabase(`brokerusers${label}`),
        createTestVhost(label),
      ]);
      const prisma = prismaFor(db.url, 2);
      await prisma.agency.create({ data: { organId: PARTNER, name: 'Công ty đối tác', channel: 'partner' } });
      return { db, vhost, prisma };
    }),
  );
});

afterAll(async () => {
  await Promise.all(issued.map((access) => deleteUser(access.username)));
  for (const hub of hubs) {
    await hub.prisma.$disconnect();
    await Promise.all([hub.db.drop(), hub.vhost.drop()]);
  }
});

describe('two hubs on one broker', () => {
  it('issue credentials for the same agency without rotating each other’s password', async () => {
    const [first, second] = hubs as [Hub, Hub];
    const fromFirst = await issuePartnerBrokerAccess(
      { api, amqpUrl: first.vhost.amqpUrl, prisma: first.prisma },
      PARTNER,
    );
    issued.push(fromFirst);
    const fromSecond = await issuePartnerBrokerAccess(
      { api, amqpUrl: second.vhost.amqpUrl, prisma: second.prisma },
      PARTNER,
    );
    issued.push(fromSecond);
    expect(fromFirst.username).not.toBe(fromSecond.username);

    // The first hub's partner still connects with the password it was given, and reads its inbox.
    for (const [hub, access] of [
      [first, fromFirst],
      [second, fromSecond],
    ] as const) {
      const connection = await amqp.connect(asUser(hub.vhost, access));
      const channel = await connection.createChannel();
      expect((await channel.checkQueue(access.queue)).messageCount).toBe(0);
      await channel.consume(access.queue, () => undefined);
      await connection.close();
    }
  });

  it('gives neither hub’s partner user any right on the other hub’s vhost', async () => {
    const [first, second] = hubs as [Hub, Hub];
    for (const [access, own, other] of [
      [issued[0]!, first, second],
      [issued[1]!, second, first],
    ] as const) {
      const permissions = (await (
        await management(`/api/users/${encodeURIComponent(access.username)}/permissions`)
      ).json()) as {
        vhost: string;
        read: string;
      }[];
      expect(permissions.map((p) => p.vhost)).toEqual([own.vhost.name]);
      // The broker closes the connection at open (amqplib: "Expected ConnectionOpenOk").
      await expect(amqp.connect(asUser(other.vhost, access))).rejects.toThrow(/ConnectionOpenOk/);
    }
  });
});
