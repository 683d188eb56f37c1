/**
 * An RFC 3161 client: a TimeStampReq by HTTP POST (application/timestamp-query, RFC 3161 §3.4),
 * the reply read and the token checked in full before it is returned (timestamp-token.ts). A TSA
 * that is slow, down, refusing or answering for another request is a value, never a thrown error.
 */
import { readTrustPath } from './file-trust-store.ts';
import type { TrustMaterial } from './trust-store.ts';
import {
  buildTimestampRequest,
  readTimestampReply,
  timestampWords,
  verifyTimestampToken,
  type TimestampFacts,
  type TimestampProblem,
  type Words,
} from './timestamp-token.ts';

export type TimestampClientOptions = {
  readonly url: string;
  /** the TSA's root (and intermediates), PEM or DER: its certificate must chain to one of them */
  readonly trust: TrustMaterial;
  readonly timeoutMs: number;
};

export type TimestampOutcome =
  ({ ok: true; token: Uint8Array } & TimestampFacts) | { ok: false; problem: TimestampProblem };

/** A reply is small (a token with its certificate chain); anything much larger is not one. */
const MAX_REPLY_BYTES = 1024 * 1024;

async function post(
  url: string,
  body: Uint8Array,
  timeoutMs: number,
): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; problem: TimestampProblem }> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body,
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, problem: { kind: 'http-error', status: response.status } };
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/timestamp-reply') {
      await response.body?.cancel();
      return {
        ok: false,
        problem: { kind: 'not-a-reply', detail: `content-type ${type === '' ? '(none)' : type}` },
      };
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > MAX_REPLY_BYTES)
      return { ok: false, problem: { kind: 'not-a-reply', detail: `${bytes.byteLength} bytes` } };
    return { ok: true, bytes };
  } catch (error) {
    if (signal.aborted) return { ok: false, problem: { kind: 'timeout', seconds: timeoutMs / 1000 } };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      ok: false,
      problem: { kind: 'unreachable', detail: cause?.code ?? cause?.message ?? (error as Error).message },
    };
  }
}

/** Asks the TSA for a token over `digest` (SHA-256 of the datum) and checks it before returning it. */
export async function requestTimestamp(
  options: TimestampClientOptions,
  digest: Buffer,
): Promise<TimestampOutcome> {
  const request = buildTimestampRequest(digest);
  const answered = await post(options.url, request.der, options.timeoutMs);
  if (!answered.ok) return answered;
  const reply = readTimestampReply(answered.bytes);
  if (!reply.ok) return reply;
  const check = await verifyTimestampToken(reply.token, digest, options.trust, request.nonce);
  if (!check.ok) return check;
  return {
    ok: true,
    token: reply.token,
    genTime: check.genTime,
    tsa: check.tsa,
    serial: check.serial,
    policy: check.policy,
  };
}

/**
 * The authority as the registry's time-stamping port sees it: the trust file is read for every
 * request (a renewed TSA root applies without a restart), and a problem comes back in words.
 */
export function timestampAuthority(options: { url: string; trustFile: string; timeoutMs: number }): {
  stamp(
    digest: Buffer,
  ): Promise<{ ok: true; token: Uint8Array; genTime: Date; tsa: string } | { ok: false; problem: Words }>;
} {
  return {
    async stamp(digest) {
      let trust: TrustMaterial;
      try {
        trust = await readTrustPath(options.trustFile);
      } catch (error) {
        return {
          ok: false,
          problem: {
            vi: `Không đọc được tệp chứng thư tin cậy của đơn vị cấp dấu thời gian ${options.trustFile} (${(error as Error).message}); kiểm tra LIENTHONG_TSA_TRUST_FILE.`,
            en: `The time-stamping authority's trust file ${options.trustFile} cannot be read (${(error as Error).message}); check LIENTHONG_TSA_TRUST_FILE.`,
          },
        };
      }
      const outcome = await requestTimestamp(
        { url: options.url, trust, timeoutMs: options.timeoutMs },
        digest,
      );
      if (!outcome.ok) return { ok: false, problem: timestampWords(outcome.problem) };
      return { ok: true, token: outcome.token, genTime: outcome.genTime, tsa: outcome.tsa };
    },
  };
}
