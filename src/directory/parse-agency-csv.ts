import { parse } from 'csv-parse/sync';
import { AgencyInputSchema, type Agency } from './agency.ts';

/**
 * The directory's CSV format (UTF-8, header row, comma-separated, RFC 4180 quoting):
 *   organId,name,channel,emails,aliases,signaturePolicy
 * `emails` and `aliases` hold several values separated by `;`. Unknown columns are refused so a
 * misspelt header never silently drops data.
 */
export const AGENCY_CSV_COLUMNS = [
  'organId',
  'name',
  'channel',
  'emails',
  'aliases',
  'signaturePolicy',
] as const;
const REQUIRED_COLUMNS = ['organId', 'name', 'channel'];

export type CsvProblem = { line: number; message: string };
export type ParsedAgencyCsv =
  | { kind: 'ok'; agencies: Agency[]; lineOf: Map<string, number> }
  | { kind: 'invalid'; problems: CsvProblem[] };

const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

export function parseAgencyCsv(text: string): ParsedAgencyCsv {
  let records: { record: Record<string, string>; line: number }[];
  try {
    const rows: { record: Record<string, string>; info: { lines: number } }[] = parse(
      text.replace(/^\uFEFF/, ''),
      {
        columns: (header: string[]) => header.map((h) => h.trim()),
        skip_empty_lines: true,
        info: true,
        relax_column_count: false,
      },
    );
    records = rows.map(({ record, info }) => ({ record, line: info.lines }));
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    return {
      kind: 'invalid',
      problems: [{ line, message: `not readable as CSV: ${(error as Error).message}` }],
    };
  }
  const header = Object.keys(records[0]?.record ?? {});
  const unknown = header.filter((h) => !(AGENCY_CSV_COLUMNS as readonly string[]).includes(h));
  const missing = REQUIRED_COLUMNS.filter((c) => records.length > 0 && !header.includes(c));
  if (unknown.length > 0 || missing.length > 0) {
    const parts = [
      ...(unknown.length > 0 ? [`unknown column(s) ${unknown.join(', ')}`] : []),
      ...(missing.length > 0 ? [`missing column(s) ${missing.join(', ')}`] : []),
    ];
    return {
      kind: 'invalid',
      problems: [{ line: 1, message: `${parts.join('; ')} — expected ${AGENCY_CSV_COLUMNS.join(',')}` }],
    };
  }
  const problems: CsvProblem[] = [];
  const agencies: Agency[] = [];
  const lineOf = new Map<string, number>();
  for (const { record, line } of records) {
    const parsed = AgencyInputSchema.safeParse({
      organId: record.organId ?? '',
      name: record.name ?? '',
      channel: (record.channel ?? '').trim(),
      emails: splitList(record.emails),
      aliases: splitList(record.aliases),
      ...(record.signaturePolicy?.trim() ? { signaturePolicy: record.signaturePolicy.trim() } : {}),
    });
    if (parsed.success) {
      agencies.push(parsed.data);
      lineOf.set(parsed.data.organId, line);
    } else {
      for (const issue of parsed.error.issues) problems.push({ line, message: issue.message });
    }
  }
  return problems.length > 0 ? { kind: 'invalid', problems } : { kind: 'ok', agencies, lineOf };
}
