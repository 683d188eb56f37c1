import { describe, expect, it } from 'vitest';
import {
  describeUnsafeCharacter,
  findUnsafeCharacter,
  readableLine,
  readableValue,
  storableText,
  storableValue,
} from './unsafe-characters.ts';

describe('the one rule for characters the hub stores', () => {
  it.each([
    ['a NUL', 'Công\u0000văn', 'nul', 0x0000, 5],
    ['a bell', 'x\u0007', 'control', 0x0007, 2],
    ['an escape', '\u001b[31m', 'control', 0x001b, 1],
    ['DEL', 'a\u007f', 'control', 0x007f, 2],
    ['a lone high surrogate', 'ab\uD800c', 'lone-surrogate', 0xd800, 3],
    ['a lone low surrogate', '\uDC00', 'lone-surrogate', 0xdc00, 1],
    ['U+FFFE', 'x\uFFFE', 'noncharacter', 0xfffe, 2],
    ['U+FDD0', '\uFDD0', 'noncharacter', 0xfdd0, 1],
    ['U+10FFFF', 'a\u{10FFFF}', 'noncharacter', 0x10ffff, 2],
    ['a right-to-left override', 'hoadon\u202Efdp.exe', 'bidi-control', 0x202e, 7],
    ['a first-strong isolate', '\u2068x', 'bidi-control', 0x2068, 1],
  ])(
    'finds %s, with its class, code point and position in characters',
    (_, text, kind, codePoint, position) => {
      expect(findUnsafeCharacter(text)).toEqual({ kind, codePoint, position });
    },
  );

  it('counts positions in characters, not UTF-16 units (an emoji before the NUL)', () => {
    expect(findUnsafeCharacter('😀\u0000')?.position).toBe(2);
  });

  it('lets Vietnamese text, tabs, line breaks, paired surrogates and marks through', () => {
    for (const text of ['Ủy ban nhân dân tỉnh Tây Ninh', 'a\tb\r\nc', '😀 𠀀', 'x\u200Fy', '\uFFFD'])
      expect(findUnsafeCharacter(text)).toBeUndefined();
  });

  it('lets bidi controls through when asked (running text of a signed package)', () => {
    expect(findUnsafeCharacter('a\u202Eb', { bidi: false })).toBeUndefined();
    expect(findUnsafeCharacter('a\u202E\u0000', { bidi: false })?.kind).toBe('nul');
  });

  it('says what was found and what to do, in Vietnamese and English, without the raw character', () => {
    const found = findUnsafeCharacter('ab\u0000');
    if (!found) throw new Error('not found');
    const message = describeUnsafeCharacter(found);
    expect(message.vi).toBe('có ký tự NUL (U+0000) ở ký tự thứ 3; hãy xoá ký tự này');
    expect(message.en).toBe('contains a NUL character (U+0000) at character 3; remove it');
    for (const text of ['\u0007', '\uD800', '\uFFFF', '\u202E']) {
      const other = findUnsafeCharacter(text);
      if (!other) throw new Error(`not found: ${text}`);
      const words = describeUnsafeCharacter(other);
      expect(`${words.vi}${words.en}`).not.toContain(text);
    }
  });

  it('makes text storable: refused characters become U+FFFD, bidi controls stay in running text', () => {
    expect(storableText('a\u0000b\u0007c\uD800d\uFFFEe\u202Ef')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\u202Ef');
  });

  it('drops bidi controls from a line a person reads (a name, a subject, a file name)', () => {
    expect(readableLine('hoadon\u202Efdp.exe')).toBe('hoadonfdp.exe');
    expect(readableLine('V/v\u0000 họp')).toBe('V/v\uFFFD họp');
  });

  it('drops bidi controls from every string of the facts a person reads', () => {
    expect(readableValue({ from: { organName: 'Sở\u202E Tài chính' }, n: 1 })).toEqual({
      from: { organName: 'Sở Tài chính' },
      n: 1,
    });
  });

  it('cleans every string and key of a JSON value, and leaves other values alone', () => {
    const date = new Date(0);
    expect(storableValue({ 'k\u0000': ['x\u0000', 1, null, { y: 'z\uDFFF' }], when: date })).toEqual({
      'k\uFFFD': ['x\uFFFD', 1, null, { y: 'z\uFFFD' }],
      when: date,
    });
  });
});
