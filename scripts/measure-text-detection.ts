// npx tsx scripts/measure-text-detection.ts [SENTENCES_FILE]
// Prints how often encoding detection names the right encoding for each sentence of the corpus
// (default test/fixtures/text/vietnamese-sentences.txt), whole and cut to its first N words.
// "enc" = the right encoding was named; "text" = the output text is right even where another encoding
// was named (VISCII and windows-1258 share the Latin-1 letters, so short texts are often byte-identical).
import fs from 'node:fs';
import iconv from 'iconv-lite';
import {
  decodeFrom,
  detectEncoding,
  DETECTABLE_ENCODINGS,
  encodeTo,
  normalizeText,
  type DetectableEncoding,
} from '../src/text/index.ts';

const file = process.argv[2] ?? 'test/fixtures/text/vietnamese-sentences.txt';
const sentences = fs
  .readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');

type Case = {
  label: string;
  expected: DetectableEncoding;
  via: boolean;
  encode: (text: string) => Uint8Array;
};
const cases: Case[] = [
  ...DETECTABLE_ENCODINGS.map((encoding) => ({
    label: encoding,
    expected: encoding,
    via: false,
    encode: (text: string) => encodeTo(text, encoding),
  })),
  { label: 'viscii (iconv-lite)', expected: 'viscii', via: false, encode: (t) => iconv.encode(t, 'viscii') },
  {
    label: 'utf-8 mojibake',
    expected: 'utf-8',
    via: true,
    encode: (t) => new TextEncoder().encode(new TextDecoder('windows-1252').decode(encodeTo(t, 'utf-8'))),
  },
  {
    label: 'utf-8 mojibake, lossy',
    expected: 'utf-8',
    via: true,
    // iconv-lite shows windows-1252's undefined bytes as U+FFFD: those bytes are guessed back.
    encode: (t) => new TextEncoder().encode(iconv.decode(Buffer.from(encodeTo(t, 'utf-8')), 'windows1252')),
  },
  {
    label: 'tcvn3 as cp1252 chars',
    expected: 'tcvn3',
    via: true,
    encode: (t) => new TextEncoder().encode(new TextDecoder('windows-1252').decode(encodeTo(t, 'tcvn3'))),
  },
];

const lengths: Array<number | 'all'> = ['all', 6, 3, 2];
const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)}%`.padStart(7);
console.log(`${sentences.length} sentences from ${file}`);
console.log(
  `${'encoding'.padEnd(24)}${lengths.map((l) => (l === 'all' ? 'whole sentence' : `first ${l} words`).padStart(34)).join('')}`,
);
for (const c of cases) {
  const cells = lengths.map((length) => {
    const texts = sentences
      .map((s) => (length === 'all' ? s : s.split(' ').slice(0, length).join(' ')))
      .filter((t) => /[^\p{ASCII}]/u.test(t));
    let right = 0;
    let rightText = 0;
    let confidence = 0;
    for (const text of texts) {
      const bytes = c.encode(text);
      const detection = detectEncoding(bytes);
      confidence += detection.confidence;
      if (detection.encoding === c.expected && detection.viaWindows1252 === c.via) right++;
      // TCVN3 loses toned capitals, so the reference is what the right decoder makes of the bytes.
      const reference = c.expected === 'tcvn3' ? decodeFrom(encodeTo(text, 'tcvn3'), 'tcvn3') : text;
      if (normalizeText(bytes).text === reference) rightText++;
    }
    return `enc ${pct(right, texts.length)} text ${pct(rightText, texts.length)} c=${(confidence / texts.length).toFixed(2)}`.padStart(
      34,
    );
  });
  console.log(`${c.label.padEnd(24)}${cells.join('')}`);
}
console.log('c = mean confidence');
