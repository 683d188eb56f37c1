/**
 * Full-text search in Vietnamese. Every text is cut into words the same way: folded (lower case,
 * no tone marks, đ → d), then split at every character that is not a letter or a digit, so
 * "12/QĐ-UBND" is the words 12 qd ubnd. PostgreSQL stores the words as a tsvector ('simple': no
 * stemming, no stop words) built here, not by its parser, whose idea of a letter depends on the
 * database's locale; a query becomes a tsquery built here from the same words. A word of a query
 * without tone marks thus finds it with them; rows holding every word typed with marks exactly as
 * typed are listed first, and within a page the rows with more terms exactly as typed.
 */

/** Longer runs are not words (a pasted hash, base64): neither indexed nor searched. */
const MAX_WORD = 60;
/** PostgreSQL keeps positions 1…16383 in a tsvector and 255 of them per word. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_WORD = 255;
/** A tsvector holds at most 1 MB: the words of the first 200,000 are plenty for a document. */
const MAX_WORDS = 200_000;
const MAX_TERMS = 8;
const MAX_PHRASE = 12;

const folded = new Map<string, string>();

/** One code point folded. Vietnamese letters in NFC fold to exactly one letter; a combining mark to nothing. */
function foldCodePoint(ch: string): string {
  let out = folded.get(ch);
  if (out === undefined) {
    out = ch.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd');
    if (folded.size < 10_000) folded.set(ch, out);
  }
  return out;
}

/**
 * The folded text with, for each of its characters, where it came from in the original: `from[i]`
 * and `to[i]` are the original's code-unit range that folded to character i (a combining mark that
 * folded to nothing belongs to the letter before it), so a match in the folded text marks the right
 * characters of the original, whether that is NFC or decomposed.
 */
export function foldWithOrigins(text: string): { folded: string; from: number[]; to: number[] } {
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  let at = 0;
  for (const ch of text) {
    const f = foldCodePoint(ch);
    const end = at + ch.length;
    if (f.length === 0) {
      if (to.length > 0) to[to.length - 1] = end;
    } else
      for (const c of f) {
        out += c;
        from.push(at);
        to.push(end);
      }
    at = end;
  }
  return { folded: out, from, to };
}

export type Word = { word: string; start: number; end: number };

const WORD = /[\p{L}\p{N}]+/gu;

/** The words of a text, folded, with their place in the original text. */
export function wordsOf(text: string): Word[] {
  const { folded: f, from, to } = foldWithOrigins(text);
  const words: Word[] = [];
  for (const m of f.matchAll(WORD)) {
    if (m[0].length > MAX_WORD) continue;
    const start = from[m.index] ?? 0;
    const end = to[m.index + m[0].length - 1] ?? start;
    words.push({ word: m[0], start, end });
  }
  return words;
}

/** A word as written, lower case NFC, tone marks kept: what exact-tone ranking compares. */
const toned = (text: string, w: Word) => text.slice(w.start, w.end).toLowerCase().normalize('NFC');

const quoted = (word: string) => `'${word.replace(/['\\]/g, (c) => `\\${c}`)}'`;

/**
 * The tsvector (as PostgreSQL's input text, cast with ::tsvector) of several fields: their words
 * with positions, a gap between fields so a phrase never spans two of them, and each pair of
 * neighbouring words as one more word without a position ("chuyen_doi"): GIN keeps no positions,
 * so a phrase of common words would otherwise recheck every row holding them all; with its pairs
 * the index finds the few rows where they stand together. And each word that has tone marks (or đ)
 * once more as written, lower case, without a position ("quyết"): a folded word never has a mark,
 * so the two never meet, and the index finds the rows that hold a word exactly as typed.
 */
export function searchVector(fields: readonly (string | null | undefined)[]): string {
  const positions = new Map<string, number[]>();
  const pairs = new Set<string>();
  const marked = new Set<string>();
  let position = 0;
  let count = 0;
  for (const field of fields) {
    if (!field) continue;
    let previous: string | undefined;
    for (const w of wordsOf(field)) {
      const { word } = w;
      if (++count > MAX_WORDS) break;
      const asWritten = toned(field, w);
      if (asWritten !== word) marked.add(asWritten);
      position = Math.min(position + 1, MAX_POSITION);
      const list = positions.get(word);
      if (!list) positions.set(word, [position]);
      else if (list.length < MAX_POSITIONS_PER_WORD && list.at(-1) !== position) list.push(position);
      if (previous !== undefined) pairs.add(pairOf(previous, word));
      previous = word;
    }
    position = Math.min(position + 1, MAX_POSITION);
  }
  return [
    ...[...positions].map(([word, at]) => `${quoted(word)}:${at.join(',')}`),
    ...[...pairs].filter((pair) => !positions.has(pair)).map(quoted),
    ...[...marked].map(quoted),
  ].join(' ');
}

/** Two neighbouring words as one lexeme: "_" never occurs in a word (letters and digits only). */
const pairOf = (a: string, b: string) => `${a}_${b}`;

/** One condition of a query: a word, or a phrase (its words one after another). */
export type SearchTerm = { words: string[]; toned: string[] };

/**
 * A clerk's query: words (all must occur), "a phrase in quotes", and a number or notation such as
 * 12/QĐ-UBND, which is a phrase of its words. Anything else (&, |, !, :*, backslashes) is only a
 * separator: the tsquery is built from words, never from the query's text. One-letter words alone
 * say nothing and are dropped (within a phrase or a notation they count). At most 8 terms.
 */
