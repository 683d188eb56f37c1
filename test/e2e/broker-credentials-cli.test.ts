import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubEnv, runCli } from '../support/hub-process.ts';
import { prismaFor } from '../support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';
import { testServices } from '../support/test-services.ts';

/**
 * `lienthong agency credentials` on a real RabbitMQ (a vhost of its own): a partner agency gets a
 * broker user whose password really opens a connection, and the issue is in the audit trail like
 * the console's; hosted and unknown agencies are refused with a reason and get nothing.
 */
const PARTNER = '000.00.81.H53';
const HOSTED = '000.00.82.H53';
let db: TestDatabase;
let vhost: TestVhost;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase('brokercli');
  vhost = await createTestVhost('brokercli');
  env = hubEnv({
    DATABASE_URL: db.url,
    AMQP_URL: vhost.amqpUrl,
    LIENTHONG_AMQP_MANAGEMENT_URL: testServices.amqpManagementUrl,
  });
  for (const [organId, channel] of [
    [PARTNER, 'partner'],
    [HOSTED, 'hosted'],
  ] as const) {
    const added = await runCli(
      ['agency', 'add', '--organ-id', organId, '--name', `Cơ quan ${organId}`, '--channel', channel],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await vhost.drop();
  await db.drop();
});

describe('lienthong agency credentials', () => {
  it('issues a partner agency a broker user that connects, and audits it', async () => {
    const issued = await runCli(['agency', 'credentials', PARTNER], env);
    expect(issued.code, issued.stderr).toBe(0);
    const username = /^username: (\S+)$/m.exec(issued.stdout)?.[1];
    const password = /^password: (\S+)$/m.exec(issued.stdout)?.[1];
    const inbox = /^inbox: (\S+)$/m.exec(issued.stdout)?.[1];
    expect(username).toBe(`lienthong-${vhost.name}-${PARTNER}`);
    expect(inbox).toMatch(/^lienthong\.inbox\.000\.00\.81\.H53\.[A-Za-z0-9_-]{22}$/);
    const url = new URL(vhost.amqpUrl);
    url.username = encodeURIComponent(username ?? '');
    url.password = encodeURIComponent(password ?? '');
    const connection = await amqp.connect(url.toString());
    // The inbox it was told exists and is its to read.
    const channel = await connection.createChannel();
    await channel.consume(inbox ?? '', () => undefined);
    await connection.close();

    const prisma = prismaFor(db.url, 1);
    try {
      const entry = await prisma.auditEntry.findFirstOrThrow({
        where: { action: 'agency.broker-credentials-issued', subject: `agency:${PARTNER}` },
      });
      expect(entry.actor).toBe('system:cli');
      expect(entry.data).toEqual({ username, inbox });
      // The password is never kept: not in the audit trail either.
      expect(JSON.stringify(entry.data)).not.toContain(password);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('refuses a hosted agency and an unknown one with a reason, issuing nothing', async () => {
    const hosted = await runCli(['agency', 'credentials', HOSTED], env);
    expect([hosted.code, hosted.stdout]).toEqual([1, '']);
    expect(hosted.stderr).toContain('is hosted by the hub, which reads its inbox itself');
    const unknown = await runCli(['agency', 'credentials', '000.00.99.H53'], env);
    expect([unknown.code, unknown.stdout]).toEqual([1, '']);
    expect(unknown.stderr).toContain('no agency 000.00.99.H53');
    const prisma = prismaFor(db.url, 1);
    try {
      expect(
        await prisma.auditEntry.count({
          where: { action: 'agency.broker-credentials-issued', subject: { not: `agency:${PARTNER}` } },
        }),
      ).toBe(0);
    } finally {
      await prisma.$disconnect();
    }
  });
});
