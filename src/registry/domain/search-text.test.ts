import { describe, expect, it } from 'vitest';
import { foldForSearch, likeContaining, searchWords } from './search-text.ts';

describe('foldForSearch', () => {
  it.each([
    ['Quyết định', 'quyet dinh'],
    ['ĐỀ ÁN phát triển', 'de an phat trien'],
    ['59/2014/QĐ-UBND', '59/2014/qd-ubnd'],
    // decomposed input (windows-1258 style) folds the same as precomposed
    ['Quye\u0302\u0301t đi\u0323nh', 'quyet dinh'],
    ['  Sở   Tài chính\tTây Ninh ', 'so tai chinh tay ninh'],
  ])('folds %j to %j', (input, expected) => {
    expect(foldForSearch(input)).toBe(expected);
  });
});

describe('searchWords', () => {
  it('folds, deduplicates and drops one-letter words', () => {
    expect(searchWords('Quyết quyet định a')).toEqual(['quyet', 'dinh']);
  });
});

describe('likeContaining', () => {
  it('escapes LIKE wildcards so they match literally', () => {
    expect(likeContaining('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
