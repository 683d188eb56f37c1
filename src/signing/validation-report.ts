/**
 * A validation report of a file's signatures, in Vietnamese with English beside it, in the terms
 * of Thông tư 15/2025/TT-BKHCN and ETSI EN 319 102-1: for each signature the signer and their
 * certificate, the signing time, and one line per check — integrity (and what changed after
 * signing), trust path to the national root, validity, revocation at the time of checking,
 * algorithms and key size — each "đạt", "không đạt" or "chưa xác định", then the signature's
 * conclusion with its reasons. Built from the verdicts (verdict.ts), so a verdict stored at
 * receipt gives the same report later. The PDF rendering is validation-report-pdf.ts.
 */
import { splitSaid } from '../shared/index.ts';
import { REASONS, type EmbeddedSignatureVerdict, type SignatureVerdict } from './verdict.ts';

export type Words = { readonly vi: string; readonly en: string };
export type CheckResult = 'passed' | 'failed' | 'indeterminate';
export type Indication = 'TOTAL-PASSED' | 'TOTAL-FAILED' | 'INDETERMINATE';

export type ReportCheck = {
  readonly check: 'integrity' | 'trust-path' | 'validity' | 'revocation' | 'algorithms';
  readonly label: Words;
  readonly result: CheckResult;
  readonly resultWords: Words;
  /** what the check found, in both languages */
  readonly details: readonly Words[];
};

export type SignatureReport = {
  readonly number: number;
  readonly field: string | null;
  readonly signer: {
    readonly name: string;
    readonly organisation: string | null;
    readonly serial: string;
    readonly issuer: string;
    readonly validFrom: string;
    readonly validTo: string;
    readonly key: string | null;
  } | null;
  /** the time the signer claims (CMS signingTime, PDF /M); a timestamp's time when the signature is one */
  readonly claimedSigningTime: string | null;
  /** the time a valid signature timestamp proves, and its authority */
  readonly provenSigningTime: { readonly at: string; readonly tsa: string } | null;
  /** the PAdES baseline level (ETSI EN 319 142-1), null when the signature is not a PAdES one */
  readonly level: string | null;
  readonly checkedAt: string;
  readonly checks: readonly ReportCheck[];
  readonly indication: Indication;
  readonly conclusion: Words;
};

export type ValidationReport = {
  readonly title: Words;
  readonly rule: string;
  readonly file: { readonly name: string; readonly sha256: string; readonly size: number };
  readonly checkedAt: string;
  readonly signatures: readonly SignatureReport[];
  readonly indication: Indication;
  readonly conclusion: Words;
};

const RESULT_WORDS: Record<CheckResult, Words> = {
  passed: { vi: 'Đạt', en: 'Passed' },
  failed: { vi: 'Không đạt yêu cầu', en: 'Failed' },
  indeterminate: { vi: 'Chưa xác định', en: 'Indeterminate' },
};

const CONCLUSION: Record<Indication, Words> = {
  'TOTAL-PASSED': { vi: 'Đạt', en: 'Passed (TOTAL-PASSED)' },
  'TOTAL-FAILED': { vi: 'Không đạt', en: 'Failed (TOTAL-FAILED)' },
  INDETERMINATE: { vi: 'Chưa xác định', en: 'Indeterminate (INDETERMINATE)' },
};

const LABELS: Record<ReportCheck['check'], Words> = {
  integrity: { vi: 'Tính toàn vẹn của nội dung đã ký', en: 'Integrity of the signed content' },
  'trust-path': {
    vi: 'Đường dẫn tin cậy đến chứng thư gốc (CA chuyên dùng Chính phủ hoặc CA đã cấu hình)',
    en: 'Trust path to the root (the government CA or a configured one)',
  },
  validity: { vi: 'Thời hạn hiệu lực của chứng thư số', en: 'Validity period of the certificate' },
  revocation: { vi: 'Tình trạng thu hồi chứng thư số', en: 'Revocation status of the certificate' },
  algorithms: {
    vi: 'Thuật toán và độ dài khóa (Thông tư 15/2025/TT-BKHCN)',
    en: 'Algorithms and key size (TT 15/2025/TT-BKHCN)',
  },
};