export function parseSearchQuery(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const seen = new Set<string>();
  const add = (text: string, phrase: boolean) => {
    // a word the clerk typed that splits into several (12/QĐ-UBND, quyết-định) is a phrase
    const pieces = phrase ? [text] : text.split(/\s+/);
    for (const piece of pieces) {
      const words = wordsOf(piece).slice(0, MAX_PHRASE);
      const only = words.length === 1 ? words[0] : undefined;
      if (words.length === 0 || (!phrase && only && only.word.length < 2 && !/\d/.test(only.word))) continue;
      const key = words.map((w) => w.word).join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      terms.push({ words: words.map((w) => w.word), toned: words.map((w) => toned(piece, w)) });
    }
  };
  const rest = query.slice(0, 2000).replace(/["“”„]([^"“”„]*)["“”„]?/g, (_, inner: string) => {
    add(inner, true);
    return ' ';
  });
  add(rest, false);
  return terms.slice(0, MAX_TERMS);
}

/**
 * The tsquery (PostgreSQL's input text, cast with ::tsquery): every term; a phrase as its pairs
 * of neighbouring words.
 */
export function searchQuery(terms: readonly SearchTerm[]): string {
  return terms
    .map((t) => {
      if (t.words.length === 1) return quoted(t.words[0] ?? '');
      // its pairs of neighbours, which the index answers without rechecking positions on every
      // candidate row; for three words or more a row may hold the pairs apart, so the page's rows
      // are checked for the whole phrase (holdsPhrases)
      return t.words
        .slice(1)
        .map((w, i) => quoted(pairOf(t.words[i] ?? '', w)))
        .join(' & ');
    })
    .join(' & ');
}

/**
 * The tsquery of the words the clerk typed with tone marks (or đ), each exactly as typed; null when
 * the query has none (a query without marks has no exact-tone order to keep). Results are listed
 * matching it first (search-index.ts matchingIdsExactFirst).
 */
export function exactToneQuery(terms: readonly SearchTerm[]): string | null {
  const marked = new Set<string>();
  for (const t of terms) t.toned.forEach((w, i) => (w !== t.words[i] ? marked.add(w) : undefined));
  return marked.size === 0 ? null : [...marked].map(quoted).join(' & ');
}

/** Where a term occurs in a list of words: the index of its first word, each time. */
function occurrences(words: readonly string[], term: readonly string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i + term.length <= words.length; i += 1)
    if (term.every((w, k) => words[i + k] === w)) found.push(i);
  return found;
}

/** Whether every phrase of three words or more occurs whole in one of the fields. */
export function holdsPhrases(fields: readonly (string | null | undefined)[], terms: readonly SearchTerm[]) {
  const long = terms.filter((t) => t.words.length > 2);
  if (long.length === 0) return true;
  const lists = fields.flatMap((f) => (f ? [wordsOf(f).map((w) => w.word)] : []));
  return long.every((t) => lists.some((list) => occurrences(list, t.words).length > 0));
}

/** How many of the terms occur in these fields exactly as typed, tone marks and all. */
export function exactToneScore(fields: readonly (string | null | undefined)[], terms: readonly SearchTerm[]) {
  const lists = fields.flatMap((f) => (f ? [wordsOf(f).map((w) => toned(f, w))] : []));
  return terms.filter((t) => lists.some((list) => occurrences(list, t.toned).length > 0)).length;
}

/** A short passage of a field around the query's words; `marks` are [start, end) in `text`. */
export type Passage = { field: string; text: string; marks: [number, number][]; cut: [boolean, boolean] };

const PASSAGE = 200;

/**
 * The passage to show under a result: in the field where most of the terms occur (on a tie the
 * first: the caller lists the document's text first), around the first occurrence, about 200 characters, cut at
 * spaces, every occurrence of a term inside it marked.
 */
export function findPassage(
  fields: readonly { field: string; text: string | null | undefined }[],
  terms: readonly SearchTerm[],
): Passage | null {
  if (terms.length === 0) return null;
  let best: { field: string; text: string; hits: [number, number][]; terms: number } | undefined;
  for (const { field, text } of fields) {
    if (!text) continue;
    const words = wordsOf(text);
    const list = words.map((w) => w.word);
    const hits: [number, number][] = [];
    let found = 0;
    for (const term of terms) {
      const at = occurrences(list, term.words);
      if (at.length > 0) found += 1;
      for (const i of at) {
        const first = words[i];
        const last = words[i + term.words.length - 1];
        if (first && last) hits.push([first.start, last.end]);
      }
    }
    if (found > (best?.terms ?? 0)) best = { field, text, hits, terms: found };
  }
  if (!best) return null;
  const { field, text, hits } = best;
  hits.sort((a, b) => a[0] - b[0]);
  const [firstStart] = hits[0] as [number, number];
  let start = Math.max(0, firstStart - 60);
  if (start > 0) {
    const space = text.indexOf(' ', start);
    start = space >= 0 && space < firstStart ? space + 1 : start;
  }
  let end = Math.min(text.length, start + PASSAGE);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    end = space > firstStart ? space : end;
  }
  // never cut a surrogate pair or a letter from its marks
  while (end < text.length && /\p{M}|[\udc00-\udfff]/u.test(text[end] ?? '')) end += 1;
  const marks: [number, number][] = [];
  for (const [s, e] of hits) {
    if (s < start || e > end) continue;
    const last = marks.at(-1);
    // words one after another read as one mark ("giao thông nông thôn"), overlaps as one
    if (last && (s - start <= last[1] || /^\s+$/.test(text.slice(last[1] + start, s))))
      last[1] = Math.max(last[1], e - start);
    else marks.push([s - start, e - start]);
  }
  return { field, text: text.slice(start, end), marks, cut: [start > 0, end < text.length] };
}
