/**
 * The validation report (Thông tư 15/2025/TT-BKHCN, ETSI EN 319 102-1 terms) from real verdicts of
 * test-PKI signatures: each check đạt / không đạt yêu cầu / chưa xác định with its reason, the
 * conclusion, and the PDF a clerk prints (its text read back with poppler's pdftotext).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../cli/commands/signing.ts';
import { parseOcspResponse, type OcspEvidence } from './ocsp.ts';
import { verifyPdf } from './pdf-verify.ts';
import { validationReport, type ReportCheck, type ValidationReport } from './validation-report.ts';
import { validationReportPdf } from './validation-report-pdf.ts';
import type { FileVerdict } from './verdict.ts';
import { ocspResponse } from './test-support/ocsp-responses.ts';
import { appendSignature, breakLastSignature, newPdf } from './test-support/pdf-writer.ts';
import { createTestPki, type TestIdentity, type TestPki } from './test-support/test-pki.ts';

const DAY = 86_400_000;
let pki: TestPki;
let goodEvidence: OcspEvidence[];

beforeAll(async () => {
  pki = await createTestPki();
  const good = async (certificate: TestIdentity, issuer: TestIdentity) =>
    parseOcspResponse(
      await ocspResponse({
        certificate: certificate.certificate,
        issuer,
        status: 'good',
        thisUpdate: new Date(Date.now() - DAY / 2),
      }),
    );
  goodEvidence = [
    await good(pki.leaf, pki.intermediate),
    await good(pki.sha1Signed, pki.intermediate),
    await good(pki.shortRsa, pki.intermediate),
    await good(pki.intermediate, pki.root),
  ].flatMap((e) => (e ? [e] : []));
});

const signedBy = (signer: TestIdentity) =>
  appendSignature(newPdf('Quyết định'), signer, pki.chainPath, 'Ký').bytes;

async function reportOf(
  pdf: Buffer,
  options: { ocsp?: OcspEvidence[]; at?: Date; material?: TestPki['material'] } = {},
): Promise<{ report: ValidationReport; verdict: FileVerdict }> {
  const verdict = await verifyPdf(pdf, options.material ?? pki.material, {
    at: options.at ?? new Date(),
    ocsp: options.ocsp ?? goodEvidence,
  });
  const file = {
    name: 'quyet-dinh.pdf',
    sha256: createHash('sha256').update(pdf).digest('hex'),
    size: pdf.length,
  };
  return { report: validationReport(file, verdict.signatures), verdict };
}

const results = (report: ValidationReport) =>
  Object.fromEntries((report.signatures[0]?.checks ?? []).map((c: ReportCheck) => [c.check, c.result]));
const detailsOf = (report: ValidationReport, check: ReportCheck['check']) =>
  report.signatures[0]?.checks.find((c) => c.check === check)?.details.map((d) => d.vi) ?? [];

describe('validation report', () => {
  it('a trusted signature with revocation checked passes every check: Đạt (TOTAL-PASSED)', async () => {
    const { report } = await reportOf(signedBy(pki.leaf));
    expect(results(report)).toEqual({
      integrity: 'passed',
      'trust-path': 'passed',
      validity: 'passed',
      revocation: 'passed',
      algorithms: 'passed',
    });
    expect(report.indication).toBe('TOTAL-PASSED');
    expect(report.conclusion.vi).toBe('Đạt');
    expect(report.signatures[0]?.signer).toMatchObject({
      name: 'Nguyễn Văn An',
      organisation: 'UBND tỉnh Tây Ninh',
      key: 'RSA 2048',
      serial: pki.leaf.certificate.serialNumber.toUpperCase(),
    });
    expect(report.signatures[0]?.field).toBe('Ký');
  });

  it('without revocation information the revocation check and the conclusion are Chưa xác định', async () => {
    const { report } = await reportOf(signedBy(pki.leaf), { ocsp: [] });
    expect(results(report).revocation).toBe('indeterminate');
    expect(report.indication).toBe('INDETERMINATE');
    expect(report.conclusion.vi).toBe('Chưa xác định');
    expect(detailsOf(report, 'revocation').join(' ')).toContain('Chưa có thông tin thu hồi');
  });

  it('a revoked signer fails the revocation check: Không đạt (TOTAL-FAILED)', async () => {
    const { report } = await reportOf(signedBy(pki.revoked), { material: pki.materialWithCrl });
    expect(results(report).revocation).toBe('failed');
    expect(report.signatures[0]?.checks.find((c) => c.check === 'revocation')?.resultWords.vi).toBe(
      'Không đạt yêu cầu',
    );
    expect(report.indication).toBe('TOTAL-FAILED');
    expect(report.conclusion.vi).toBe('Không đạt');
  });

  it('a certificate issued with SHA-1 is "không đạt yêu cầu" with the rule, though the hub accepts it with a warning', async () => {
    const { report, verdict } = await reportOf(signedBy(pki.sha1Signed));
    expect(verdict.trusted).toBe(true);
    expect(results(report).algorithms).toBe('failed');
    expect(detailsOf(report, 'algorithms').join('\n')).toContain('Thông tư 15/2025/TT-BKHCN');
    expect(report.indication).toBe('TOTAL-FAILED');
  });

  it('an RSA 1024 key fails the algorithms check, naming the key and the rule', async () => {
    const { report } = await reportOf(signedBy(pki.shortRsa));
    expect(results(report).algorithms).toBe('failed');
    expect(detailsOf(report, 'algorithms').join('\n')).toMatch(/RSA 1024 bit.*tối thiểu 2048 bit/);
  });

  it('a signature whose bytes were changed fails integrity', async () => {
    const { report } = await reportOf(breakLastSignature(signedBy(pki.leaf)));
    expect(results(report).integrity).toBe('failed');
    expect(report.indication).toBe('TOTAL-FAILED');
  });

  it('an unsigned file says so, and a verdict stored before keys were recorded leaves algorithms undetermined', async () => {
    const unsigned = await reportOf(newPdf('Công văn').bytes);
    expect(unsigned.report.signatures).toEqual([]);
    expect(unsigned.report.conclusion.vi).toBe('Tệp không có chữ ký số');
    const { verdict } = await reportOf(signedBy(pki.leaf));
    const [first] = verdict.signatures;
    if (!first?.signer) throw new Error('no signer');
    const olderSigner = { ...first.signer };
    delete olderSigner.key;
    const older = validationReport({ name: 'cu.pdf', sha256: '0'.repeat(64), size: 1 }, [
      { ...first, signer: olderSigner },
    ]);
    expect(results(older).algorithms).toBe('indeterminate');
  });

  it('renders a PDF in Vietnamese with the English beside it, every check and the conclusion in it', async () => {
    const { report } = await reportOf(signedBy(pki.sha1Signed));
    const pdf = await validationReportPdf(report);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = spawnSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).stdout.toString('utf8');
    for (const words of [
      'BÁO CÁO KIỂM TRA CHỮ KÝ SỐ',
      'Người ký: Ký SHA-1',
      'Thuật toán và độ dài khóa',
      'Không đạt yêu cầu',
      'Kết luận: Không đạt',
      'Signature validation report',
      report.file.sha256,
    ])
      expect(text).toContain(words);
  });
});

describe('lienthong verify --report', () => {
  async function run(argv: string[]): Promise<{ code: number; stdout: Buffer }> {
    const command = commands.find((c) => c.words.length === 1 && c.words[0] === 'verify')!;
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const code = await command.run({
      argv,
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
      env: { LIENTHONG_DATA_DIR: join(pki.dir, 'data') },
    });
    return { code, stdout: Buffer.concat(chunks) };
  }

  it('writes the report as JSON or as a PDF file, and refuses another form in Vietnamese first', async () => {
    const file = join(pki.dir, 'report-input.pdf');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, signedBy(pki.leaf));
    const trust = ['--trust', pki.root.certPath, '--trust', pki.intermediate.certPath];
    const json = await run(['verify', file, ...trust, '--report', 'json'].slice(1));
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout.toString('utf8')) as ValidationReport;
    expect(report.file.name).toBe('report-input.pdf');
    expect(report.signatures).toHaveLength(1);
    const out = join(pki.dir, 'report.pdf');
    const pdf = await run(['verify', file, ...trust, '--report', 'pdf', '--out', out].slice(1));
    expect(pdf.code).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await expect(run([file, '--report', 'xml'])).rejects.toMatchObject({
      code: 'CLI_USAGE',
      message: expect.stringMatching(/^Báo cáo \(--report\) chỉ có hai dạng: json hoặc pdf/) as unknown,
    });
  });
});
