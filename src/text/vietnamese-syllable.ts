/**
 * Is a word a possible Vietnamese syllable? Detection uses this to tell a right decoding ("công")
 * from a wrong one ("c«ng", "cụng" with a stray tone, "cỏc"): spelling of onset and rhyme, one
 * tone at most, on a vowel, and only sắc or nặng before a stop (p, t, c, ch).
 */

const ONSETS = [
  'ngh', 'ng', 'nh', 'ch', 'gh', 'gi', 'kh', 'ph', 'qu', 'th', 'tr',
  'b', 'c', 'd', 'đ', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'x', '',
] as const; // prettier-ignore

// Rhymes without tone, grouped by nucleus; the medial o/u forms follow their nucleus.
const RHYMES = new Set(
  `a ac ach ai am an ang anh ao ap at au ay
   ăc ăm ăn ăng ăp ăt
   âc âm ân âng âp ât âu ây
   e ec em en eng eo ep et
   ê êch êm ên ênh êp êt êu
   i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
   o oc oi om on ong op ot oong ooc
   ô ôc ôi ôm ôn ông ôp ôt
   ơ ơi ơm ơn ơp ơt
   u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
   ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
   y ych ynh yt yu yêm yên yêng yêt yêu
   oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet
   uâ uân uâng uât uây uê uêch uênh uy uya uych uyn uynh uyp uyt uyu uyên uyêt uơ`.split(/\s+/),
);

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/u;
const STOP_TONES = /[\u0301\u0323]/u;
const VOWEL_BASES = 'aăâeêioôơuưy';
const FRONT_VOWELS = /^[ieêy]/u;

function splitOnset(base: string): [string, string][] {
  return ONSETS.filter((onset) => base.startsWith(onset)).map((onset) => [onset, base.slice(onset.length)]);
}

/** Onset spelling rules: c/k, g/gh and ng/ngh depend on the following vowel. */
function onsetFits(onset: string, rhyme: string): boolean {
  const front = FRONT_VOWELS.test(rhyme);
  switch (onset) {
    case 'c':
    case 'ng':
      return !front;
    case 'g':
      return !front || rhyme.startsWith('i'); // "gì", "gìn": the i of gi doubles as the nucleus
    case 'k':
    case 'gh':
    case 'ngh':
      return front;
    case 'qu':
      return rhyme !== '' && !rhyme.startsWith('u') && !rhyme.startsWith('o');
    default:
      return true;
  }
}

/** True when `word` (letters only, any case) can be one Vietnamese syllable. */
export function isVietnameseSyllable(word: string): boolean {
  const lower = word.normalize('NFC').toLowerCase();
  let base = '';
  let tone: string | undefined;
  for (const char of lower) {
    const decomposed = char.normalize('NFD');
    const marks = Array.from(decomposed.slice(1)).filter((mark) => TONE_MARKS.test(mark));
    if (marks.length > 0) {
      if (tone !== undefined || marks.length > 1) return false;
      tone = marks[0];
    }
    const plain = decomposed.replace(new RegExp(TONE_MARKS, 'gu'), '').normalize('NFC');
    if (plain.length !== 1 || !/[a-zăâđêôơư]/u.test(plain)) return false;
    if (marks.length > 0 && !VOWEL_BASES.includes(plain)) return false;
    base += plain;
  }
  if (base === '') return false;
  const stopFinal = /(?:p|t|c|ch)$/u.test(base);
  if (stopFinal && tone !== undefined && !STOP_TONES.test(tone)) return false;
  if (stopFinal && tone === undefined) return false;
  return splitOnset(base).some(([onset, rhyme]) => RHYMES.has(rhyme) && onsetFits(onset, rhyme));
}
