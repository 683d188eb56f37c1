/**
 * The validation report as a PDF a clerk can print or attach: A4, Vietnamese with the English
 * beside it in a smaller grey line, drawn by pdfkit with DejaVu Sans embedded (every Vietnamese
 * letter; Debian's fonts-dejavu-core, which the project's setup installs).
 */
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import { HubError } from '../shared/index.ts';
import { vietnamTime, type CheckResult, type ValidationReport, type Words } from './validation-report.ts';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const REGULAR = `${FONT_DIR}/DejaVuSans.ttf`;
const BOLD = `${FONT_DIR}/DejaVuSans-Bold.ttf`;

const COLOUR: Record<CheckResult, string> = {
  passed: '#14632d',
  failed: '#a11212',
  indeterminate: '#7a5200',
};
const GREY = '#555555';

export async function validationReportPdf(report: ValidationReport): Promise<Buffer> {
  if (!fs.existsSync(REGULAR) || !fs.existsSync(BOLD))
    throw new HubError(
      'SIGNING_REPORT_FONT_MISSING',
      `Thiếu phông chữ DejaVu (${REGULAR}) để in báo cáo tiếng Việt; cài gói fonts-dejavu-core (apt-get install fonts-dejavu-core) rồi thử lại. / The DejaVu font is missing; install fonts-dejavu-core.`,
    );
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 64, right: 56 },
    info: { Title: `${report.title.vi} — ${report.file.name}`, Producer: 'Lienthong', Creator: 'Lienthong' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.registerFont('body', REGULAR);
  doc.registerFont('bold', BOLD);

  const line = (words: Words, size = 10.5, font: 'body' | 'bold' = 'body', colour = '#000000') => {
    doc.font(font).fontSize(size).fillColor(colour).text(words.vi);
    if (words.en !== words.vi)
      doc
        .font('body')
        .fontSize(size - 2)
        .fillColor(GREY)
        .text(words.en);
  };
  const field = (label: Words, value: string) => {
    doc.font('bold').fontSize(10).fillColor('#000000').text(`${label.vi}: `, { continued: true });
    doc.font('body').text(value);
    doc.fontSize(8).fillColor(GREY).text(label.en);
  };

  line(report.title, 15, 'bold');
  doc.moveDown(0.3);
  doc.font('body').fontSize(9).fillColor(GREY).text(`Căn cứ / Rules: ${report.rule}`);
  doc.moveDown(0.6);
  field({ vi: 'Tệp', en: 'File' }, report.file.name);
  field({ vi: 'Mã băm SHA-256', en: 'SHA-256' }, report.file.sha256);
  field({ vi: 'Kích thước', en: 'Size' }, `${report.file.size.toLocaleString('vi-VN')} byte`);
  field({ vi: 'Thời điểm kiểm tra', en: 'Checked at' }, vietnamTime(report.checkedAt));
  doc.moveDown(0.4);
  line(
    { vi: `Kết luận chung: ${report.conclusion.vi}`, en: `Overall: ${report.conclusion.en}` },
    12,
    'bold',
    report.indication === 'TOTAL-PASSED'
      ? COLOUR.passed
      : report.indication === 'TOTAL-FAILED'
        ? COLOUR.failed
        : COLOUR.indeterminate,
  );

  for (const signature of report.signatures) {
    doc.moveDown(0.8);
    line(
      {
        vi: `Chữ ký ${signature.number}${signature.field ? ` (trường ${signature.field})` : ''}`,
        en: `Signature ${signature.number}${signature.field ? ` (field ${signature.field})` : ''}`,
      },
      12.5,
      'bold',
    );
    const signer = signature.signer;
    if (signer) {
      field({ vi: 'Người ký', en: 'Signer' }, signer.name);
      field({ vi: 'Cơ quan, tổ chức', en: 'Organisation' }, signer.organisation ?? '—');
      field({ vi: 'Số hiệu chứng thư', en: 'Certificate serial' }, signer.serial);
      field({ vi: 'Tổ chức cấp chứng thư', en: 'Issuer' }, signer.issuer);
      field({ vi: 'Khóa', en: 'Key' }, signer.key ?? '—');
    } else {
      line({ vi: 'Không xác định được người ký.', en: 'The signer is not known.' });
    }
    field(
      { vi: 'Thời điểm ký (do người ký khai)', en: 'Signing time (claimed)' },
      vietnamTime(signature.claimedSigningTime),
    );
    doc.moveDown(0.3);
    for (const c of signature.checks) {
      doc.font('bold').fontSize(10).fillColor('#000000').text(`• ${c.label.vi}: `, { continued: true });
      doc.fillColor(COLOUR[c.result]).text(c.resultWords.vi);
      doc.font('body').fontSize(8).fillColor(GREY).text(`  ${c.label.en}: ${c.resultWords.en}`);
      for (const d of c.details) {
        doc.font('body').fontSize(9).fillColor('#000000').text(`    – ${d.vi}`);
        if (d.en !== d.vi) doc.fontSize(8).fillColor(GREY).text(`      ${d.en}`);
      }
    }
    doc.moveDown(0.3);
    line(
      { vi: `Kết luận: ${signature.conclusion.vi}`, en: `Conclusion: ${signature.conclusion.en}` },
      11,
      'bold',
      signature.indication === 'TOTAL-PASSED'
        ? COLOUR.passed
        : signature.indication === 'TOTAL-FAILED'
          ? COLOUR.failed
          : COLOUR.indeterminate,
    );
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