/** Vietnam time as people read it: 08:05 01/12/2026 (UTC+7); "—" when there is none. */
export function vietnamTime(iso: string | null): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const local = new Date(at.getTime() + 7 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(local.getUTCHours())}:${two(local.getUTCMinutes())} ${two(local.getUTCDate())}/${two(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} (UTC+7)`;
}

/** A reason as the verdicts write it, "Vietnamese / English", in its two languages. */
export function wordsOf(reason: string): Words {
  return splitSaid(reason) ?? { vi: reason, en: reason };
}

const check = (
  kind: ReportCheck['check'],
  result: CheckResult,
  details: readonly (string | Words)[],
): ReportCheck => ({
  check: kind,
  label: LABELS[kind],
  result,
  resultWords: RESULT_WORDS[result],
  details: details.map((d) => (typeof d === 'string' ? wordsOf(d) : d)),
});

/** Reasons and warnings about algorithms and key sizes (their English side, which the constants fix). */
const ALGORITHM_NOTE =
  /^(Key too short|The certificate chain uses|Legacy RSA-SHA1|.* is not accepted: |HMAC signatures|Algorithm not allowed)/;
const isAlgorithmNote = (text: string) => ALGORITHM_NOTE.test(wordsOf(text).en);
const usesSha1 = (text: string) => text === REASONS.sha1Legacy || /uses SHA-1/.test(wordsOf(text).en);

const REVOCATION_NOTES: ReadonlySet<string> = new Set([REASONS.noCrl, REASONS.staleCrl]);

const MINIMUM_BITS: Record<string, number> = { RSA: 2048, ECDSA: 256 };

function algorithmsCheck(verdict: SignatureVerdict): ReportCheck {
  const notes = [...verdict.reasons, ...verdict.warnings].filter(isAlgorithmNote);
  // SHA-1 is accepted with a warning for old documents, but the rule does not allow it: the
  // report says "không đạt yêu cầu" with the rule (Thông tư 15/2025/TT-BKHCN).
  const sha1 = [...verdict.reasons, ...verdict.warnings].some(usesSha1);
  const refused = verdict.reasons.some(isAlgorithmNote);
  const signer = verdict.signer;
  const key = signer?.key;
  const [type, bits] = (key ?? '').split(' ');
  const minimum = type ? MINIMUM_BITS[type] : undefined;
  const short = minimum !== undefined && Number(bits) < minimum;
  const details: Words[] = notes.map(wordsOf);
  if (sha1)
    details.push({
      vi: 'Thuật toán băm SHA-1 không đáp ứng quy định về thuật toán (Thông tư 15/2025/TT-BKHCN yêu cầu SHA-256 trở lên).',
      en: 'SHA-1 does not meet the rule on algorithms (TT 15/2025/TT-BKHCN requires SHA-256 or stronger).',
    });
  if (signer && key && details.length === 0)
    details.push({
      vi: `Khóa ${key}; chứng thư được ký bằng ${signer.certificateSignature ?? 'thuật toán không rõ'}.`,
      en: `Key ${key}; the certificate is signed with ${signer.certificateSignature ?? 'an unknown algorithm'}.`,
    });
  if (refused || sha1 || short) return check('algorithms', 'failed', details);
  if (!key)
    return check('algorithms', 'indeterminate', [
      {
        vi: 'Kết quả kiểm tra lưu từ trước không ghi loại và độ dài khóa; cần kiểm tra lại tệp.',
        en: 'The stored verdict does not record the key; check the file again.',
      },
    ]);
  return check('algorithms', 'passed', details);
}

function signatureReport(
  verdict: SignatureVerdict | EmbeddedSignatureVerdict,
  number: number,
): SignatureReport {
  const embedded = 'field' in verdict ? verdict : null;
  const otherReasons = verdict.reasons.filter((r) => !isAlgorithmNote(r));
  const checks: ReportCheck[] = [];
  // integrity: the signature value and digests, and (PDF) what changed after signing
  if (verdict.status === 'valid') checks.push(check('integrity', 'passed', []));
  else if (verdict.status === 'invalid')
    checks.push(check('integrity', 'failed', otherReasons.length > 0 ? otherReasons : verdict.reasons));
  else checks.push(check('integrity', 'indeterminate', otherReasons));
  const chainReasons = (match: (text: string) => boolean) => otherReasons.filter((r) => match(wordsOf(r).en));
  switch (verdict.chain) {
    case 'trusted':
      checks.push(
        check(
          'trust-path',
          'passed',
          verdict.signer
            ? [{ vi: `Bên cấp: ${verdict.signer.issuer}`, en: `Issuer: ${verdict.signer.issuer}` }]
            : [],
        ),
      );
      break;
    case 'untrusted':
    case 'pinned-mismatch':
      checks.push(
        check(
          'trust-path',
          'failed',
          chainReasons((t) => !/expired|not yet valid|revoked/i.test(t)),
        ),
      );
      break;
    case 'unknown':
      checks.push(check('trust-path', 'indeterminate', []));
      break;
    case 'expired':
    case 'not-yet-valid':
    case 'revoked':
      // the path was built to a root; the certificate's own time or status fails below
      checks.push(check('trust-path', 'passed', []));
  }
  checks.push(
    verdict.chain === 'expired' || verdict.chain === 'not-yet-valid'
      ? check(
          'validity',
          'failed',
          chainReasons((t) => /expired|not yet valid/i.test(t)),
        )
      : verdict.chain === 'unknown' || !verdict.signer
        ? check('validity', 'indeterminate', [])
        : check('validity', 'passed', [
            {
              vi: `Hiệu lực từ ${vietnamTime(verdict.signer.notBefore)} đến ${vietnamTime(verdict.signer.notAfter)}`,
              en: `Valid from ${vietnamTime(verdict.signer.notBefore)} to ${vietnamTime(verdict.signer.notAfter)}`,
            },
          ]),
  );
  const revocationNotes = verdict.warnings.filter((w) => REVOCATION_NOTES.has(w));
  checks.push(
    verdict.chain === 'revoked'
      ? check(
          'revocation',
          'failed',
          chainReasons((t) => /revoked/i.test(t)),
        )
      : verdict.chain === 'unknown'
        ? check('revocation', 'indeterminate', [])
        : revocationNotes.length > 0
          ? check('revocation', 'indeterminate', revocationNotes)
          : check('revocation', 'passed', [
              {
                vi: `Chưa bị thu hồi tại thời điểm kiểm tra (${vietnamTime(verdict.checkedAt)})`,
                en: `Not revoked at the time of checking (${vietnamTime(verdict.checkedAt)})`,
              },
            ]),
  );
  checks.push(algorithmsCheck(verdict));
  const indication: Indication = checks.some((c) => c.result === 'failed')
    ? 'TOTAL-FAILED'
    : checks.some((c) => c.result === 'indeterminate')
      ? 'INDETERMINATE'
      : 'TOTAL-PASSED';
  const signer = verdict.signer;
  return {
    number,
    field: embedded?.field ?? null,
    signer: signer
      ? {
          name: /CN=([^,]+)/.exec(signer.subject)?.[1] ?? signer.subject,
          organisation: signer.organization,
          serial: signer.serial,
          issuer: signer.issuer,
          validFrom: signer.notBefore,
          validTo: signer.notAfter,
          key: signer.key ?? null,
        }
      : null,
    claimedSigningTime: embedded?.signingTime ?? null,
    provenSigningTime: embedded?.signatureTimestamp ?? null,
    level: embedded?.level ?? null,
    checkedAt: verdict.checkedAt,
    checks,
    indication,
    conclusion: CONCLUSION[indication],
  };
}

/** The report of a file's verdicts (a PDF's or a message's signatures, or one edXML signature). */
export function validationReport(
  file: { name: string; sha256: string; size: number },
  verdicts: readonly (SignatureVerdict | EmbeddedSignatureVerdict)[],
): ValidationReport {
  const signed = verdicts.filter((v) => v.status !== 'unsigned');
  const signatures = signed.map((v, i) => signatureReport(v, i + 1));
  const indication: Indication =
    signatures.length === 0
      ? 'INDETERMINATE'
      : signatures.some((s) => s.indication === 'TOTAL-FAILED')
        ? 'TOTAL-FAILED'
        : signatures.some((s) => s.indication === 'INDETERMINATE')
          ? 'INDETERMINATE'
          : 'TOTAL-PASSED';
  return {
    title: { vi: 'BÁO CÁO KIỂM TRA CHỮ KÝ SỐ', en: 'Signature validation report' },
    rule: 'Thông tư 15/2025/TT-BKHCN; ETSI EN 319 102-1',
    file,
    checkedAt: verdicts[0]?.checkedAt ?? new Date().toISOString(),
    signatures,
    indication,
    conclusion:
      signatures.length === 0
        ? { vi: 'Tệp không có chữ ký số', en: 'The file has no signature' }
        : CONCLUSION[indication],
  };
}
