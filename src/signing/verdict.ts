/**
 * The signature verdict of docs/contract.md ("Signature verdict") and the clerk-facing reason texts.
 * Verdicts are values: every outcome of checking a signature, good or bad, is one of these.
 */
import { factsOf } from './certificate-facts.ts';
import type { PdfRangeProblem } from './pdf-signatures.ts';
import type { AllowedKind as PdfAllowedChange } from './pdf-update-analysis.ts';
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
  /** the signer's key, e.g. "RSA 2048" or "ECDSA 256 (prime256v1)"; absent in verdicts stored before it was recorded */
  readonly key?: string;
  /** how the issuer signed the signer's certificate, e.g. "sha256WithRSAEncryption" */
  readonly certificateSignature?: string;
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
  /** A valid signature timestamp (RFC 3161 over the signature value): when it proves the signature existed, and by which TSA. */
  readonly signatureTimestamp?: { readonly at: string; readonly tsa: string };
  /** The PAdES baseline level a PDF signature reaches (ETSI EN 319 142-1); null when it is not a PAdES signature. */
  readonly level?: PadesLevel | null;
};

export type PadesLevel = 'PAdES-B-B' | 'PAdES-B-T' | 'PAdES-B-LT' | 'PAdES-B-LTA';

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

/** The transforms an edXML signature may meet, by name, so that a refusal says which one. */
const TRANSFORM_NAMES: Readonly<Record<string, string>> = {
  'http://www.w3.org/TR/1999/REC-xslt-19991116': 'XSLT',
  'http://www.w3.org/TR/1999/REC-xpath-19991116': 'XPath',
  'http://www.w3.org/2002/06/xmldsig-filter2': 'XPath Filter 2.0',
  'http://www.w3.org/2000/09/xmldsig#base64': 'Base64',
  'http://www.w3.org/2002/07/decrypt#XML': 'Decryption',
  'http://www.w3.org/2006/12/xml-c14n11': 'C14N 1.1',
  'http://www.w3.org/2006/12/xml-c14n11#WithComments': 'C14N 1.1 with comments',
};

function transformName(uri: string): string {
  if (uri === '') return 'Transform (no Algorithm)';
  const name = TRANSFORM_NAMES[uri];
  return name ? `${name} (${uri})` : uri;
}

const PDF_ALLOWED_CHANGE: Readonly<Record<PdfAllowedChange, { vi: string; en: string }>> = {
  signature: { vi: 'chữ ký mới', en: 'a new signature' },
  timestamp: { vi: 'dấu thời gian cho tài liệu', en: 'a document timestamp' },
  'validation-data': { vi: 'dữ liệu kiểm tra dài hạn (DSS)', en: 'long-term validation data (DSS)' },
  'form-fill': { vi: 'điền biểu mẫu', en: 'form filling' },
  annotation: { vi: 'chú thích', en: 'annotations' },
  metadata: { vi: 'thông tin mô tả tài liệu', en: 'document metadata' },
};

