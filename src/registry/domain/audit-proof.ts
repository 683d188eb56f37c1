import { createHash } from 'node:crypto';
import { auditHash } from './audit-hash.ts';
import { actionWords } from './audit-labels.ts';

/**
 * The proof of one document's audit trail (`lienthong audit proof`): its register fields, files
 * and signature verdicts as stored, its audit entries in full, and every entry of the chain from
 * the first of them to the first time-stamped head at or after the last. Entries that are not
 * the document's are there by their hashes only, so the proof tells nothing of other agencies.
 * Checking it needs nothing but the file and the TSA's root: checkAuditProof here for the chain,
 * the signing library for the token over anchorDigest(seq, hash, accumulator).
 *
 * An entry shown by its hashes only cannot have its hash recomputed (the chain hashes the previous
 * hash and the content together). So each time stamp also covers the accumulator of every hash of
 * the chain (accumulate: SHA-256 of the previous value and the entry's hash, from GENESIS_HASH): the
 * proof gives the value just before its first link, and the verifier folds the links' hashes into
 * it. A hash changed, added or removed anywhere in the chain no longer adds up to the time-stamped
 * value, and finding other hashes that do is as hard as breaking SHA-256.
 */
export const PROOF_FORMAT = 'lienthong.audit-proof/1';

export type ProofEntryContent = {
  at: string;
  actor: string;
  agencyId: string | null;
  action: string;
  subject: string | null;
  data: unknown;
};

/** One link of the chain: `content` only for the document's own entries. */
export type ProofChainEntry = { seq: string; prevHash: string; hash: string; content?: ProofEntryContent };

export type AuditProof = {
  format: typeof PROOF_FORMAT;
  exportedAt: string;
  document: Record<string, unknown> & { id: string };
  /** the intake items the document came from (the original and its versions) */
  received: unknown[];
  /** the sequence numbers of the document's entries, each in `chain` with its content */
  documentEntries: string[];
  chain: ProofChainEntry[];
  /** the accumulator of every hash before the first link (GENESIS_HASH before the first entry) */
  accumulatorBefore: string;
  anchor: {
    seq: string;
    hash: string;
    /** the accumulator of every hash up to and including the anchor's entry */
    accumulator: string;
    genTime: string;
    tsa: string;
    datum: string;
    token: string;
  };
};

/** One step of the accumulator over the chain's hashes. */
export function accumulate(accumulator: string, hash: string): string {
  return createHash('sha256').update(`${accumulator}\n${hash}`).digest('hex');
}

/** The datum a time stamp is over: plain text, so `openssl ts -verify -data` can check it too. */
export function anchorDatum(seq: bigint | string, hash: string, accumulator: string): string {
  return `lienthong audit head ${String(seq)} ${hash} ${accumulator}`;
}

export function anchorDigest(seq: bigint | string, hash: string, accumulator: string): Buffer {
  return createHash('sha256')
    .update(anchorDatum(seq, hash, accumulator))
    .digest();
}

export type Said = { readonly vi: string; readonly en: string };

export type ProofCheck =
  /** `hashOnly`: links shown by their hashes only (bound by the time-stamped accumulator) */
  | { ok: true; entries: number; chainLength: number; hashOnly: number; digest: Buffer }
  | { ok: false; problems: Said[]; digest: Buffer | null };

const HEX64 = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const isNullableString = (value: unknown) => value === null || typeof value === 'string';

/** An entry's content: the fields its hash covers, each of its type (a bad time would not hash). */
function isContent(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value['at'] === 'string' &&
    !Number.isNaN(new Date(value['at']).getTime()) &&
    typeof value['actor'] === 'string' &&
    typeof value['action'] === 'string' &&
    isNullableString(value['agencyId']) &&
    isNullableString(value['subject'])
  );
}

/** The shape of a proof file, named in words where it is wrong. */
export function readAuditProof(
  value: unknown,
): { ok: true; proof: AuditProof } | { ok: false; problem: Said } {
  const bad = (vi: string, en: string) => ({ ok: false as const, problem: { vi, en } });
  if (!isRecord(value) || value['format'] !== PROOF_FORMAT)
    return bad(
      `Tệp không phải bằng chứng nhật ký của Lienthong (cần định dạng ${PROOF_FORMAT}).`,
      `The file is not a Lienthong audit proof (format ${PROOF_FORMAT} expected).`,
    );
  const chain = value['chain'];
  const anchor = value['anchor'];
  const document = value['document'];
  if (!isRecord(document) || typeof document['id'] !== 'string')
    return bad('Bằng chứng thiếu thông tin văn bản.', 'The proof has no document.');
  const listed: unknown = value['documentEntries'];
  if (!Array.isArray(listed) || !(listed as unknown[]).every((s) => typeof s === 'string'))
    return bad(
      'Bằng chứng thiếu danh sách mục nhật ký của văn bản.',
      'The proof does not list the document’s entries.',
    );
  if (!Array.isArray(chain) || chain.length === 0)
    return bad('Bằng chứng không có chuỗi nhật ký.', 'The proof has no chain.');
  for (const [index, link] of (chain as unknown[]).entries()) {
    if (
      !isRecord(link) ||
      typeof link['seq'] !== 'string' ||
      !/^\d+$/.test(link['seq']) ||
      typeof link['prevHash'] !== 'string' ||
      typeof link['hash'] !== 'string' ||
      (link['content'] !== undefined && !isContent(link['content']))
    )
      return bad(
        `Mục thứ ${index + 1} của chuỗi không đúng dạng (cần số thứ tự, giá trị băm trước, giá trị băm và nội dung đúng kiểu).`,
        `Link ${index + 1} of the chain is malformed (a sequence number, previous hash, hash and well-typed content are needed).`,
      );
  }
  if (
    !isRecord(anchor) ||
    typeof anchor['seq'] !== 'string' ||
    typeof anchor['hash'] !== 'string' ||
    typeof anchor['accumulator'] !== 'string' ||
    typeof anchor['token'] !== 'string' ||
    typeof value['accumulatorBefore'] !== 'string'
  )
    return bad('Bằng chứng thiếu mốc được đóng dấu thời gian.', 'The proof has no time-stamped anchor.');
  return { ok: true, proof: value as AuditProof };
}

