import { describe, expect, it } from 'vitest';
import { parseMergerMapping } from './parse-merger-mapping.ts';

describe('parseMergerMapping', () => {
  it('reads the official list: codes by key, names in NFC, an empty name keeps the old one', () => {
    const text = `\uFEFFoldCode,newCode,newName\n000.00.12.h43,000.00.32.H53,${'Sở Y tế'.normalize('NFD')}\n000.00.11.H43,000.00.11.H53,\n`;
    expect(parseMergerMapping(text)).toEqual({
      kind: 'ok',
      rows: [
        { line: 2, oldCode: '000.00.12.H43', newCode: '000.00.32.H53', newName: 'Sở Y tế' },
        { line: 3, oldCode: '000.00.11.H43', newCode: '000.00.11.H53', newName: null },
      ],
    });
  });

  it('names every bad row with its line, in Vietnamese first', () => {
    const parsed = parseMergerMapping(
      'oldCode,newCode,newName\n000.00.12.H43,000.00.32.H53,\nSở Y tế,000.00.33.H53,\n000.00.12.H43,000.00.34.H53,\n',
    );
    expect(parsed).toEqual({
      kind: 'invalid',
      problems: [
        {
          line: 3,
          message: 'Mã cũ "Sở Y tế" không phải mã định danh / the old code "Sở Y tế" is not an agency code',
        },
        {
          line: 4,
          message:
            'Mã cũ 000.00.12.H43 đã có ở dòng 2 / the old code 000.00.12.H43 is already mapped on line 2',
        },
      ],
    });
  });

  it('refuses a file without the code columns', () => {
    expect(parseMergerMapping('old,new\nA,B\n')).toMatchObject({ kind: 'invalid', problems: [{ line: 1 }] });
  });
});
