/**
 * Path building and checking for a signer certificate: chain to a configured anchor, validity at
 * the time of checking, CA constraints, signing key usage, CRL revocation and agency pinning.
 * The certificate a signature carries is only a candidate; nothing here trusts it by itself.
 */
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate,
  type X509Crl,
} from './x509.ts';
import { certificateFingerprint, type TrustMaterial } from './trust-store.ts';
import { REASONS, type ChainStatus } from './verdict.ts';

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
  /** CRLs given for this check only (e.g. `--crl`), on top of the trust store's. */
  readonly crls?: readonly X509Crl[];
  /** The agency the document claims to come from, for pinning. */
  readonly organId?: string | undefined;
};

const MAX_PATH = 8;

/** Signature checks of one certificate by a candidate issuer, memoized per pair: cert signatures never change. */
const issuedByCache = new Map<string, Promise<boolean>>();

async function isIssuedBy(child: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  if (child.issuer !== issuer.subject) return false;
  const key = `${certificateFingerprint(child)}:${certificateFingerprint(issuer)}`;
  let result = issuedByCache.get(key);
  if (!result) {
    result = child.verify({ publicKey: issuer.publicKey, signatureOnly: true }).catch(() => false);
    if (issuedByCache.size > 10_000) issuedByCache.clear();
    issuedByCache.set(key, result);
  }
  return result;
}

function hasSigningUsage(certificate: X509Certificate): boolean {
  const usage = certificate.getExtension(KeyUsagesExtension);
  if (!usage) return false;
  return (usage.usages & (KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation)) !== 0;
}

function isCa(certificate: X509Certificate): boolean {
  const constraints = certificate.getExtension(BasicConstraintsExtension);
  if (!constraints?.ca) return false;
  const usage = certificate.getExtension(KeyUsagesExtension);
  return !usage || (usage.usages & KeyUsageFlags.keyCertSign) !== 0;
}

function dateText(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Walks from the leaf towards an anchor; returns the path (leaf first) or null when none is found. */
async function buildPath(leaf: X509Certificate, material: TrustMaterial, untrusted: readonly X509Certificate[]): Promise<X509Certificate[] | null> {
  const anchorPrints = new Set(material.anchors.map(certificateFingerprint));
  const pool = [...material.intermediates, ...untrusted];
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_PATH; depth++) {
    if (anchorPrints.has(certificateFingerprint(current))) return path;
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
      if (path.some((seen) => certificateFingerprint(seen) === certificateFingerprint(candidate))) continue;
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

async function revocationOf(
  certificate: X509Certificate,
  issuer: X509Certificate,
  crls: readonly X509Crl[],
  at: Date,
): Promise<{ revokedAt: Date | null; checked: boolean; stale: boolean }> {
  let checked = false;
  let stale = false;
  for (const crl of crls) {
    if (crl.issuer !== issuer.subject) continue;
    const authentic = await crl.verify({ publicKey: issuer.publicKey }).catch(() => false);
    if (!authentic) continue;
    checked = true;
    if (crl.nextUpdate && crl.nextUpdate.getTime() < at.getTime()) stale = true;
    const entry = crl.findRevoked(certificate);
    if (entry && entry.revocationDate.getTime() <= at.getTime()) return { revokedAt: entry.revocationDate, checked, stale };
  }
  return { revokedAt: null, checked, stale };
}

function checkPins(leaf: X509Certificate, material: TrustMaterial, organId: string | undefined): string | null {
  const fingerprint = certificateFingerprint(leaf);
  if (organId !== undefined) {
    const pinned = material.pins.get(organId);
    if (pinned && !pinned.includes(fingerprint)) return organId;
  }
  for (const [organ, pinned] of material.pins) {
    // A certificate pinned to one agency must not sign for another.
    if (pinned.includes(fingerprint) && organ !== organId) return organId ?? organ;
  }
  return null;
}

/** Checks the signer certificate; the first failing class (in the order below) names `chain`, every problem gets a reason. */
export async function checkCertificateChain(leaf: X509Certificate, material: TrustMaterial, options: ChainOptions): Promise<ChainCheck> {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const found = await buildPath(leaf, material, options.untrusted ?? []);
  if (!found) return { chain: 'untrusted', path: [leaf], reasons: [REASONS.untrustedRoot], warnings };
  const path = found;
  const at = options.at;
  const crls = [...material.crls, ...(options.crls ?? [])];
  const failures: ChainStatus[] = [];

  for (let index = 0; index + 1 < path.length; index++) {
    const certificate = path[index] as X509Certificate;
    const issuer = path[index + 1] as X509Certificate;
    const revocation = await revocationOf(certificate, issuer, crls, at);
    if (revocation.revokedAt) {
      failures.push('revoked');
      reasons.push(REASONS.revoked(dateText(revocation.revokedAt)));
    }
    if (!revocation.checked) warnings.push(REASONS.noCrl);
    if (revocation.stale) warnings.push(REASONS.staleCrl);
    if (!isCa(issuer) && certificate !== issuer) {
      failures.push('untrusted');
      reasons.push(REASONS.caConstraints);
    }
  }
  for (const certificate of path) {
    if (at.getTime() > certificate.notAfter.getTime()) {
      failures.push('expired');
      reasons.push(REASONS.expired(dateText(certificate.notAfter)));
    } else if (at.getTime() < certificate.notBefore.getTime()) {
      failures.push('not-yet-valid');
      reasons.push(REASONS.notYetValid(dateText(certificate.notBefore)));
    }
  }
  if (!hasSigningUsage(leaf)) {
    failures.push('untrusted');
    reasons.push(REASONS.noSigningUsage);
  }
  const pinMismatch = checkPins(leaf, material, options.organId);
  if (pinMismatch !== null) {
    failures.push('pinned-mismatch');
    reasons.push(REASONS.pinnedMismatch(pinMismatch));
  }
  const order: ChainStatus[] = ['revoked', 'expired', 'not-yet-valid', 'untrusted', 'pinned-mismatch'];
  const chain = order.find((status) => failures.includes(status)) ?? 'trusted';
  return { chain, path, reasons, warnings };
}

