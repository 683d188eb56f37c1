import { describe, expect, it } from 'vitest';
import { documentTypeOf } from './document-type-of.ts';
import { documentTypeByName, ND30_DOCUMENT_TYPES } from './document-types.ts';

describe('documentTypeOf (NĐ 30 type of a received package)', () => {
  it('takes the type name over a producer-specific Type: Type 71 "Công văn" is a Công văn', () => {
    expect(documentTypeOf({ type: 71, typeName: 'Công văn', notation: '1234/UBND-KT' })).toMatchObject({
      entry: { no: 18, name: 'Công văn' },
      name: 'Công văn',
      source: 'type-name',
      notationDisagrees: undefined,
    });
  });

  it('reads the notation when there is no type name: 12/GM-UBND is a Giấy mời, whatever Type says', () => {
    expect(documentTypeOf({ type: 1, notation: '12/GM-UBND' })).toMatchObject({
      entry: { no: 23, name: 'Giấy mời' },
      source: 'notation',
    });
    expect(documentTypeOf({ notation: 'GM-UBND' }).entry?.no).toBe(23);
  });

  it('reads an untyped notation as a Công văn only when no type name says otherwise', () => {
    expect(documentTypeOf({ notation: '123/UBND-VP' })).toMatchObject({
      entry: { no: 18 },
      source: 'notation',
    });
    expect(documentTypeOf({ typeName: 'Lịch làm việc', notation: '05/UBND-VP' })).toMatchObject({
      entry: undefined,
      name: 'Lịch làm việc',
      source: 'type-name',
    });
  });

  it('says when the notation names another NĐ 30 type than the type name', () => {
    expect(documentTypeOf({ typeName: 'Công văn', notation: '12/GM-UBND' })).toMatchObject({
      entry: { no: 18 },
      notationDisagrees: { no: 23 },
    });
  });

  it('names a legal normative type outside NĐ 30 by its name or its notation with a year', () => {
    expect(documentTypeOf({ type: 1, typeName: 'Thông tư' })).toMatchObject({
      entry: undefined,
      name: 'Thông tư',
    });
    expect(documentTypeOf({ notation: '15/2020/NĐ-CP' })).toMatchObject({
      entry: undefined,
      name: 'Nghị định',
    });
  });

  it('never derives a type from the Type number alone', () => {
    expect(documentTypeOf({ type: 1 })).toEqual({
      entry: undefined,
      name: undefined,
      source: 'type-code',
      notationDisagrees: undefined,
    });
    expect(documentTypeOf({ type: 18 }).entry).toBeUndefined();
    expect(documentTypeOf({}).source).toBe('none');
  });
});

describe('documentTypeByName', () => {
  it('finds every NĐ 30 type however the producer writes it', () => {
    for (const type of ND30_DOCUMENT_TYPES) expect(documentTypeByName(type.name)).toBe(type);
    expect(documentTypeByName('  công   văn ')?.no).toBe(18);
    expect(documentTypeByName('Cong van')?.no).toBe(18);
    expect(documentTypeByName('Quyết định')?.no).toBe(2);
    expect(documentTypeByName('Bản thoả thuận')?.no).toBe(21);
    expect(documentTypeByName('Giấy uỷ quyền')?.no).toBe(22);
    expect(documentTypeByName('Lịch làm việc')).toBeUndefined();
  });
});

describe('documentTypeOf names', () => {
  it('says "(cá biệt)" only when the producer did', () => {
    expect(documentTypeOf({ typeName: 'Quyết định' }).name).toBe('Quyết định');
    expect(documentTypeOf({ typeName: 'Quyết định (cá biệt)' }).name).toBe('Quyết định (cá biệt)');
    expect(documentTypeOf({ notation: '05/QĐ-UBND' })).toMatchObject({
      entry: { no: 2 },
      name: 'Quyết định',
    });
    expect(documentTypeOf({ notation: '59/2014/QĐ-UBND' }).name).toBe('Quyết định');
  });
});
