import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  createHash,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../db/index.ts';
import { canonicalJson } from './domain/audit-hash.ts';
import { auditHead, walkAuditChain } from './audit-trail.ts';

/**
 * Anchors pin the audit chain's head (sequence number and hash), signed with the hub's anchor key
 * and exported to a file outside the database. Someone who rewrites the chain inside the database
 * cannot make it match an exported anchor, and cannot drop the newest rows below the last anchor.
 */
export type AuditAnchor = { seq: string; hash: string; signedAt: string; keyId: string; signature: string };

export interface AnchorSigner {
  readonly keyId: string;
  sign(payload: Buffer): string;
  verify(payload: Buffer, signature: string): boolean;
}

/** Ed25519 key in the data directory, created on first use, readable by the hub's user only. */
export function fileAnchorSigner(dataDir: string): AnchorSigner {
  const file = path.join(dataDir, 'keys', 'audit-anchor-ed25519.pem');
  let privateKey: KeyObject;
  if (fs.existsSync(file)) {
    privateKey = createPrivateKey(fs.readFileSync(file));
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    privateKey = generateKeyPairSync('ed25519').privateKey;
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  const publicKey = createPublicKey(privateKey);
  const keyId = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
  return {
    keyId,
    sign: (payload) => sign(null, payload, privateKey).toString('base64'),
    verify: (payload, signature) => verify(null, payload, publicKey, Buffer.from(signature, 'base64')),
  };
}

const anchorPayload = (a: Pick<AuditAnchor, 'seq' | 'hash' | 'signedAt' | 'keyId'>) =>
  Buffer.from(canonicalJson({ seq: a.seq, hash: a.hash, signedAt: a.signedAt, keyId: a.keyId }));

export function anchorFile(dataDir: string): string {
  return path.join(dataDir, 'audit', 'anchors.jsonl');
}

/** Signs the current head, stores it in the database and appends it to the export file. */
export async function writeAuditAnchor(
  prisma: PrismaClient,
  signer: AnchorSigner,
  dataDir: string,
): Promise<AuditAnchor | null> {
  const head = await auditHead(prisma);
  if (!head) return null;
  const unsigned = {
    seq: head.seq.toString(),
    hash: head.hash,
    signedAt: new Date().toISOString(),
    keyId: signer.keyId,
  };
  const anchor: AuditAnchor = { ...unsigned, signature: signer.sign(anchorPayload(unsigned)) };
  await prisma.auditAnchor.create({
    data: {
      seq: head.seq,
      hash: head.hash,
      signedAt: new Date(anchor.signedAt),
      keyId: anchor.keyId,
      signature: anchor.signature,
    },
  });
  fs.mkdirSync(path.dirname(anchorFile(dataDir)), { recursive: true });
  fs.appendFileSync(anchorFile(dataDir), `${JSON.stringify(anchor)}\n`, { mode: 0o600 });
  return anchor;
}

export function readExportedAnchors(dataDir: string): AuditAnchor[] {
  const file = anchorFile(dataDir);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as AuditAnchor);
}

export type AuditVerdict =
  | { intact: true; entries: number; head: { seq: string; hash: string } | null; anchor: AuditAnchor | null }
  | { intact: false; firstBadSeq: string | null; problem: string };

/** Checks the whole chain, then the chain against every exported anchor (the last one catches truncation). */
export async function verifyAudit(
  prisma: PrismaClient,
  signer: AnchorSigner,
  anchors: readonly AuditAnchor[],
): Promise<AuditVerdict> {
  const walked = await walkAuditChain(prisma);
  if (walked.kind === 'broken')
    return { intact: false, firstBadSeq: walked.seq.toString(), problem: walked.problem };
  const headSeq = walked.head?.seq ?? 0n;
  let lastGood = 0n;
  for (const anchor of anchors) {
    if (!signer.verify(anchorPayload(anchor), anchor.signature)) {
      return {
        intact: false,
        firstBadSeq: null,
        problem: `the anchor of entry ${anchor.seq} (${anchor.signedAt}) is not signed by this hub's anchor key ${signer.keyId}`,
      };
    }
    const seq = BigInt(anchor.seq);
    const found = walked.hashes.get(seq);
    if (found === anchor.hash) {
      lastGood = seq;
      continue;
    }
    if (found === undefined && seq > headSeq) {
      return {
        intact: false,
        firstBadSeq: (headSeq + 1n).toString(),
        problem: `the chain ends at entry ${headSeq} but entry ${seq} was anchored on ${anchor.signedAt}: the newest entries were removed`,
      };
    }
    return {
      intact: false,
      firstBadSeq: (lastGood + 1n).toString(),
      problem:
        found === undefined
          ? `entry ${seq}, anchored on ${anchor.signedAt}, is missing from the chain`
          : `the chain was rewritten: entry ${seq} no longer has the hash anchored on ${anchor.signedAt}; the changed entry lies between ${lastGood + 1n} and ${seq}`,
    };
  }
  const head = walked.head ? { seq: walked.head.seq.toString(), hash: walked.head.hash } : null;
  return { intact: true, entries: walked.count, head, anchor: anchors.at(-1) ?? null };
}

/**
 * The running hub anchors the chain every few minutes when it has grown, and once more at stop,
 * so at most a few minutes of entries are without an exported anchor.
 */
export function startAuditAnchoring(
  prisma: PrismaClient,
  dataDir: string,
  log: { info(o: object, m: string): void; warn(o: object, m: string): void },
  everyMs = 5 * 60_000,
): { stop(): Promise<void> } {
  const signer = fileAnchorSigner(dataDir);
  let lastSeq = readExportedAnchors(dataDir).at(-1)?.seq ?? null;
  const anchorIfGrown = async () => {
    const head = await auditHead(prisma);
    if (!head || head.seq.toString() === lastSeq) return;
    const anchor = await writeAuditAnchor(prisma, signer, dataDir);
    if (anchor) {
      lastSeq = anchor.seq;
      log.info({ seq: anchor.seq }, 'audit chain anchored');
    }
  };
  const timer = setInterval(() => {
    anchorIfGrown().catch((error: unknown) => {
      log.warn({ err: error }, 'audit anchoring failed; will retry');
    });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await anchorIfGrown().catch((error: unknown) => {
        log.warn({ err: error }, 'final audit anchor failed');
      });
    },
  };
}
