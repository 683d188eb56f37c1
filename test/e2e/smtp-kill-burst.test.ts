import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMail } from '../../src/ingest/test-support/build-mail.ts';
import { freePort, hubEnv, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { prismaFor } from '../support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// Acceptance 1: kill -9 the hub during a burst of 1,000 SMTP messages from a client that retries.
// Afterwards every message that got 250 is stored exactly once, with one item per recipient agency.
const TOTAL = 1000;
const HUB = '000.00.00.H53';
const SECOND = '000.00.11.H53';
let db: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  db = await createTestDatabase('smtpkill');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-kill-'));
  const prisma = prismaFor(db.url, 2);
  await prisma.agency.create({ data: { organId: SECOND, name: 'Sở Tài chính', channel: 'hosted' } });
  await prisma.$disconnect();
});

afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('SMTP burst with the hub killed', { concurrent: false }, () => {
  it(
    'after kill -9 and restart, every 250 is stored exactly once per recipient agency',
    { timeout: 240_000 },
    async () => {
      const smtpPort = await freePort();
      const env = hubEnv({
        DATABASE_URL: db.url,
        LIENTHONG_DATA_DIR: dataDir,
        LIENTHONG_SMTP_PORT: String(smtpPort),
        LIENTHONG_HTTP_PORT: String(await freePort()),
        LIENTHONG_SMTP_SENDER_AUTH: 'off',
        AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
        LIENTHONG_LOG_LEVEL: 'error',
      });
      let hub: HubProcess = await startHubProcess(env);
      const messages = Array.from({ length: TOTAL }, (_, i) => {
        const to =
          i % 3 === 0 ? [`${HUB}@lienthong.local`, `${SECOND}@lienthong.local`] : [`${HUB}@lienthong.local`];
        return { seed: `burst-${i}`, to, raw: buildMail({ seed: `burst-${i}`, to }) };
      });
      const acked = new Set<string>();
      let attempts = 0;
      let killedAt = -1;
      const makeTransport = () =>
        nodemailer.createTransport({
          host: '127.0.0.1',
          port: smtpPort,
          pool: true,
          maxConnections: 8,
          maxMessages: 50,
          ignoreTLS: true,
          connectionTimeout: 3_000,
          socketTimeout: 10_000,
        });
      let transport = makeTransport();
      const queue = [...messages];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          for (;;) {
            attempts += 1;
            try {
              const info = await transport.sendMail({
                envelope: { from: 'vanthu@stc.example.vn', to: next.to },
                raw: next.raw,
              });
              if (info.response.startsWith('250')) {
                acked.add(next.seed);
                break;
              }
            } catch {
              await new Promise((r) => setTimeout(r, 200));
            }
          }
          if (acked.size === 300 && killedAt < 0) {
            killedAt = acked.size;
            hub.child.kill('SIGKILL');
            transport.close();
            transport = makeTransport();
            hub = await startHubProcess(env);
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      transport.close();
      expect(killedAt).toBe(300);
      expect(acked.size).toBe(TOTAL);
      const prisma = prismaFor(db.url, 2);
      try {
        // The restarted hub reads the spool, including the rows the killed one held (their lease
        // runs out after 15 s); only then is every 250 an intake item.
        const deadline = Date.now() + 90_000;
        while ((await prisma.mailSpool.count()) > 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 250));
        expect(await prisma.mailSpool.count()).toBe(0);
        await hub.terminate();
        const rows = await prisma.intakeItem.findMany({
          select: { messageId: true, agency: { select: { organId: true } } },
        });
        const perMessage = new Map<string, string[]>();
        for (const row of rows) {
          const list = perMessage.get(row.messageId ?? '') ?? [];
          list.push(row.agency.organId);
          perMessage.set(row.messageId ?? '', list);
        }
        for (const message of messages) {
          const agencies = (perMessage.get(`<${message.seed}@stc.example.vn>`) ?? []).sort();
          expect(agencies, message.seed).toEqual(message.to.map((a) => a.split('@')[0]).sort());
        }
        expect(rows.length).toBe(messages.reduce((n, m) => n + m.to.length, 0));
        // retries happened: some messages were in flight when the hub died
        expect(attempts).toBeGreaterThan(TOTAL);
      } finally {
        await prisma.$disconnect();
      }
    },
  );
});
