import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentPackage, statusPackage } from '../../test/support/relay-fixtures.ts';
import { prismaFor, SYSTEM } from '../../test/support/registry-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import type { PrismaClient } from '../db/index.ts';
import { createPrismaAgencyDirectory, mergeProvinces, type Agency } from '../directory/index.ts';
import type { EdocPackage } from '../edxml/index.ts';
import { walkAuditChain } from '../registry/index.ts';
import { createSilentLogger, systemClock } from '../shared/index.ts';
import { memoryTrustStore } from '../signing/index.ts';
import type { RelayDeps } from './relay-deps.ts';
import { readerOf, routeDocument, submitPackage, type Submitter } from './submit-package.ts';

/**
 * Traffic addressed to codes a province merger closed (issue #14), through the real submit path on
 * PostgreSQL: delivered to the successor with the audit trail saying so, never refused for it.
 * H43 stands for Long An; the number is illustrative.
 */
const SENDER = '000.00.10.H41'; // Sở Nội vụ Nghệ An, a partner
const LONG_AN = '000.00.00.H43';
const TAY_NINH = '000.00.00.H53';
const LONG_AN_HEALTH = '000.00.12.H43';
const NEW_HEALTH = '000.00.32.H53';

const agency = (organId: string, name: string, extra: Partial<Agency> = {}): Agency => ({
  organId,
  name,
  channel: 'partner',
  signaturePolicy: 'record_only',
  emails: [],
  aliases: [],
  ...extra,
});

let db: TestDatabase;
let prisma: PrismaClient;
let deps: RelayDeps;
const submitterFor = (organId: string): Submitter => ({ via: 'cli', organId, label: `test:${organId}` });

