import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHubError } from '../shared/index.ts';
import { parseEdxml } from './reader.ts';
import { assertSafeXml, assertWellFormedXml, checkWellFormed } from './safe-xml.ts';
import { validateEdxml } from './validator.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../test/fixtures/edxml/${name}`, import.meta.url));

/** Runs `act`, returns the HubError it threw, the time taken and the extra heap/RSS it cost. */
function measureRefusal(act: () => unknown): {
  code: string;
  message: string;
  ms: number;
  extraBytes: number;
} {
  const before = process.memoryUsage();
  const start = performance.now();
  let caught: unknown;
  try {
    act();
  } catch (error) {
    caught = error;
  }
  const ms = performance.now() - start;
  const after = process.memoryUsage();
  const extraBytes = Math.max(after.heapUsed - before.heapUsed, after.rss - before.rss, 0);
  if (!isHubError(caught)) throw new Error(`expected a HubError, got ${String(caught)}`);
  return { code: caught.code, message: caught.message, ms, extraBytes };
}

const MB = 1024 * 1024;

describe('assertSafeXml', () => {
  it('refuses a billion-laughs package at its DOCTYPE, fast and small', () => {
    const input = fixture('attacks/billion-laughs.edxml');
    const result = measureRefusal(() => assertSafeXml(input));
    expect(result.code).toBe('EDXML_DOCTYPE_FORBIDDEN');
    expect(result.message).toContain('line 2, column 1');
    expect(result.message).toMatch(/bị cấm/);
    expect(result.ms).toBeLessThan(1000);
    expect(result.extraBytes).toBeLessThan(100 * MB);
  });

  it('refuses an XXE package before any entity could be resolved', () => {
    const result = measureRefusal(() => assertSafeXml(fixture('attacks/xxe.edxml')));
    expect(result.code).toBe('EDXML_DOCTYPE_FORBIDDEN');
    expect(result.ms).toBeLessThan(1000);
    expect(result.extraBytes).toBeLessThan(100 * MB);
  });

  it('refuses a bare ENTITY declaration as such', () => {
    expect(measureRefusal(() => assertSafeXml('<a><!ENTITY x "y"></a>')).code).toBe('EDXML_ENTITY_FORBIDDEN');
  });

  it('refuses 100,000 levels of nesting at the depth limit', () => {
    const input = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    const result = measureRefusal(() => assertSafeXml(input));
    expect(result.code).toBe('EDXML_TOO_DEEP');
    expect(result.message).toContain('128');
    expect(result.ms).toBeLessThan(1000);
    expect(result.extraBytes).toBeLessThan(100 * MB);
  });

  it('refuses a package over the byte limit without decoding it', () => {
    const input = Buffer.alloc(52_428_800 + 1, 0x20);
    const result = measureRefusal(() => assertSafeXml(input));
    expect(result.code).toBe('EDXML_TOO_LARGE');
    expect(result.message).toContain('52428800');
    expect(result.ms).toBeLessThan(1000);
    expect(result.extraBytes).toBeLessThan(100 * MB);
  });

  it('honours a smaller configured byte limit', () => {
    expect(measureRefusal(() => assertSafeXml('<a>0123456789</a>', { maxBytes: 10 })).code).toBe(
      'EDXML_TOO_LARGE',
    );
  });

  it('refuses an element with too many attributes', () => {
    const attributes = Array.from({ length: 65 }, (_, i) => `a${i}="1"`).join(' ');
    expect(measureRefusal(() => assertSafeXml(`<r ${attributes}/>`)).code).toBe('EDXML_TOO_MANY_ATTRIBUTES');
  });

  it('accepts a real sample and returns its text without a BOM', () => {
    const text = assertSafeXml(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a>Hà Nội</a>')]),
    );
    expect(text).toBe('<a>Hà Nội</a>');
  });

  it('does not mistake a DOCTYPE inside a comment or CDATA for a declaration', () => {
    expect(() => assertSafeXml('<a><!-- <!DOCTYPE x> --><![CDATA[<!ENTITY y "z">]]></a>')).not.toThrow();
  });
});

