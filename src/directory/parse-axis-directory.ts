import { z } from 'zod';
import { codeKey, organIdForm } from '../shared/index.ts';

/**
 * The national axis's agency directory as `getAgenciesList` returns it (111,339 entries in Oct
 * 2025): a JSON array of `{ code, name, mail }`, where `code` is an OrganId in any form real
 * traffic carries. Real lists have extra fields (ignored), the same code twice, empty or
 * malformed mails and names in NFD; each bad entry is reported with the line it starts on and
 * skipped, never failing the rest.
 */
export type AxisEntry = { line: number; code: string; name: string; mail: string | null };
export type AxisProblem = { line: number; message: string };

export type ParsedAxisDirectory =
  | { kind: 'ok'; entries: AxisEntry[]; problems: AxisProblem[]; duplicates: number }
  | { kind: 'invalid'; problems: AxisProblem[] };

const Mail = z.email();

/** Where each element of the top-level array starts, as a 1-based line number. */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectingElement = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectingElement && ch !== undefined && !/[\s,]/.test(ch)) {
      lines.push(line);
      expectingElement = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectingElement = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectingElement = true;
  }
  return lines;
}

export function parseAxisDirectory(text: string): ParsedAxisDirectory {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return {
      kind: 'invalid',
      problems: [
        { line: 0, message: `Không đọc được JSON / not readable as JSON: ${(error as Error).message}` },
      ],
    };
  }
  // The service's answer may wrap the list ({ "data": [...] }); the list itself is what counts.
  const list = Array.isArray(data)
    ? data
    : data !== null && typeof data === 'object' && Array.isArray((data as { data?: unknown }).data)
      ? (data as { data: unknown[] }).data
      : undefined;
  if (!list)
    return {
      kind: 'invalid',
      problems: [
        { line: 1, message: 'Tệp không phải danh sách cơ quan / the file is not an array of agencies' },
      ],
    };
  const lines = Array.isArray(data) ? elementLines(text) : [];
  const problems: AxisProblem[] = [];
  const entries: AxisEntry[] = [];
  const seen = new Map<string, number>();
  let duplicates = 0;
  list.forEach((raw, index) => {
    const line = lines[index] ?? index + 1;
    const item = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const code = typeof item.code === 'string' ? codeKey(item.code) : '';
    const name = typeof item.name === 'string' ? item.name.trim().normalize('NFC') : '';
    if (!organIdForm(code)) {
      problems.push({
        line,
        message: `Mã định danh "${typeof item.code === 'string' ? item.code : String(item.code)}" không đúng dạng nào / the agency code is none of the accepted forms`,
      });
      return;
    }
    if (name === '' || name.length > 500) {
      problems.push({
        line,
        message: `${code}: tên cơ quan trống hoặc dài quá 500 ký tự / the agency name is empty or longer than 500 characters`,
      });
      return;
    }
    const earlier = seen.get(code);
    if (earlier !== undefined) {
      duplicates++;
      problems.push({
        line,
        message: `${code}: trùng với dòng ${earlier}, giữ mục đầu / the same code as line ${earlier}; the first is kept`,
      });
      return;
    }
    seen.set(code, line);
    let mail: string | null = null;
    const given = typeof item.mail === 'string' ? item.mail.trim().toLowerCase() : '';
    if (given !== '') {
      if (Mail.safeParse(given).success) mail = given;
      else
        problems.push({
          line,
          message: `${code}: thư điện tử "${given}" không hợp lệ, bỏ qua địa chỉ / the mail address is not valid; the agency is kept without it`,
        });
    }
    entries.push({ line, code, name, mail });
  });
  return { kind: 'ok', entries, problems, duplicates };
}
