/**
 * The signature verdict of docs/contract.md ("Signature verdict") and the clerk-facing reason texts.
 * Verdicts are values: every outcome of checking a signature, good or bad, is one of these.
 */
import { factsOf } from './certificate-facts.ts';
import type { X509Certificate } from './x509.ts';

export type SignatureStatus = 'valid' | 'invalid' | 'unsigned' | 'unverifiable';
export type ChainStatus =
  'trusted' | 'untrusted' | 'expired' | 'not-yet-valid' | 'revoked' | 'pinned-mismatch' | 'unknown';

export type SignerSummary = {
  readonly subject: string;
  readonly organization: string | null;
  readonly serial: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
};

export type SignatureVerdict = {
  readonly status: SignatureStatus;
  readonly chain: ChainStatus;
  readonly trusted: boolean;
  readonly signer: SignerSummary | null;
  readonly checkedAt: string;
  readonly warnings: readonly string[];
  readonly reasons: readonly string[];
};

/** A signature inside a PDF or an S/MIME message: the contract verdict plus where and when it was made. */
export type EmbeddedSignatureVerdict = SignatureVerdict & {
  /** PDF signature field name (`/T`), or null for S/MIME. */
  readonly field: string | null;
  /** Signing time claimed by the signer (CMS signingTime or PDF /M); not a trusted timestamp. */
  readonly signingTime: string | null;
  /** True when this signature's byte ranges cover the whole file (always true for S/MIME). */
  readonly coversWholeFile: boolean;
};

export type FileVerdict = {
  readonly signatures: readonly EmbeddedSignatureVerdict[];
  readonly coversWholeFile: boolean;
  readonly trusted: boolean;
};

export function summarizeSigner(certificate: X509Certificate): SignerSummary {
  return factsOf(certificate).summary;
}

export function makeVerdict(parts: {
  status: SignatureStatus;
  chain: ChainStatus;
  signer: SignerSummary | null;
  checkedAt: Date;
  warnings?: readonly string[];
  reasons?: readonly string[];
}): SignatureVerdict {
  return {
    status: parts.status,
    chain: parts.chain,
    trusted: parts.status === 'valid' && parts.chain === 'trusted',
    signer: parts.signer,
    checkedAt: parts.checkedAt.toISOString(),
    warnings: [...new Set(parts.warnings ?? [])],
    reasons: [...new Set(parts.reasons ?? [])],
  };
}

/**
 * Reason texts, Vietnamese first then English, phrased as what a clerk can do next.
 * Kept in one place so that the wording stays consistent across XMLDSig, S/MIME and PDF.
 */
