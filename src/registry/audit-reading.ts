import type { PrismaClient } from '../db/index.ts';
import { isUuid } from '../shared/index.ts';
import {
  actionWords,
  componentWords,
  detailKeyWords,
  detailValueWords,
  type Words,
} from './domain/audit-labels.ts';
import { csvLine } from './domain/csv.ts';
import { vietnamDayAfter, vietnamDayStart } from './domain/registration-year.ts';

/** Which part of the trail an admin reads. Dates are Vietnam calendar days, both ends included. */
export type AuditFilter = {
  agencyId?: string;
  /** an action (user.created), or its first part (user) for every action under it */
  action?: string;
  from?: string;
  to?: string;
  order: 'oldest' | 'newest';
  afterSeq?: bigint;
  beforeSeq?: bigint;
  limit: number;
};

/** One detail of an entry in words: `technical` when its key has no words (shown on request). */
export type AuditDetail = { key: string; label: Words | null; value: string; valueWords: Words };

export type ReadableAuditEntry = {
  seq: string;
  at: Date;
  actor: string;
  actorName: Words;
  agencyId: string | null;
  agency: string | null;
  agencyName: string | null;
  action: string;
  actionWords: Words;
  subject: string | null;
  subjectName: Words | null;
  details: AuditDetail[];
  data: unknown;
  hash: string;
};

// bigserial's ceiling: "before the end" for the first newest-first page.
const MAX_SEQ = 9_223_372_036_854_775_807n;
const same = (text: string): Words => ({ vi: text, en: text });

function where(filter: AuditFilter) {
  const newest = filter.order === 'newest';
  const action = filter.action;
  return {
    ...(filter.agencyId ? { agencyId: filter.agencyId } : {}),
    ...(action ? { OR: [{ action }, { action: { startsWith: `${action}.` } }] } : {}),
    ...(filter.from || filter.to
      ? {
          at: {
            ...(filter.from ? { gte: vietnamDayStart(filter.from) } : {}),
            ...(filter.to ? { lt: vietnamDayAfter(filter.to) } : {}),
          },
        }
      : {}),
    seq: newest ? { lt: filter.beforeSeq ?? MAX_SEQ } : { gt: filter.afterSeq ?? 0n },
  };
}

type Row = Awaited<ReturnType<PrismaClient['auditEntry']['findMany']>>[number];

/** Flattens an entry's data one level deep: `{ before: { departmentId } }` → before — departmentId. */
function flatten(data: unknown, path: string[] = []): { path: string[]; value: unknown }[] {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return [{ path, value: data }];
  if (path.length >= 2) return [{ path, value: JSON.stringify(data) }];
  return Object.entries(data as Record<string, unknown>).flatMap(([key, value]) =>
    flatten(value, [...path, key]),
  );
}

/**
 * The names behind the codes of a page of entries, fetched in one query per kind: users by
 * username and id, tokens, agencies by id and code, documents, intake items and departments.
 */
