import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import type { PrismaClient } from '../db/index.ts';
import { buildMail, uniqueSeed } from './test-support/build-mail.ts';
import {
  KNOWN_SENDER,
  MAIL_DOMAIN,
  SECOND_AGENCY,
  seedAgencies,
  startTestListener,
  type TestListener,
} from './test-support/listener-harness.ts';
import { RawSmtp, dotStuff } from './test-support/raw-smtp.ts';

// Mail addressed to an agency by a former code (closed by the 2025 merger of provinces) reaches
// the agency under its current code, through the directory's one resolution of agency codes.
const FORMER = '000.00.11.H49';
let db: TestDatabase;
let prisma: PrismaClient;
let listener: TestListener;

beforeAll(async () => {
  db = await createTestDatabase('agencycodes');
  prisma = prismaFor(db.url, 5);
  await seedAgencies(prisma);
  const agency = await prisma.agency.findUniqueOrThrow({ where: { organId: SECOND_AGENCY } });
  await prisma.agencyAlias.create({ data: { organId: FORMER, agencyId: agency.id } });
  listener = await startTestListener(prisma);
});

afterAll(async () => {
  await listener.close();
  await prisma.$disconnect();
  await db.drop();
});

describe('agency codes at the SMTP door', () => {
  it('delivers mail to <former code>@domain to the agency that now holds it, and refuses an unknown code', async () => {
    const seed = uniqueSeed();
    const { client } = await RawSmtp.connect(listener.port);
    await client.command('EHLO mta.example');
    const replies = await client.send(
      KNOWN_SENDER,
      [`${FORMER.toLowerCase()}@${MAIL_DOMAIN}`],
      dotStuff(buildMail({ seed })),
    );
    expect(replies.at(-1)?.code).toBe(250);
    const unknown = await client.send(
      KNOWN_SENDER,
      [`000.00.98.H49@${MAIL_DOMAIN}`],
      dotStuff(buildMail({ seed: uniqueSeed() })),
    );
    expect(unknown.find((r) => r.code >= 500)?.code).toBe(550);
    client.close();
    await listener.drained();
    const items = await prisma.intakeItem.findMany({ include: { agency: { select: { organId: true } } } });
    expect(items.map((i) => i.agency.organId)).toEqual([SECOND_AGENCY]);
  });
});
