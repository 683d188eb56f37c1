/**
 * Path building and checking for a signer certificate: chain to a configured anchor, validity at
 * the time of checking, CA constraints, signing key usage, algorithms and key sizes, revocation
 * (CRLs and OCSP responses, as of the time of checking) and agency pinning. The certificate a signature carries is only a candidate;
 * nothing here trusts it by itself.
 */
import { X509Certificate as NodeX509Certificate, createPublicKey } from 'node:crypto';
import { factsOf } from './certificate-facts.ts';
import { ocspStatusOf, type OcspEvidence } from './ocsp.ts';
import type { TrustMaterial } from './trust-store.ts';
import { REASONS, type ChainStatus } from './verdict.ts';
import type { X509Certificate, X509Crl } from './x509.ts';

export type ChainCheck = {
  readonly chain: ChainStatus;
  readonly path: readonly X509Certificate[];
  readonly reasons: readonly string[];
  readonly warnings: readonly string[];
};

export type ChainOptions = {
  /** The time of checking (the time of receipt for archived documents). */
  readonly at: Date;
  /** Certificates that came with the signature: usable to build a path, never as anchors. */
  readonly untrusted?: readonly X509Certificate[];
  /** CRLs given for this check only (e.g. `--crl`, or carried by the signature), on top of the trust store's. */
  readonly crls?: readonly X509Crl[];
  /** OCSP responses for this check (carried by the signature, or stored with the document at receipt). */
  readonly ocsp?: readonly OcspEvidence[];
  /** The agency the document claims to come from, for pinning. */
  readonly organId?: string | undefined;
};

const MAX_PATH = 8;

/** Signature checks of one certificate (or CRL) by a candidate issuer, memoized: signatures never change. */
const signedByCache = new Map<string, Promise<boolean>>();
/** Paths found per trust material: a new material (reloaded trust store) starts afresh. */
const pathCache = new WeakMap<TrustMaterial, Map<string, Promise<X509Certificate[] | null>>>();

function memoSigned(key: string, check: () => Promise<boolean>): Promise<boolean> {
  let result = signedByCache.get(key);
  if (!result) {
    result = check().catch(() => false);
    if (signedByCache.size > 10_000) signedByCache.clear();
    signedByCache.set(key, result);
  }
  return result;
}

/**
 * WebCrypto knows only current algorithms. When it cannot confirm a signature, OpenSSL (through
 * node:crypto) checks it too, so that a chain issued with MD5 or on a small curve is found and
 * then refused for its algorithm or key by name, not reported as "does not chain to a root".
 */
function verifiesWithOpenssl(child: X509Certificate, issuer: X509Certificate): boolean {
  const key = createPublicKey({ key: Buffer.from(issuer.publicKey.rawData), format: 'der', type: 'spki' });
  return new NodeX509Certificate(Buffer.from(child.rawData)).verify(key);
}

function isIssuedBy(child: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  const c = factsOf(child);
  const i = factsOf(issuer);
  if (c.issuer !== i.subject) return Promise.resolve(false);
  return memoSigned(`${c.fingerprint}:${i.fingerprint}`, async () => {
    const byWebCrypto = await child
      .verify({ publicKey: issuer.publicKey, signatureOnly: true })
      .catch(() => false);
    return byWebCrypto || verifiesWithOpenssl(child, issuer);
  });
}

/** Hashes that no longer protect a certificate signature: a chain using one is not trusted. */
const BROKEN_HASHES: ReadonlySet<string> = new Set(['MD2', 'MD4', 'MD5']);

/** Minimum key sizes of Thông tư 15/2025/TT-BKHCN, for every certificate of the path. */
export const MINIMUM_KEY_BITS: Readonly<Record<string, number>> = { RSA: 2048, ECDSA: 256 };

/** The reason when the certificate's key is shorter than the rule allows, else null. */
export function keyTooShortReason(certificate: X509Certificate): string | null {
  const facts = factsOf(certificate);
  const minimum = MINIMUM_KEY_BITS[facts.key.type];
  if (minimum === undefined || facts.key.bits === null || facts.key.bits >= minimum) return null;
  return REASONS.keyTooShort(facts.name, facts.key.type, facts.key.bits, minimum);
}

function crlAuthentic(crl: X509Crl, issuer: X509Certificate): Promise<boolean> {
  const key = `crl:${Buffer.from(crl.signature).toString('base64')}:${factsOf(issuer).fingerprint}`;
  return memoSigned(key, () => crl.verify({ publicKey: issuer.publicKey }));
}

function dateText(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Walks from the leaf towards an anchor; returns the path (leaf first) or null when none is found. */
async function buildPath(
  leaf: X509Certificate,
  material: TrustMaterial,
  untrusted: readonly X509Certificate[],
): Promise<X509Certificate[] | null> {
  const anchorPrints = new Set(material.anchors.map((a) => factsOf(a).fingerprint));
  const pool = [...material.intermediates, ...untrusted];
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_PATH; depth++) {
    if (anchorPrints.has(factsOf(current).fingerprint)) return path;
    let next: X509Certificate | undefined;
    for (const anchor of material.anchors) {
      if (await isIssuedBy(current, anchor)) {
        next = anchor;
        break;
      }
    }
    if (next) {
      path.push(next);
      return path;
    }
    for (const candidate of pool) {
      if (path.some((seen) => factsOf(seen).fingerprint === factsOf(candidate).fingerprint)) continue;
      if (await isIssuedBy(current, candidate)) {
        next = candidate;
        break;
      }
    }
    if (!next) return null;
    path.push(next);
    current = next;
  }
  return null;
}

