import type { PrismaClient } from '../db/index.ts';
import { agencyScope, type Actor, HubError } from '../shared/index.ts';
import { csvLine } from './domain/csv.ts';
import { vietnamDate, vietnamDayAfter, vietnamDayStart } from './domain/registration-year.ts';
import { senderAgencyNames } from './sender-name.ts';

/**
 * The register books of Nghị định 30/2020, Phụ lục IV, as CSV (UTF-8 with BOM so spreadsheet
 * programs show Vietnamese correctly). Columns the hub cannot know (Ký nhận, Ghi chú) stay empty
 * for the clerk to fill on paper.
 */
const INCOMING_COLUMNS = [
  'Ngày đến',
  'Số đến',
  'Tác giả',
  'Số, ký hiệu văn bản',
  'Ngày tháng văn bản',
  'Tên loại và trích yếu nội dung',
  'Đơn vị hoặc người nhận',
  'Ký nhận',
  'Ghi chú',
];
const OUTGOING_COLUMNS = [
  'Số, ký hiệu văn bản',
  'Ngày tháng văn bản',
  'Tên loại và trích yếu nội dung',
  'Người ký',
  'Nơi nhận văn bản',
  'Đơn vị, người nhận bản lưu',
  'Số lượng bản',
  'Ngày chuyển',
  'Ký nhận',
  'Ghi chú',
];

const line = csvLine;
const dmy = (date: Date | null) =>
  date ? date.toISOString().slice(0, 10).split('-').reverse().join('/') : '';

export type RegisterBookRange = {
  direction: 'incoming' | 'outgoing';
  from: string;
  to: string;
  agencyId?: string;
};

/** Yields the CSV in pieces, page by page, so a year's book never sits in memory whole. */
export async function* exportRegisterBook(
  prisma: PrismaClient,
  actor: Actor,
  range: RegisterBookRange,
): AsyncGenerator<string> {
  const scope = agencyScope(actor) ?? range.agencyId;
  if (!scope)
    throw new HubError('REGISTRY_AGENCY_REQUIRED', 'choose the agency whose register book to export');
  yield `\uFEFF${line(range.direction === 'incoming' ? INCOMING_COLUMNS : OUTGOING_COLUMNS)}`;
  let after: { year: number; number: number } | undefined;
  for (;;) {
    const page = await prisma.document.findMany({
      where: {
        agencyId: scope,
        direction: range.direction,
        registeredAt: {
          gte: vietnamDayStart(range.from),
          lt: vietnamDayAfter(range.to),
        },
        ...(after
          ? { OR: [{ year: { gt: after.year } }, { year: after.year, number: { gt: after.number } }] }
          : {}),
      },
      orderBy: [{ year: 'asc' }, { number: 'asc' }],
      take: 1000,
      include: { department: true, assignee: true },
    });
    if (page.length === 0) return;
    // Documents registered without a sender's name still print one: the directory's.
    const names = await senderAgencyNames(
      prisma,
      page.filter((d) => !d.senderName).map((d) => d.senderOrganId),
    );
    for (const d of page) {
      const subject = [d.documentType, d.subject].filter(Boolean).join(': ');
      const recipient = d.assignee?.displayName ?? d.department?.name ?? '';
      yield range.direction === 'incoming'
        ? line([
            dmy(new Date(`${vietnamDate(d.registeredAt)}T00:00:00Z`)),
            d.number,
            d.senderName ?? names.get(d.senderOrganId?.toUpperCase() ?? '') ?? d.senderOrganId,
            d.notation,
            dmy(d.promulgatedOn),
            subject,
            recipient,
            '',
            '',
          ])
        : line([
            d.notation ?? `${d.number}`,
            dmy(d.promulgatedOn),
            subject,
            d.signer,
            d.senderName,
            recipient,
            '',
            '',
            '',
            '',
          ]);
    }
    const last = page[page.length - 1];
    if (!last) return;
    after = { year: last.year, number: last.number };
  }
}
