import { parse } from 'csv-parse/sync';
import { codeKey, organIdForm } from '../shared/index.ts';

/**
 * The mapping of a province merger as the official list gives it (UTF-8 CSV, header row):
 *   oldCode,newCode,newName
 * One row per agency of the absorbed province: its code before the merger, its code after (a
 * code of its own, or the code of an agency that already exists and absorbs it), and its new name
 * (empty: the name stays). Names are stored in NFC whatever form the file has.
 */
export const MERGER_MAPPING_COLUMNS = ['oldCode', 'newCode', 'newName'] as const;

export type MergerMappingRow = { line: number; oldCode: string; newCode: string; newName: string | null };
export type MappingProblem = { line: number; message: string };

export type ParsedMergerMapping =
  { kind: 'ok'; rows: MergerMappingRow[] } | { kind: 'invalid'; problems: MappingProblem[] };

export function parseMergerMapping(text: string): ParsedMergerMapping {
  let records: { record: Record<string, string>; line: number }[];
  try {
    const rows: { record: Record<string, string>; info: { lines: number } }[] = parse(
      text.replace(/^\uFEFF/, ''),
      { columns: (header: string[]) => header.map((h) => h.trim()), skip_empty_lines: true, info: true },
    );
    records = rows.map(({ record, info }) => ({ record, line: info.lines }));
  } catch (error) {
    return {
      kind: 'invalid',
      problems: [
        {
          line: (error as { lines?: number }).lines ?? 0,
          message: `Không đọc được tệp CSV / not readable as CSV: ${(error as Error).message}`,
        },
      ],
    };
  }
  const header = Object.keys(records[0]?.record ?? {});
  const missing = MERGER_MAPPING_COLUMNS.filter((c) => c !== 'newName' && !header.includes(c));
  if (records.length > 0 && missing.length > 0)
    return {
      kind: 'invalid',
      problems: [
        {
          line: 1,
          message: `Thiếu cột ${missing.join(', ')} / missing column(s) ${missing.join(', ')}, expected ${MERGER_MAPPING_COLUMNS.join(',')}`,
        },
      ],
    };
  const problems: MappingProblem[] = [];
  const rows: MergerMappingRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, line } of records) {
    const oldCode = codeKey(record.oldCode ?? '');
    const newCode = codeKey(record.newCode ?? '');
    const newName = (record.newName ?? '').trim().normalize('NFC');
    if (!organIdForm(oldCode))
      problems.push({
        line,
        message: `Mã cũ "${(record.oldCode ?? '').trim()}" không phải mã định danh / the old code "${(record.oldCode ?? '').trim()}" is not an agency code`,
      });
    if (!organIdForm(newCode))
      problems.push({
        line,
        message: `Mã mới "${(record.newCode ?? '').trim()}" không phải mã định danh / the new code "${(record.newCode ?? '').trim()}" is not an agency code`,
      });
    if (newName.length > 500)
      problems.push({
        line,
        message: 'Tên mới dài quá 500 ký tự / the new name is longer than 500 characters',
      });
    const earlier = seen.get(oldCode);
    if (earlier !== undefined)
      problems.push({
        line,
        message: `Mã cũ ${oldCode} đã có ở dòng ${earlier} / the old code ${oldCode} is already mapped on line ${earlier}`,
      });
    seen.set(oldCode, line);
    rows.push({ line, oldCode, newCode, newName: newName === '' ? null : newName });
  }
  return problems.length > 0 ? { kind: 'invalid', problems } : { kind: 'ok', rows };
}
