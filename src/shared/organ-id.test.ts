import { describe, expect, it } from 'vitest';
import { codeKey, equivalentCode, isAbsentCode, isAliasOrganId, isOrganId, organIdForm } from './organ-id.ts';

describe('agency codes in the forms real traffic carries', () => {
  it.each([
    ['000.00.11.H53', 'current'],
    ['G12', 'level-one'],
    ['k57', 'level-one'],
    ['020100107370', 'enterprise'],
    ['02.29.W00', 'legacy'],
    ['01.02.G22', 'legacy'],
    ['vxp.saas.03', 'system-id'],
  ])('%s is a %s code', (code, form) => {
    expect(organIdForm(code)).toBe(form);
    expect(isAliasOrganId(code)).toBe(true);
  });

  it.each(['', '   ', 'null', 'Sở Tài chính', '000.00.11.H53; DROP', '0201001073', '12', 'a'.repeat(21)])(
    'refuses %j as a code',
    (code) => {
      expect(organIdForm(code)).toBeUndefined();
    },
  );

  it('keeps the strict form for what the hub emits', () => {
    expect(isOrganId('000.00.11.H53')).toBe(true);
    expect(isOrganId('G12')).toBe(false);
    expect(isOrganId('020100107370')).toBe(false);
  });

  it('pairs a bare level-1 code with its four-group form, both ways', () => {
    expect(equivalentCode('G12')).toBe('000.00.00.G12');
    expect(equivalentCode(' 000.00.00.g12 ')).toBe('G12');
    expect(equivalentCode('000.00.11.H53')).toBeUndefined();
    expect(equivalentCode('020100107370')).toBeUndefined();
  });

  it('treats empty and the text null as no code, and compares codes without case', () => {
    expect(isAbsentCode(undefined)).toBe(true);
    expect(isAbsentCode(' NULL ')).toBe(true);
    expect(isAbsentCode('G12')).toBe(false);
    expect(codeKey(' vxp.saas.03 ')).toBe('VXP.SAAS.03');
  });
});