function rangeProblemWords(problem: PdfRangeProblem): [string, string] {
  switch (problem.kind) {
    case 'count':
      return [
        `/ByteRange có ${problem.count} số thay vì 4 (phải là hai vùng bao quanh /Contents)`,
        `/ByteRange has ${problem.count} numbers instead of 4${problem.count === 2 ? ' (a single range)' : ''}; a signature needs two ranges around /Contents`,
      ];
    case 'start':
      return ['vùng ký thứ nhất không bắt đầu từ byte 0', 'the first signed range does not start at byte 0'];
    case 'order':
      return ['hai vùng ký chồng lên nhau hoặc sai thứ tự', 'the signed ranges overlap or are out of order'];
    case 'beyond':
      return [
        `vùng ký vượt quá cuối tệp (đến byte ${problem.end}, tệp có ${problem.size} byte)`,
        `the signed ranges end beyond the file (byte ${problem.end} of ${problem.size})`,
      ];
    case 'hole':
      return [
        'khoảng trống giữa hai vùng ký không đúng là chuỗi /Contents của chữ ký',
        'the gap between the signed ranges is not exactly the /Contents string',
      ];
    case 'missing':
      return ['từ điển chữ ký không có /ByteRange', 'the signature dictionary has no /ByteRange'];
    case 'unreadable':
      return [
        `từ điển chữ ký không đọc được (${problem.detail})`,
        `the signature dictionary is unreadable (${problem.detail})`,
      ];
  }
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
  noSignedInfo:
    'Chữ ký không có phần SignedInfo (phần thông tin được ký) nên không ký gì cả; không chấp nhận. / The signature has no SignedInfo.',
  signatureStructure: (element: string) =>
    `Phần tử Signature có thành phần không đúng cấu trúc XMLDSig (${element}); đề nghị đơn vị gửi ký lại bằng phần mềm ký chuẩn. / Unexpected ${element} in the Signature element.`,
  envelopingForm:
    'Chữ ký dạng bao gói (enveloping: nội dung được ký nằm bên trong chính phần tử Signature) không được hồ sơ edXML chấp nhận; hồ sơ chỉ nhận chữ ký nhúng (enveloped) phủ toàn bộ gói tin. Đề nghị đơn vị gửi ký lại. / Enveloping signatures are not accepted: the signed content is inside the Signature; the edXML profile takes one enveloped signature over the whole package.',
  xadesForm:
    'Chữ ký theo định dạng XAdES (thuộc tính ký QualifyingProperties trong phần tử Object) chưa được hệ thống chấp nhận; hồ sơ edXML chỉ nhận chữ ký XMLDSig nhúng phủ toàn bộ gói tin. Đề nghị đơn vị gửi ký lại. / XAdES signatures (QualifyingProperties in an Object) are not accepted: the edXML profile takes a plain enveloped XMLDSig signature.',
  objectElements:
    'Chữ ký có phần tử Object (dữ liệu đi kèm bên trong chữ ký), hồ sơ edXML không cho phép; đề nghị đơn vị gửi ký lại. / Signatures carrying Object elements are not accepted by the edXML profile.',
  referenceCount: (count: number) =>
    `Chữ ký có ${count} tham chiếu (Reference); hồ sơ edXML chỉ chấp nhận đúng một tham chiếu tới toàn bộ văn bản. / ${count} References: the profile takes exactly one, to the whole document.`,
  referenceProfile:
    'Chữ ký không phủ toàn bộ văn bản (Reference phải là URI=""), phần không được ký có thể đã bị sửa; không chấp nhận. / The signature does not cover the whole document.',
  transformProfile:
    'Chữ ký phải dùng đúng một phép biến đổi enveloped-signature, có thể kèm một phép chuẩn hóa C14N; chữ ký này không theo quy tắc đó, không chấp nhận. / Transforms must be enveloped-signature once, optionally with one C14N.',
  transformNotAllowed: (uri: string) =>
    `Chữ ký dùng phép biến đổi không được phép: ${transformName(uri)}; không chấp nhận, đề nghị đơn vị gửi ký lại. / Transform not allowed: ${transformName(uri)}.`,
  placement:
    'Chữ ký nằm sai vị trí trong gói tin (phải nằm trong edXMLHeader hoặc ngay dưới phần tử gốc). / Signature element is not where the profile puts it.',
  digestValueMarkup:
    'Giá trị băm (DigestValue/SignatureValue) bị chèn chú thích hoặc bị tách – dấu hiệu giả mạo; không chấp nhận. / Comment or split text inside DigestValue.',
  hmac: (uri: string) =>
    `Chữ ký dùng HMAC (khóa bí mật dùng chung, ${uri}), không phải chữ ký số của cơ quan; không chấp nhận. / HMAC signatures are not accepted: ${uri}`,
  brokenHash: (hash: string, algorithm: string) =>
    `Chữ ký dùng thuật toán băm ${hash} đã bị phá (${algorithm}); không chấp nhận. / ${hash} is not accepted: ${algorithm}`,
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
  chainBrokenHash: (certificate: string, hash: string, algorithm: string) =>
    `Chuỗi chứng thư dùng thuật toán băm ${hash} đã bị phá: chứng thư "${certificate}" được ký bằng ${algorithm}; không chấp nhận, đề nghị người ký dùng chứng thư mới. / The certificate chain uses ${hash}: "${certificate}" is signed with ${algorithm}.`,
  chainSha1: (certificate: string, algorithm: string) =>
    `Chuỗi chứng thư dùng thuật toán cũ SHA-1: chứng thư "${certificate}" được ký bằng ${algorithm} (chấp nhận cho văn bản cũ); đề nghị người ký chuyển sang chứng thư SHA-256. / The certificate chain uses SHA-1: "${certificate}" is signed with ${algorithm}.`,
  keyTooShort: (certificate: string, type: string, bits: number, minimum: number) =>
    `Khóa của chứng thư "${certificate}" quá ngắn: ${type} ${bits} bit, quy định yêu cầu tối thiểu ${minimum} bit (Thông tư 15/2025/TT-BKHCN); đề nghị người ký dùng chứng thư có khóa đủ dài. / Key too short: ${type} ${bits} bits, the rule requires at least ${minimum} (TT 15/2025/TT-BKHCN); certificate "${certificate}".`,
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
  signatureTimestampBad: (vi: string, en: string) =>
    `Dấu thời gian của chữ ký không dùng được (${vi}); thời điểm ký chỉ là thời điểm người ký khai. / The signature timestamp is not usable: ${en}`,
  noCrl:
    'Chưa có thông tin thu hồi (CRL hay OCSP) cho bên cấp chứng thư; chưa kiểm tra được việc thu hồi. / No revocation information (CRL or OCSP): revocation not checked.',
  staleCrl:
    'Thông tin thu hồi (CRL hay OCSP) đã quá hạn cập nhật so với thời điểm kiểm tra; cần thông tin mới hơn. / Revocation information past its next update at the time of checking.',
  cmsBroken:
    'Chữ ký số không khớp với dữ liệu đã ký; tệp đã bị sửa hoặc chữ ký hỏng. / The CMS signature does not verify.',
  cmsKeyNotChecked: (key: string, bits: number | null) =>
    `Hệ thống không kiểm tra được chữ ký làm bằng khóa ${key}${bits === null ? '' : ` (${String(bits)} bit)`}; chữ ký này chưa được xác minh. / The signature cannot be checked: its key is ${key}${bits === null ? '' : ` (${String(bits)} bits)`}.`,
  cmsUnreadable: 'Khối chữ ký (PKCS#7/CMS) không đọc được. / The CMS signature block cannot be read.',
  pdfChangedObjects: (objects: readonly { object: number; vi: string; en: string }[]) => {
    const shown = objects.slice(0, 5);
    const more = objects.length - shown.length;
    const vi = shown.map((o) => `đối tượng ${o.object} (${o.vi})`).join('; ');
    const en = shown.map((o) => `object ${o.object} (${o.en})`).join(', ');
    return `Tệp PDF đã bị sửa sau chữ ký này ở phần chữ ký không cho phép: ${vi}${more > 0 ? ` và ${more} đối tượng khác` : ''}; điều người ký đã thấy có thể đã bị thay đổi, đề nghị đơn vị gửi gửi lại bản đã ký. / ${en}${more > 0 ? ` and ${more} more` : ''} changed after this signature.`;
  },
  pdfAllowedUpdate: (kinds: readonly PdfAllowedChange[]) => {
    const vi = kinds.map((k) => PDF_ALLOWED_CHANGE[k].vi).join(', ');
    const en = kinds.map((k) => PDF_ALLOWED_CHANGE[k].en).join(', ');
    return `Tệp PDF có cập nhật bổ sung sau chữ ký này, chỉ gồm thay đổi chữ ký cho phép${vi ? `: ${vi}` : ''}. / The PDF was changed after this signature, only in ways it allows${en ? `: ${en}` : ''}.`;
  },
  pdfUpdateUnreadable: (vi: string, en: string) =>
    `Tệp PDF đã bị thay đổi sau chữ ký này nhưng không phân tích được phần thay đổi (${vi}); không xác định được điều gì đã bị sửa nên không tin cậy. / The PDF was changed after this signature and the change cannot be analysed: ${en}.`,
  pdfByteRange: (problem: PdfRangeProblem) => {
    const [vi, en] = rangeProblemWords(problem);
    return `Chữ ký PDF bị hỏng: ${vi}; không kiểm tra được chữ ký này, đề nghị đơn vị gửi ký lại. / Broken PDF signature: ${en}.`;
  },
  smimeUnreadable: 'Thư không đúng định dạng S/MIME có chữ ký. / Not a readable signed S/MIME message.',
  technicalDetail: (detail: string) =>
    `Chi tiết kỹ thuật cho quản trị: ${detail} / Technical detail: ${detail}`,
  otherSignatureProtocol: (protocol: string) =>
    `Thư được ký theo chuẩn khác S/MIME (${protocol}), hệ thống không kiểm tra được; đề nghị gửi lại thư ký bằng chứng thư số. / Signature protocol ${protocol} cannot be checked.`,
  placeholderBeside:
    'Gói tin có thêm phần tử Signature mẫu của SDK; phần tử này bị bỏ qua. / An SDK placeholder Signature was ignored.',
} as const;
