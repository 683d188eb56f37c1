import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMail } from '../../src/ingest/test-support/build-mail.ts';
import { readControlFile } from '../../src/web/index.ts';
import { freePort, hubEnv, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { prismaFor } from '../support/registry-fixtures.ts';
import { dovecotAvailable, startTestDovecot, type TestDovecot } from '../support/test-dovecot.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// The hub as an operator runs it: SMTP on its configured port, an IMAP mailbox from
// LIENTHONG_IMAP_MAILBOXES, both ending as intake items; ingest metrics on /metrics.
let db: TestDatabase;
let dovecot: TestDovecot;
let hub: HubProcess;
let dataDir: string;
let smtpPort = 0;

describe('mail ingest in the running hub', () => {
  // A missing service fails here, loudly: a skipped check would pass CI without checking anything.
  beforeAll(() => {
    expect(
      dovecotAvailable(),
      'Dovecot is missing: `node scripts/ensure-test-services.mjs` installs dovecot-imapd',
    ).toBe(true);
  });
  beforeAll(async () => {
    db = await createTestDatabase('mailhub');
    dovecot = await startTestDovecot();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-mailhub-'));
    const passwordFile = path.join(dataDir, 'imap-secret');
    fs.writeFileSync(passwordFile, `${dovecot.password}\n`);
    smtpPort = await freePort();
    hub = await startHubProcess(
      hubEnv({
        DATABASE_URL: db.url,
        LIENTHONG_DATA_DIR: dataDir,
        LIENTHONG_SMTP_PORT: String(smtpPort),
        LIENTHONG_SMTP_SENDER_AUTH: 'off',
        AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
        LIENTHONG_IMAP_MAILBOXES: JSON.stringify([
          {
            name: 'hopthu',
            host: '127.0.0.1',
            port: dovecot.port,
            secure: false,
            user: dovecot.user,
            passwordFile,
            agency: '000.00.00.H53',
          },
        ]),
      }),
    );
  });

  afterAll(async () => {
    await hub.terminate();
    await dovecot.destroy();
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores mail from SMTP and from the configured mailbox, and reports both in /metrics', async () => {
    const info = await nodemailer
      .createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true })
      .sendMail({
        envelope: { from: 'a@b.example', to: ['000.00.00.H53@lienthong.local'] },
        raw: buildMail({ seed: 'hub-smtp' }),
      });
    expect(info.response).toMatch(/^250/);
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
    await imap.append('INBOX', buildMail({ seed: 'hub-imap' }));
    await imap.logout();
    const prisma = prismaFor(db.url, 2);
    try {
      const deadline = Date.now() + 30_000;
      let sources: string[] = [];
      while (Date.now() < deadline) {
        const items = await prisma.intakeItem.findMany({
          where: { messageId: { in: ['<hub-smtp@stc.example.vn>', '<hub-imap@stc.example.vn>'] } },
        });
        sources = items.map((i) => i.source).sort();
        if (sources.length === 2) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(sources).toEqual(['imap', 'smtp']);
    } finally {
      await prisma.$disconnect();
    }
    // The spool gauge is recounted when the processor next finds nothing to take: poll briefly.
    let metrics = '';
    for (let attempt = 0; attempt < 40; attempt += 1) {
      metrics = await (await fetch(`${hub.url}/metrics`)).text();
      if (/^lienthong_ingest_spool_pending 0$/m.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(metrics).toMatch(/^lienthong_ingest_imap_up\{mailbox="hopthu"\} 1$/m);
    expect(metrics).toMatch(
      /^lienthong_ingest_messages_accepted_total\{source="smtp",placement="queue"\} 1$/m,
    );
    expect(metrics).toMatch(/^lienthong_ingest_smtp_seconds_to_250_count 1$/m);
    expect(metrics).toMatch(/^lienthong_ingest_seconds_to_item_count 2$/m);
    expect(metrics).toMatch(/^lienthong_ingest_spool_pending 0$/m);
  });

  // After the test above: the admin console's views of the same hub, through main.ts's wiring.
  it('shows admins the mail sources and the certificates it holds', async () => {
    const control = readControlFile(dataDir);
    if (!control) throw new Error('no control.json');
    const get = async (url: string) => {
      const response = await fetch(`${hub.url}${url}`, {
        headers: { authorization: `Bearer ${control.controlToken}` },
      });
      expect([url, response.status]).toEqual([url, 200]);
      return (await response.json()) as Record<string, unknown>;
    };
    const sources = await get('/api/v1/ingest/sources');
    expect(sources.smtp).toMatchObject({ port: smtpPort, accepted: { queue: 1 } });
    expect(sources.imap).toEqual([
      {
        name: 'hopthu',
        agency: '000.00.00.H53',
        host: '127.0.0.1',
        folder: 'INBOX',
        up: true,
        lastSuccessAt: expect.any(String) as string,
        lastError: null,
      },
    ]);
    const { certificates } = (await get('/api/v1/certificates')) as {
      certificates: { kind: string; source: string; expired: boolean }[];
    };
    expect(certificates).toContainEqual(
      expect.objectContaining({ kind: 'trust-anchor', source: 'vgca-rootcag2.crt', expired: false }),
    );
  });
});
