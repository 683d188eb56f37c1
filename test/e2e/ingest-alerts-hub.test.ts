import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureRelay, type CaptureRelay } from '../support/capture-relay.ts';
import {
  clamdAvailable,
  EICAR,
  startTestClamd,
  type TestClamd,
} from '../../src/ingest/test-support/test-clamd.ts';
import { freePort, hubEnv, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * Admin alerts from the running hub, wired as main.ts wires them: a configured mailbox that cannot
 * be reached for LIENTHONG_ALERT_AFTER_SECONDS mails LIENTHONG_ALERT_TO once, and malware found in
 * SMTP mail (ClamAV with the EICAR test signature) is reported in one mail, through a real
 * smtp-server standing in for the data centre's relay.
 */
let db: TestDatabase;
let clamd: TestClamd;
let hub: HubProcess;
let relay: CaptureRelay;
let dataDir: string;
let smtpPort = 0;
const alerts = () => relay.mails.map((mail) => mail.parsed);

async function alertAbout(pattern: RegExp, timeoutMs = 30_000): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = alerts().find((mail) => pattern.test(mail.subject ?? ''));
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no alert matching ${pattern.source}; got: ${alerts()
          .map((a) => a.subject)
          .join(' | ')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('admin alerts from the running hub', () => {
  beforeAll(() => {
    expect(clamdAvailable(), 'clamd is missing: `node scripts/ensure-test-services.mjs` installs it').toBe(
      true,
    );
  });
  beforeAll(async () => {
    db = await createTestDatabase('alerthub');
    clamd = await startTestClamd();
    relay = await startCaptureRelay();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-alerthub-'));
    const passwordFile = path.join(dataDir, 'imap-secret');
    fs.writeFileSync(passwordFile, 'secret\n');
    smtpPort = await freePort();
    const deadPort = await freePort(); // nothing listens there
    hub = await startHubProcess(
      hubEnv({
        DATABASE_URL: db.url,
        LIENTHONG_DATA_DIR: dataDir,
        LIENTHONG_SMTP_PORT: String(smtpPort),
        LIENTHONG_SMTP_SENDER_AUTH: 'off',
        AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
        LIENTHONG_SMTP_RELAY_URL: relay.url,
        LIENTHONG_ALERT_TO: 'quantri@lienthong.local',
        LIENTHONG_ALERT_AFTER_SECONDS: '1',
        LIENTHONG_CLAMD: clamd.socket,
        LIENTHONG_IMAP_MAILBOXES: JSON.stringify([
          {
            name: 'hopthu-hong',
            host: '127.0.0.1',
            port: deadPort,
            secure: false,
            user: 'vanthu',
            passwordFile,
            agency: '000.00.00.H53',
          },
        ]),
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await hub.terminate();
    await relay.close();
    await clamd.stop();
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('mails the admins once about a mailbox it cannot reach', async () => {
    const alert = await alertAbout(/hopthu-hong unreachable/);
    expect(alert.to).toMatchObject({ text: 'quantri@lienthong.local' });
    expect(alert.subject).toBe(
      '[lienthong] Không lấy được thư từ hộp thư hopthu-hong / mailbox hopthu-hong unreachable',
    );
    expect(alert.text).toContain('ECONNREFUSED');
    // Still down two checks later: no second mail for the same episode.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(alerts().filter((a) => /hopthu-hong unreachable/.test(a.subject ?? ''))).toHaveLength(1);
  });

  it('reports malware found in SMTP mail in one alert', async () => {
    const raw = [
      'From: vanthu@stc.example.vn',
      'To: 000.00.00.H53@lienthong.local',
      'Subject: Ho so',
      'Message-ID: <eicar-alert@stc.example.vn>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'xem tep',
      '--b',
      'Content-Type: application/octet-stream; name="hoso.com"',
      'Content-Disposition: attachment; filename="hoso.com"',
      '',
      EICAR,
      '--b--',
      '',
    ].join('\r\n');
    const info = await nodemailer
      .createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true })
      .sendMail({ envelope: { from: 'vanthu@stc.example.vn', to: ['000.00.00.H53@lienthong.local'] }, raw });
    expect(info.response).toMatch(/^250/);
    const alert = await alertAbout(/malware in 1 messages/);
    expect(alert.text).toContain('vanthu@stc.example.vn → 000.00.00.H53: malware: hoso.com: ');
    expect(alert.text).toContain('only an admin can release them');
  });
});
