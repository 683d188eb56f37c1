import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { prismaFor } from '../../../test/support/registry-fixtures.ts';
import type { PrismaClient } from '../../db/index.ts';
import { buildMail, uniqueSeed } from '../test-support/build-mail.ts';
import {
  HUB_AGENCY,
  MAIL_DOMAIN,
  seedAgencies,
  startTestListener,
  type TestListener,
} from '../test-support/listener-harness.ts';
import { RawSmtp, dotStuff } from '../test-support/raw-smtp.ts';
import { tortureCases } from '../test-support/torture-mail.ts';

// Acceptance 2: malformed mail never crashes the listener or disturbs other sessions; each
// message is stored (quarantined with a reason when it is not a readable document) or refused
// with a clear SMTP error.
const HUB_ADDRESS = `${HUB_AGENCY}@${MAIL_DOMAIN}`;
const FIXTURES = path.resolve(import.meta.dirname, '../../../test/fixtures/mail');
let db: TestDatabase;
let prisma: PrismaClient;
let listener: TestListener;

beforeAll(async () => {
  db = await createTestDatabase('smtpmal');
  prisma = prismaFor(db.url, 5);
  await seedAgencies(prisma);
  listener = await startTestListener(prisma, { maxMessageBytes: 4 * 1024 * 1024 });
});

afterAll(async () => {
  await listener.close();
  await prisma.$disconnect();
  await db.drop();
});

const fixtureFiles = ['mimekit', 'mailparser'].flatMap((dir) =>
  fs
    .readdirSync(path.join(FIXTURES, dir))
    .filter((f) => /\.(txt|eml)$/.test(f))
    .map((f) => ({ name: `${dir}/${f}`, raw: fs.readFileSync(path.join(FIXTURES, dir, f)) })),
);

describe('malformed and unusual mail over SMTP', () => {
  it(
    'stores every torture case and fixture while a normal session keeps working',
    { timeout: 120_000 },
    async () => {
      const cases = [...tortureCases(), ...fixtureFiles];
      const normal = (async () => {
        const { client } = await RawSmtp.connect(listener.port);
        await client.command('EHLO normal.example');
        const codes: number[] = [];
        for (let i = 0; i < 5; i += 1)
          codes.push(
            (await client.send('a@b.example', [HUB_ADDRESS], dotStuff(buildMail({ seed: uniqueSeed() })))).at(
              -1,
            )?.code ?? 0,
          );
        client.close();
        return codes;
      })();
      const results: { name: string; code: number; text: string }[] = [];
      for (const torture of cases) {
        const { client } = await RawSmtp.connect(listener.port);
        await client.command('EHLO torture.example');
        const reply = (await client.send('t@torture.example', [HUB_ADDRESS], dotStuff(torture.raw))).at(-1);
        client.close();
        results.push({ name: torture.name, code: reply?.code ?? 0, text: reply?.text ?? '' });
      }
      expect(await normal).toEqual([250, 250, 250, 250, 250]);
      for (const result of results)
        expect([250, 552], `${result.name}: ${result.text}`).toContain(result.code);
      const stored = results.filter((r) => r.code === 250).length;
      expect(stored).toBeGreaterThan(cases.length - 3);
      // every 250 was read into an item: nothing is left in the spool
      await listener.drained();
      expect(await prisma.mailSpool.count()).toBe(0);

      const reports = await prisma.intakeItem.findMany({
        where: { state: 'quarantined' },
        select: { reason: true, subject: true },
      });
      // bounces and read receipts answering mail the hub never sent: unlinked, said so
      expect(
        reports.some((r) => r.reason?.startsWith('delivery report for a message the hub did not send')),
      ).toBe(true);
      expect(
        reports.some((r) => r.reason?.startsWith('read receipt for a message the hub did not send')),
      ).toBe(true);
      expect(reports.some((r) => r.reason === 'feedback-report report, not a document')).toBe(true);
    },
  );

  it('a message that cannot be read in time is stored quarantined with the reason', async () => {
    // Only the slow hub's processor may read this message: stop the file's own one.
    await listener.processor.stop();
    const slow = await startTestListener(prisma, {}, { analysis: { parseTimeoutMs: 0 } });
    const seed = uniqueSeed();
    const { client } = await RawSmtp.connect(slow.port);
    await client.command('EHLO slow.example');
    expect(
      (await client.send('a@b.example', [HUB_ADDRESS], dotStuff(buildMail({ seed })))).at(-1)?.code,
    ).toBe(250);
    client.close();
    await slow.drained();
    await slow.close();
    const item = await prisma.intakeItem.findFirstOrThrow({
      where: { messageId: null, senderAddress: 'a@b.example', state: 'quarantined' },
    });
    expect(item.reason).toMatch(/^unreadable message: MIME parsing took longer than 0 ms/);
    expect(seed).toBeTruthy();
  });
});
