import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database, MigrationSession } from '../../db/index.ts';
import {
  contentDedupKey,
  fileAnchorSigner,
  readExportedAnchors,
  receiveIntakeItems,
  recordDocumentStatus,
  registerIntakeItem,
  rejectIntakeItem,
  verifyAudit,
  writeAuditAnchor,
  type AuditVerdict,
} from '../../registry/index.ts';
import { fixedClock, type Actor } from '../../shared/index.ts';
import { describeTablesInForeignKeyOrder, quoteIdent } from '../table-catalog.ts';
import { EXACT_TEXT_SETTINGS } from '../write-backup.ts';

/**
 * A hub with something of every kind in it, filled through the registry's own use cases: agencies
 * with addresses and former codes, departments, people, sessions, tokens, intake items (registered,
 * rejected, waiting), documents over two years, versions, statuses, outbox, binary blobs (0x00
 * bytes, an empty one, a multi-MB one), the hash-chained audit trail and an exported anchor.
 */
export const SYSTEM: Actor = { kind: 'system', component: 'backup-test' };
const LEADER_ID = '6f1c2a9e-4b1d-4c56-9a0e-0d2f7e8b1a11';

export type SeededHub = { agencyId: string; pendingItemId: string; bigBlobSize: number };

export async function seedHub(database: Database, dataDir: string): Promise<SeededHub> {
  const prisma = database.prisma;
  const agency = await prisma.agency.create({
    data: {
      organId: '000.00.00.H53',
      name: 'UBND tỉnh Tây Ninh',
      channel: 'hosted',
      emails: { create: [{ address: 'vanthu@tayninh.gov.vn' }] },
      aliases: { create: [{ organId: '000.00.00.H47' }] },
    },
  });
  await prisma.agency.create({
    data: {
      organId: '000.00.12.H53',
      name: 'Sở Y tế',
      channel: 'partner',
      signaturePolicy: 'require_trusted',
    },
  });
  const department = await prisma.department.create({
    data: { agencyId: agency.id, name: 'Phòng Hành chính – Tổ chức' },
  });
  await prisma.user.create({
    data: {
      id: LEADER_ID,
      username: 'lanhdao',
      displayName: 'Nguyễn Thị Ánh',
      passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
      role: 'leader',
      agencyId: agency.id,
      departmentId: department.id,
      mustChangePassword: false,
      sessions: {
        create: [
          {
            tokenHash: 'a'.repeat(64),
            csrfToken: 'b'.repeat(64),
            expiresAt: new Date('2026-12-01T00:00:00.123Z'),
          },
        ],
      },
    },
  });
  await prisma.user.create({
    data: {
      username: 'quantri',
      displayName: 'Quản trị',
      passwordHash: 'x',
      role: 'admin',
      disabledAt: new Date(1),
    },
  });
  await prisma.apiToken.create({
    data: {
      agencyId: agency.id,
      name: 'eOffice Sở Y tế',
      tokenHash: 'c'.repeat(64),
      prefix: 'lt_abc',
      lastUsedAt: new Date(),
    },
  });

  const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const bigBlob = randomBytes(5 * 1024 * 1024 + 7);
  bigBlob[0] = 0;
  const items: string[] = [];
  for (let i = 0; i < 6; i += 1) {
    const raw = Buffer.concat([
      Buffer.from(`<edXMLEnvelope>${i}</edXMLEnvelope>`),
      Buffer.from([0, 0, 0xff, i]),
    ]);
    const [received] = await receiveIntakeItems(prisma, SYSTEM, {
      source: i % 2 === 0 ? 'amqp' : 'smtp',
      raw,
      agencyIds: [agency.id],
      dedupKey: contentDedupKey('000.00.12.H53', raw),
      senderOrganId: i % 2 === 0 ? '000.00.12.H53' : null,
      senderAddress: i % 2 === 0 ? null : 'syt@tayninh.gov.vn',
      documentKey: `000.00.12.H53,2026/11/20,${i}/SYT-VP`,
      subject: `Về việc kiểm tra an toàn thực phẩm đợt ${i}`,
      metadata: {
        subject: `Quyết định về việc kiểm tra đợt ${i} — “Tết” 🎆`,
        code: { number: String(i + 1), notation: `${i + 1}/QĐ-SYT` },
        from: { organId: '000.00.12.H53', organName: 'Sở Y tế' },
        promulgation: { date: '2026-11-20' },
        priority: 2,
        nested: { list: [null, true, 0, 1.5, -1e-7, 'tab\there "quoted" \\ back'] },
      },
      verdicts: [{ status: 'unsigned', checkedAt: '2026-11-20T08:00:00.000+07:00' }],
      attachments:
        i === 0
          ? [
              { name: 'every-byte.bin', contentType: 'application/octet-stream', content: everyByte },
              { name: 'scan.pdf', contentType: 'application/pdf', content: bigBlob },
              { name: 'empty.txt', contentType: 'text/plain', content: new Uint8Array(0) },
            ]
          : [],
    });
    if (received) items.push(received.itemId);
  }
  // Two years: the last second of 2025 in Vietnam time, then 2026, so numbering restarts visibly.
  const clocks = [new Date('2025-12-31T16:59:59.999Z'), new Date('2025-12-31T17:00:00.000Z')];
  for (const [n, itemId] of items.slice(0, 4).entries()) {
    const outcome = await registerIntakeItem(
      prisma,
      SYSTEM,
      itemId,
      { dueOn: '2026-12-31', promulgatedOn: '2026-11-20', departmentId: department.id },
      fixedClock(clocks[n % 2] ?? new Date()),
    );
    if (outcome.kind !== 'registered')
      throw new TypeError(`seeding: registration refused: ${JSON.stringify(outcome)}`);
    if (n === 0)
      await recordDocumentStatus(prisma, SYSTEM, outcome.documentId, { code: '04', assigneeId: LEADER_ID });
  }
  await rejectIntakeItem(prisma, SYSTEM, items[4] ?? '', 'Thiếu chữ ký số; đề nghị gửi lại');

  fs.mkdirSync(path.join(dataDir, 'trust'), { recursive: true });
  fs.writeFileSync(
    path.join(dataDir, 'trust', 'extra-anchor.pem'),
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  );
  fs.mkdirSync(path.join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dataDir, 'secrets', 'cookie.key'), Buffer.from([0, 1, 2, 0, 255]), {
    mode: 0o600,
  });
  await writeAuditAnchor(prisma, fileAnchorSigner(dataDir), dataDir);
  return { agencyId: agency.id, pendingItemId: items[5] ?? '', bigBlobSize: bigBlob.length };
}