export const REASONS = {
  unsigned:
    'Văn bản không có chữ ký số; nếu cần văn bản có chữ ký, hãy yêu cầu đơn vị gửi ký và gửi lại. / The document carries no digital signature.',
  placeholder:
    'Gói tin chỉ có chữ ký mẫu của bộ phát triển (SDK), không kiểm tra được; coi như chưa ký, đề nghị đơn vị gửi ký bằng chứng thư số thật. / SDK placeholder signature: cannot be checked, treat as unsigned.',
  notXml:
    'Tệp không phải XML hợp lệ nên không kiểm tra được chữ ký; đề nghị đơn vị gửi gửi lại. / The file is not readable XML.',
  multipleSignatures:
    'Gói tin có nhiều hơn một chữ ký XML; hồ sơ liên thông chỉ chấp nhận đúng một chữ ký trên toàn văn bản. Đề nghị đơn vị gửi ký lại. / More than one XML signature.',
  signedInfoCount:
    'Chữ ký có nhiều phần SignedInfo hoặc SignedInfo bị lồng/giấu – dấu hiệu giả mạo; không chấp nhận. / Duplicated or wrapped SignedInfo (forgery pattern).',
  referenceProfile:
    'Chữ ký không phủ toàn bộ văn bản (Reference phải là URI=""), phần không được ký có thể đã bị sửa; không chấp nhận. / The signature does not cover the whole document.',
  transformProfile: 'Chữ ký dùng phép biến đổi không được phép; không chấp nhận. / Transform not allowed.',
  placement:
    'Chữ ký nằm sai vị trí trong gói tin (phải nằm trong edXMLHeader hoặc ngay dưới phần tử gốc). / Signature element is not where the profile puts it.',
  digestValueMarkup:
    'Giá trị băm (DigestValue/SignatureValue) bị chèn chú thích hoặc bị tách – dấu hiệu giả mạo; không chấp nhận. / Comment or split text inside DigestValue.',
  hmac: 'Chữ ký dùng HMAC (khóa bí mật dùng chung), không phải chữ ký số của cơ quan; không chấp nhận. / HMAC signature method refused.',
  md5: 'Chữ ký dùng thuật toán băm MD5 đã bị phá; không chấp nhận. / MD5 refused.',
  unknownAlgorithm: (uri: string) =>
    `Thuật toán không được hỗ trợ hoặc không được phép (${uri}); đề nghị đơn vị gửi ký lại bằng RSA-SHA256. / Algorithm not allowed: ${uri}`,
  sha1Legacy:
    'Chữ ký dùng thuật toán cũ SHA-1 (chấp nhận cho văn bản cũ); đề nghị đơn vị gửi chuyển sang SHA-256. / Legacy RSA-SHA1 accepted with a warning.',
  digestMismatch:
    'Nội dung văn bản đã bị thay đổi sau khi ký (giá trị băm không khớp); không dùng văn bản này, đề nghị đơn vị gửi gửi lại. / Content changed after signing.',
  signatureMismatch:
    'Chữ ký không khớp với chứng thư số đi kèm (phần thông tin ký đã bị sửa hoặc ký bằng khóa khác); không chấp nhận. / Signature value does not verify with the certificate.',
  noCertificate:
    'Chữ ký không kèm chứng thư số của người ký nên không xác định được người ký. / No signer certificate in the signature.',
  badCertificate: 'Chứng thư số kèm theo chữ ký không đọc được. / The signer certificate cannot be read.',
  untrustedRoot:
    'Chứng thư số của người ký không được cấp bởi CA chuyên dùng Chính phủ hoặc CA đã cấu hình tin cậy; liên hệ quản trị để kiểm tra. / The certificate does not chain to a trusted root.',
  expired: (at: string) =>
    `Chứng thư số đã hết hạn (hết hạn ${at}); đề nghị người ký gia hạn chứng thư và ký lại. / Certificate expired.`,
  notYetValid: (at: string) =>
    `Chứng thư số chưa có hiệu lực (hiệu lực từ ${at}); kiểm tra lại thời gian ký. / Certificate not yet valid.`,
  revoked: (at: string) =>
    `Chứng thư số đã bị thu hồi (ngày ${at}); văn bản ký sau thời điểm thu hồi không có giá trị. / Certificate revoked.`,
  noSigningUsage:
    'Chứng thư số không dùng để ký số (thiếu mục đích chữ ký số); người ký cần dùng chứng thư ký số. / The certificate is not for digital signatures.',
  caConstraints:
    'Một chứng thư trung gian trong chuỗi không phải là CA hợp lệ; liên hệ quản trị. / An issuer in the chain is not a CA.',
  pinnedMismatch: (organId: string) =>
    `Người ký không phải chứng thư đã đăng ký cho cơ quan ${organId}; liên hệ cơ quan gửi để xác minh. / Signer does not match the certificate pinned for ${organId}.`,
  noCrl:
    'Chưa có danh sách thu hồi (CRL) cho bên cấp chứng thư; chưa kiểm tra được việc thu hồi. / No CRL available: revocation not checked.',
  staleCrl: 'Danh sách thu hồi (CRL) đã quá hạn cập nhật; cần tải CRL mới. / CRL past its nextUpdate.',
  cmsBroken:
    'Chữ ký số không khớp với dữ liệu đã ký; tệp đã bị sửa hoặc chữ ký hỏng. / The CMS signature does not verify.',
  cmsUnreadable: 'Khối chữ ký (PKCS#7/CMS) không đọc được. / The CMS signature block cannot be read.',
  pdfChangedAfter:
    'Tệp PDF đã bị thay đổi sau chữ ký này (có cập nhật bổ sung); phần thêm sau không được chữ ký này bảo đảm. / The PDF was changed after this signature.',
  pdfByteRange:
    'Vùng dữ liệu ký (/ByteRange) của chữ ký PDF không hợp lệ; không chấp nhận. / Invalid /ByteRange.',
  smimeUnreadable: 'Thư không đúng định dạng S/MIME có chữ ký. / Not a readable signed S/MIME message.',
  technicalDetail: (detail: string) =>
    `Chi tiết kỹ thuật cho quản trị: ${detail} / Technical detail: ${detail}`,
  otherSignatureProtocol: (protocol: string) =>
    `Thư được ký theo chuẩn khác S/MIME (${protocol}), hệ thống không kiểm tra được; đề nghị gửi lại thư ký bằng chứng thư số. / Signature protocol ${protocol} cannot be checked.`,
  placeholderBeside:
    'Gói tin có thêm phần tử Signature mẫu của SDK; phần tử này bị bỏ qua. / An SDK placeholder Signature was ignored.',
} as const;
