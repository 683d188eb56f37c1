import { describe, expect, it } from 'vitest';
import { isVietnameseSyllable } from './vietnamese-syllable.ts';

describe('isVietnameseSyllable', () => {
  it.each([
    'công',
    'văn',
    'người',
    'nghiêng',
    'khuya',
    'quyết',
    'giữa',
    'gì',
    'Đường',
    'ỦY',
    'xoong',
    'hoà',
    'hòa',
    'thuở',
  ])('accepts %s', (word) => {
    expect(isVietnameseSyllable(word)).toBe(true);
  });

  it.each([
    ['cỏc', 'hỏi before a stop final'],
    ['cac', 'no tone before a stop final'],
    ['ờũ', 'two tones'],
    ['cụngg', 'no such rhyme'],
    ['ce', 'c before e must be k'],
    ['ka', 'k only before i, e, ê, y'],
    ['ngi', 'ng before i must be ngh'],
    ['ghá', 'gh only before i, e, ê'],
    ['café', 'f is not Vietnamese'],
    ['ǹg', 'tone on a consonant'],
    ['', 'empty'],
  ])('refuses %s (%s)', (word) => {
    expect(isVietnameseSyllable(word)).toBe(false);
  });
});
