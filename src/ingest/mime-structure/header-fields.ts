/**
 * Header fields of one MIME entity, read to RFC 5322 (fields, unfolding), RFC 2045 (parameters),
 * RFC 2231 (extended and continued parameters) and RFC 2047 (encoded words, as clients also put
 * them in quoted names). Every scan is a single pass over the text; nothing here backtracks.
 *
 * Besides the strict value each parameter keeps its *other readings*: what a lenient reader that
 * does not strip comments, does not unescape, takes the last duplicate, or joins RFC 2231 sections
 * in the order they appear would take instead. The comparison decides what those differences mean.
 */
import { decodeCharset, decodeEncodedWords, utf8OrLatin1 } from './charsets.ts';

export type HeaderField = { name: string; value: string };

export type HeaderBlock = {
  fields: HeaderField[];
  /** offset of the body in the string the block was read from */
  bodyStart: number;
  /** lines in the block that are no field: a line without a colon, a line of blanks only */
  strayLines: { kind: 'no-colon' | 'blank-only'; text: string; beforeFields: string[] }[];
  /** the block has no empty line: there is no body */
  noBody: boolean;
};

const MAX_FIELDS = 5_000;

/** Reads the header block starting at `start` (the string holds bytes as latin1 characters). */
export function readHeaderBlock(s: string, start: number, end: number, strayEndsHeader = false): HeaderBlock {
  const fields: HeaderField[] = [];
  const strayLines: (HeaderBlock['strayLines'][number] & { at: number })[] = [];
  let pos = start;
  let current: HeaderField | null = null;
  while (pos < end) {
    let nl = s.indexOf('\n', pos);
    if (nl < 0 || nl >= end) nl = end;
    const lineEnd = nl > pos && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const line = s.slice(pos, lineEnd);
    const next = Math.min(nl + 1, end);
    if (line === '')
      return { fields, bodyStart: next, strayLines: withFollowing(strayLines, fields), noBody: false };
    const first = line.charCodeAt(0);
    const blankOnly = (first === 32 || first === 9) && line.trim() === '';
    const noColon = !(first === 32 || first === 9) && !/^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(line);
    // the other resolution: such a line is where the header ends and the body begins
    if (strayEndsHeader && (blankOnly || noColon))
      return { fields, bodyStart: pos, strayLines: [], noBody: false };
    if (first === 32 || first === 9) {
      if (blankOnly) strayLines.push({ kind: 'blank-only', text: line, beforeFields: [], at: fields.length });
      if (current) current.value += line;
    } else {
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
      if (name === '' || /[^\x21-\x7e]/.test(name)) {
        strayLines.push({ kind: 'no-colon', text: line.slice(0, 80), beforeFields: [], at: fields.length });
        current = null;
      } else if (fields.length < MAX_FIELDS) {
        current = { name: name.toLowerCase(), value: line.slice(colon + 1) };
        fields.push(current);
      } else current = null;
    }
    pos = next;
  }
  return { fields, bodyStart: end, strayLines: withFollowing(strayLines, fields), noBody: true };
}

function withFollowing(
  stray: (HeaderBlock['strayLines'][number] & { at: number })[],
  fields: HeaderField[],
): HeaderBlock['strayLines'] {
  return stray.map(({ kind, text, at }) => ({
    kind,
    text,
    beforeFields: fields.slice(at).map((f) => f.name),
  }));
}

export const fieldValues = (block: HeaderBlock, name: string): string[] =>
  block.fields.filter((f) => f.name === name).map((f) => f.value);

/** One `attribute=value` as written. */
export type RawParameter = {
  attribute: string;
  /** as spelled, for the case trick (`BoUnDaRy=`) */
  spelled: string;
  value: string;
  /** what lenient readers take instead (comments kept, escapes kept, junk after the value) */
  others: string[];
};

export type StructuredValue = {
  /** the type (`multipart/mixed`) or disposition (`attachment`), lower case, comments removed */
  value: string;
  parameters: RawParameter[];
  hasComment: boolean;
  /** text that fits no production of RFC 2045 (reported, then skipped to the next `;`) */
  junk: string[];
};

const MAX_COMMENT_DEPTH = 20;