describe('checkWellFormed', () => {
  it('rejects the edoc.edxml sample at the end tag that does not match, with line and column', () => {
    const result = checkWellFormed(fixture('truclienthong-example/edoc.edxml'));
    expect(result).toMatchObject({ wellFormed: false, line: 74, column: 7 });
    if (!result.wellFormed) expect(result.message).toContain('</edXML:MessageHeader>');
  });

  it.each([
    ['<a><b></a>', 1, 7, 'does not match'],
    ['<a>&foo;</a>', 1, 4, 'entity reference'],
    ['<a x="1" x="2"/>', 1, 10, 'duplicate attribute'],
    ['<a/><b/>', 1, 5, 'more than one root'],
    ['text<a/>', 1, 1, 'text outside'],
    ['<a>\n<b>', 2, 4, 'not closed'],
    ['<a x=1/>', 1, 6, 'quoted'],
    ['<a><!-- open', 1, 4, 'unterminated comment'],
    ['', 1, 1, 'no root'],
  ])('reports %j at line %i column %i (%s)', (input, line, column, text) => {
    const result = checkWellFormed(input);
    expect(result).toMatchObject({ wellFormed: false, line, column });
    if (!result.wellFormed) expect(result.message).toContain(text);
  });

  it('accepts declarations, comments, CDATA, character references and any prefix', () => {
    const input =
      '<?xml version="1.0"?>\n<!-- c --><p:a xmlns:p="u" b=\'&#x41;&amp;\'><![CDATA[<x>]]>&#65;</p:a>\n';
    expect(checkWellFormed(input)).toEqual({ wellFormed: true });
  });

  it('stays linear on adversarial references (200,000 bare "&" in attributes and text)', () => {
    const input = `<r>${'<e a="&" b="& x"/>&'.repeat(100_000)}</r>`;
    const start = performance.now();
    const result = checkWellFormed(input);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(result).toMatchObject({ wellFormed: false, line: 1, column: 10 });
  });

  it('stays linear with 200,000 text nodes and attribute values and no "&" anywhere', () => {
    const input = `<r>${'<e a="v">x</e>'.repeat(200_000)}</r>`;
    const start = performance.now();
    expect(checkWellFormed(input)).toEqual({ wellFormed: true });
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('throws EDXML_NOT_WELL_FORMED with line and column details from assertWellFormedXml', () => {
    expect(() => assertWellFormedXml('<a>\n  </b>')).toThrow(/line 2, column 3/);
  });
});

describe('the attacks through the package entry points', () => {
  const deepPackage = (): string => {
    const open =
      '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><MessageHeader><Subject>';
    const close = '</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>';
    return open + '<x>'.repeat(100_000) + '</x>'.repeat(100_000) + close;
  };

  it.each([
    ['billion laughs', () => fixture('attacks/billion-laughs.edxml'), 'EDXML_DOCTYPE_FORBIDDEN'],
    ['XXE', () => fixture('attacks/xxe.edxml'), 'EDXML_DOCTYPE_FORBIDDEN'],
    ['100,000-deep nesting', deepPackage, 'EDXML_TOO_DEEP'],
    ['a package over the 50 MB limit', () => Buffer.alloc(52_428_800 + 1, 0x20), 'EDXML_TOO_LARGE'],
  ] as const)('parseEdxml refuses %s in under a second and 100 MB', (_name, make, code) => {
    const input = make();
    const result = measureRefusal(() => parseEdxml(input));
    expect(result.code).toBe(code);
    expect(result.message).toMatch(/ \/ /);
    expect(result.ms).toBeLessThan(1000);
    expect(result.extraBytes).toBeLessThan(100 * MB);
  });

  it('validateEdxml reports the refusal as an error problem', () => {
    const result = validateEdxml(fixture('attacks/xxe.edxml'));
    expect(result).toEqual({
      valid: false,
      problems: [
        {
          path: '/',
          code: 'EDXML_DOCTYPE_FORBIDDEN',
          severity: 'error',
          message: expect.stringContaining('XXE') as string,
          rule: 'Lienthong docs/edxml.md §Safety',
        },
      ],
    });
  });

  it('applies a configured byte limit (LIENTHONG_MAX_MESSAGE_BYTES) before parsing', () => {
    const sample = fixture('truclienthong-example/status.edxml');
    expect(measureRefusal(() => parseEdxml(sample, { limits: { maxBytes: 1024 } })).code).toBe(
      'EDXML_TOO_LARGE',
    );
    expect(parseEdxml(sample, { limits: { maxBytes: 4096 } }).kind).toBe('status');
  });
});
