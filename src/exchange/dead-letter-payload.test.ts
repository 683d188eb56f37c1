import { describe, expect, it } from 'vitest';
import { describePayload, headersForAudit, PAYLOAD_TEXT_LIMIT } from './dead-letter-payload.ts';

describe('describePayload', () => {
  it('cuts text at 64 KiB without splitting a character', () => {
    // 'ệ' is 3 bytes in UTF-8: 1 + 3n bytes never ends on the limit.
    const text = `x${'ệ'.repeat(30_000)}`;
    const payload = describePayload(Buffer.from(text), 'text/plain');
    expect(payload.text?.truncated).toBe(true);
    expect(Buffer.byteLength(payload.text?.value ?? '')).toBeLessThanOrEqual(PAYLOAD_TEXT_LIMIT);
    expect(payload.text?.value).toBe(text.slice(0, (payload.text?.value ?? '').length));
  });

  it('shows bidirectional controls instead of letting them reorder the text', () => {
    const payload = describePayload(Buffer.from('From: A\u202Egpj.exe'), null);
    expect(payload.text?.value).toBe('From: A⟨U+202E⟩gpj.exe');
  });

  it('treats bytes that are not UTF-8, or hold control characters, as binary', () => {
    for (const bytes of [Buffer.from([0xc3, 0x28]), Buffer.from('a\u0000b'), Buffer.from('a\u001bb')]) {
      const payload = describePayload(bytes, null);
      expect(payload.text).toBeNull();
      expect(payload.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(payload.summary).toBe('not-edxml');
    }
  });

  it('keeps tabs and line breaks as text', () => {
    expect(describePayload(Buffer.from('a\tb\r\nc'), null).text).toEqual({
      value: 'a\tb\r\nc',
      truncated: false,
    });
  });
});

describe('headersForAudit', () => {
  it('keeps what the headers said, bytes as their size and long strings capped', () => {
    expect(
      headersForAudit({
        'x-death': [{ reason: 'rejected', count: 2n, time: new Date('2026-12-01T00:00:00Z') }],
        blob: Buffer.alloc(10),
        long: 'a'.repeat(600),
      }),
    ).toEqual({
      'x-death': [{ reason: 'rejected', count: '2', time: '2026-12-01T00:00:00.000Z' }],
      blob: { bytes: 10 },
      long: `${'a'.repeat(500)}…`,
    });
  });
});
