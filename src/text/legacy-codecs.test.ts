import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeFrom } from './legacy-decoders.ts';
import { encodeTo } from './legacy-encoders.ts';
import { LEGACY_ENCODINGS, parseSourceEncoding } from './text-encoding.ts';
import { windows1252Byte, windows1252Char } from './windows-1252.ts';
import { isHubError } from '../shared/index.ts';

type Row = { char: string; tcvn3: string; vni: string; viscii: string; vps: string; viqr: string };

// The letter table straight from the fixture copy of the shared TSV, not from the generated module.
const ROWS: Row[] = readFileSync(
  new URL('../../test/fixtures/text/vietnamese-legacy-encodings.tsv', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .slice(1)
  .map((line) => {
    const [char = '', , tcvn3 = '', , vni = '', viscii = '', vps = '', viqr = ''] = line.split('\t');
    return { char, tcvn3, vni, viscii, vps, viqr };
  });

const bytes = (cell: string): Uint8Array =>
  Uint8Array.from(
    cell
      .replace('*', '')
      .split(' ')
      .map((hex) => Number.parseInt(hex, 16)),
  );

const SENTENCES = readFileSync(
  new URL('../../test/fixtures/text/vietnamese-sentences.txt', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line !== '');

describe('letter tables', () => {
  it('has all 146 letters in the fixture', () => {
    expect(ROWS).toHaveLength(146);
  });

  it.each(ROWS.filter((row) => row.tcvn3 !== '-'))('TCVN3 $tcvn3 decodes to $char', (row) => {
    expect(decodeFrom(bytes(row.tcvn3), 'tcvn3')).toBe(row.char);
    expect(encodeTo(row.char, 'tcvn3')).toEqual(bytes(row.tcvn3));
  });

  it('TCVN3 writes a toned capital with its small letter byte (VN3 has no code for it)', () => {
    for (const row of ROWS.filter((r) => r.tcvn3 === '-')) {
      const small = ROWS.find((r) => r.char === row.char.toLowerCase());
      expect(encodeTo(row.char, 'tcvn3')).toEqual(bytes(small?.tcvn3 ?? ''));
    }
  });

  it.each(ROWS)('VNI $vni decodes to $char', (row) => {
    expect(decodeFrom(bytes(row.vni), 'vni')).toBe(row.char);
    expect(encodeTo(row.char, 'vni')).toEqual(bytes(row.vni));
  });

  it.each(ROWS)('VISCII $viscii decodes to $char, as iconv-lite does', (row) => {
    const visciiBytes = bytes(row.viscii);
    expect(decodeFrom(visciiBytes, 'viscii')).toBe(row.char);
    expect(encodeTo(row.char, 'viscii')).toEqual(visciiBytes);
    expect(iconv.decode(Buffer.from(visciiBytes), 'viscii')).toBe(row.char);
    expect(new Uint8Array(iconv.encode(row.char, 'viscii'))).toEqual(visciiBytes);
  });

  it.each(ROWS.filter((row) => !row.vps.endsWith('*')))('VPS $vps decodes to $char', (row) => {
    expect(decodeFrom(bytes(row.vps), 'vps')).toBe(row.char);
    expect(encodeTo(row.char, 'vps')).toEqual(bytes(row.vps));
  });

  it('reads a doubtful VPS byte as the small letter that shares it', () => {
    const doubtful = ROWS.filter((row) => row.vps.endsWith('*'));
    expect(doubtful).toHaveLength(28);
    for (const row of doubtful) expect(decodeFrom(bytes(row.vps), 'vps')).toBe(row.char.toLowerCase());
  });

  it.each(ROWS)('VIQR $viqr decodes to $char', (row) => {
    expect(decodeFrom(new TextEncoder().encode(row.viqr), 'viqr')).toBe(row.char);
    expect(new TextDecoder().decode(encodeTo(row.char, 'viqr'))).toBe(row.viqr);
  });

  it.each(ROWS)('windows-1258 round-trips $char, with iconv-lite as the oracle', (row) => {
    const encoded = encodeTo(row.char, 'windows-1258');
    expect(decodeFrom(encoded, 'windows-1258')).toBe(row.char);
    expect(iconv.decode(Buffer.from(encoded), 'windows1258').normalize('NFC')).toBe(row.char);
    // The decomposed spelling iconv-lite can encode (base letter with quality mark + tone byte) reads back too.
    const decomposed = row.char.normalize('NFD');
    const base = decomposed.replace(/[\u0300\u0301\u0303\u0309\u0323]/gu, '').normalize('NFC');
    const tones = decomposed.replace(/[^\u0300\u0301\u0303\u0309\u0323]/gu, '');
    expect(decodeFrom(iconv.encode(base + tones, 'windows1258'), 'windows-1258')).toBe(row.char);
  });

  it('decodes every windows-1258 and VISCII byte as iconv-lite does', () => {
    for (let byte = 0; byte < 256; byte++) {
      const one = Uint8Array.of(byte);
      expect(decodeFrom(one, 'viscii'), `viscii ${byte}`).toBe(iconv.decode(Buffer.from(one), 'viscii'));
      const cp1258 = iconv.decode(Buffer.from(one), 'windows1258').normalize('NFC');
      expect(decodeFrom(one, 'windows-1258'), `windows-1258 ${byte}`).toBe(cp1258);
    }
  });

  it('has the windows-1252 table iconv-lite has', () => {
    for (let byte = 0x80; byte < 0xa0; byte++) {
      const expected = iconv.decode(Buffer.of(byte), 'windows1252');
      if (expected !== '\ufffd') {
        expect(String.fromCodePoint(windows1252Char(byte))).toBe(expected);
        expect(windows1252Byte(expected.codePointAt(0) ?? 0)).toBe(byte);
      }
    }
  });
});

describe('byte details from NOTES.md §5', () => {
  it('decodes VNI greedily: base + modifier pairs before single bytes', () => {
    expect(decodeFrom(Uint8Array.of(0x61, 0xf9), 'vni')).toBe('á');
    expect(decodeFrom(Uint8Array.of(0x61, 0xe1), 'vni')).toBe('ấ');
    expect(decodeFrom(Uint8Array.of(0x41, 0xd9), 'vni')).toBe('Á');
    // ư + ờ: F6 is a letter of its own, F4 F8 a pair.
    expect(decodeFrom(Uint8Array.of(0x6e, 0x67, 0xf6, 0xf4, 0xf8, 0x69), 'vni')).toBe('người');
  });

  it('accepts a VNI base with the other case modifier, keeping the base letter case', () => {
    expect(decodeFrom(Uint8Array.of(0x61, 0xd9), 'vni')).toBe('á');
    expect(decodeFrom(Uint8Array.of(0x41, 0xf9), 'vni')).toBe('Á');
  });

  it('reads TCVN3 0x80–0x9F as the windows-1252 punctuation of .VnTime documents, not VN1 capitals', () => {
    expect(decodeFrom(Uint8Array.of(0x93, 0x41, 0x94, 0x20, 0x96), 'tcvn3')).toBe('\u201cA\u201d \u2013');
  });

  it('restores TCVN3 capitals typed with small-letter bytes in a capital font', () => {
    const heading = encodeTo('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'tcvn3');
    expect(decodeFrom(heading, 'tcvn3')).toBe('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(decodeFrom(encodeTo('Xã Tân Hòa', 'tcvn3'), 'tcvn3')).toBe('Xã Tân Hòa');
  });

  it('decodes VISCII capitals that live in C0 control slots, and keeps the real controls', () => {
    expect(decodeFrom(Uint8Array.of(0x02, 0x05, 0x06, 0x14, 0x19, 0x1e), 'viscii')).toBe('ẲẴẪỶỸỴ');
    expect(decodeFrom(Uint8Array.of(0x09, 0x0a, 0x0d), 'viscii')).toBe('\t\n\r');
  });

  it('composes windows-1258 combining tones to NFC', () => {
    expect(decodeFrom(Uint8Array.of(0x56, 0x69, 0xea, 0xf2, 0x74), 'windows-1258')).toBe('Việt');
  });

  it('reads VIQR escapes and keeps sentence punctuation after a toned syllable', () => {
    expect(decodeFrom(new TextEncoder().encode('Vie^.t Nam'), 'viqr')).toBe('Việt Nam');
    expect(decodeFrom(new TextEncoder().encode('Ba.n co\\? kho^ng?'), 'viqr')).toBe('Bạn co? không?');
    expect(decodeFrom(new TextEncoder().encode('Ddi\\. ve^` nha`\\.'), 'viqr')).toBe('Đi. về nhà.');
    expect(decodeFrom(new TextEncoder().encode('ddi ho.c.'), 'viqr')).toBe('đi học.');
  });
});

describe('sentences round-trip through every encoder and decoder', () => {
  it.each(LEGACY_ENCODINGS.filter((e) => e !== 'tcvn3'))('%s', (encoding) => {
    for (const sentence of SENTENCES)
      expect(decodeFrom(encodeTo(sentence, encoding), encoding)).toBe(sentence);
  });

  it('tcvn3, where toned capitals come back small unless the word is in capitals', () => {
    const vn3Capital = /^[A-ZĂÂÊÔƠƯĐ]$/u;
    for (const sentence of SENTENCES) {
      const expected = sentence.replace(/\p{Lu}/gu, (c) => (vn3Capital.test(c) ? c : c.toLowerCase()));
      expect(decodeFrom(encodeTo(sentence, 'tcvn3'), 'tcvn3')).toBe(expected);
    }
  });

  it('agrees with iconv-lite encoding the sentences in VISCII', () => {
    for (const sentence of SENTENCES)
      expect(encodeTo(sentence, 'viscii')).toEqual(new Uint8Array(iconv.encode(sentence, 'viscii')));
  });
});

describe('errors', () => {
  it('refuses a character the encoding cannot hold with TEXT_UNENCODABLE', () => {
    expect(() => encodeTo('giá 5€', 'viscii')).toThrow(/U\+20AC/);
    try {
      encodeTo('中', 'vni');
    } catch (error) {
      expect(isHubError(error, 'TEXT_UNENCODABLE')).toBe(true);
    }
  });

  it('knows the usual names of encodings and refuses others with TEXT_UNKNOWN_ENCODING', () => {
    expect(parseSourceEncoding('ABC')).toBe('tcvn3');
    expect(parseSourceEncoding('cp1258')).toBe('windows-1258');
    expect(parseSourceEncoding('UTF8')).toBe('utf-8');
    expect(() => parseSourceEncoding('koi8-r')).toThrow(
      expect.objectContaining({ code: 'TEXT_UNKNOWN_ENCODING' }),
    );
  });
});
