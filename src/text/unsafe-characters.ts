/**
 * The one rule for characters in text the hub stores, decided per class of character:
 *
 * | class | why | at a door that can refuse (packages, API, forms) | in text already accepted (mail) |
 * | --- | --- | --- | --- |
 * | NUL (U+0000) | PostgreSQL text and jsonb cannot hold it (22021) | refused | U+FFFD |
 * | other C0 controls but tab, LF, CR; DEL | not text; XML 1.0 forbids C0 | refused | U+FFFD |
 * | lone UTF-16 surrogates | no character; UTF-8 cannot encode them | refused | U+FFFD |
 * | noncharacters (U+FDD0–FDEF, U+xFFFE/xFFFF) | never for interchange; XML forbids U+FFFE/FFFF | refused | U+FFFD |
 * | bidi embeddings, overrides, isolates (U+202A–202E, U+2066–2069) | text, but they can disguise a name (`hoadon‮fdp.exe` reads `hoadonexe.pdf`) | refused in forms; a warning in a package (signed bytes) | dropped from names and subjects a person reads |
 *
 * Pure: no I/O; callers name the field in their own words.
 */
export type UnsafeCharacterKind = 'nul' | 'control' | 'lone-surrogate' | 'noncharacter' | 'bidi-control';

export type UnsafeCharacter = {
  kind: UnsafeCharacterKind;
  codePoint: number;
  /** 1-based, counted in characters (code points), as an editor shows it */
  position: number;
};

// C0 controls but tab, LF and CR; DEL. Written as escapes in a string so no raw control is in the source.
const CONTROLS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F';
const BIDI = '\\u202A-\\u202E\\u2066-\\u2069';
const NOT_STORABLE = new RegExp(`[${CONTROLS}]|\\p{Cs}|\\p{Noncharacter_Code_Point}`, 'u');
const NOT_STORABLE_ALL = new RegExp(NOT_STORABLE.source, 'gu');
const BIDI_CONTROL = new RegExp(`[${BIDI}]`, 'u');
const BIDI_CONTROL_ALL = new RegExp(BIDI_CONTROL.source, 'gu');
const ANY_UNSAFE = new RegExp(`[${CONTROLS}${BIDI}]|\\p{Cs}|\\p{Noncharacter_Code_Point}`, 'u');

/** 1-based position of UTF-16 offset `index`, in code points. */
function positionOf(text: string, index: number): number {
  let position = 1;
  for (let i = 0; i < index; i += 1) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    // a surrogate pair is one character
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff && i + 1 < index) i += 1;
    position += 1;
  }
  return position;
}

function kindOf(codePoint: number): UnsafeCharacterKind {
  if (codePoint === 0) return 'nul';
  if (codePoint < 0x20 || codePoint === 0x7f) return 'control';
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 'lone-surrogate';
  if ((codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069))
    return 'bidi-control';
  return 'noncharacter';
}

/**
 * The first character of `text` the rule refuses, or undefined. `bidi: false` lets bidi controls
 * through (running text of a signed package, which the hub cannot change; they are flagged instead).
 */
export function findUnsafeCharacter(
  text: string,
  options: { bidi?: boolean } = {},
): UnsafeCharacter | undefined {
  const pattern = options.bidi === false ? NOT_STORABLE : ANY_UNSAFE;
  const match = pattern.exec(text);
  if (!match) return undefined;
  const codePoint = match[0].codePointAt(0) ?? 0;
  return { kind: kindOf(codePoint), codePoint, position: positionOf(text, match.index) };
}

/** Bidi controls only: what a package may carry but a reader must not be fooled by. */
export function findBidiControl(text: string): UnsafeCharacter | undefined {
  const match = BIDI_CONTROL.exec(text);
  if (!match) return undefined;
  const codePoint = match[0].codePointAt(0) ?? 0;
  return { kind: 'bidi-control', codePoint, position: positionOf(text, match.index) };
}

const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** What was found, in words a partner's developer or a clerk can act on, Vietnamese and English. */
export function describeUnsafeCharacter(found: UnsafeCharacter): { vi: string; en: string } {
  const at = { vi: `ở ký tự thứ ${found.position}`, en: `at character ${found.position}` };
  const code = hex(found.codePoint);
  switch (found.kind) {
    case 'nul':
      return {
        vi: `có ký tự NUL (${code}) ${at.vi}; hãy xoá ký tự này`,
        en: `contains a NUL character (${code}) ${at.en}; remove it`,
      };
    case 'control':
      return {
        vi: `có ký tự điều khiển ${code} ${at.vi}; chỉ được dùng tab và xuống dòng`,
        en: `contains the control character ${code} ${at.en}; only tab and line breaks are allowed`,
      };
    case 'lone-surrogate':
      return {
        vi: `có nửa cặp UTF-16 lẻ (${code}) ${at.vi}, không phải ký tự; hãy kiểm tra bộ mã hoá văn bản`,
        en: `contains a lone UTF-16 surrogate (${code}) ${at.en}, which is no character; check how the text is encoded`,
      };
    case 'noncharacter':
      return {
        vi: `có mã ${code} ${at.vi}, không phải ký tự dùng để trao đổi; hãy xoá`,
        en: `contains the noncharacter ${code} ${at.en}, which is not for interchange; remove it`,
      };
    case 'bidi-control':
      return {
        vi: `có ký tự đảo chiều văn bản ${code} ${at.vi}, có thể làm tên hiển thị sai lệch; hãy xoá`,
        en: `contains the bidirectional control ${code} ${at.en}, which can disguise how a name reads; remove it`,
      };
  }
}

/** Text that PostgreSQL can store and nothing can hide in: refused characters become U+FFFD. */
export function storableText(text: string): string {
  return text.replace(NOT_STORABLE_ALL, '\uFFFD');
}

/**
 * A name, subject or file name as a person reads it: storable, with bidi controls dropped so the
 * characters show in the order they were written.
 */
export function readableLine(text: string): string {
  return storableText(text).replace(BIDI_CONTROL_ALL, '');
}

/** `storableText` over every string (keys too) of a JSON-like value: what goes into a jsonb column. */
export function storableValue(value: unknown): unknown {
  return mapStrings(value, storableText);
}

/**
 * `readableLine` over every string of a JSON-like value: the facts of a document a person reads
 * (and a clerk's form is filled from, which would refuse a bidi control).
 */
export function readableValue(value: unknown): unknown {
  return mapStrings(value, readableLine);
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [map(k), mapStrings(v, map)]));
  return value;
}