/** Every row of every table, as PostgreSQL's exact text, in primary-key order. */
export async function tableSnapshot(database: Database): Promise<Record<string, (string | null)[][]>> {
  return database.withSession(async (session: MigrationSession) => {
    await session.exec('BEGIN');
    try {
      for (const setting of EXACT_TEXT_SETTINGS) await session.exec(setting);
      const snapshot: Record<string, (string | null)[][]> = {};
      for (const table of await describeTablesInForeignKeyOrder(session)) {
        const select = table.columns.map((c, i) => `${quoteIdent(c.name)}::text AS c${i}`).join(', ');
        const { rows } = await session.query<Record<string, string | null>>(
          `SELECT ${select} FROM public.${quoteIdent(table.name)} ORDER BY ${table.primaryKey.map(quoteIdent).join(', ')}`,
        );
        snapshot[table.name] = rows.map((row) => table.columns.map((_, i) => row[`c${i}`] ?? null));
      }
      return snapshot;
    } finally {
      await session.exec('COMMIT');
    }
  });
}

/** The indexes of the public schema, as PostgreSQL would recreate them. */
export async function indexDefinitions(database: Database): Promise<string[]> {
  const { rows } = await database.withSession((session) =>
    session.query<{ def: string }>(
      "SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
    ),
  );
  return rows.map((r) => r.def);
}

export function auditVerdict(database: Database, dataDir: string): Promise<AuditVerdict> {
  return verifyAudit(database.prisma, fileAnchorSigner(dataDir), readExportedAnchors(dataDir));
}

/** Regular files of a data directory (database, lock and control file aside) with mode and bytes. */
export function dataFiles(dataDir: string): Record<string, { mode: number; content: string }> {
  const out: Record<string, { mode: number; content: string }> = {};
  const walk = (dir: string, rel: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const relative = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && ['pglite', 'lienthong.lock', 'control.json'].includes(entry.name)) continue;
      const absolute = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(absolute, relative);
      else
        out[relative] = {
          mode: fs.statSync(absolute).mode & 0o777,
          content: fs.readFileSync(absolute).toString('base64'),
        };
    }
  };
  if (fs.existsSync(dataDir)) walk(dataDir, '');
  return out;
}
