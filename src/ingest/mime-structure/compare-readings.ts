/**
 * The verdict on one message from its two readings: mailparser's (what the hub stores and shows)
 * and the strict one (read-mime-structure.ts). Attachments are matched by their bytes, wherever
 * each reading found them (a forwarded message mailparser opened inline, a TNEF it unpacked).
 *
 * - quarantine: the readings disagree about which attachments exist, their bytes or their names,
 *   or the strict reading found a construct that other readers resolve into other parts or bytes;
 * - flag: an attachment has more than one name a reader could show (every candidate is listed);
 * - notes only: off-standard but read alike (a missing final boundary, an unknown charset).
 * Texts are Vietnamese, then English, as every reason the hub gives.
 */
import { createHash } from 'node:crypto';
import type { ExtractedAttachment } from '../parse-message.ts';
import {
  describePart,
  type Finding,
  type StrictAttachment,
  type StrictReading,
} from './read-mime-structure.ts';

export type ReadingEntry = {
  path: string;
  name: string | null;
  size: number;
  sha256: string;
  contentType: string;
};

export type MimeVerdict = {
  verdict: 'agree' | 'flag' | 'quarantine';
  /** the quarantine reason, when quarantined */
  reason: string | null;
  /** why it is flagged, when an attachment name is ambiguous */
  flagReason: string | null;
  flags: string[];
  /** each ambiguous attachment with every name a reader could show */
  ambiguousNames: { part: string; candidates: string[] }[];
  /** why flagged or quarantined, item by item, and the harmless oddities */
  findings: Pick<Finding, 'severity' | 'code' | 'part' | 'header' | 'vi' | 'en'>[];
  /** both readings side by side */
  readings: { strict: ReadingEntry[]; mailparser: ReadingEntry[] };
};

export const MIME_FLAGS = { gap: 'mime-gap', ambiguousName: 'ambiguous-attachment-name' } as const;

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MAX_REASON_ITEMS = 4;

type Item = { vi: string; en: string };

export function compareReadings(
  strict: StrictReading,
  mailparser: readonly ExtractedAttachment[],
): MimeVerdict & {
  /** strict attachments with bytes mailparser did not yield: the scanner sees them too */
  unseen: StrictAttachment[];
} {
  const mp = mailparser.map((a) => ({ a, sha: sha(a.content), used: false }));
  const st = strict.attachments.map((a) => ({ a, sha: sha(a.content) }));
  const disagreements: Item[] = [];
  const unseen: StrictAttachment[] = [];
  for (const s of st) {
    const match = mp.find((m) => !m.used && m.sha === s.sha);
    if (!match) {
      unseen.push(s.a);
      disagreements.push({
        vi: `cách đọc chặt chẽ thấy ${strictLabel(s.a, 'vi')} mà mailparser không thấy (mailparser thấy: ${mailparserList(mp, 'vi')})`,
        en: `the strict reading finds ${strictLabel(s.a, 'en')} that mailparser does not yield (mailparser yields: ${mailparserList(mp, 'en')})`,
      });
      continue;
    }
    match.used = true;
    const mpName = match.a.name.normalize('NFC');
    const nameless = /^attachment-[0-9a-z-]+$|^forwarded\.eml$/.test(mpName);
    if (s.a.name === null ? !nameless : mpName !== s.a.name) {
      const at = describePart(s.a.path);
      disagreements.push({
        vi: `${at.vi}: cách đọc chặt chẽ đặt tên ${s.a.name === null ? 'không có tên' : `"${s.a.name}"`}, mailparser đặt tên "${mpName}"`,
        en: `${at.en}: the strict reading names it ${s.a.name === null ? 'nothing' : `"${s.a.name}"`}, mailparser "${mpName}"`,
      });
    }
  }
  for (const m of mp)
    if (!m.used)
      disagreements.push({
        vi: `mailparser thấy "${m.a.name}" (${m.a.content.length} byte, ${m.a.path}) mà cách đọc chặt chẽ không thấy (cách đọc chặt chẽ thấy: ${strictList(strict.attachments, 'vi')})`,
        en: `mailparser yields "${m.a.name}" (${m.a.content.length} bytes, ${m.a.path}) that the strict reading does not find (strict reading: ${strictList(strict.attachments, 'en')})`,
      });
  const conflicts = strict.findings.filter((f) => f.severity === 'conflict');
  const ambiguousNames = strict.attachments
    .filter((a) => a.candidates.length > 1)
    .map((a) => ({ part: a.path, candidates: a.candidates }));
  const items = [...disagreements, ...conflicts.map((f) => ({ vi: f.vi, en: f.en }))];
  const flags: string[] = [];
  let reason: string | null = null;
  if (items.length > 0) {
    flags.push(MIME_FLAGS.gap);
    reason = quarantineReason(items);
  }
  if (ambiguousNames.length > 0 || strict.findings.some((f) => f.severity === 'ambiguous'))
    flags.push(MIME_FLAGS.ambiguousName);
  const flagReason = ambiguityReason(
    ambiguousNames,
    // the candidates say it for a part that has them; the other findings for parts that do not
    strict.findings.filter(
      (f) =>
        f.severity === 'ambiguous' &&
        f.code !== 'ambiguous-name' &&
        !ambiguousNames.some((n) => n.part === f.part),
    ),
  );
  const findings = [
    ...disagreements.map((d) => ({
      severity: 'conflict' as const,
      code: 'readings-disagree',
      part: '',
      header: null,
      ...d,
    })),
    ...strict.findings,
  ];
  return {
    verdict: reason ? 'quarantine' : flags.length > 0 ? 'flag' : 'agree',
    reason,
    flagReason,
    flags,
    ambiguousNames,
    findings,
    readings: {
      strict: st.map(({ a, sha: hash }) => ({
        path: a.path,
        name: a.name,
        size: a.content.length,
        sha256: hash,
        contentType: a.contentType,
      })),
      mailparser: mp.map(({ a, sha: hash }) => ({
        path: a.path,
        name: a.name,
        size: a.content.length,
        sha256: hash,
        contentType: a.contentType,
      })),
    },
    unseen,
  };
}