/** RFC 2045 §5.1 / RFC 2183: `value *(";" attribute "=" value)`, with CFWS between tokens. */
export function parseStructured(text: string): StructuredValue {
  const n = text.length;
  let i = 0;
  let hasComment = false;
  const junk: string[] = [];
  const skipCfws = () => {
    while (i < n) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') i += 1;
      else if (c === '(') {
        hasComment = true;
        i = skipComment(text, i);
      } else break;
    }
  };
  // main value: up to the first `;` outside quotes and comments
  let main = '';
  while (i < n && text[i] !== ';') {
    const c = text[i] as string;
    if (c === '(') {
      hasComment = true;
      i = skipComment(text, i);
    } else if (c === '"') {
      const q = readQuoted(text, i);
      main += q.value;
      i = q.end;
    } else {
      main += c;
      i += 1;
    }
  }
  const value = main.trim().toLowerCase().replace(/\s+/g, ' ');
  const parameters: RawParameter[] = [];
  while (i < n) {
    i += 1; // the ';'
    skipCfws();
    if (i >= n) break;
    if (text[i] === ';') continue;
    const attrStart = i;
    while (i < n && !'=; \t("'.includes(text[i] as string)) i += 1;
    const spelled = text.slice(attrStart, i);
    skipCfws();
    if (text[i] !== '=' || spelled === '') {
      const stop = nextSemicolon(text, i);
      junk.push(text.slice(attrStart, stop).slice(0, 80));
      i = stop;
      continue;
    }
    i += 1;
    skipCfws();
    let strict: string;
    const others: string[] = [];
    const rawStart = i;
    if (text[i] === '"') {
      const q = readQuoted(text, i);
      strict = q.value;
      if (q.escaped) others.push(q.raw);
      i = q.end;
    } else {
      const tokenStart = i;
      while (i < n && !'; \t("'.includes(text[i] as string)) i += 1;
      strict = text.slice(tokenStart, i);
    }
    const afterValue = i;
    skipCfws();
    if (i < n && text[i] !== ';') {
      // `name=a.pdf b.exe`, `name=a(.exe).pdf`, `name="a" x`: readers take the first word, all
      // of it with or without the comment, or give up
      const stop = nextSemicolon(text, i);
      junk.push(text.slice(afterValue, stop).trim().slice(0, 80));
      i = stop;
      const rawText = text.slice(rawStart, i).trim();
      others.push(rawText.replace(/^"|"$/g, ''), stripComments(rawText).replace(/"/g, '').trim());
    } else if (text[rawStart] !== '"' && i > afterValue && text.slice(afterValue, i).includes('(')) {
      // `name=a.pdf(.exe)`: a reader that keeps comments reads them as part of the name
      others.push(text.slice(rawStart, i).trim());
    }
    parameters.push({
      attribute: spelled.toLowerCase(),
      spelled,
      value: strict,
      others: [...new Set(others)].filter((o) => o !== strict),
    });
  }
  return { value, parameters, hasComment, junk };
}

/** The text without its comments (outside quoted strings). */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (!quoted && c === '(') {
      i = skipComment(text, i);
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === '\\' && i + 1 < text.length) {
      out += c + (text[i + 1] as string);
      i += 2;
      continue;
    }
    out += c;
    i += 1;
  }
  return out;
}

function skipComment(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else {
      if (c === '(') depth = Math.min(depth + 1, MAX_COMMENT_DEPTH);
      else if (c === ')') depth -= 1;
      i += 1;
      if (depth === 0) return i;
    }
  }
  return i;
}

function readQuoted(
  text: string,
  start: number,
): { value: string; raw: string; end: number; escaped: boolean } {
  let i = start + 1;
  let value = '';
  let escaped = false;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) {
      escaped = true;
      value += text[i + 1] as string;
      i += 2;
    } else {
      value += text[i] as string;
      i += 1;
    }
  }
  return { value, raw: text.slice(start + 1, i), end: Math.min(i + 1, text.length), escaped };
}

function nextSemicolon(text: string, from: number): number {
  let i = from;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 1;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) return i;
    i += 1;
  }
  return i;
}

/** A parameter after RFC 2231 assembly and RFC 2047 decoding. */
export type Parameter = {
  /** the strict reading */
  value: string;
  /** every distinct value some reader could take, the strict one first */
  readings: string[];
  /** why there is more than one reading, or why the value is irregular */
  issues: ParameterIssue[];
  /** given as `name=` only, as RFC 2231 `name*…` only, or both */
  form: 'plain' | 'extended' | 'both';
};

export type ParameterIssue =
  | { kind: 'duplicate'; values: string[] }
  | { kind: 'continuation-order'; order: number[] }
  | { kind: 'continuation-gap'; sections: number[] }
  | { kind: 'continuation-duplicate'; section: number }
  | { kind: 'plain-and-extended'; plain: string; extended: string }
  | { kind: 'encoded-word-in-extended'; decodedTwice: string }
  | { kind: 'lenient-reading'; lenient: string }
  | { kind: 'unknown-charset'; charset: string }
  | { kind: 'attribute-case'; spelled: string };

type Section = { number: number; encoded: boolean; value: string; position: number };

/**
 * Groups the raw parameters by name, joins RFC 2231 sections by their number, decodes charset'lang'
 * percent-encoding and RFC 2047 words in plain values, and records every other reading.
 */
