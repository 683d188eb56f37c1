import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, MAIL_HEADER_LIMITS, readMailHeaders } from './mail-headers.ts';

const mail = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('readMailHeaders', () => {
  it('reads folded fields up to the empty line and decodes encoded words beside the raw form', () => {
    const block = readMailHeaders(
      mail([
        'Received: from mta.stc.example.vn (mta.stc.example.vn [192.0.2.7])',
        '\tby hub.lienthong.local; Wed, 25 Nov 2026 09:00:00 +0700',
        'Subject: =?utf-8?B?R2nhuqV5IG3hu51p?= =?utf-8?Q?_h=E1=BB=8Dp?=',
        'From: Van thu <vanthu@stc.example.vn>',
        '',
        'Subject: not a header, the body',
      ]),
    );
    expect(block.problems).toEqual([]);
    expect(block.truncated).toBe(false);
    expect(block.fields).toEqual([
      {
        name: 'Received',
        value:
          'from mta.stc.example.vn (mta.stc.example.vn [192.0.2.7]) by hub.lienthong.local; Wed, 25 Nov 2026 09:00:00 +0700',
      },
      {
        name: 'Subject',
        value: 'Giấy mời họp',
        raw: '=?utf-8?B?R2nhuqV5IG3hu51p?= =?utf-8?Q?_h=E1=BB=8Dp?=',
      },
      { name: 'From', value: 'Van thu <vanthu@stc.example.vn>' },
    ]);
  });

  it('never throws on a malformed message: junk lines are left out and named, controls made visible', () => {
    const block = readMailHeaders(
      Buffer.concat([
        Buffer.from('\x00\xff\xfe garbage without a colon\r\nX-Ok: a\x00b\x1bc\r\n: empty name\r\n'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('\r\n\r\nbody'),
      ]),
    );
    expect(block.fields).toEqual([{ name: 'X-Ok', value: 'a\uFFFDb\uFFFDc' }]);
    expect(block.problems).toEqual(['3 line(s) are not header fields and were left out']);
  });

  it('reports a message with no header at all, and an unknown charset stays encoded', () => {
    expect(readMailHeaders(Buffer.from('just text\n\nmore')).problems).toContain(
      'no header fields could be read',
    );
    expect(readMailHeaders(Buffer.alloc(0)).fields).toEqual([]);
    expect(decodeEncodedWords('=?x-unknown-charset?B?YWJj?=')).toBe('=?x-unknown-charset?B?YWJj?=');
  });

  it('bounds bytes, field count and value length', () => {
    const endless = Buffer.from(`X-Long: ${'a'.repeat(MAIL_HEADER_LIMITS.bytes * 2)}`);
    const long = readMailHeaders(endless.subarray(0, MAIL_HEADER_LIMITS.bytes + 4), endless.length);
    expect(long.truncated).toBe(true);
    expect(long.fields[0]!.value.length).toBe(MAIL_HEADER_LIMITS.valueChars + 1);
    expect(long.problems[0]).toMatch(/no end of the header section/);

    const many = readMailHeaders(mail([...Array.from({ length: 400 }, (_, i) => `X-N: ${i}`), '', 'body']));
    expect(many.fields).toHaveLength(MAIL_HEADER_LIMITS.fields);
    expect(many.truncated).toBe(true);
    expect(many.problems).toEqual([`only the first ${MAIL_HEADER_LIMITS.fields} header fields are shown`]);
  });
});
