/**
 * The edXML signature profile, checked on the DOM before any cryptography: exactly one XMLDSig
 * Signature in an allowed place, exactly one SignedInfo in the document, one Reference with
 * URI="" (the whole document), enveloped-signature plus C14N transforms only, allowed algorithms,
 * and DigestValue/SignatureValue as plain text (no comments, CDATA or split text: CVE-2025-29775).
 */
import type { Document, Element, Node } from '@xmldom/xmldom';
import {
  CANONICALIZATIONS,
  DSIG_NS,
  ENVELOPED,
  judgeDigestMethod,
  judgeSignatureMethod,
  type AlgorithmJudgement,
} from './xmldsig-algorithms.ts';
import { REASONS } from './verdict.ts';

export type ProfileResult =
  | { readonly ok: true; readonly certificates: readonly string[]; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reasons: readonly string[] };

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

function elementChildren(node: Element): Element[] {
  const children: Element[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === ELEMENT_NODE) children.push(child as Element);
  }
  return children;
}

function isDsig(element: Element, localName: string): boolean {
  return element.namespaceURI === DSIG_NS && element.localName === localName;
}

/** Only text children: a comment, CDATA, PI or element inside means the value can be read two ways. */
function isPlainText(element: Element): boolean {
  for (let child: Node | null = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType !== TEXT_NODE) return false;
  }
  return true;
}

function algorithmReason(judgement: AlgorithmJudgement, uri: string): string | null {
  if (judgement.ok) return null;
  if (judgement.kind === 'hmac') return REASONS.hmac;
  if (judgement.kind === 'md5') return REASONS.md5;
  return REASONS.unknownAlgorithm(uri);
}

function allowedPlace(signature: Element): boolean {
  const parent = signature.parentNode as Element | null;
  if (!parent) return false;
  return (
    parent === signature.ownerDocument?.documentElement ||
    parent.localName === 'edXMLHeader' ||
    parent.localName === 'edXMLEnvelope'
  );
}

/** Every `Signature` element (any namespace) and the number of XMLDSig `SignedInfo` elements, in one walk. */
export function scanSignatureElements(document: Document): {
  signatures: Element[];
  signedInfoCount: number;
} {
  const signatures: Element[] = [];
  let signedInfoCount = 0;
  const stack: Node[] = document.documentElement ? [document.documentElement] : [];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.nodeType !== ELEMENT_NODE) continue;
    const element = node as Element;
    if (element.localName === 'Signature') signatures.push(element);
    else if (element.localName === 'SignedInfo' && element.namespaceURI === DSIG_NS) signedInfoCount += 1;
    for (let child = element.lastChild; child; child = child.previousSibling) {
      if (child.nodeType === ELEMENT_NODE) stack.push(child);
    }
  }
  return { signatures, signedInfoCount };
}

/** `signedInfoCount` is the number of XMLDSig SignedInfo elements in the whole document. */
export function checkSignatureProfile(signature: Element, signedInfoCount: number): ProfileResult {
  const reasons: string[] = [];
  const warnings: string[] = [];
  if (!allowedPlace(signature)) reasons.push(REASONS.placement);
  if (signedInfoCount !== 1) return { ok: false, reasons: [...reasons, REASONS.signedInfoCount] };

  const children = elementChildren(signature);
  const [signedInfo, signatureValue, keyInfo, ...rest] = children;
  if (
    !signedInfo ||
    !isDsig(signedInfo, 'SignedInfo') ||
    !signatureValue ||
    !isDsig(signatureValue, 'SignatureValue') ||
    rest.length > 0 ||
    (keyInfo && !isDsig(keyInfo, 'KeyInfo'))
  ) {
    return { ok: false, reasons: [...reasons, REASONS.signedInfoCount] };
  }
  if (!isPlainText(signatureValue)) reasons.push(REASONS.digestValueMarkup);

  const [c14n, method, reference, ...more] = elementChildren(signedInfo);
  if (
    !c14n ||
    !isDsig(c14n, 'CanonicalizationMethod') ||
    !method ||
    !isDsig(method, 'SignatureMethod') ||
    !reference ||
    !isDsig(reference, 'Reference') ||
    more.length > 0
  ) {
    return { ok: false, reasons: [...reasons, REASONS.referenceProfile] };
  }
  const c14nUri = c14n.getAttribute('Algorithm') ?? '';
  if (!CANONICALIZATIONS.has(c14nUri)) reasons.push(REASONS.unknownAlgorithm(c14nUri));
  const methodUri = method.getAttribute('Algorithm') ?? '';
  const methodJudgement = judgeSignatureMethod(methodUri);
  const methodReason = algorithmReason(methodJudgement, methodUri);
  if (methodReason) reasons.push(methodReason);
  else if (methodJudgement.ok && methodJudgement.legacy) warnings.push(REASONS.sha1Legacy);

  if (!reference.hasAttribute('URI') || reference.getAttribute('URI') !== '')
    reasons.push(REASONS.referenceProfile);
  const referenceParts = elementChildren(reference);
  const transforms = referenceParts.find((e) => isDsig(e, 'Transforms'));
  const digestMethod = referenceParts.find((e) => isDsig(e, 'DigestMethod'));
  const digestValue = referenceParts.find((e) => isDsig(e, 'DigestValue'));
  if (referenceParts.length !== (transforms ? 3 : 2) || !digestMethod || !digestValue)
    return { ok: false, reasons: [...reasons, REASONS.referenceProfile] };
  const transformUris = transforms
    ? elementChildren(transforms).map((t) =>
        isDsig(t, 'Transform') ? (t.getAttribute('Algorithm') ?? '') : '',
      )
    : [];
  const envelopedCount = transformUris.filter((uri) => uri === ENVELOPED).length;
  // Whole-document reference: without the enveloped transform the signature would sign itself.
  if (
    envelopedCount !== 1 ||
    transformUris.length > 2 ||
    transformUris.some((uri) => uri !== ENVELOPED && !CANONICALIZATIONS.has(uri))
  ) {
    reasons.push(REASONS.transformProfile);
  }
  const digestUri = digestMethod.getAttribute('Algorithm') ?? '';
  const digestJudgement = judgeDigestMethod(digestUri);
  const digestReason = algorithmReason(digestJudgement, digestUri);
  if (digestReason) reasons.push(digestReason);
  else if (digestJudgement.ok && digestJudgement.legacy) warnings.push(REASONS.sha1Legacy);
  if (!isPlainText(digestValue)) reasons.push(REASONS.digestValueMarkup);

  const certificates: string[] = [];
  if (keyInfo) {
    for (const data of elementChildren(keyInfo).filter((e) => isDsig(e, 'X509Data'))) {
      for (const cert of elementChildren(data).filter((e) => isDsig(e, 'X509Certificate'))) {
        certificates.push((cert.textContent ?? '').replace(/\s+/g, ''));
      }
    }
  }
  if (reasons.length > 0) return { ok: false, reasons };
  return { ok: true, certificates, warnings };
}
