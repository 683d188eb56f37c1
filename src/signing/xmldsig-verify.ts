/**
 * Verifies the XMLDSig of an edXML package: safe-xml guard, edXML profile, then xml-crypto with
 * the certificate from KeyInfo as the only candidate key (never trusted by itself), then the
 * chain. Data after verification comes only from `getSignedReferences()`.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { assertWellFormedXml } from '../edxml/index.ts';
import { isHubError } from '../shared/index.ts';
import { checkCertificateChain } from './certificate-chain.ts';
import type { TrustMaterial } from './trust-store.ts';
import { makeVerdict, REASONS, summarizeSigner, type SignatureVerdict } from './verdict.ts';
import { parseCertificateBase64 } from './certificate-facts.ts';
import type { X509Certificate, X509Crl } from './x509.ts';
import {
  CANONICALIZATIONS,
  DSIG_NS,
  ENVELOPED,
  RSA_SHA1,
  RSA_SHA256,
  RSA_SHA512,
  SHA1,
  SHA256,
  SHA512,
} from './xmldsig-algorithms.ts';
import { checkSignatureProfile, scanSignatureElements } from './xmldsig-profile.ts';
import type { OcspEvidence } from './ocsp.ts';

export type XmlVerifyOptions = {
  /** Time of checking; the hub passes the time of receipt. */
  readonly at: Date;
  readonly crls?: readonly X509Crl[];
  /** OCSP responses to judge revocation by, as of `at` (e.g. `--ocsp`, or stored with the document) */
  readonly ocsp?: readonly OcspEvidence[];
};

export type XmlVerifyResult = {
  readonly verdict: SignatureVerdict;
  /** The canonical XML that the signature covers (enveloped signature removed); null unless valid. */
  readonly signedXml: string | null;
};

const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

function parse(text: string): Document | null {
  try {
    const document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new SyntaxError(message);
      },
    }).parseFromString(text, 'text/xml');
    return document.documentElement ? document : null;
  } catch {
    return null;
  }
}