function ambiguityReason(
  names: { part: string; candidates: string[] }[],
  others: readonly Finding[],
): string | null {
  if (names.length === 0 && others.length === 0) return null;
  const vi = [
    ...names.map((n) => `${describePart(n.part).vi}: ${n.candidates.map((c) => `"${c}"`).join(' hoặc ')}`),
    ...others.map((f) => f.vi),
  ].join('; ');
  const en = [
    ...names.map((n) => `${describePart(n.part).en}: ${n.candidates.map((c) => `"${c}"`).join(' or ')}`),
    ...others.map((f) => f.en),
  ].join('; ');
  return `Tên tệp đính kèm không rõ ràng, chương trình đọc thư có thể hiển thị tên khác: ${vi}. / Ambiguous attachment names, a mail program may show another one: ${en}.`;
}

function quarantineReason(items: Item[]): string {
  const shown = items.slice(0, MAX_REASON_ITEMS);
  const more = items.length - shown.length;
  const vi = shown.map((i) => i.vi).join('; ') + (more > 0 ? `; và ${more} điểm khác` : '');
  const en = shown.map((i) => i.en).join('; ') + (more > 0 ? `; and ${more} more` : '');
  return `Thư có thể giấu tệp đính kèm: hai cách đọc cấu trúc MIME không khớp nhau hoặc thư dùng cấu trúc ngoài chuẩn mà các chương trình đọc thư hiểu khác nhau — ${vi}. / The message may hide an attachment: the two readings of its MIME structure disagree, or it uses off-standard structure that mail programs read differently — ${en}.`;
}

function strictLabel(a: StrictAttachment, lang: 'vi' | 'en'): string {
  const at = describePart(a.path);
  const name = a.name === null ? (lang === 'vi' ? 'tệp không tên' : 'a nameless file') : `"${a.name}"`;
  const carrier =
    a.carrier === 'mime'
      ? ''
      : lang === 'vi'
        ? `, mã hoá ${a.carrier} trong thân thư`
        : `, ${a.carrier}-encoded in a text body`;
  return lang === 'vi'
    ? `${name} (${a.content.length} byte, ${at.vi}${carrier})`
    : `${name} (${a.content.length} bytes, ${at.en}${carrier})`;
}

function mailparserList(mp: { a: ExtractedAttachment }[], lang: 'vi' | 'en'): string {
  if (mp.length === 0) return lang === 'vi' ? 'không có tệp nào' : 'no attachment';
  const unit = lang === 'vi' ? 'byte' : 'bytes';
  return mp
    .slice(0, 5)
    .map(({ a }) => `"${a.name}" ${a.content.length} ${unit}`)
    .join(', ');
}

function strictList(list: readonly StrictAttachment[], lang: 'vi' | 'en'): string {
  if (list.length === 0) return lang === 'vi' ? 'không có tệp nào' : 'no attachment';
  return list
    .slice(0, 5)
    .map((a) => strictLabel(a, lang))
    .join(', ');
}