/** The document's own entries concern it or the intake items it came from. */
function concernsDocument(proof: AuditProof, subject: string | null): boolean {
  if (subject === `document:${proof.document.id}`) return true;
  return proof.received.some((item) => isRecord(item) && subject === `intake:${String(item['id'])}`);
}

/**
 * Every link follows the one before (its previous hash is that one's hash), every entry shown in
 * full still has the hash of its content, the chain ends at the anchor, and each of the document's
 * entries is in it. Every problem is named, with the entry's number.
 */
export function checkAuditProof(proof: AuditProof): ProofCheck {
  const problems: Said[] = [];
  const shown = new Map<string, ProofChainEntry>();
  let previous: ProofChainEntry | undefined;
  for (const link of proof.chain) {
    if (!HEX64.test(link.hash) || !HEX64.test(link.prevHash))
      problems.push({
        vi: `Mục nhật ký số ${link.seq} có giá trị băm không đúng dạng.`,
        en: `Entry ${link.seq} has a malformed hash.`,
      });
    if (previous && BigInt(link.seq) <= BigInt(previous.seq))
      problems.push({
        vi: `Mục nhật ký số ${link.seq} đứng sau mục số ${previous.seq}: thứ tự chuỗi đã bị đảo.`,
        en: `Entry ${link.seq} comes after entry ${previous.seq}: the chain's order was changed.`,
      });
    else if (previous && link.prevHash !== previous.hash)
      problems.push({
        vi: `Mục nhật ký số ${link.seq} không nối tiếp mục số ${previous.seq}: một mục giữa hai mục này đã bị xóa, hoặc một trong hai đã bị sửa.`,
        en: `Entry ${link.seq} does not follow entry ${previous.seq}: an entry between them was removed, or one of them was changed.`,
      });
    if (link.content) {
      const c = link.content;
      const expected = auditHash(link.prevHash, {
        seq: BigInt(link.seq),
        at: new Date(c.at),
        actor: c.actor,
        agencyId: c.agencyId,
        action: c.action,
        subject: c.subject,
        data: c.data,
      });
      if (expected !== link.hash) {
        const what = actionWords(c.action);
        problems.push({
          vi: `Mục nhật ký số ${link.seq} (${what.vi}) đã bị sửa sau khi ghi: giá trị băm không còn khớp với nội dung.`,
          en: `Entry ${link.seq} (${what.en}) was changed after it was written: its hash no longer matches its content.`,
        });
      }
      if (!concernsDocument(proof, c.subject))
        problems.push({
          vi: `Mục nhật ký số ${link.seq} được ghi kèm nội dung nhưng không thuộc văn bản này.`,
          en: `Entry ${link.seq} is shown in full but does not concern this document.`,
        });
      shown.set(link.seq, link);
    }
    previous = link;
  }
  for (const seq of proof.documentEntries)
    if (!shown.has(seq))
      problems.push({
        vi: `Mục nhật ký số ${seq} của văn bản không có trong chuỗi (đã bị xóa khỏi bằng chứng).`,
        en: `The document’s entry ${seq} is not in the chain (it was removed from the proof).`,
      });
  const last = proof.chain.at(-1);
  if (last && (last.seq !== proof.anchor.seq || last.hash !== proof.anchor.hash))
    problems.push({
      vi: `Chuỗi kết thúc ở mục số ${last.seq} nhưng mốc đóng dấu thời gian là mục số ${proof.anchor.seq} (giá trị băm ${proof.anchor.hash.slice(0, 16)}…): chuỗi không dẫn tới mốc.`,
      en: `The chain ends at entry ${last.seq} but the time-stamped anchor is entry ${proof.anchor.seq} (hash ${proof.anchor.hash.slice(0, 16)}…): the chain does not lead to the anchor.`,
    });
  let accumulator = proof.accumulatorBefore;
  for (const link of proof.chain) accumulator = accumulate(accumulator, link.hash);
  if (accumulator !== proof.anchor.accumulator)
    problems.push({
      vi: `Các giá trị băm của chuỗi không khớp với giá trị đã được đóng dấu thời gian ở mục số ${proof.anchor.seq}: một mục trong chuỗi đã bị sửa, thêm hoặc xóa.`,
      en: `The hashes of the chain do not add up to the value time-stamped at entry ${proof.anchor.seq}: an entry of the chain was changed, added or removed.`,
    });
  const digest =
    HEX64.test(proof.anchor.hash) && HEX64.test(proof.anchor.accumulator)
      ? anchorDigest(proof.anchor.seq, proof.anchor.hash, proof.anchor.accumulator)
      : null;
  if (problems.length > 0) return { ok: false, problems, digest };
  return {
    ok: true,
    entries: shown.size,
    chainLength: proof.chain.length,
    hashOnly: proof.chain.length - shown.size,
    digest: digest as Buffer,
  };
}