function toPem(base64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{64}/g, '$&\n').trimEnd()}\n-----END CERTIFICATE-----\n`;
}

// Public keys of the certificates met lately, by their base64: node:crypto re-reads a PEM
// certificate on every verify (0.141 ms), a parsed key costs 0.019 ms, and a hub sees the same
// few signers over and over. Bounded; the oldest entry goes first.
const KEY_CACHE_ENTRIES = 256;
const keyCache = new Map<string, KeyObject>();

/**
 * The key xml-crypto checks SignatureValue with: the certificate's public key, parsed once. A
 * certificate node:crypto cannot read is handed over as PEM, so it fails inside xml-crypto exactly
 * as before (same verdict, same reason).
 */
function verificationKey(certificateBase64: string): KeyObject | string {
  const cached = keyCache.get(certificateBase64);
  if (cached) return cached;
  const pem = toPem(certificateBase64);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return pem;
  }
  if (keyCache.size >= KEY_CACHE_ENTRIES) {
    const oldest = keyCache.keys().next();
    if (!oldest.done) keyCache.delete(oldest.value);
  }
  keyCache.set(certificateBase64, key);
  return key;
}

/** xml-crypto restricted to the allow-list, so a refused algorithm cannot slip past the profile. */
function restrictedVerifier(key: KeyObject | string): SignedXml {
  // xml-crypto 6 takes any crypto.KeyLike as publicCert and hands it to crypto.Verify as is.
  const verifier = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
  const pick = <T extends object>(table: T, allowed: ReadonlySet<string>): T =>
    Object.fromEntries(Object.entries(table).filter(([uri]) => allowed.has(uri))) as T;
  verifier.SignatureAlgorithms = pick(
    verifier.SignatureAlgorithms,
    new Set([RSA_SHA256, RSA_SHA512, RSA_SHA1]),
  );
  verifier.HashAlgorithms = pick(verifier.HashAlgorithms, new Set([SHA256, SHA512, SHA1]));
  verifier.CanonicalizationAlgorithms = pick(
    verifier.CanonicalizationAlgorithms,
    new Set([...CANONICALIZATIONS, ENVELOPED]),
  );
  return verifier;
}

type CryptoOutcome =
  | { readonly kind: 'valid'; readonly signedXml: string }
  | { readonly kind: 'digest' }
  | { readonly kind: 'signature' }
  | { readonly kind: 'error'; readonly message: string };

function checkWith(certificateBase64: string, signature: Element, text: string): CryptoOutcome {
  const verifier = restrictedVerifier(verificationKey(certificateBase64));
  try {
    verifier.loadSignature(signature);
    if (!verifier.checkSignature(text)) return { kind: 'digest' };
    const signed = verifier.getSignedReferences();
    if (signed.length !== 1 || signed[0] === undefined)
      return { kind: 'error', message: 'signed references' };
    return { kind: 'valid', signedXml: signed[0] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes('signature value')) return { kind: 'signature' };
    return { kind: 'error', message };
  }
}

/** The From OrganId, read from the signed canonical XML only. */
function signedFromOrganId(signedXml: string): string | undefined {
  const document = parse(signedXml);
  if (!document) return undefined;
  for (const from of Array.from(document.getElementsByTagNameNS(EDXML_NS, 'From'))) {
    const header = from.parentNode as Element | null;
    if (header?.localName !== 'MessageHeader') continue;
    const organ = Array.from(from.getElementsByTagNameNS(EDXML_NS, 'OrganId'))[0];
    return organ?.textContent?.trim();
  }
  return undefined;
}

export async function verifyEdxmlSignature(
  input: Uint8Array | string,
  material: TrustMaterial,
  options: XmlVerifyOptions,
): Promise<XmlVerifyResult> {
  const at = options.at;
  const refuse = (reasons: readonly string[], warnings: readonly string[] = []): XmlVerifyResult => ({
    verdict: makeVerdict({
      status: 'invalid',
      chain: 'unknown',
      signer: null,
      checkedAt: at,
      reasons,
      warnings,
    }),
    signedXml: null,
  });
  let text: string;
  try {
    text = assertWellFormedXml(input);
  } catch (error) {
    if (isHubError(error)) return refuse([REASONS.notXml, error.message]);
    throw error;
  }
  const document = parse(text);
  if (!document) return refuse([REASONS.notXml]);

  const { signatures: allSignatures, signedInfoCount } = scanSignatureElements(document);
  const signatures = allSignatures.filter((element) => element.namespaceURI === DSIG_NS);
  const placeholders = allSignatures.length - signatures.length;
  if (signatures.length === 0) {
    const status = placeholders > 0 ? 'unverifiable' : 'unsigned';
    return {
      verdict: makeVerdict({
        status,
        chain: 'unknown',
        signer: null,
        checkedAt: at,
        reasons: [placeholders > 0 ? REASONS.placeholder : REASONS.unsigned],
      }),
      signedXml: null,
    };
  }
  if (signatures.length > 1) return refuse([REASONS.multipleSignatures]);
  const signature = signatures[0] as Element;
  const profile = checkSignatureProfile(signature, signedInfoCount);
  if (!profile.ok) return refuse(profile.reasons);
  const warnings = [...profile.warnings, ...(placeholders > 0 ? [REASONS.placeholderBeside] : [])];

  let certificates: X509Certificate[];
  try {
    certificates = profile.certificates.map(parseCertificateBase64);
  } catch {
    return refuse([REASONS.badCertificate], warnings);
  }
  const claimed = certificates[0];
  if (!claimed) {
    return {
      verdict: makeVerdict({
        status: 'unverifiable',
        chain: 'unknown',
        signer: null,
        checkedAt: at,
        reasons: [REASONS.noCertificate],
        warnings,
      }),
      signedXml: null,
    };
  }

  // The signer is whichever KeyInfo certificate the SignatureValue verifies with; the others may be its issuers.
  let outcome: CryptoOutcome = { kind: 'signature' };
  let signer = claimed;
  for (const [index, candidate] of certificates.entries()) {
    outcome = checkWith(profile.certificates[index] ?? '', signature, text);
    signer = candidate;
    if (outcome.kind !== 'signature') break;
  }
  if (outcome.kind === 'signature') {
    return {
      verdict: makeVerdict({
        status: 'invalid',
        chain: 'unknown',
        signer: summarizeSigner(claimed),
        checkedAt: at,
        reasons: [REASONS.signatureMismatch],
        warnings,
      }),
      signedXml: null,
    };
  }
  if (outcome.kind === 'error')
    return refuse(
      [REASONS.signatureMismatch, REASONS.technicalDetail(outcome.message.slice(0, 200))],
      warnings,
    );

  const signedXml = outcome.kind === 'valid' ? outcome.signedXml : null;
  const valid = signedXml !== null;
  // Reading From is needed only for pinning; skip the extra parse when nothing is pinned.
  const organId = signedXml !== null && material.pins.size > 0 ? signedFromOrganId(signedXml) : undefined;
  const chain = await checkCertificateChain(signer, material, {
    at,
    untrusted: certificates.filter((c) => c !== signer),
    ...(options.crls ? { crls: options.crls } : {}),
    ...(options.ocsp ? { ocsp: options.ocsp } : {}),
    organId,
  });
  return {
    verdict: makeVerdict({
      status: valid ? 'valid' : 'invalid',
      chain: chain.chain,
      signer: summarizeSigner(signer),
      checkedAt: at,
      reasons: [...(valid ? [] : [REASONS.digestMismatch]), ...chain.reasons],
      warnings: [...warnings, ...chain.warnings],
    }),
    signedXml,
  };
}