beforeAll(async () => {
  db = await createTestDatabase('closed_codes');
  prisma = prismaFor(db.url);
  const directory = createPrismaAgencyDirectory(prisma);
  await directory.upsertAll([
    agency(SENDER, 'Sở Nội vụ Nghệ An'),
    agency(LONG_AN, 'UBND tỉnh Long An'),
    agency(TAY_NINH, 'UBND tỉnh Tây Ninh'),
    agency(LONG_AN_HEALTH, 'Sở Y tế Long An'),
    agency('G12', 'Bộ Khoa học và Công nghệ'),
  ]);
  const trust = memoryTrustStore({ anchors: [], intermediates: [], crls: [], pins: new Map() });
  deps = {
    prisma,
    directory,
    trust: () => trust.load(),
    clock: systemClock,
    log: createSilentLogger(),
    ownOrganId: TAY_NINH,
    maxMessageBytes: 5_000_000,
  };
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

const documentId = `${SENDER},2025/06/20,55/SNV-VP`;
const sentByLongAn = `${LONG_AN_HEALTH},2025/06/25,12/SYT-VP`;

describe('documents sent before the merger, and answered after it', () => {
  it('are delivered under the codes of the time', async () => {
    const outcome = await submitPackage(
      deps,
      submitterFor(SENDER),
      documentPackage({ from: SENDER, to: [LONG_AN_HEALTH], documentId }),
    );
    expect(outcome).toMatchObject({ kind: 'accepted', recipients: [LONG_AN_HEALTH] });
    const fromLongAn = await submitPackage(
      deps,
      submitterFor(LONG_AN_HEALTH),
      documentPackage({ from: LONG_AN_HEALTH, to: [SENDER], documentId: sentByLongAn }),
    );
    expect(fromLongAn).toMatchObject({ kind: 'accepted', recipients: [SENDER] });
  });

  it('merges Long An into Tây Ninh', async () => {
    const merged = await mergeProvinces(prisma, SYSTEM, {
      absorbed: 'H43',
      absorbing: 'H53',
      effectiveOn: '2025-07-01',
      mapping: [
        { line: 2, oldCode: LONG_AN, newCode: TAY_NINH, newName: null },
        { line: 3, oldCode: LONG_AN_HEALTH, newCode: NEW_HEALTH, newName: 'Sở Y tế Tây Ninh (cơ sở 2)' },
      ],
    });
    expect(merged.kind).toBe('merged');
  });

  it('moves the delivery when the status comes from the agency under its new code', async () => {
    const outcome = await submitPackage(
      deps,
      submitterFor(NEW_HEALTH),
      statusPackage({ from: NEW_HEALTH, answering: SENDER, documentId, code: '03' }),
    );
    expect(outcome.kind).toBe('accepted');
    const delivery = await prisma.relayDelivery.findFirstOrThrow({
      where: { package: { documentKey: documentId, kind: 'edoc' } },
    });
    expect(delivery).toMatchObject({ toOrganId: LONG_AN_HEALTH, state: 'accepted' });
  });
});

describe('packages addressed to a closed code', () => {
  it('go to the successor, with an audit entry that says so in words', async () => {
    const outcome = await submitPackage(
      deps,
      submitterFor(SENDER),
      documentPackage({ from: SENDER, to: [LONG_AN] }),
    );
    expect(outcome).toMatchObject({ kind: 'accepted', recipients: [TAY_NINH] });
    if (outcome.kind !== 'accepted') return;
    const deliveries = await prisma.relayDelivery.findMany({ where: { packageId: outcome.packageId } });
    expect(deliveries.map((d) => d.toOrganId)).toEqual([TAY_NINH]);
    const outbox = await prisma.outboxMessage.findMany({
      where: { headers: { path: ['packageId'], equals: outcome.packageId } },
    });
    expect(outbox.map((o) => o.targetOrganId)).toEqual([TAY_NINH]);
    const entry = await prisma.auditEntry.findFirstOrThrow({
      where: { action: 'relay.closed-code', subject: `package:${outcome.packageId}` },
    });
    expect((entry.data as { note: string }).note).toMatch(
      /^gửi tới mã đã đóng 000\.00\.00\.H43 \(đóng ngày 01\/07\/2025\), chuyển cho UBND tỉnh Tây Ninh 000\.00\.00\.H53 \(sáp nhập\)/,
    );
    expect(JSON.stringify(deliveries[0]?.history)).toContain('gửi tới mã đã đóng 000.00.00.H43');
    expect((await walkAuditChain(prisma)).kind).toBe('intact');
  });

  it('naming the closed code and its successor in one To list, make one delivery', async () => {
    const outcome = await submitPackage(
      deps,
      submitterFor(SENDER),
      documentPackage({ from: SENDER, to: [LONG_AN, TAY_NINH] }),
    );
    expect(outcome).toMatchObject({ kind: 'accepted', recipients: [TAY_NINH] });
    if (outcome.kind !== 'accepted') return;
    expect(await prisma.relayDelivery.count({ where: { packageId: outcome.packageId } })).toBe(1);
  });

  it('from the successor itself under its closed code are sent as the successor', async () => {
    const outcome = await submitPackage(
      deps,
      submitterFor(NEW_HEALTH),
      documentPackage({ from: LONG_AN_HEALTH, to: [SENDER] }),
    );
    expect(outcome).toMatchObject({ kind: 'accepted', recipients: [SENDER] });
  });
});

describe('a status whose ResponseFor names a closed code', () => {
  it('reaches the successor and moves the delivery of the document sent under that code', async () => {
    // The recipient's software still knows the sender by its code before the merger.
    const status = await submitPackage(
      deps,
      submitterFor(SENDER),
      statusPackage({ from: SENDER, answering: LONG_AN_HEALTH, documentId: sentByLongAn, code: '03' }),
    );
    expect(status).toMatchObject({ kind: 'accepted', recipients: [NEW_HEALTH] });
    const delivery = await prisma.relayDelivery.findFirstOrThrow({
      where: { toOrganId: SENDER, package: { documentKey: sentByLongAn, kind: 'edoc' } },
    });
    expect(delivery.state).toBe('accepted');
    const entry = await prisma.auditEntry.findFirst({
      where: { action: 'relay.closed-code', data: { path: ['given'], equals: LONG_AN_HEALTH } },
    });
    expect(entry).not.toBeNull();
  });
});

describe('a ministry named by both forms of its code (QĐ 09/2025 change-over)', () => {
  it('is one recipient', async () => {
    // Routed as the submit path routes; the edXML reader of today refuses G12 in To before routing.
    const pkg = { to: [{ organId: 'G12' }, { organId: '000.00.00.G12' }] } as unknown as EdocPackage;
    const routing = await routeDocument(readerOf(prisma), pkg, SENDER);
    expect(routing).toEqual({ kind: 'routed', recipients: ['G12'], redirects: [] });
  });
});
