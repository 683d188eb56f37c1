import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  FIXTURE_DIR,
  scannedPdfPackage,
} from '../../test/fixtures/edxml/real-traffic/generate-real-traffic.ts';
import { connectPartner, type Partner } from '../../test/support/relay-fixtures.ts';
import { prismaFor, SYSTEM } from '../../test/support/registry-fixtures.ts';
import { createTestVhost, type TestVhost } from '../../test/support/test-broker.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { testServices } from '../../test/support/test-services.ts';
import type { PrismaClient } from '../db/index.ts';
import { createPrismaAgencyDirectory, mergeProvinces, type Agency } from '../directory/index.ts';
import { validateEdxml } from '../edxml/index.ts';
import { walkAuditChain } from '../registry/index.ts';
import { createSilentLogger, systemClock } from '../shared/index.ts';
import { memoryTrustStore } from '../signing/index.ts';
import { createBrokerConnection, type BrokerConnection } from './broker-connection.ts';
import { issuePartnerBrokerAccess } from './broker-users.ts';
import { createRelayService, type RelayService } from './relay-service.ts';
import { pollUntil } from '../../test/support/wait-until.ts';

/**
 * Packages shaped like what the national axis carried in October 2025 (issue #14), relayed end to
 * end over the real RabbitMQ and PostgreSQL: each submitted by its sender's system over AMQP, each
 * arriving byte for byte in every recipient's inbox, once per agency however many of its codes
 * the To list names, and a package to a code the 2025 merger closed reaching the successor with
 * the audit trail saying so. The fixtures and their generator are test/fixtures/edxml/real-traffic.
 */
const HUB = '000.00.99.H53';
const STC = '000.00.11.H53'; // Sở Tài chính Tây Ninh
const TAY_NINH = '000.00.00.H53';
const ENTERPRISE = '020100107370';
const MINISTRY = 'G12'; // also named 000.00.00.G12, its code before QĐ 09/2025
const TEST_SYSTEM = 'vxp.saas.03';
const LONG_AN = '000.00.00.H43'; // illustrative: Long An's province code, closed by the merger

const partner = (organId: string, name: string): Agency => ({
  organId,
  name,
  channel: 'partner',
  signaturePolicy: 'record_only',
  emails: [],
  aliases: [],
});

let db: TestDatabase;
let vhost: TestVhost;
let prisma: PrismaClient;
let broker: BrokerConnection;
let relay: RelayService;
const partners = new Map<string, Partner>();

const fixture = (name: string) => readFileSync(path.join(FIXTURE_DIR, name));

const waitUntil = pollUntil({ timeoutMs: 20_000, intervalMs: 100 });

beforeAll(async () => {
  [db, vhost] = await Promise.all([createTestDatabase('real_traffic'), createTestVhost('realtraffic')]);
  prisma = prismaFor(db.url);
  const directory = createPrismaAgencyDirectory(prisma);
  await directory.upsertAll([
    { ...partner(HUB, 'Trung tâm dữ liệu tỉnh'), channel: 'hosted' },
    partner(STC, 'Sở Tài chính tỉnh Tây Ninh'),
    partner(TAY_NINH, 'UBND tỉnh Tây Ninh'),
    partner(ENTERPRISE, 'Tổng công ty (mã doanh nghiệp)'),
    partner(MINISTRY, 'Bộ ngành trung ương'),
    partner(TEST_SYSTEM, 'Hệ thống thử nghiệm trên trục'),
    partner(LONG_AN, 'UBND tỉnh Long An'),
  ]);
  // 1 July 2025: Long An into Tây Ninh; Long An's code is closed, Tây Ninh succeeds it.
  const merged = await mergeProvinces(prisma, SYSTEM, {
    absorbed: 'H43',
    absorbing: 'H53',
    effectiveOn: '2025-07-01',
    mapping: [{ line: 2, oldCode: LONG_AN, newCode: TAY_NINH, newName: null }],
  });
  expect(merged.kind).toBe('merged');
  const log = createSilentLogger();
  broker = createBrokerConnection({ url: vhost.amqpUrl, log });
  const trust = memoryTrustStore({ anchors: [], intermediates: [], crls: [], pins: new Map() });
  relay = createRelayService(
    {
      prisma,
      directory,
      trust: () => trust.load(),
      clock: systemClock,
      log,
      ownOrganId: HUB,
      maxMessageBytes: 8_000_000,
    },
    broker,
    { worker: { idleDelayMs: 50 } },
  );
  broker.start();
  relay.start();
  await waitUntil(() => Promise.resolve(broker.state().kind === 'up'));
  const access = { api: { url: testServices.amqpManagementUrl }, amqpUrl: vhost.amqpUrl, prisma };
  for (const organId of [STC, TAY_NINH, ENTERPRISE, MINISTRY, TEST_SYSTEM])
    partners.set(
      organId,
      await connectPartner(vhost.amqpUrl, organId, await issuePartnerBrokerAccess(access, organId)),
    );
}, 120_000);

