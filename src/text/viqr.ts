/**
 * VIQR (RFC 1456): Vietnamese spelled in ASCII, a vowel followed by its quality mark (`^ ( +`) and
 * then its tone mark (`' \` ? ~ .`), `dd`/`DD` for đ/Đ and `\` before a mark that is meant literally.
 */
const QUALITY: Readonly<Record<string, string>> = { '^': '\u0302', '(': '\u0306', '+': '\u031b' };
const TONE: Readonly<Record<string, string>> = {
  "'": '\u0301',
  '`': '\u0300',
  '?': '\u0309',
  '~': '\u0303',
  '.': '\u0323',
};
// Which quality marks each base vowel can take; anything else is left as literal text.
const QUALITY_BASES: Readonly<Record<string, string>> = { '^': 'aeo', '(': 'a', '+': 'ou' };
const VOWELS = 'aeiouy';

const isAsciiLetter = (char: string | undefined): boolean => char !== undefined && /^[A-Za-z]$/.test(char);

/**
 * Decodes VIQR text to NFC. Sentence punctuation collides with tone marks (`ddi.` is "đị" by the RFC),
 * so a word-final `.`, `?` or `'` is read as punctuation only when the syllable already has a tone.
 */
export function decodeViqr(input: string): string {
  let out = '';
  let toneInWord = false;
  for (let i = 0; i < input.length; i++) {
    const char = input.charAt(i);
    if (char === '\\' && i + 1 < input.length && /[\\^(+'`?~.]|[dD]/.test(input.charAt(i + 1))) {
      out += input.charAt(++i);
      toneInWord = false;
      continue;
    }
    if ((char === 'd' || char === 'D') && /[dD]/.test(input.charAt(i + 1))) {
      out += char === 'D' ? 'Đ' : 'đ';
      i++;
      continue;
    }
    if (!VOWELS.includes(char.toLowerCase())) {
      out += char;
      if (!isAsciiLetter(char)) toneInWord = false;
      continue;
    }
    let letter = char;
    const quality = input.charAt(i + 1);
    const qualityMark = QUALITY[quality];
    if (qualityMark !== undefined && QUALITY_BASES[quality]?.includes(char.toLowerCase()) === true) {
      letter += qualityMark;
      i++;
    }
    const tone = input.charAt(i + 1);
    const toneMark = TONE[tone];
    if (toneMark !== undefined) {
      const wordGoesOn = isAsciiLetter(input.charAt(i + 2));
      const looksLikePunctuation =
        !wordGoesOn && toneInWord && (tone === '.' || tone === '?' || tone === "'");
      if (!looksLikePunctuation && !toneInWord) {
        letter += toneMark;
        toneInWord = true;
        i++;
      }
    }
    out += letter.normalize('NFC');
  }
  return out.normalize('NFC');
}

const MARK_OF: ReadonlyMap<string, string> = new Map(
  [...Object.entries(QUALITY), ...Object.entries(TONE)].map(([ascii, mark]) => [mark, ascii]),
);

/** Encodes NFC text as VIQR, escaping a literal mark character that follows a vowel. */
export function encodeViqr(text: string): string {
  let out = '';
  let previousIsVowel = false;
  for (const char of text.normalize('NFC')) {
    if (char === 'đ' || char === 'Đ') {
      out += char === 'đ' ? 'dd' : 'DD';
      previousIsVowel = false;
      continue;
    }
    if ((char === 'd' || char === 'D') && /[dD]$/.test(out) && !out.endsWith('\\d') && !out.endsWith('\\D')) {
      out += `\\${char}`;
      previousIsVowel = false;
      continue;
    }
    const decomposed = char.normalize('NFD');
    const base = decomposed.charAt(0);
    if (VOWELS.includes(base.toLowerCase())) {
      // VIQR wants the quality mark before the tone; NFD's canonical order puts the dot below (class 220)
      // before the circumflex and breve (230), so sort: quality marks first.
      const marks = Array.from(decomposed.slice(1)).map((mark) => MARK_OF.get(mark) ?? mark);
      const quality = marks.filter((mark) => mark in QUALITY);
      out += base + [...quality, ...marks.filter((mark) => !(mark in QUALITY))].join('');
      previousIsVowel = true;
      continue;
    }
    out += previousIsVowel && (char in TONE || char in QUALITY || char === '\\') ? `\\${char}` : char;
    previousIsVowel = false;
  }
  return out;
}
