/** One CSV field: quoted where needed, and a leading =, +, - or @ neutralized (CSV injection). */
export function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  // Leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line, CRLF-terminated as spreadsheet programs expect. */
export const csvLine = (fields: (string | number | null | undefined)[]) =>
  `${fields.map(csvField).join(',')}\r\n`;
