/**
 * RFC 3161 time-stamp tokens: the request's DER, the reply's reading and the token's full check —
 * the CMS signature over the TSTInfo, the message imprint and nonce, the TSA certificate's one
 * critical extendedKeyUsage timeStamping (RFC 3161 §2.3) and its chain to the configured trust,
 * judged at the token's own time (genTime), so an archived token stays checkable offline.
 * Outcomes are values; each failure has its words in Vietnamese and English (timestampWords).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { checkCertificateChain } from './certificate-chain.ts';
import { splitSaid } from '../shared/index.ts';
import { factsOf } from './certificate-facts.ts';
import type { TrustMaterial } from './trust-store.ts';
import { REASONS } from './verdict.ts';
import { X509Certificate } from './x509.ts';

const SHA256 = '2.16.840.1.101.3.4.2.1';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';
const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const EXTENDED_KEY_USAGE = '2.5.29.37';
const SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
const CONTENT_TYPE = '1.2.840.113549.1.9.3';
const ID_DATA = '1.2.840.113549.1.7.1';

/** PKIFailureInfo bits (RFC 3161 §2.4.2), each named in words. */
export const FAIL_INFO: readonly { bit: number; name: string; vi: string; en: string }[] = [
  {
    bit: 0,
    name: 'badAlg',
    vi: 'thuật toán băm không được hỗ trợ',
    en: 'unrecognized or unsupported algorithm',
  },
  { bit: 2, name: 'badRequest', vi: 'yêu cầu không hợp lệ', en: 'transaction not permitted or supported' },
  {
    bit: 5,
    name: 'badDataFormat',
    vi: 'dữ liệu gửi sai định dạng',
    en: 'the data submitted has the wrong format',
  },
  {
    bit: 14,
    name: 'timeNotAvailable',
    vi: 'nguồn thời gian của đơn vị cấp dấu thời gian không sẵn sàng',
    en: "the TSA's time source is not available",
  },
  {
    bit: 15,
    name: 'unacceptedPolicy',
    vi: 'chính sách yêu cầu không được chấp nhận',
    en: 'the requested TSA policy is not supported',
  },
  {
    bit: 16,
    name: 'unacceptedExtension',
    vi: 'phần mở rộng yêu cầu không được chấp nhận',
    en: 'the requested extension is not supported',
  },
  {
    bit: 17,
    name: 'addInfoNotAvailable',
    vi: 'thông tin bổ sung không có',
    en: 'the additional information requested is not available',
  },
  {
    bit: 25,
    name: 'systemFailure',
    vi: 'hệ thống của đơn vị cấp dấu thời gian gặp sự cố',
    en: 'the TSA had a system failure',
  },
];

const STATUS_WORDS: Readonly<Record<number, { vi: string; en: string }>> = {
  2: { vi: 'từ chối', en: 'rejection' },
  3: { vi: 'đang chờ (chưa cấp)', en: 'waiting (not granted yet)' },
  4: { vi: 'cảnh báo sắp thu hồi', en: 'revocation warning' },
  5: { vi: 'thông báo thu hồi', en: 'revocation notification' },
};

/** Why a time stamp was not obtained or does not hold: each kind has its words (timestampWords). */
export type TimestampProblem =
  | { kind: 'rejected'; status: number; failInfo: string[]; statusText: string | null }
  | { kind: 'not-a-reply'; detail: string }
  | { kind: 'http-error'; status: number }
  | { kind: 'timeout'; seconds: number }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'not-a-token'; detail: string }
  | { kind: 'wrong-imprint'; expected: string; found: string }
  | { kind: 'wrong-nonce' }
  | { kind: 'bad-signature' }
  | { kind: 'no-certificate' }
  | { kind: 'no-timestamping-usage'; tsa: string }
  | { kind: 'signing-certificate-mismatch'; tsa: string }
  | { kind: 'untrusted-tsa'; tsa: string; reasons: string[] };

export type TimestampFacts = {
  readonly genTime: Date;
  /** the TSA certificate's subject (CN first) */
  readonly tsa: string;
  readonly serial: string;
  readonly policy: string;
};

export type TokenCheck = ({ ok: true } & TimestampFacts) | { ok: false; problem: TimestampProblem };

export type TimestampRequest = { readonly der: Uint8Array; readonly nonce: Buffer; readonly digest: Buffer };

