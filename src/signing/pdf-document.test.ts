import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isHubError } from '../shared/index.ts';
import { decodeStream, PdfFile } from './pdf-document.ts';
import { canonical, PdfLexer, readIndirect } from './pdf-syntax.ts';
import { verifyPdf } from './pdf-verify.ts';
import { buildTrustMaterial } from './trust-store.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isHubError(error, 'SIGNING_PDF_UNREADABLE')) return error.message;
    throw error;
  }
  return 'no error';
}

describe('PDF object syntax', () => {
  it('reads dictionaries, arrays, references, names with #xx, literal and hex strings', () => {
    const value = new PdfLexer(
      bytes('<< /A [1 0 R 2 -3.5 /N#41me (a\\(b\\)\\101) <48 69>] /B << /C true /D null >> >>'),
    ).value();
    expect(canonical(value)).toBe(
      '<< /A [ 1 0 R 2 -3.5 /NAme <6128622941> <4869> ] /B << /C true /D null >> >> ',
    );
  });

  it('refuses a nesting bomb with a reason instead of overflowing the stack', () => {
    expect(failure(() => new PdfLexer(bytes('['.repeat(100_000))).value())).toMatch(
      /nesting too deep at byte 64/,
    );
    expect(failure(() => new PdfLexer(bytes('<<'.repeat(100_000))).value())).toMatch(/nesting too deep/);
  });

  it('refuses unterminated strings and stray tokens', () => {
    expect(failure(() => new PdfLexer(bytes('(abc')).value())).toMatch(/unterminated string at byte 0/);
    expect(failure(() => new PdfLexer(bytes('<< /A ]')).value())).toMatch(/unexpected "\]" at byte 6/);
    expect(failure(() => readIndirect(bytes('4 0 obj << /Length 5 >> stream\nabc'), 0))).toMatch(
      /stream without endstream/,
    );
  });

  it('finds the end of a stream whose /Length is wrong or indirect', () => {
    const object = readIndirect(bytes('4 0 obj << /Length 9 0 R >>\nstream\nBT ET\nendstream\nendobj'), 0);
    expect(object.stream).toEqual({ start: 35, end: 40 });
  });
});

describe('PDF cross-reference and object streams', () => {
  it('stops on a /Prev loop and on a subsection larger than the file', () => {
    const loop = bytes(
      '%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev 9 /Root 1 0 R >>\n',
    );
    expect(new PdfFile(loop).state(9).entries.size).toBe(0);
    const huge = bytes('%PDF-1.7\nxref\n0 999999999\ntrailer\n<< >>\n');
    expect(failure(() => new PdfFile(huge).state(9))).toMatch(/subsection larger than the file/);
  });

  it('bounds what a compressed stream may inflate to', () => {
    const data = deflateSync(Buffer.alloc(1 << 20));
    const text = Buffer.concat([
      bytes(`1 0 obj << /Length ${data.length} /Filter /FlateDecode >>\nstream\n`),
      data,
      bytes('\nendstream\nendobj\n'),
    ]);
    expect(decodeStream(text, readIndirect(text, 0)).length).toBe(1 << 20);
    expect(failure(() => decodeStream(text, readIndirect(text, 0), 1024))).toMatch(/too large/);
  });

  it('judges a damaged PDF with reasons, never a crash', async () => {
    const material = buildTrustMaterial([]);
    const junk = [
      '%PDF-1.7\n1 0 obj << /ByteRange [0 10 20 30] /Contents <00> >> endobj\nstartxref\n5\n%%EOF',
      '%PDF-1.7\n1 0 obj << /ByteRange [0 10 20 30] /Contents (',
      `%PDF-1.7\n1 0 obj << /Type /Sig /Contents <00> /X ${'['.repeat(5000)} >> endobj`,
    ];
    for (const text of junk) {
      const verdict = await verifyPdf(bytes(text), material, { at: new Date() });
      expect(verdict.trusted).toBe(false);
      expect(verdict.signatures[0]?.status).toBe('invalid');
      expect(verdict.signatures[0]?.reasons.join(' ')).toMatch(/Broken PDF signature/);
    }
  });
});
