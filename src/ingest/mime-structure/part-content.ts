/**
 * A leaf part's body through its Content-Transfer-Encoding, with a finding wherever readers would
 * decode the same bytes otherwise (RFC 2045 §6).
 */
import { note, where, type FindingLog } from './findings.ts';
import { decodeBase64, decodeQuotedPrintable } from './transfer-decoding.ts';

export const IDENTITY = ['', '7bit', '8bit', 'binary'];
export const UUENCODE = ['x-uuencode', 'x-uue', 'uuencode', 'uue', 'x-uuencoded'];

export function decodeBody(
  s: string,
  body: { start: number; end: number },
  cte: string,
  ctx: FindingLog,
  path: string,
  isAttachment: boolean,
): Buffer {
  const at = where(path);
  const text = s.slice(body.start, body.end);
  if (cte === 'base64') {
    const b = decodeBase64(text);
    if (b.junk > 0)
      note(
        ctx,
        'conflict',
        'base64-junk',
        path,
        'Content-Transfer-Encoding',
        `${at.vi}: dữ liệu base64 có ${b.junk} ký tự ngoài bảng mã; có trình đọc bỏ qua, có trình đọc dừng lại (${b.bytes.length} so với ít hơn byte)`,
        `${at.en}: the base64 data holds ${b.junk} characters outside its alphabet; some readers skip them, others stop there (${b.bytes.length} bytes or fewer)`,
      );
    if (b.dataAfterPad && !b.lenient.equals(b.bytes))
      note(
        ctx,
        'conflict',
        'base64-data-after-pad',
        path,
        'Content-Transfer-Encoding',
        `${at.vi}: dữ liệu base64 tiếp tục sau dấu "=" kết thúc; trình đọc dừng ở "=" thấy ${b.bytes.length} byte, trình đọc đọc tiếp thấy ${b.lenient.length} byte`,
        `${at.en}: the base64 data goes on after a "=" pad; a reader that stops there sees ${b.bytes.length} bytes, one that goes on ${b.lenient.length} bytes`,
      );
    if (b.unpadded)
      note(
        ctx,
        'harmless',
        'base64-unpadded',
        path,
        'Content-Transfer-Encoding',
        `${at.vi}: dữ liệu base64 thiếu dấu "=" ở cuối`,
        `${at.en}: the base64 data lacks its final "=" padding`,
      );
    return b.bytes;
  }
  if (cte === 'quoted-printable') {
    const qp = decodeQuotedPrintable(text);
    if (qp.badEscapes > 0)
      note(
        ctx,
        isAttachment ? 'conflict' : 'harmless',
        'qp-bad-escape',
        path,
        'Content-Transfer-Encoding',
        `${at.vi}: quoted-printable có ${qp.badEscapes} dấu "=" không theo sau bởi hai chữ số hex; có trình đọc giữ, có trình đọc bỏ`,
        `${at.en}: quoted-printable has ${qp.badEscapes} "=" not followed by two hex digits; some readers keep them, others drop them`,
      );
    if (qp.longLines > 0)
      note(
        ctx,
        'harmless',
        'qp-long-line',
        path,
        'Content-Transfer-Encoding',
        `${at.vi}: quoted-printable có ${qp.longLines} dòng dài hơn 76 ký tự`,
        `${at.en}: quoted-printable has ${qp.longLines} lines longer than 76 characters`,
      );
    return qp.bytes;
  }
  const raw = Buffer.from(text, 'latin1');
  if (IDENTITY.includes(cte)) {
    if ((cte === '' || cte === '7bit') && !ctx.eightBitNoted && /[\x80-\xff]/.test(text)) {
      ctx.eightBitNoted = true;
      note(
        ctx,
        'harmless',
        '8bit-in-7bit',
        path,
        'Content-Transfer-Encoding',
        `${at.vi}: có byte 8 bit trong phần khai báo 7bit`,
        `${at.en}: 8-bit bytes in a part declared 7bit`,
      );
    }
    return raw;
  }
  if (UUENCODE.includes(cte)) return raw;
  // Unknown, misspelled or quoted encodings: the strict reading takes the bytes as they are.
  const guess = guessEncoding(text);
  const shown = JSON.stringify(cte.slice(0, 40));
  if (guess)
    note(
      ctx,
      isAttachment ? 'conflict' : 'harmless',
      'unknown-encoding',
      path,
      'Content-Transfer-Encoding',
      `${at.vi}: mã truyền ${shown} không có trong chuẩn; dữ liệu trông như ${guess}, trình đọc đoán mã sẽ giải thành nội dung khác`,
      `${at.en}: the transfer encoding ${shown} is not a standard one; the data looks like ${guess}, and a reader that guesses decodes it to other bytes`,
    );
  else
    note(
      ctx,
      'harmless',
      'unknown-encoding',
      path,
      'Content-Transfer-Encoding',
      `${at.vi}: mã truyền ${shown} không có trong chuẩn, đọc nguyên dạng`,
      `${at.en}: the transfer encoding ${shown} is not a standard one; read as it is`,
    );
  return raw;
}

function guessEncoding(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.length >= 8 && /^[A-Za-z0-9+/=\s]+$/.test(trimmed)) return 'base64';
  if (/=[0-9A-F]{2}|=\r?\n/.test(text)) return 'quoted-printable';
  return null;
}
