import { describe, expect, it } from 'vitest';
import {
  exactToneQuery,
  exactToneScore,
  findPassage,
  holdsPhrases,
  foldWithOrigins,
  parseSearchQuery,
  searchQuery,
  searchVector,
  wordsOf,
} from './full-text.ts';

const marked = (p: ReturnType<typeof findPassage>) => (p ? p.marks.map(([s, e]) => p.text.slice(s, e)) : []);

describe('Vietnamese words for full-text search', () => {
  it('folds NFC Vietnamese one character for one, and keeps where each came from', () => {
    const text = 'Quyết định ĐƯỜNG Ưu';
    const { folded, from, to } = foldWithOrigins(text);
    expect(folded).toBe('quyet dinh duong uu');
    expect(folded.length).toBe(text.length);
    expect(from.every((at, i) => at === i && to[i] === i + 1)).toBe(true);
  });

  it('puts a combining mark with the letter before it', () => {
    const text = 'Quye\u0302\u0301t đi\u0323nh';
    expect(wordsOf(text).map((w) => [w.word, text.slice(w.start, w.end)])).toEqual([
      ['quyet', 'Quye\u0302\u0301t'],
      ['dinh', 'đi\u0323nh'],
    ]);
  });

  it('splits a notation into its words, punctuation and all', () => {
    expect(wordsOf('Số 12/QĐ-UBND, ngày 1.3.2026').map((w) => w.word)).toEqual([
      'so',
      '12',
      'qd',
      'ubnd',
      'ngay',
      '1',
      '3',
      '2026',
    ]);
  });

  it('builds the tsvector with positions, a gap between fields, and the marked words as written', () => {
    expect(searchVector(['Quyết định số 12', null, 'số liệu'])).toBe(
      "'quyet':1 'dinh':2 'so':3,6 '12':4 'lieu':7 'quyet_dinh' 'dinh_so' 'so_12' 'so_lieu' 'quyết' 'định' 'số' 'liệu'",
    );
    // a word without marks is there once; capitals as lower case
    expect(searchVector(['QĐ-UBND ke hoach'])).toBe(
      "'qd':1 'ubnd':2 'ke':3 'hoach':4 'qd_ubnd' 'ubnd_ke' 'ke_hoach' 'qđ'",
    );
  });

  it('asks for the words typed with marks exactly as typed, and for nothing when none has marks', () => {
    expect(exactToneQuery(parseSearchQuery('quyết dinh "chuyển đổi" 12/QĐ'))).toBe(
      "'chuyển' & 'đổi' & 'quyết' & 'qđ'",
    );
    expect(exactToneQuery(parseSearchQuery('quyet dinh 12/qd'))).toBeNull();
  });

  it('turns words, "phrases" and notations into a tsquery of words only', () => {
    const terms = parseSearchQuery('quyet định "chuyển đổi số" 12/QĐ-UBND a đ & | ! :* \\ \'x\'');
    expect(searchQuery(terms)).toBe("'chuyen_doi' & 'doi_so' & 'quyet' & 'dinh' & '12_qd' & 'qd_ubnd'");
    expect(terms.map((t) => t.toned)).toEqual([
      ['chuyển', 'đổi', 'số'],
      ['quyet'],
      ['định'],
      ['12', 'qđ', 'ubnd'],
    ]);
    expect(searchQuery(parseSearchQuery('"đất đai" ngân'))).toBe("'dat_dai' & 'ngan'");
    expect(parseSearchQuery('!!! :* <->')).toEqual([]);
    expect(parseSearchQuery('quyết '.repeat(5000)).length).toBeLessThanOrEqual(2); // cut at 2,000 characters
    expect(parseSearchQuery('a b c d e f g h i j k l m n'.replace(/ /g, 'x '))).toHaveLength(8);
  });

  it('tells a phrase from its pairs of words standing apart', () => {
    const terms = parseSearchQuery('"chuyển đổi số" ke hoach');
    expect(holdsPhrases(['Kế hoạch chuyển đổi số'], terms)).toBe(true);
    expect(holdsPhrases(['Kế hoạch chuyển đổi mới, đổi số liệu'], terms)).toBe(false);
    expect(holdsPhrases(['chuyển đổi', 'số'], terms)).toBe(false);
  });

  it('counts the terms that occur with the very tone marks typed', () => {
    const terms = parseSearchQuery('bán "kế hoạch"');
    expect(exactToneScore(['Kế hoạch bán đấu giá'], terms)).toBe(2);
    expect(exactToneScore(['Kế hoạch ban hành'], terms)).toBe(1);
    expect(exactToneScore(['KE HOACH BAN'], terms)).toBe(0);
  });

  it('finds the passage in the field with most terms and marks the original characters', () => {
    const long = `${'Căn cứ Luật Tổ chức chính quyền địa phương. '.repeat(4)}Ủy ban nhân dân tỉnh QUYẾT ĐỊNH phê duyệt ${'dự án '.repeat(40)}`;
    const passage = findPassage(
      [
        { field: 'text', text: long },
        { field: 'subject', text: 'Quyết định' },
      ],
      parseSearchQuery('quyet dinh phe duyet'),
    );
    expect(passage?.field).toBe('text');
    expect(marked(passage)).toEqual(['QUYẾT ĐỊNH phê duyệt']);
    expect(passage?.cut).toEqual([true, true]);
    expect(passage?.text.length).toBeLessThanOrEqual(200);
    const decomposed = findPassage(
      [{ field: 'text', text: 'Về đi\u0323nh mư\u0301c' }],
      parseSearchQuery('dinh muc'),
    );
    expect(marked(decomposed)).toEqual(['đi\u0323nh mư\u0301c']);
    expect(findPassage([{ field: 'text', text: 'khác' }], parseSearchQuery('quyet'))).toBeNull();
  });
});