async function namesFor(prisma: PrismaClient, rows: Row[]) {
  const values = rows.flatMap((row) => flatten(row.data).map((d) => d.value));
  const uuids = new Set<string>();
  const idsOf = (prefix: string) =>
    rows.flatMap((row) =>
      row.subject?.startsWith(`${prefix}:`) ? [row.subject.slice(prefix.length + 1)] : [],
    );
  for (const value of values) if (typeof value === 'string' && isUuid(value)) uuids.add(value);
  const userIds = [...uuids, ...idsOf('user')].filter(isUuid);
  const usernames = rows.flatMap((row) => (row.actor.startsWith('user:') ? [row.actor.slice(5)] : []));
  const tokenIds = [
    ...rows.flatMap((row) => (row.actor.startsWith('token:') ? [row.actor.slice(6)] : [])),
    ...idsOf('token'),
  ].filter(isUuid);
  const organIds = idsOf('agency');
  const agencyIds = rows.flatMap((row) => (row.agencyId ? [row.agencyId] : []));
  const documentIds = [...idsOf('document'), ...uuids].filter(isUuid);
  const itemIds = [...idsOf('intake'), ...uuids].filter(isUuid);
  const [users, tokens, agencies, documents, items, departments] = await Promise.all([
    prisma.user.findMany({
      where: { OR: [{ id: { in: userIds } }, { username: { in: usernames } }] },
      select: { id: true, username: true, displayName: true },
    }),
    prisma.apiToken.findMany({ where: { id: { in: tokenIds } }, select: { id: true, name: true } }),
    prisma.agency.findMany({
      where: { OR: [{ id: { in: agencyIds } }, { organId: { in: organIds } }] },
      select: { id: true, organId: true, name: true },
    }),
    prisma.document.findMany({
      where: { id: { in: documentIds } },
      select: { id: true, direction: true, number: true, year: true, subject: true },
    }),
    prisma.intakeItem.findMany({ where: { id: { in: itemIds } }, select: { id: true, subject: true } }),
    prisma.department.findMany({ where: { id: { in: [...uuids] } }, select: { id: true, name: true } }),
  ]);
  const documentName = (d: (typeof documents)[number]): Words =>
    d.direction === 'incoming'
      ? {
          vi: `Văn bản đến số ${d.number}/${d.year}: ${d.subject}`,
          en: `Incoming ${d.number}/${d.year}: ${d.subject}`,
        }
      : {
          vi: `Văn bản đi số ${d.number}/${d.year}: ${d.subject}`,
          en: `Outgoing ${d.number}/${d.year}: ${d.subject}`,
        };
  const byId = new Map<string, Words>([
    ...users.map((u) => [u.id, same(`${u.displayName} (${u.username})`)] as const),
    ...departments.map((d) => [d.id, same(d.name)] as const),
    ...items.map((i) => [i.id, same(i.subject ?? '—')] as const),
    ...documents.map((d) => [d.id, documentName(d)] as const),
  ]);
  return {
    byId,
    user: new Map(users.map((u) => [u.username, u.displayName])),
    token: new Map(tokens.map((t) => [t.id, t.name])),
    agencyById: new Map(agencies.map((a) => [a.id, a])),
    agencyByCode: new Map(agencies.map((a) => [a.organId, a.name])),
  };
}

type Names = Awaited<ReturnType<typeof namesFor>>;

function actorName(actor: string, names: Names): Words {
  const [kind = '', ...rest] = actor.split(':');
  const id = rest.join(':');
  if (kind === 'user') {
    const name = names.user.get(id);
    return same(name ? `${name} (${id})` : id);
  }
  if (kind === 'token') {
    const name = names.token.get(id);
    return name
      ? { vi: `Hệ thống đối tác (token “${name}”)`, en: `Partner system (token “${name}”)` }
      : { vi: 'Hệ thống đối tác (token đã xóa)', en: 'Partner system (deleted token)' };
  }
  if (kind === 'system') return componentWords(id);
  if (kind === 'broker')
    return { vi: `Hệ thống đối tác qua RabbitMQ (${id})`, en: `Partner system over RabbitMQ (${id})` };
  if (kind === 'axis')
    return { vi: `Trục liên thông quốc gia (${id})`, en: `National document axis (${id})` };
  if (kind === 'agency') {
    const name = names.agencyByCode.get(id);
    return { vi: `Cơ quan ${name ?? id}`, en: `Agency ${name ?? id}` };
  }
  return same(actor);
}

function subjectName(subject: string | null, names: Names): Words | null {
  if (!subject) return null;
  const [kind = '', ...rest] = subject.split(':');
  const id = rest.join(':');
  const known = names.byId.get(id);
  if (known) return known;
  switch (kind) {
    case 'agency':
      return same(names.agencyByCode.get(id) ? `${names.agencyByCode.get(id)} (${id})` : id);
    case 'token':
      return same(names.token.get(id) ?? id);
    case 'province':
      return { vi: `Tỉnh mã ${id}`, en: `Province ${id}` };
    case 'package':
      return { vi: 'Gói tin edXML', en: 'edXML package' };
    case 'message':
      return { vi: 'Thư lỗi trong hàng đợi', en: 'Dead letter' };
    default:
      return null;
  }
}