function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A TimeStampReq (RFC 3161 §2.4.1): SHA-256 imprint of `digest`, a 64-bit nonce, certReq true. */
export function buildTimestampRequest(digest: Buffer, nonce: Buffer = randomBytes(8)): TimestampRequest {
  const positive = Buffer.from(nonce);
  // DER INTEGER: positive and minimal, so the top bit is clear and the first byte is not zero.
  positive[0] = ((positive[0] ?? 0) & 0x7f) | 0x40;
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: SHA256,
        algorithmParams: new asn1js.Null(),
      }),
      hashedMessage: new asn1js.OctetString({ valueHex: arrayBuffer(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: arrayBuffer(positive) }),
    certReq: true,
  });
  return { der: new Uint8Array(request.toSchema().toBER(false)), nonce: positive, digest };
}

function bitSet(bits: asn1js.BitString, index: number): boolean {
  const bytes = bits.valueBlock.valueHexView;
  const byte = bytes[index >> 3];
  return byte !== undefined && ((byte >> (7 - (index & 7))) & 1) === 1;
}

/** Reads a TimeStampResp: the token's DER when granted, else why not. */
export function readTimestampReply(
  der: Uint8Array,
): { ok: true; token: Uint8Array } | { ok: false; problem: TimestampProblem } {
  let reply: pkijs.TimeStampResp;
  try {
    const asn = asn1js.fromBER(arrayBuffer(der));
    if (asn.offset === -1) throw new TypeError(asn.result.error);
    reply = new pkijs.TimeStampResp({ schema: asn.result });
  } catch (error) {
    return { ok: false, problem: { kind: 'not-a-reply', detail: (error as Error).message } };
  }
  const status: number = reply.status.status;
  if (status !== 0 && status !== 1) {
    const failInfo = reply.status.failInfo
      ? FAIL_INFO.filter((f) => bitSet(reply.status.failInfo as asn1js.BitString, f.bit)).map((f) => f.name)
      : [];
    const statusText = reply.status.statusStrings?.map((s) => s.valueBlock.value).join('; ') ?? null;
    return { ok: false, problem: { kind: 'rejected', status, failInfo, statusText } };
  }
  if (!reply.timeStampToken)
    return { ok: false, problem: { kind: 'not-a-reply', detail: 'granted without a token' } };
  return { ok: true, token: new Uint8Array(reply.timeStampToken.toSchema().toBER(false)) };
}

function toX509(certificate: pkijs.Certificate): X509Certificate {
  return new X509Certificate(certificate.toSchema().toBER(false));
}

