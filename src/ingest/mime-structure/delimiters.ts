/**
 * Delimiter lines of a multipart body (RFC 2046 §5.1.1), found in one pass over its lines; by
 * prefix too, as readers that match a line's start read them.
 */
export type Delimiter = { lineStart: number; next: number; close: boolean };

/** Closing delimiters read as openings, all but the last one. */
export function passOverCloses(all: Delimiter[]): Delimiter[] {
  return all.map((d, i) => (i < all.length - 1 ? { ...d, close: false } : d));
}

/** The CRLF (or LF) before a delimiter line belongs to the delimiter (RFC 2046 §5.1.1). */
export function lineBreakBefore(s: string, lineStart: number, floor: number): number {
  let e = lineStart;
  if (e > floor && s.charCodeAt(e - 1) === 10) e -= 1;
  if (e > floor && s.charCodeAt(e - 1) === 13) e -= 1;
  return e;
}

export function sameSplit(a: Delimiter[], b: Delimiter[]): boolean {
  return (
    a.length === b.length &&
    a.every((d, i) => {
      const other = b[i] as Delimiter;
      return d.lineStart === other.lineStart && d.close === other.close;
    })
  );
}

/** Delimiter lines of `boundary`: `--b` or `--b--`, then only blanks (transport padding). */
export function findDelimiters(
  s: string,
  body: { start: number; end: number },
  boundary: string,
  byPrefix = false,
): { all: Delimiter[]; nearMiss: string[] } {
  const all: Delimiter[] = [];
  const nearMiss: string[] = [];
  const dash = `--${boundary}`;
  for (const line of findDashLines(s, body, Infinity)) {
    if (!s.startsWith(dash, line.start)) continue;
    let rest = s.slice(line.start + dash.length, line.end);
    let close = false;
    if (rest.startsWith('--') && (!byPrefix || /^--[ \t]*$/.test(rest))) {
      close = true;
      rest = rest.slice(2);
    }
    if (byPrefix || /^[ \t]*$/.test(rest)) all.push({ lineStart: line.start, next: line.next, close });
    else if (nearMiss.length < 3) nearMiss.push(s.slice(line.start, Math.min(line.end, line.start + 80)));
  }
  return { all, nearMiss };
}

/** Lines of the range that start with "--", in one pass. */
export function findDashLines(
  s: string,
  body: { start: number; end: number },
  max: number,
): { start: number; end: number; next: number }[] {
  const out: { start: number; end: number; next: number }[] = [];
  let pos = body.start;
  while (pos < body.end && out.length < max) {
    let nl = s.indexOf('\n', pos);
    if (nl < 0 || nl >= body.end) nl = body.end;
    if (s.charCodeAt(pos) === 45 && s.charCodeAt(pos + 1) === 45) {
      const end = nl > pos && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      out.push({ start: pos, end: Math.min(end, body.end), next: Math.min(nl + 1, body.end) });
    }
    pos = nl + 1;
  }
  return out;
}