export function assembleParameters(raw: readonly RawParameter[]): Map<string, Parameter> {
  const plain = new Map<string, RawParameter[]>();
  const extended = new Map<string, Section[]>();
  const extendedRaw = new Map<string, RawParameter[]>();
  raw.forEach((p, position) => {
    const star = /^([^*]{1,200})\*(?:(\d{1,4})(\*?))?$/.exec(p.attribute);
    if (!star) {
      const list = plain.get(p.attribute) ?? [];
      list.push(p);
      plain.set(p.attribute, list);
      return;
    }
    const base = star[1] as string;
    extendedRaw.set(base, [...(extendedRaw.get(base) ?? []), p]);
    const list = extended.get(base) ?? [];
    list.push(
      star[2] === undefined
        ? { number: 0, encoded: true, value: p.value, position: -1 }
        : { number: Number(star[2]), encoded: star[3] === '*', value: p.value, position },
    );
    extended.set(base, list);
  });
  const out = new Map<string, Parameter>();
  for (const name of new Set([...plain.keys(), ...extended.keys()])) {
    const issues: ParameterIssue[] = [];
    const readings: string[] = [];
    const add = (v: string) => {
      if (!readings.includes(v)) readings.push(v);
    };
    const plainList = plain.get(name) ?? [];
    const plainValues = plainList.map((p) => decodeEncodedWords(p.value).text);
    for (const p of plainList)
      if (p.spelled !== p.spelled.toLowerCase() && p.spelled !== p.spelled.toUpperCase())
        issues.push({ kind: 'attribute-case', spelled: p.spelled });
    if (new Set(plainValues).size > 1) issues.push({ kind: 'duplicate', values: plainValues });
    const sections = extended.get(name);
    let extendedValue: string | null = null;
    if (sections) {
      const assembled = joinSections(sections, issues);
      extendedValue = assembled.value;
      for (const other of assembled.others) add(other);
    }
    const value = extendedValue ?? plainValues[0] ?? '';
    readings.unshift(value);
    for (const v of plainValues) add(v);
    if (extendedValue !== null && plainValues[0] !== undefined && plainValues[0] !== extendedValue)
      issues.push({ kind: 'plain-and-extended', plain: plainValues[0], extended: extendedValue });
    if (extendedValue !== null) {
      const twice = decodeEncodedWords(extendedValue);
      if (twice.decoded && twice.text !== extendedValue) {
        issues.push({ kind: 'encoded-word-in-extended', decodedTwice: twice.text });
        add(twice.text);
      }
    }
    for (const p of [...plainList, ...(extendedRaw.get(name) ?? [])])
      for (const other of p.others) {
        const lenient = decodeEncodedWords(other).text;
        if (lenient !== decodeEncodedWords(p.value).text) {
          issues.push({ kind: 'lenient-reading', lenient });
          add(lenient);
        }
      }
    for (const p of plainList) {
      const charset = decodeEncodedWords(p.value).unknownCharset;
      if (charset) {
        // a reader that does not know the charset shows the encoded word as it is
        issues.push({ kind: 'unknown-charset', charset });
        add(utf8OrLatin1(Buffer.from(p.value, 'latin1')));
      }
    }
    const form = sections ? (plainList.length > 0 ? 'both' : 'extended') : 'plain';
    out.set(name, { value, readings: [...new Set(readings)], issues, form });
  }
  return out;
}

function joinSections(sections: Section[], issues: ParameterIssue[]): { value: string; others: string[] } {
  const byNumber = [...sections].sort((a, b) => a.number - b.number);
  const seen = new Set<number>();
  for (const s of byNumber) {
    if (seen.has(s.number)) issues.push({ kind: 'continuation-duplicate', section: s.number });
    seen.add(s.number);
  }
  const numbers = [...seen];
  if (numbers.some((num, index) => num !== index))
    issues.push({ kind: 'continuation-gap', sections: numbers });
  const inOrder = sections.every(
    (s, index) => index === 0 || s.number >= (sections[index - 1] as Section).number,
  );
  const strict = decodeSections(byNumber, issues);
  const others: string[] = [];
  if (!inOrder) {
    issues.push({ kind: 'continuation-order', order: sections.map((s) => s.number) });
    others.push(decodeSections(sections, []));
  }
  // a reader that keeps the first of two sections with one number, not the last
  if (byNumber.length !== seen.size) {
    const firsts = byNumber.filter(
      (s, index) => index === 0 || s.number !== (byNumber[index - 1] as Section).number,
    );
    others.push(decodeSections(firsts, []));
  }
  return { value: strict, others };
}

/** Sections in the given order → text: charset'lang' from the first encoded one, %XX to bytes. */
function decodeSections(sections: readonly Section[], issues: ParameterIssue[]): string {
  let charset = 'us-ascii';
  const bytes: number[] = [];
  sections.forEach((section, index) => {
    let text = section.value;
    if (section.encoded && index === 0) {
      const first = text.indexOf("'");
      const second = first < 0 ? -1 : text.indexOf("'", first + 1);
      if (second >= 0) {
        charset = text.slice(0, first) || 'us-ascii';
        text = text.slice(second + 1);
      }
    }
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (section.encoded && c === 37 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
        bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(c & 0xff);
    }
  });
  const decoded = decodeCharset(Buffer.from(bytes), charset);
  if (decoded === null) {
    issues.push({ kind: 'unknown-charset', charset });
    return Buffer.from(bytes).toString('latin1');
  }
  return decoded;
}
