import type { DNSResolver } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { prismaFor } from '../../test/support/registry-fixtures.ts';
import type { PrismaClient } from '../db/index.ts';
import { clamdScanner, pingClamd } from './clamd-scanner.ts';
import { mailauthAuthenticator } from './sender-auth.ts';
import { buildMail, uniqueSeed } from './test-support/build-mail.ts';
import {
  HUB_AGENCY,
  KNOWN_SENDER,
  MAIL_DOMAIN,
  seedAgencies,
  startTestListener,
  type TestListener,
} from './test-support/listener-harness.ts';
import { RawSmtp, dotStuff } from './test-support/raw-smtp.ts';
import { clamdAvailable, EICAR, startTestClamd, type TestClamd } from './test-support/test-clamd.ts';

// Malware scanning against a real clamd, and sender authentication (mailauth) with DNS answered
// from a table.
const HUB_ADDRESS = `${HUB_AGENCY}@${MAIL_DOMAIN}`;
let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('content');
  prisma = prismaFor(db.url, 5);
  await seedAgencies(prisma);
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

async function deliver(listener: TestListener, from: string, raw: string): Promise<number> {
  const { client } = await RawSmtp.connect(listener.port);
  await client.command('EHLO mta.example');
  const code = (await client.send(from, [HUB_ADDRESS], dotStuff(raw))).at(-1)?.code ?? 0;
  client.close();
  // the 250 came after the spool commit; the checks run when the processor reads it
  await listener.drained();
  return code;
}

function withAttachment(seed: string, name: string, content: string): string {
  return buildMail({ seed }).replace(
    `--b-${seed}--`,
    [
      `--b-${seed}`,
      `Content-Type: application/octet-stream; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(content).toString('base64'),
      `--b-${seed}--`,
    ].join('\r\n'),
  );
}

describe('malware scanning (clamd)', () => {
  // A missing service fails here, loudly: a skipped check would pass CI without checking anything.
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

  it('answers the /readyz ping while clamd runs, and says why not when nothing listens', async () => {
    await expect(pingClamd(clamd.socket, 2_000)).resolves.toBeUndefined();
    await expect(pingClamd(`${clamd.socket}.gone`, 2_000)).rejects.toThrow(/^clamd: connect ENOENT/);
  });

  it('quarantines a message whose attachment carries EICAR, with the verdict; a clean one is queued', async () => {
    const infected = uniqueSeed();
    const clean = uniqueSeed();
    expect(await deliver(listener, 'a@b.example', withAttachment(infected, 'eicar.com', EICAR))).toBe(250);
    expect(await deliver(listener, 'a@b.example', withAttachment(clean, 'notes.txt', 'harmless'))).toBe(250);
    const bad = await prisma.intakeItem.findFirstOrThrow({
      where: { messageId: `<${infected}@stc.example.vn>` },
    });
    expect(bad.state).toBe('quarantined');
    expect(bad.reason).toBe('malware: eicar.com: Eicar-Test-Signature.UNOFFICIAL');
    const good = await prisma.intakeItem.findFirstOrThrow({
      where: { messageId: `<${clean}@stc.example.vn>` },
    });
    expect(good.state).toBe('new');
  });
});

describe('sender authentication (mailauth, DNS from a table)', () => {
  const records: Record<string, string[][]> = {
    'TXT stc.example.vn': [['v=spf1 ip4:127.0.0.1 -all']],
    'TXT _dmarc.stc.example.vn': [['v=DMARC1; p=reject']],
    'TXT spoof.example': [['v=spf1 ip4:192.0.2.1 -all']],
    'TXT _dmarc.spoof.example': [['v=DMARC1; p=quarantine']],
  };
  const resolver: DNSResolver = (domain, type) => {
    const answer = records[`${type} ${domain}`];
    if (answer) return Promise.resolve(answer);
    return Promise.reject(Object.assign(new Error(`no ${type} for ${domain}`), { code: 'ENOTFOUND' }));
  };
  let listener: TestListener;
  beforeAll(async () => {
    listener = await startTestListener(
      prisma,
      {},
      { senderAuth: mailauthAuthenticator({ resolver }), unknownSenderPolicy: 'quarantine' },
    );
  });
  afterAll(async () => {
    await listener.close();
  });

  it('records SPF pass for a known agency sender and queues its mail', async () => {
    const seed = uniqueSeed();
    expect(await deliver(listener, KNOWN_SENDER, buildMail({ seed, from: KNOWN_SENDER }))).toBe(250);
    const item = await prisma.intakeItem.findFirstOrThrow({
      where: { messageId: `<${seed}@stc.example.vn>` },
    });
    const auth = (item.metadata as { senderAuth: { spf: string; dmarc: string } }).senderAuth;
    expect(auth.spf).toBe('pass');
    expect(auth.dmarc).toBe('pass');
    expect(item.state).toBe('new');
  });

  it('quarantines mail failing DMARC, flagged; unknown senders are quarantined by this config', async () => {
    const spoofed = uniqueSeed();
    expect(
      await deliver(listener, 'boss@spoof.example', buildMail({ seed: spoofed, from: 'boss@spoof.example' })),
    ).toBe(250);
    const item = await prisma.intakeItem.findFirstOrThrow({
      where: { messageId: `<${spoofed}@stc.example.vn>` },
    });
    expect(item.state).toBe('quarantined');
    expect(item.reason).toMatch(/sender authentication failed/);
    expect((item.metadata as { flags: string[] }).flags).toEqual(
      expect.arrayContaining(['unknown-sender', 'dmarc-fail', 'spf-fail']),
    );
  });
});
