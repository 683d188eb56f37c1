import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { clerkOf, prismaFor } from '../../../test/support/registry-fixtures.ts';
import { ordinaryClientMail } from '../../../test/fixtures/mail/clients/client-mail.ts';
import {
  hiddenAttachmentVariants,
  uuencode,
} from '../../../test/fixtures/mail/hidden-attachments/generate-variants.ts';
import type { PrismaClient } from '../../db/index.ts';
import { releaseIntakeItem } from '../../registry/index.ts';
import { clamdScanner } from '../clamd-scanner.ts';
import {
  HUB_AGENCY,
  MAIL_DOMAIN,
  seedAgencies,
  startTestListener,
  type TestListener,
} from '../test-support/listener-harness.ts';
import { RawSmtp, dotStuff } from '../test-support/raw-smtp.ts';
import { clamdAvailable, startTestClamd, type TestClamd } from '../test-support/test-clamd.ts';
import { MIME_FLAGS } from './compare-readings.ts';

// Issue #17 end to end: the real SMTP listener, the spool, the reader, PostgreSQL. One variant of
// every technique of the generated corpus, and ordinary client mail, each stored as an intake item.
const HUB_ADDRESS = `${HUB_AGENCY}@${MAIL_DOMAIN}`;
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('mimegap');
  prisma = prismaFor(db.url, 5);
  await seedAgencies(prisma);
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

async function send(listener: TestListener, messages: Buffer[]): Promise<void> {
  const { client } = await RawSmtp.connect(listener.port);
  await client.command('EHLO mta.example.vn');
  for (const raw of messages)
    expect((await client.send('a@b.example', [HUB_ADDRESS], dotStuff(raw))).at(-1)?.code).toBe(250);
  client.close();
  await listener.drained();
}

const itemOf = (messageId: string) =>
  prisma.intakeItem.findFirstOrThrow({ where: { messageId }, include: { attachments: true } });

describe('hidden attachments over SMTP into PostgreSQL', () => {
  let listener: TestListener;
  beforeAll(async () => {
    listener = await startTestListener(prisma, { maxMessageBytes: 4 * 1024 * 1024 });
  });
  afterAll(async () => {
    await listener.close();
  });

  it('stores each technique as an item that shows the true file, or is quarantined or flagged with its reason', async () => {
    // one message per technique (the ids are <family>-<technique>-<payload>-<wrapper>)
    const sample = hiddenAttachmentVariants().filter((v) => v.id.endsWith('-exe-1'));
    expect(sample.length).toBeGreaterThanOrEqual(100);
    await send(
      listener,
      sample.map((v) => v.raw),
    );
    const missed: string[] = [];
    for (const variant of sample) {
      const item = await itemOf(`<${variant.id}@hidden.example>`);
      const flags = (item.metadata as { flags: string[] }).flags;
      const truth = item.attachments.some(
        (a) => a.sha256 === variant.truth.sha256 && a.name === variant.truth.name,
      );
      if (item.state === 'quarantined') expect(item.reason, variant.id).toMatch(/\S \/ \S/);
      else if (!flags.includes(MIME_FLAGS.ambiguousName) && !truth)
        missed.push(`${variant.id} ${variant.technique}`);
      if (variant.expect === 'deliver') expect(item.state, variant.id).toBe('new');
    }
    expect(missed).toEqual([]);
  });

  it('a clerk releases a held item with a note, audited, as any other quarantine', async () => {
    const variant = hiddenAttachmentVariants().find(
      (v) => v.technique === 'attachment after the closing boundary',
    );
    if (!variant) throw new TypeError('no such variant');
    await send(listener, [variant.raw]);
    const item = await itemOf(`<${variant.id}@hidden.example>`);
    expect(item.state).toBe('quarantined');
    expect(item.reason).toContain('The message may hide an attachment');
    const secondReading = (
      item.metadata as { mail: { secondReading: { readings: { strict: unknown[]; mailparser: unknown[] } } } }
    ).mail.secondReading;
    expect(secondReading.readings).toHaveProperty('strict');
    const clerk = clerkOf(item.agencyId);
    expect(await releaseIntakeItem(prisma, clerk, item.id, 'Đã hỏi lại đơn vị gửi: tệp đúng')).toEqual({
      kind: 'released',
    });
    const audit = await prisma.auditEntry.findFirst({
      where: { subject: `intake:${item.id}`, action: 'intake.released' },
    });
    expect(audit).not.toBeNull();
  });

  it('delivers ordinary client mail with its files, none quarantined or flagged', async () => {
    const mails = ordinaryClientMail(3);
    await send(
      listener,
      mails.map((m) => m.raw),
    );
    for (const mail of mails) {
      const messageId = /^Message-ID: (<[^>]+>)/m.exec(mail.raw.toString('latin1'))?.[1] ?? '';
      const item = await itemOf(messageId);
      expect(item.state, mail.id).toBe('new');
      expect((item.metadata as { flags: string[] }).flags, mail.id).not.toContain(MIME_FLAGS.gap);
      expect(item.attachments.map((a) => `${a.name} ${a.sha256}`).sort(), mail.id).toEqual(
        mail.files.map((f) => `${f.name} ${f.sha256}`).sort(),
      );
    }
  });
});

describe('clamd scans what either reading finds', () => {
  beforeAll(() => {
    expect(
      clamdAvailable(),
      'clamd is missing: `node scripts/ensure-test-services.mjs` installs clamav-daemon',
    ).toBe(true);
  });
  let clamd: TestClamd;
  let listener: TestListener;
  beforeAll(async () => {
    clamd = await startTestClamd();
    listener = await startTestListener(
      prisma,
      {},
      { analysis: { parseTimeoutMs: 10_000, scanner: clamdScanner(clamd.socket) } },
    );
  }, 60_000);
  afterAll(async () => {
    await listener.close();
    await clamd.stop();
  });

  it('finds EICAR uuencoded in a text body, which mailparser does not extract; only an admin may release it', async () => {
    const raw = Buffer.from(
      [
        'From: a@b.example',
        `To: ${HUB_ADDRESS}`,
        'Subject: uu',
        'Message-ID: <uu-eicar@hidden.example>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain',
        '',
        'see the file',
        uuencode(Buffer.from(EICAR, 'latin1'), 'eicar.com'),
        '',
      ].join('\r\n'),
      'latin1',
    );
    await send(listener, [raw]);
    const item = await itemOf('<uu-eicar@hidden.example>');
    expect(item.state).toBe('quarantined');
    expect(item.attachments).toEqual([]);
    expect(item.reason).toBe(
      'malware: eicar.com (second reading, 1/uuencode/1): Eicar-Test-Signature.UNOFFICIAL',
    );
    expect(await releaseIntakeItem(prisma, clerkOf(item.agencyId), item.id, 'looked at it')).toMatchObject({
      kind: 'forbidden',
    });
  });
});