function details(data: unknown, names: Names): AuditDetail[] {
  return flatten(data)
    .filter(({ path, value }) => path.length > 0 && value !== undefined && value !== null && value !== '')
    .map(({ path, value }) => {
      const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
      const named = isUuid(text) ? names.byId.get(text) : undefined;
      return {
        key: path.join('.'),
        label: detailKeyWords(path) ?? null,
        value: text,
        valueWords: named ?? detailValueWords(text),
      };
    });
}

async function describe(prisma: PrismaClient, rows: Row[]): Promise<ReadableAuditEntry[]> {
  const names = await namesFor(prisma, rows);
  return rows.map((row) => {
    const agency = row.agencyId ? names.agencyById.get(row.agencyId) : undefined;
    return {
      seq: row.seq.toString(),
      at: row.at,
      actor: row.actor,
      actorName: actorName(row.actor, names),
      agencyId: row.agencyId,
      agency: agency?.organId ?? null,
      agencyName: agency?.name ?? null,
      action: row.action,
      actionWords: actionWords(row.action),
      subject: row.subject,
      subjectName: subjectName(row.subject, names),
      details: details(row.data, names),
      data: row.data,
      hash: row.hash,
    };
  });
}

/** A page of the audit trail in words, for admins (it spans every agency and every sign-in). */
export async function readAuditTrail(prisma: PrismaClient, filter: AuditFilter) {
  const rows = await prisma.auditEntry.findMany({
    where: where(filter),
    orderBy: { seq: filter.order === 'newest' ? 'desc' : 'asc' },
    take: filter.limit,
  });
  const entries = await describe(prisma, rows);
  const last = rows.length === filter.limit ? (entries.at(-1)?.seq ?? null) : null;
  return {
    entries,
    nextAfterSeq: filter.order === 'newest' ? null : last,
    nextBeforeSeq: filter.order === 'newest' ? last : null,
  };
}

const VIETNAM = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

const CSV_COLUMNS: Record<'vi' | 'en', string[]> = {
  vi: [
    'Số thứ tự',
    'Thời điểm (giờ Việt Nam)',
    'Người thực hiện',
    'Cơ quan',
    'Thao tác',
    'Đối tượng',
    'Chi tiết',
  ],
  en: ['Entry', 'Time (Vietnam)', 'By', 'Agency', 'Action', 'Subject', 'Details'],
};

/**
 * The filtered trail as CSV in words (UTF-8 with BOM, for spreadsheet programs), oldest first, in
 * pages so a year of entries never sits in memory whole.
 */
export async function* exportAuditTrail(
  prisma: PrismaClient,
  filter: Omit<AuditFilter, 'order' | 'afterSeq' | 'beforeSeq' | 'limit'>,
  lang: 'vi' | 'en',
): AsyncGenerator<string> {
  yield `\uFEFF${csvLine(CSV_COLUMNS[lang])}`;
  let afterSeq: bigint | undefined;
  for (;;) {
    const page = await readAuditTrail(prisma, {
      ...filter,
      order: 'oldest',
      ...(afterSeq === undefined ? {} : { afterSeq }),
      limit: 500,
    });
    let chunk = '';
    for (const e of page.entries)
      chunk += csvLine([
        e.seq,
        VIETNAM.format(e.at),
        e.actorName[lang],
        e.agencyName ? `${e.agencyName} (${e.agency})` : '',
        e.actionWords[lang],
        e.subjectName?.[lang] ?? '',
        e.details
          .filter((d) => d.label)
          .map((d) => `${d.label?.[lang]}: ${d.valueWords[lang]}`)
          .join('; '),
      ]);
    if (chunk) yield chunk;
    if (!page.nextAfterSeq) return;
    afterSeq = BigInt(page.nextAfterSeq);
  }
}