/** RFC 3161 §2.3: exactly one extendedKeyUsage, critical, with timeStamping as its only purpose. */
function timeStampingOnly(certificate: X509Certificate): boolean {
  const parsed = pkijs.Certificate.fromBER(certificate.rawData);
  const usages = (parsed.extensions ?? []).filter((e) => e.extnID === EXTENDED_KEY_USAGE);
  const usage = usages[0];
  if (usages.length !== 1 || !usage || !usage.critical) return false;
  const purposes = (usage.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [];
  return purposes.length === 1 && purposes[0] === TIME_STAMPING;
}

/**
 * The ESS signing-certificate attribute (RFC 5035 v2 with SHA-256 by default, or RFC 2634 v1 with
 * SHA-1) names the TSA certificate by its hash: the signer certificate must be that one.
 */
function signingCertificateMatches(signerInfo: pkijs.SignerInfo, certificate: X509Certificate): boolean {
  const attributes = signerInfo.signedAttrs?.attributes ?? [];
  const v2 = attributes.find((a) => a.type === SIGNING_CERTIFICATE_V2);
  const v1 = attributes.find((a) => a.type === SIGNING_CERTIFICATE);
  const attribute = v2 ?? v1;
  if (!attribute) return false;
  try {
    const value = attribute.values[0] as asn1js.Sequence;
    const certs = value.valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let hashName = v2 ? 'sha256' : 'sha1';
    let hashed = parts[0];
    if (v2 && parts[0] instanceof asn1js.Sequence) {
      const algorithm = new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId;
      hashName = algorithm === SHA256 ? 'sha256' : algorithm === '2.16.840.1.101.3.4.2.3' ? 'sha512' : '';
      hashed = parts[1];
    }
    if (!(hashed instanceof asn1js.OctetString) || hashName === '') return false;
    const expected = createHash(hashName).update(Buffer.from(certificate.rawData)).digest();
    return expected.equals(Buffer.from(hashed.valueBlock.valueHexView));
  } catch {
    return false;
  }
}

function tsaName(certificate: X509Certificate): string {
  return factsOf(certificate).name;
}

/**
 * Checks a token for `digest` (the SHA-256 of the time-stamped datum). With `nonce`, the token must
 * carry it (a fresh reply); offline checks of a stored token pass none.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  digest: Buffer,
  material: TrustMaterial,
  nonce?: Buffer,
): Promise<TokenCheck> {
  let signed: pkijs.SignedData;
  let info: pkijs.TSTInfo;
  try {
    const asn = asn1js.fromBER(arrayBuffer(token));
    if (asn.offset === -1) throw new TypeError(asn.result.error);
    const content = new pkijs.ContentInfo({ schema: asn.result });
    if (content.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new TypeError('not CMS SignedData');
    signed = new pkijs.SignedData({ schema: content.content });
    const encapsulated = signed.encapContentInfo.eContent;
    if (signed.encapContentInfo.eContentType !== TST_INFO || !encapsulated)
      throw new TypeError('the signed content is not a TSTInfo');
    info = pkijs.TSTInfo.fromBER(encapsulated.getValue());
  } catch (error) {
    return { ok: false, problem: { kind: 'not-a-token', detail: (error as Error).message } };
  }
  const imprint = Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (info.messageImprint.hashAlgorithm.algorithmId !== SHA256 || !imprint.equals(digest))
    return {
      ok: false,
      problem: { kind: 'wrong-imprint', expected: digest.toString('hex'), found: imprint.toString('hex') },
    };
  if (nonce) {
    const found = info.nonce ? Buffer.from(info.nonce.valueBlock.valueHexView) : null;
    if (!found?.equals(nonce)) return { ok: false, problem: { kind: 'wrong-nonce' } };
  }
  const signerInfo = signed.signerInfos[0];
  if (signed.signerInfos.length !== 1 || !signerInfo)
    return { ok: false, problem: { kind: 'not-a-token', detail: 'a token has exactly one signer' } };
  // The signed content-type attribute must say TSTInfo too (RFC 5652 §11.1), or the signature was
  // made over something else and re-labelled.
  const contentType: unknown = signerInfo.signedAttrs?.attributes.find((a) => a.type === CONTENT_TYPE)
    ?.values[0];
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== TST_INFO)
    return { ok: false, problem: { kind: 'bad-signature' } };
  // pkijs checks a TSTInfo against the time-stamped data itself, which a check of the imprint does
  // not have (it was compared above): labelled as plain data, the CMS signature alone is verified.
  signed.encapContentInfo.eContentType = ID_DATA;
  let verified = false;
  let signer: X509Certificate | null = null;
  try {
    const result = await signed.verify({ signer: 0, checkChain: false, extendedMode: true });
    verified = result.signatureVerified === true;
    signer = result.signerCertificate ? toX509(result.signerCertificate) : null;
  } catch (error) {
    if (error instanceof pkijs.SignedDataVerifyError && error.signerCertificate)
      signer = toX509(error.signerCertificate);
  }
  if (!signer) return { ok: false, problem: { kind: 'no-certificate' } };
  if (!verified) return { ok: false, problem: { kind: 'bad-signature' } };
  const name = tsaName(signer);
  if (!timeStampingOnly(signer)) return { ok: false, problem: { kind: 'no-timestamping-usage', tsa: name } };
  if (!signingCertificateMatches(signerInfo, signer))
    return { ok: false, problem: { kind: 'signing-certificate-mismatch', tsa: name } };
  const bundled = (signed.certificates ?? [])
    .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map(toX509);
  const chain = await checkCertificateChain(signer, material, { at: info.genTime, untrusted: bundled });
  if (chain.chain !== 'trusted')
    return { ok: false, problem: { kind: 'untrusted-tsa', tsa: name, reasons: [...chain.reasons] } };
  return {
    ok: true,
    genTime: info.genTime,
    tsa: name,
    serial: Buffer.from(info.serialNumber.valueBlock.valueHexView).toString('hex'),
    policy: info.policy,
  };
}

export type Words = { readonly vi: string; readonly en: string };

/** A problem in words a person can act on: what failed, and what to do. */
export function timestampWords(problem: TimestampProblem): Words {
  switch (problem.kind) {
    case 'rejected': {
      const status = STATUS_WORDS[problem.status] ?? {
        vi: `trạng thái ${problem.status}`,
        en: `status ${problem.status}`,
      };
      const named = FAIL_INFO.filter((f) => problem.failInfo.includes(f.name));
      const vi = named.length ? `: ${named.map((f) => f.vi).join('; ')}` : '';
      const en = named.length ? `: ${named.map((f) => `${f.en} (${f.name})`).join('; ')}` : '';
      const text = problem.statusText ? ` ("${problem.statusText}")` : '';
      return {
        vi: `Đơn vị cấp dấu thời gian không cấp dấu thời gian (${status.vi})${vi}${text}; kiểm tra cấu hình với đơn vị cấp dấu thời gian.`,
        en: `The time-stamping authority did not grant a time stamp (${status.en})${en}${text}; check the configuration with the authority.`,
      };
    }
    case 'not-a-reply':
      return {
        vi: `Máy chủ tại địa chỉ đã cấu hình không trả lời bằng phản hồi dấu thời gian RFC 3161 (${problem.detail}); kiểm tra LIENTHONG_TSA_URL.`,
        en: `The server at the configured address did not answer with an RFC 3161 time-stamp reply (${problem.detail}); check LIENTHONG_TSA_URL.`,
      };
    case 'http-error':
      return {
        vi: `Đơn vị cấp dấu thời gian báo lỗi HTTP ${problem.status}; hệ thống sẽ thử lại sau, nếu kéo dài hãy liên hệ đơn vị đó.`,
        en: `The time-stamping authority answered HTTP ${problem.status}; the hub tries again later, contact the authority if it lasts.`,
      };
    case 'timeout':
      return {
        vi: `Đơn vị cấp dấu thời gian không trả lời trong ${problem.seconds} giây; hệ thống sẽ thử lại sau (thời hạn: LIENTHONG_TSA_TIMEOUT_SECONDS).`,
        en: `The time-stamping authority did not answer within ${problem.seconds} s; the hub tries again later (deadline: LIENTHONG_TSA_TIMEOUT_SECONDS).`,
      };
    case 'unreachable':
      return {
        vi: `Không kết nối được tới đơn vị cấp dấu thời gian (${problem.detail}); kiểm tra LIENTHONG_TSA_URL và mạng.`,
        en: `The time-stamping authority cannot be reached (${problem.detail}); check LIENTHONG_TSA_URL and the network.`,
      };
    case 'not-a-token':
      return {
        vi: `Dấu thời gian không đọc được (${problem.detail}).`,
        en: `The time-stamp token cannot be read (${problem.detail}).`,
      };
    case 'wrong-imprint':
      return {
        vi: `Dấu thời gian được cấp cho một giá trị băm khác (dấu thời gian: ${problem.found}, cần: ${problem.expected}); không dùng được dấu thời gian này.`,
        en: `The time stamp is for another hash (token: ${problem.found}, expected: ${problem.expected}); it cannot be used.`,
      };
    case 'wrong-nonce':
      return {
        vi: 'Dấu thời gian không mang số ngẫu nhiên (nonce) của yêu cầu: đây không phải câu trả lời cho yêu cầu này (có thể là bản phát lại); không dùng được.',
        en: 'The time stamp does not carry the request’s nonce: it is not the answer to this request (possibly a replay); it cannot be used.',
      };
    case 'bad-signature':
      return {
        vi: 'Chữ ký số trên dấu thời gian không khớp với nội dung; dấu thời gian đã bị sửa hoặc hỏng.',
        en: 'The signature of the time stamp does not verify; the token was altered or is damaged.',
      };
    case 'no-certificate':
      return {
        vi: 'Dấu thời gian không kèm chứng thư số của đơn vị cấp nên không kiểm tra được.',
        en: 'The time stamp carries no certificate of its authority, so it cannot be checked.',
      };
    case 'no-timestamping-usage':
      return {
        vi: `Chứng thư "${problem.tsa}" không phải chứng thư cấp dấu thời gian (thiếu mục đích timeStamping bắt buộc, RFC 3161); không tin cậy.`,
        en: `Certificate "${problem.tsa}" is not a time-stamping certificate (no critical extendedKeyUsage timeStamping, RFC 3161); not trusted.`,
      };
    case 'signing-certificate-mismatch':
      return {
        vi: `Dấu thời gian không nêu đúng chứng thư "${problem.tsa}" đã ký nó (thuộc tính signing-certificate); không tin cậy.`,
        en: `The time stamp does not name certificate "${problem.tsa}" that signed it (signing-certificate attribute); not trusted.`,
      };
    case 'untrusted-tsa': {
      // The chain's reasons speak of a signer and the government CA; here the signer is the TSA.
      const reasons = problem.reasons.map((r) =>
        r === REASONS.untrustedRoot
          ? 'Chứng thư của đơn vị này không được cấp bởi chứng thư gốc nào trong tệp tin cậy; hãy dùng đúng tệp chứng thư gốc của đơn vị cấp dấu thời gian. / Its certificate was not issued by any root in the trust file; use the authority’s own root certificate file.'
          : r,
      );
      return {
        vi: `Đơn vị cấp dấu thời gian "${problem.tsa}" không thuộc chuỗi tin cậy đã cấu hình (LIENTHONG_TSA_TRUST_FILE hoặc --trust): ${reasons.map((r) => splitSaid(r)?.vi ?? r).join(' ')}`,
        en: `Time-stamping authority "${problem.tsa}" does not chain to the configured trust (LIENTHONG_TSA_TRUST_FILE or --trust): ${reasons.map((r) => splitSaid(r)?.en ?? r).join(' ')}`,
      };
    }
  }
}