afterAll(async () => {
  for (const p of partners.values()) await p.close();
  await relay.stop();
  await broker.stop();
  await prisma.$disconnect();
  await Promise.all([db.drop(), vhost.drop()]);
});

const systemOf = (organId: string) => {
  const found = partners.get(organId);
  if (!found) throw new Error(`no partner ${organId}`);
  return found;
};

/**
 * Submits `body` from `from`'s system and waits until every named recipient's inbox has exactly
 * these bytes (several fixtures share one DocumentId, as the SDK samples do).
 */
async function relayThrough(from: string, body: Buffer, recipients: readonly string[]) {
  systemOf(from).submit(body);
  for (const to of recipients)
    await systemOf(to).waitFor((m) => m.properties.type === 'edoc' && m.content.equals(body), 30_000);
  const sha256 = createHash('sha256').update(body).digest('hex');
  return waitUntil(() => prisma.relayPackage.findFirst({ where: { sha256 }, include: { deliveries: true } }));
}

describe('real axis traffic, relayed end to end', () => {
  it.each([
    'enterprise-sender.edxml',
    'dual-coded-ministry.edxml',
    'trace-absent-codes.edxml',
    'type-71-cong-van.edxml',
    'system-id-sender.edxml',
    'doc-declared-zip.edxml',
    'closed-province-code.edxml',
  ])('%s validates without an error', (name) => {
    const result = validateEdxml(fixture(name));
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("takes an enterprise's package (02 + tax code) to the province and the ministry under its new code", async () => {
    const pkg = await relayThrough(ENTERPRISE, fixture('enterprise-sender.edxml'), [TAY_NINH, MINISTRY]);
    expect(pkg.fromOrganId).toBe(ENTERPRISE);
    expect(pkg.deliveries.map((d) => d.toOrganId).sort()).toEqual([MINISTRY, TAY_NINH].sort());
  });

  it('delivers once to a ministry its To list names by both codes (G12 and 000.00.00.G12)', async () => {
    const body = fixture('dual-coded-ministry.edxml');
    const pkg = await relayThrough(STC, body, [MINISTRY, ENTERPRISE]);
    expect(pkg.deliveries.map((d) => d.toOrganId).sort()).toEqual([ENTERPRISE, MINISTRY].sort());
    // Give a second copy time to arrive, had one been sent.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const copies = systemOf(MINISTRY).inbox.filter((m) => m.content.equals(body));
    expect(copies).toHaveLength(1);
  });

  it('relays packages with empty and null trace codes, a Type 71 Công văn and a placeholder signature', async () => {
    const traced = await relayThrough(STC, fixture('trace-absent-codes.edxml'), [TAY_NINH]);
    // The reference SDK's placeholder (RSA-SHA1, truncated certificate): recorded, never a refusal.
    expect((traced.verdict as { status?: string }).status).toBe('unverifiable');
    const typed = await relayThrough(TAY_NINH, fixture('type-71-cong-van.edxml'), [MINISTRY]);
    expect(typed.deliveries.map((d) => d.toOrganId)).toEqual([MINISTRY]);
  });

  it('relays from a test system that uses its axis system id as OrganId, and a .doc declared as a ZIP', async () => {
    const fromSystem = await relayThrough(TEST_SYSTEM, fixture('system-id-sender.edxml'), [TAY_NINH]);
    expect(fromSystem.fromOrganId).toBe(TEST_SYSTEM.toUpperCase());
    await relayThrough(STC, fixture('doc-declared-zip.edxml'), [TAY_NINH]);
  });

  it('carries a 1.5 MB scanned PDF, byte for byte', async () => {
    const body = Buffer.from(scannedPdfPackage(), 'utf8');
    expect(body.length).toBeGreaterThan(1_500_000);
    await relayThrough(STC, body, [TAY_NINH]);
  });

  it('takes a package addressed to a closed Long An code to Tây Ninh, with the audit entry that says so', async () => {
    const body = fixture('closed-province-code.edxml');
    const pkg = await relayThrough(STC, body, [TAY_NINH]);
    expect(pkg.deliveries.map((d) => d.toOrganId)).toEqual([TAY_NINH]);
    const entry = await prisma.auditEntry.findFirstOrThrow({
      where: { action: 'relay.closed-code', subject: `package:${pkg.id}` },
    });
    expect((entry.data as { note: string }).note).toMatch(
      /^gửi tới mã đã đóng 000\.00\.00\.H43 \(đóng ngày 01\/07\/2025\), chuyển cho UBND tỉnh Tây Ninh 000\.00\.00\.H53/,
    );
    expect((await walkAuditChain(prisma)).kind).toBe('intact');
  });
});
