import { describe, expect, it } from 'vitest';
import { parseDocumentNotation, type DocumentNotation } from './document-notation.ts';
import { ND30_DOCUMENT_TYPES } from './document-types.ts';

function notation(input: string): DocumentNotation {
  const result = parseDocumentNotation(input);
  if (result.kind !== 'notation') throw new TypeError(`expected a notation for ${input}: ${result.message}`);
  return result.notation;
}

describe('parseDocumentNotation', () => {
  it('reads a legal normative notation with its year (the seed decision)', () => {
    expect(notation('59/2014/QĐ-UBND')).toMatchObject({
      number: '59',
      year: 2014,
      typeAbbreviation: 'QĐ',
      documentType: { no: 2, name: 'Quyết định (cá biệt)' },
      issuer: 'UBND',
      unit: null,
      codeNotation: '2014/QĐ-UBND',
    });
  });

  it('reads a công văn: no type, issuer then drafting unit', () => {
    expect(notation('123/UBND-VP')).toMatchObject({
      number: '123',
      year: null,
      typeAbbreviation: null,
      documentType: { no: 18, name: 'Công văn' },
      issuer: 'UBND',
      unit: 'VP',
      codeNotation: 'UBND-VP',
    });
    expect(notation('7816/VPCP-TTĐT')).toMatchObject({ issuer: 'VPCP', unit: 'TTĐT' });
  });

  it('reads typed administrative documents with an optional unit, keeping leading zeros', () => {
    expect(notation('05/QĐ-UBND')).toMatchObject({
      number: '05',
      typeAbbreviation: 'QĐ',
      issuer: 'UBND',
      unit: null,
    });
    expect(notation('12/KH-UBND-VX')).toMatchObject({ typeAbbreviation: 'KH', issuer: 'UBND', unit: 'VX' });
    expect(notation('3/QyĐ-SYT')).toMatchObject({
      typeAbbreviation: 'QyĐ',
      documentType: { name: 'Quy định' },
    });
    expect(notation('45/TTr-STC')).toMatchObject({ documentType: { name: 'Tờ trình' }, issuer: 'STC' });
  });

  it('knows legal normative types that NĐ 30 does not list when the year is present', () => {
    expect(notation('30/2020/NĐ-CP')).toMatchObject({
      year: 2020,
      typeAbbreviation: 'NĐ',
      documentType: null,
      issuer: 'CP',
    });
    expect(notation('01/2011/TT-BNV')).toMatchObject({ typeAbbreviation: 'TT', issuer: 'BNV' });
  });

  it('accepts "Số:", spaces, dashes and Eth for Đ as found in converted documents', () => {
    expect(notation('Số: 59 / 2014 / QĐ - UBND')).toMatchObject({ raw: '59/2014/QĐ-UBND' });
    expect(notation('Số 123/UBND–VP')).toMatchObject({ issuer: 'UBND', unit: 'VP' });
    expect(notation('59/2014/QÐ-UBND')).toMatchObject({ typeAbbreviation: 'QĐ' });
  });

  it('matches every abbreviation of the NĐ 30 table', () => {
    for (const type of ND30_DOCUMENT_TYPES.filter((t) => t.abbreviation !== null)) {
      expect(notation(`7/${type.abbreviation ?? ''}-UBND`).documentType).toBe(type);
    }
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['UBND-VP', 'no-number'],
    ['Công văn số 5', 'no-number'],
    ['0/UBND-VP', 'bad-number'],
    ['5/14/QĐ-UBND', 'bad-year'],
    ['5/1800/QĐ-UBND', 'bad-year'],
    ['5/QĐ UBND', 'bad-characters'],
    ['5/QĐ--UBND', 'bad-characters'],
    ['5/', 'no-number'],
  ] as const)('refuses %j as %s, with a message', (input, reason) => {
    const result = parseDocumentNotation(input);
    expect(result).toMatchObject({ kind: 'not-a-notation', reason });
    if (result.kind === 'not-a-notation') expect(result.message).toContain(' / ');
  });
});
