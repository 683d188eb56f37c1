import { describe, expect, it } from 'vitest';
import { parseAgencyCsv } from './parse-agency-csv.ts';

const HEADER = 'organId,name,channel,emails,aliases,signaturePolicy';

describe('parseAgencyCsv', () => {
  it('reads agencies with several addresses and aliases, normalized', () => {
    const result = parseAgencyCsv(
      `\uFEFF${HEADER}\n000.00.11.H53,"Sở Tài chính, Tây Ninh",email,STC@tayninh.gov.vn; tc@tayninh.gov.vn,01.02.H53,require_trusted\n000.00.00.G22,Văn phòng Chính phủ,partner,,,\n`,
    );
    expect(result).toMatchObject({
      kind: 'ok',
      agencies: [
        {
          organId: '000.00.11.H53',
          name: 'Sở Tài chính, Tây Ninh',
          channel: 'email',
          emails: ['stc@tayninh.gov.vn', 'tc@tayninh.gov.vn'],
          aliases: ['01.02.H53'],
          signaturePolicy: 'require_trusted',
        },
        {
          organId: '000.00.00.G22',
          channel: 'partner',
          emails: [],
          aliases: [],
          signaturePolicy: 'record_only',
        },
      ],
    });
  });

  it('reports every bad row with its line number', () => {
    const result = parseAgencyCsv(
      `${HEADER}\n000.00.11.H53,Sở Tài chính,hosted,,,\nSTC Tây Ninh,Bad code,hosted,,,\n000.00.12.H53,,fax,,,\n000.00.13.H53,Sở Y tế,email,not-an-address,,\n`,
    );
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.problems.map((p) => p.line)).toEqual([3, 4, 4, 5]);
    expect(result.problems[0]?.message).toMatch(/NNN\.NN\.NN\.XNN/);
    expect(result.problems[2]?.message).toMatch(/channel must be one of/);
    expect(result.problems[3]?.message).toMatch(/not a mail address/);
  });

  it('refuses unknown or missing columns instead of dropping data', () => {
    const result = parseAgencyCsv('organId,name,chanel\n000.00.11.H53,Sở Tài chính,hosted\n');
    expect(result).toEqual({
      kind: 'invalid',
      problems: [
        {
          line: 1,
          message: expect.stringMatching(/unknown column\(s\) chanel; missing column\(s\) channel/) as string,
        },
      ],
    });
  });

  it('reports a row with the wrong number of fields as unreadable CSV', () => {
    const result = parseAgencyCsv(`${HEADER}\n000.00.11.H53,Sở Tài chính\n`);
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.problems[0]?.message).toMatch(/not readable as CSV/);
  });

  it('refuses an e-mail-only agency without an address', () => {
    const result = parseAgencyCsv(`${HEADER}\n000.00.11.H53,Sở Tài chính,email,,,\n`);
    expect(result).toMatchObject({
      kind: 'invalid',
      problems: [{ line: 2, message: expect.stringMatching(/needs at least one address/) as string }],
    });
  });
});
