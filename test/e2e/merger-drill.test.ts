import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/access/index.ts';
import type { PrismaClient } from '../../src/db/index.ts';
import { createPrismaAgencyDirectory, type Agency } from '../../src/directory/index.ts';
import { buildMail } from '../../src/ingest/test-support/build-mail.ts';
import { registerIntakeItem } from '../../src/registry/index.ts';
import { freePort, hubEnv, runCli, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { documentPackage } from '../support/relay-fixtures.ts';
import { prismaFor, receiveItem, SYSTEM } from '../support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';

/**
 * The merger drill (issue #14): Long An's agencies are merged into Tây Ninh by the admin command
 * (`lienthong directory merge`, the real CLI, on the hub's database) while mail (the hub's SMTP)
 * and packages (POST /api/v1/packages) addressed to Long An's codes keep arriving. Nothing is lost
 * or refused, what arrives after the merger is delivered to the successors, no register number is
 * reused and the audit chain verifies. H43 stands for Long An; the number is illustrative.
 */
const OWN = '000.00.00.H53'; // UBND tỉnh Tây Ninh, the hub's own agency
const TN_FINANCE = '000.00.11.H53';
const LA = '000.00.00.H43';
const LA_FINANCE = '000.00.11.H43'; // folded into TN_FINANCE
const LA_HEALTH = '000.00.12.H43'; // recoded
const NEW_HEALTH = '000.00.32.H53';
const SENDER = '000.00.10.H41'; // Sở Nội vụ Nghệ An, a partner system with an API token

const hosted = (organId: string, name: string, extra: Partial<Agency> = {}): Agency => ({
  organId,
  name,
  channel: 'hosted',
  signaturePolicy: 'record_only',
  emails: [],
  aliases: [],
  ...extra,
});

let db: TestDatabase;
let vhost: TestVhost;
let prisma: PrismaClient;
let hub: HubProcess;
let dataDir: string;
let smtpPort = 0;
let env: Record<string, string>;
let token = '';
const ids: Record<string, string> = {};

beforeAll(async () => {
  [db, vhost] = await Promise.all([createTestDatabase('merger_drill'), createTestVhost('merger')]);
  prisma = prismaFor(db.url, 4);
  await createPrismaAgencyDirectory(prisma).upsertAll([
    hosted(OWN, 'UBND tỉnh Tây Ninh'),
    hosted(TN_FINANCE, 'Sở Tài chính Tây Ninh'),
    hosted(LA, 'UBND tỉnh Long An'),
    hosted(LA_FINANCE, 'Sở Tài chính Long An', { emails: ['stc@longan.gov.vn'] }),
    hosted(LA_HEALTH, 'Sở Y tế Long An'),
    { ...hosted(SENDER, 'Sở Nội vụ Nghệ An'), channel: 'partner' },
  ]);
  for (const agency of await prisma.agency.findMany()) ids[agency.organId] = agency.id;
  const issued = await createApiToken(prisma, { agency: SENDER }, 'system:test');
  if (issued.kind !== 'created') throw new Error(issued.reason);
  token = issued.secret;
  // Long An's books before the merger: two documents in Sở Y tế's, one in Sở Tài chính's.
  for (const [organId, seed] of [
    [LA_HEALTH, 'yt-1'],
    [LA_HEALTH, 'yt-2'],
    [LA_FINANCE, 'tc-1'],
  ] as const) {
    const item = await receiveItem(prisma, ids[organId] ?? '', seed);
    expect((await registerIntakeItem(prisma, SYSTEM, item)).kind).toBe('registered');
  }
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-merger-'));
  smtpPort = await freePort();
  env = hubEnv({
    DATABASE_URL: db.url,
    LIENTHONG_DATA_DIR: dataDir,
    LIENTHONG_ORGAN_ID: OWN,
    LIENTHONG_SMTP_PORT: String(smtpPort),
    LIENTHONG_SMTP_SENDER_AUTH: 'off',
    AMQP_URL: vhost.amqpUrl,
  });
  hub = await startHubProcess(env, 120_000);
});

afterAll(async () => {
  await hub.terminate();
  await prisma.$disconnect();
  await Promise.all([db.drop(), vhost.drop()]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

type Sent = { key: string; kind: 'mail' | 'package'; to: string[]; at: number };

async function sendMail(seed: string, to: string): Promise<Sent> {
  const info = await nodemailer
    .createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true })
    .sendMail({ envelope: { from: 'vanthu@stc.example.vn', to: [to] }, raw: buildMail({ seed, to: [to] }) });
  expect(info.response).toMatch(/^250/);
  return { key: `<${seed}@stc.example.vn>`, kind: 'mail', to: [to], at: Date.now() };
}

async function sendPackage(seed: string, to: string[]): Promise<Sent> {
  const documentId = `${SENDER},2025/07/01,${seed}/SNV-VP`;
  const response = await fetch(`${hub.url}/api/v1/packages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' },
    body: documentPackage({ from: SENDER, to, documentId }),
  });
  expect([seed, response.status, await response.text()]).toMatchObject([seed, 202, expect.any(String)]);
  return { key: documentId, kind: 'package', to, at: Date.now() };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('merger drill: Long An into Tây Ninh while traffic keeps arriving', () => {
  const sent: Sent[] = [];
  let mergedAt = 0;
  let mergeStartedAt = 0;

  it('merges by the admin command while mail and packages arrive', { timeout: 300_000 }, async () => {
    const mappingFile = path.join(dataDir, 'long-an.csv');
    fs.writeFileSync(
      mappingFile,
      [
        'oldCode,newCode,newName',
        `${LA},${OWN},`,
        `${LA_FINANCE},${TN_FINANCE},`,
        `${LA_HEALTH},${NEW_HEALTH},Sở Y tế Tây Ninh (cơ sở Long An)`,
      ].join('\n'),
    );
    const merge = [
      'directory',
      'merge',
      '--absorbed',
      'H43',
      '--absorbing',
      'H53',
      '--effective',
      '2025-07-01',
    ];
    const dry = await runCli([...merge, '--mapping', mappingFile, '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`${LA_HEALTH} Sở Y tế Long An → mã mới ${NEW_HEALTH}`);
    expect(dry.stdout).toContain(`${LA_FINANCE} Sở Tài chính Long An → nhập vào ${TN_FINANCE}`);
    expect(dry.stdout).toMatch(/dry run: nothing changed \(3 agencies would move\)/);

    const traffic = { on: true };
    const round = async (r: number) => {
      sent.push(
        await sendMail(`la-yt-${r}`, `${LA_HEALTH.toLowerCase()}@lienthong.local`),
        await sendMail(`la-tc-${r}`, 'stc@longan.gov.vn'),
        await sendPackage(`yt-${r}`, [LA_HEALTH]),
        await sendPackage(`ubnd-${r}`, [LA]),
      );
    };
    let rounds = 0;
    const flow = (async () => {
      while (traffic.on) await round(rounds++);
    })();
    await new Promise((r) => setTimeout(r, 1500));
    mergeStartedAt = Date.now();
    const merged = await runCli([...merge, '--mapping', mappingFile], env);
    mergedAt = Date.now();
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/merged: 3 agencies moved under H53/);
    // Ingest keeps a 5 s cache of addresses; traffic goes on past it.
    await new Promise((r) => setTimeout(r, 6000));
    traffic.on = false;
    await flow;
    await round(rounds++);
    // After the merger: the closed code beside its successor's in one To list is one delivery.
    sent.push(await sendPackage('tc-both', [LA_FINANCE, TN_FINANCE]));
    expect(sent.length).toBeGreaterThan(12);
  });

  it(
    'loses nothing: every mail and package is one intake item, after the merger at the successor',
    { timeout: 240_000 },
    async () => {
      const successorOf: Record<string, string> = {
        [LA_HEALTH]: ids[LA_HEALTH] ?? '', // recoded: the same row
        [LA]: ids[OWN] ?? '',
        [LA_FINANCE]: ids[TN_FINANCE] ?? '',
        'stc@longan.gov.vn': ids[TN_FINANCE] ?? '',
        [`${LA_HEALTH.toLowerCase()}@lienthong.local`]: ids[LA_HEALTH] ?? '',
      };
      const beforeOf: Record<string, string> = {
        [LA]: ids[LA] ?? '',
        [LA_FINANCE]: ids[LA_FINANCE] ?? '',
        'stc@longan.gov.vn': ids[LA_FINANCE] ?? '',
      };
      for (const s of sent) {
        const items = await until(async () => {
          const found = await prisma.intakeItem.findMany({
            where: s.kind === 'mail' ? { messageId: s.key } : { documentKey: s.key },
          });
          return found.length > 0 ? found : undefined;
        }, `${s.kind} ${s.key}`);
        expect([s.key, items.length]).toEqual([s.key, 1]);
        const target = s.to[0] ?? '';
        const agencyId = items[0]?.agencyId;
        // Sent after the merger committed (and past ingest's address cache for mail): the successor.
        if (s.at > mergedAt + (s.kind === 'mail' ? 5500 : 0))
          expect([s.key, agencyId]).toEqual([s.key, successorOf[target]]);
        // Sent before it started: the agency as it was.
        else if (s.at < mergeStartedAt)
          expect([s.key, agencyId]).toEqual([s.key, beforeOf[target] ?? successorOf[target]]);
        else expect([successorOf[target], beforeOf[target]]).toContain(agencyId);
      }
      expect(await prisma.relayRefusal.count()).toBe(0);
      const redirected = await prisma.auditEntry.count({ where: { action: 'relay.closed-code' } });
      expect(redirected).toBeGreaterThan(0);
    },
  );

  it('numbers on in the recoded agency’s book: nothing reused, nothing skipped', async () => {
    const items = await prisma.intakeItem.findMany({
      where: { agencyId: ids[LA_HEALTH] ?? '', state: 'new' },
      orderBy: { receivedAt: 'asc' },
    });
    for (const item of items)
      expect((await registerIntakeItem(prisma, SYSTEM, item.id)).kind).toBe('registered');
    const numbers = (
      await prisma.document.findMany({ where: { agencyId: ids[LA_HEALTH] ?? '', direction: 'incoming' } })
    )
      .map((d) => d.number)
      .sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: items.length + 2 }, (_, i) => i + 1));
    const agency = await prisma.agency.findUniqueOrThrow({ where: { id: ids[LA_HEALTH] ?? '' } });
    expect(agency.organId).toBe(NEW_HEALTH);
  });

  it('keeps the audit chain intact', async () => {
    const verified = await runCli(['audit', 'verify'], env);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const listed = await runCli(['directory', 'former-codes'], env);
    expect(listed.stdout).toContain(`${LA_HEALTH}\t2025-07-01\tmerger\t${NEW_HEALTH}\t`);
    expect(listed.stdout).toContain(
      `${LA_FINANCE}\t2025-07-01\tmerger\t${TN_FINANCE}\tSở Tài chính Tây Ninh\tSở Tài chính Long An`,
    );
    const merged = await prisma.auditEntry.findFirst({ where: { action: 'directory.merged' } });
    expect(merged?.data).toMatchObject({ absorbed: 'H43', absorbing: 'H53', recoded: 1, folded: 2 });
  });
});
