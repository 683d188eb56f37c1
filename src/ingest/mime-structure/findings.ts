/**
 * What the strict reading reports about a part: a finding names the part and the header, says
 * how severe it is, and reads in Vietnamese and English (every reason the hub gives does).
 */
import type { Parameter, ParameterIssue } from './header-fields.ts';

export type FindingSeverity =
  /** readers disagree about the parts, their bytes or their names: quarantine */
  | 'conflict'
  /** an attachment has more than one name a reader could show: flag with every candidate */
  | 'ambiguous'
  /** off-standard but read alike: noted only */
  | 'harmless';

export type Finding = {
  code: string;
  severity: FindingSeverity;
  /** "" is the message itself; "2.1" the first part of its second part; "2/forwarded/1" inside a message/rfc822 */
  part: string;
  header: string | null;
  vi: string;
  en: string;
};

/** Where findings are collected while one message is read. */
export type FindingLog = { findings: Finding[]; eightBitNoted: boolean };

export const MAX_FINDINGS = 200;

export const where = (part: string) =>
  part === ''
    ? { vi: 'phần gốc của thư', en: 'the message itself' }
    : { vi: `phần ${part}`, en: `part ${part}` };

export function note(
  ctx: FindingLog,
  severity: FindingSeverity,
  code: string,
  part: string,
  header: string | null,
  vi: string,
  en: string,
): void {
  if (ctx.findings.length >= MAX_FINDINGS) return;
  if (ctx.findings.some((f) => f.code === code && f.part === part && f.header === header && f.en === en))
    return;
  ctx.findings.push({ code, severity, part, header, vi, en });
}

/** Duplicated MIME fields: equal copies are harmless, different ones a conflict (readers take the first or the last). */
export function distinctValues(ctx: FindingLog, values: string[], header: string, path: string): string[] {
  const at = where(path);
  const normalized = [...new Set(values.map((v) => v.replace(/\s+/g, ' ').trim()))];
  if (normalized.length > 1)
    note(
      ctx,
      'conflict',
      'duplicate-header',
      path,
      header,
      `${at.vi}: có ${values.length} trường ${header} khác nhau (${normalized.map((v) => `"${v.slice(0, 80)}"`).join(' / ')}); trình đọc lấy trường đầu sẽ thấy khác trình đọc lấy trường cuối`,
      `${at.en}: ${values.length} different ${header} fields (${normalized.map((v) => `"${v.slice(0, 80)}"`).join(' / ')}); a reader that takes the first sees something else than one that takes the last`,
    );
  else if (values.length > 1)
    note(
      ctx,
      'harmless',
      'repeated-header',
      path,
      header,
      `${at.vi}: trường ${header} lặp lại ${values.length} lần với cùng giá trị`,
      `${at.en}: the ${header} field appears ${values.length} times with one value`,
    );
  return normalized;
}

export function junkFinding(
  ctx: FindingLog,
  path: string,
  header: string,
  junk: string[],
  severity: FindingSeverity,
): void {
  const at = where(path);
  const text = junk.map((j) => `"${j}"`).join(', ');
  note(
    ctx,
    severity,
    'header-syntax',
    path,
    header,
    `${at.vi}: trường ${header} có phần không đúng cú pháp: ${text}`,
    `${at.en}: the ${header} field has text outside its syntax: ${text}`,
  );
}

export function parameterFindings(
  ctx: FindingLog,
  path: string,
  header: string,
  params: Map<string, Parameter>,
): void {
  const at = where(path);
  for (const [name, param] of params) {
    const isName = name === 'name' || name === 'filename';
    if (name === 'boundary') continue; // judged against the delimiter lines (readMultipart)
    for (const issue of param.issues) {
      const d = describeIssue(issue);
      const severity: FindingSeverity =
        issue.kind === 'unknown-charset' || issue.kind === 'attribute-case'
          ? 'harmless'
          : isName
            ? 'ambiguous'
            : 'harmless';
      note(
        ctx,
        severity,
        `parameter-${issue.kind}`,
        path,
        header,
        `${at.vi}: tham số ${name} của ${header}: ${d.vi}`,
        `${at.en}: the ${name} parameter of ${header}: ${d.en}`,
      );
    }
  }
}

export function describeIssue(issue: ParameterIssue): { vi: string; en: string } {
  const q = (v: string) => `"${v.slice(0, 100)}"`;
  switch (issue.kind) {
    case 'duplicate':
      return {
        vi: `khai báo nhiều lần với giá trị khác nhau ${issue.values.map(q).join(' / ')}`,
        en: `given more than once with different values ${issue.values.map(q).join(' / ')}`,
      };
    case 'continuation-order':
      return {
        vi: `các đoạn RFC 2231 không theo thứ tự (${issue.order.join(', ')})`,
        en: `RFC 2231 sections out of order (${issue.order.join(', ')})`,
      };
    case 'continuation-gap':
      return {
        vi: `các đoạn RFC 2231 bị thiếu (có ${issue.sections.join(', ')})`,
        en: `RFC 2231 sections missing (found ${issue.sections.join(', ')})`,
      };
    case 'continuation-duplicate':
      return {
        vi: `đoạn RFC 2231 số ${issue.section} xuất hiện hai lần`,
        en: `RFC 2231 section ${issue.section} given twice`,
      };
    case 'plain-and-extended':
      return {
        vi: `vừa có dạng thường ${q(issue.plain)} vừa có dạng RFC 2231 ${q(issue.extended)}`,
        en: `given both plain ${q(issue.plain)} and in RFC 2231 form ${q(issue.extended)}`,
      };
    case 'encoded-word-in-extended':
      return {
        vi: `giá trị RFC 2231 chứa từ mã hoá RFC 2047; giải mã hai lần thành ${q(issue.decodedTwice)}`,
        en: `the RFC 2231 value holds an RFC 2047 word; decoded twice it reads ${q(issue.decodedTwice)}`,
      };
    case 'lenient-reading':
      return {
        vi: `trình đọc dễ dãi đọc thành ${q(issue.lenient)}`,
        en: `a lenient reader reads ${q(issue.lenient)}`,
      };
    case 'unknown-charset':
      return {
        vi: `bảng mã không biết "${issue.charset.slice(0, 40)}"`,
        en: `unknown charset "${issue.charset.slice(0, 40)}"`,
      };
    case 'attribute-case':
      return {
        vi: `tên tham số viết hoa thường lẫn lộn (${issue.spelled.slice(0, 40)})`,
        en: `mixed-case parameter name (${issue.spelled.slice(0, 40)})`,
      };
  }
}