function cachedPath(
  leaf: X509Certificate,
  material: TrustMaterial,
  untrusted: readonly X509Certificate[],
): Promise<X509Certificate[] | null> {
  let perMaterial = pathCache.get(material);
  if (!perMaterial) {
    perMaterial = new Map();
    pathCache.set(material, perMaterial);
  }
  const key = [leaf, ...untrusted].map((c) => factsOf(c).fingerprint).join('|');
  let path = perMaterial.get(key);
  if (!path) {
    path = buildPath(leaf, material, untrusted);
    if (perMaterial.size > 1000) perMaterial.clear();
    perMaterial.set(key, path);
  }
  return path;
}

async function revocationOf(
  certificate: X509Certificate,
  issuer: X509Certificate,
  crls: readonly X509Crl[],
  ocsp: readonly OcspEvidence[],
  at: number,
): Promise<{ revokedAt: number | null; checked: boolean; stale: boolean }> {
  let checked = false;
  let stale = false;
  const issuerSubject = factsOf(issuer).subject;
  for (const crl of crls) {
    if (crl.issuer !== issuerSubject) continue;
    if (!(await crlAuthentic(crl, issuer))) continue;
    checked = true;
    if (crl.nextUpdate && crl.nextUpdate.getTime() < at) stale = true;
    const entry = crl.findRevoked(certificate);
    if (entry && entry.revocationDate.getTime() <= at)
      return { revokedAt: entry.revocationDate.getTime(), checked, stale };
  }
  const online = await ocspStatusOf(ocsp, certificate, issuer, at);
  if (online.revokedAt !== null) return { revokedAt: online.revokedAt, checked: true, stale: false };
  // a current OCSP answer makes an old CRL beside it harmless
  if (online.checked) return { revokedAt: null, checked: true, stale: online.stale };
  return { revokedAt: null, checked, stale };
}

/** Pins apply to the agency a document claims to come from; with no agency known there is nothing to compare. */
function checkPins(
  leaf: X509Certificate,
  material: TrustMaterial,
  organId: string | undefined,
): string | null {
  if (material.pins.size === 0 || organId === undefined) return null;
  const fingerprint = factsOf(leaf).fingerprint;
  const pinned = material.pins.get(organId);
  if (pinned && !pinned.includes(fingerprint)) return organId;
  for (const [organ, list] of material.pins) {
    // A certificate pinned to one agency must not sign for another.
    if (organ !== organId && list.includes(fingerprint)) return organId;
  }
  return null;
}

const PRECEDENCE: readonly ChainStatus[] = [
  'revoked',
  'expired',
  'not-yet-valid',
  'untrusted',
  'pinned-mismatch',
];

/** Checks the signer certificate; the first failing class (in PRECEDENCE order) names `chain`, every problem gets a reason. */
export async function checkCertificateChain(
  leaf: X509Certificate,
  material: TrustMaterial,
  options: ChainOptions,
): Promise<ChainCheck> {
  const found = await cachedPath(leaf, material, options.untrusted ?? []);
  if (!found) {
    const shortKey = keyTooShortReason(leaf);
    return {
      chain: 'untrusted',
      path: [leaf],
      reasons: [REASONS.untrustedRoot, ...(shortKey ? [shortKey] : [])],
      warnings: [],
    };
  }
  const path = found;
  const reasons: string[] = [];
  const warnings: string[] = [];
  const at = options.at.getTime();
  const crls = options.crls && options.crls.length > 0 ? [...material.crls, ...options.crls] : material.crls;
  const failures: ChainStatus[] = [];

  for (let index = 0; index + 1 < path.length; index++) {
    const certificate = path[index] as X509Certificate;
    const issuer = path[index + 1] as X509Certificate;
    const revocation = await revocationOf(certificate, issuer, crls, options.ocsp ?? [], at);
    if (revocation.revokedAt !== null) {
      failures.push('revoked');
      reasons.push(REASONS.revoked(dateText(revocation.revokedAt)));
    }
    if (!revocation.checked) warnings.push(REASONS.noCrl);
    if (revocation.stale) warnings.push(REASONS.staleCrl);
    if (!factsOf(issuer).ca) {
      failures.push('untrusted');
      reasons.push(REASONS.caConstraints);
    }
    // The anchor's own self-signature is not part of the path's protection; every other one is.
    const { name, signature } = factsOf(certificate);
    if (signature.hash !== null && BROKEN_HASHES.has(signature.hash)) {
      failures.push('untrusted');
      reasons.push(REASONS.chainBrokenHash(name, signature.hash, signature.algorithm));
    } else if (signature.hash === 'SHA-1') {
      warnings.push(REASONS.chainSha1(name, signature.algorithm));
    }
  }
  for (const certificate of path) {
    const shortKey = keyTooShortReason(certificate);
    if (shortKey) {
      failures.push('untrusted');
      reasons.push(shortKey);
    }
  }
  for (const certificate of path) {
    const facts = factsOf(certificate);
    if (at > facts.notAfter) {
      failures.push('expired');
      reasons.push(REASONS.expired(dateText(facts.notAfter)));
    } else if (at < facts.notBefore) {
      failures.push('not-yet-valid');
      reasons.push(REASONS.notYetValid(dateText(facts.notBefore)));
    }
  }
  if (!factsOf(leaf).signingUsage) {
    failures.push('untrusted');
    reasons.push(REASONS.noSigningUsage);
  }
  const pinMismatch = checkPins(leaf, material, options.organId);
  if (pinMismatch !== null) {
    failures.push('pinned-mismatch');
    reasons.push(REASONS.pinnedMismatch(pinMismatch));
  }
  const chain = PRECEDENCE.find((status) => failures.includes(status)) ?? 'trusted';
  return { chain, path, reasons, warnings };
}
