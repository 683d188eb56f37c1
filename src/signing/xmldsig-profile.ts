/**
 * The edXML signature profile, checked on the DOM before any cryptography: exactly one XMLDSig
 * Signature in an allowed place, exactly one SignedInfo in the document, no Object, one Reference
 * with URI="" (the whole document), enveloped-signature plus C14N transforms only, allowed
 * algorithms, and DigestValue/SignatureValue as plain text (no comments, CDATA or split text:
 * CVE-2025-29775). Each refusal names what is outside the profile (form, algorithm or transform
 * URI); only SignedInfo wrapping is reported as wrapping.
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
  if (judgement.kind === 'hmac') return REASONS.hmac(uri);
  if (judgement.kind === 'md5') return REASONS.brokenHash('MD5', uri);
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

const ID_ATTRIBUTES = ['Id', 'ID', 'id'];

/** Whether `#id` names an element inside one of the signature's own Object elements (enveloping form). */
function pointsIntoObjects(uri: string, objects: readonly Element[]): boolean {
  if (!uri.startsWith('#')) return false;
  const id = uri.slice(1);
  const stack: Element[] = [...objects];
  for (let element = stack.pop(); element; element = stack.pop()) {
    if (ID_ATTRIBUTES.some((name) => element.getAttribute(name) === id)) return true;
    stack.push(...elementChildren(element));
  }
  return false;
}

function holdsXadesProperties(objects: readonly Element[]): boolean {
  return objects.some((object) =>
    elementChildren(object).some((child) => child.localName === 'QualifyingProperties'),
  );
}

function nameOf(element: Element): string {
  return `<${element.tagName}>`;
}

/**
 * The children of Signature in schema order: SignedInfo, SignatureValue, optional KeyInfo, then
 * Object elements. Names the first element out of place (or missing), else null.
 */
function misplacedChild(children: readonly Element[]): string | null {
  const [first, second, ...rest] = children;
  if (!first || !isDsig(first, 'SignedInfo')) return first ? nameOf(first) : 'SignedInfo (missing)';
  if (!second || !isDsig(second, 'SignatureValue'))
    return second ? nameOf(second) : 'SignatureValue (missing)';
  const tail = rest[0] && isDsig(rest[0], 'KeyInfo') ? rest.slice(1) : rest;
  const stray = tail.find((e) => !isDsig(e, 'Object'));
  return stray ? nameOf(stray) : null;
}

/** `signedInfoCount` is the number of XMLDSig SignedInfo elements in the whole document. */
export function checkSignatureProfile(signature: Element, signedInfoCount: number): ProfileResult {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const refuse = (reason: string): ProfileResult => ({ ok: false, reasons: [...reasons, reason] });
  if (!allowedPlace(signature)) reasons.push(REASONS.placement);
  // More than one SignedInfo anywhere, or the only one not where the Signature reads it: wrapping.
  if (signedInfoCount > 1) return refuse(REASONS.signedInfoCount);
  if (signedInfoCount === 0) return refuse(REASONS.noSignedInfo);

  const children = elementChildren(signature);
  const signedInfo = children.find((e) => isDsig(e, 'SignedInfo'));
  if (!signedInfo) return refuse(REASONS.signedInfoCount);
  const misplaced = misplacedChild(children);
  if (misplaced) return refuse(REASONS.signatureStructure(misplaced));
  const signatureValue = children[1] as Element;
  const keyInfo = children.find((e) => isDsig(e, 'KeyInfo'));
  const objects = children.filter((e) => isDsig(e, 'Object'));
  if (!isPlainText(signatureValue)) reasons.push(REASONS.digestValueMarkup);

  const [c14n, method, ...references] = elementChildren(signedInfo);
  if (!c14n || !isDsig(c14n, 'CanonicalizationMethod'))
    return refuse(REASONS.signatureStructure(c14n ? nameOf(c14n) : 'CanonicalizationMethod (missing)'));
  if (!method || !isDsig(method, 'SignatureMethod'))
    return refuse(REASONS.signatureStructure(method ? nameOf(method) : 'SignatureMethod (missing)'));
  const stray = references.find((e) => !isDsig(e, 'Reference'));
  if (stray) return refuse(REASONS.signatureStructure(nameOf(stray)));
  if (references.length === 0) return refuse(REASONS.referenceProfile);

  const c14nUri = c14n.getAttribute('Algorithm') ?? '';
  if (!CANONICALIZATIONS.has(c14nUri)) reasons.push(REASONS.unknownAlgorithm(c14nUri));
  const methodUri = method.getAttribute('Algorithm') ?? '';
  const methodJudgement = judgeSignatureMethod(methodUri);
  const methodReason = algorithmReason(methodJudgement, methodUri);
  if (methodReason) reasons.push(methodReason);
  else if (methodJudgement.ok && methodJudgement.legacy) warnings.push(REASONS.sha1Legacy);

  // Name the form before the references: a signature over content inside its own Object is
  // enveloping (the document around it is not what was signed); XAdES keeps its signed
  // properties in an Object beside an enveloped reference; any other Object is extra data.
  const whole = references.find((r) => r.hasAttribute('URI') && r.getAttribute('URI') === '');
  const enveloping =
    !whole && references.some((r) => pointsIntoObjects(r.getAttribute('URI') ?? '', objects));
  if (enveloping) {
    // An enveloping Signature is the document itself: its form, not its place, is the problem.
    const placement = reasons.indexOf(REASONS.placement);
    if (placement !== -1 && signature === signature.ownerDocument?.documentElement)
      reasons.splice(placement, 1);
    reasons.push(REASONS.envelopingForm);
  }
  if (holdsXadesProperties(objects)) reasons.push(REASONS.xadesForm);
  else if (objects.length > 0 && !enveloping) reasons.push(REASONS.objectElements);
  if (references.length > 1) reasons.push(REASONS.referenceCount(references.length));
  if (!whole && !enveloping) reasons.push(REASONS.referenceProfile);

  for (const reference of references) {
    const referenceParts = elementChildren(reference);
    const transforms = referenceParts.find((e) => isDsig(e, 'Transforms'));
    const digestMethod = referenceParts.find((e) => isDsig(e, 'DigestMethod'));
    const value = referenceParts.find((e) => isDsig(e, 'DigestValue'));
    if (referenceParts.length !== (transforms ? 3 : 2) || !digestMethod || !value)
      return refuse(REASONS.referenceProfile);
    const transformUris = transforms
      ? elementChildren(transforms).map((t) =>
          isDsig(t, 'Transform') ? (t.getAttribute('Algorithm') ?? '') : '',
        )
      : [];
    for (const uri of transformUris) {
      if (uri !== ENVELOPED && !CANONICALIZATIONS.has(uri)) reasons.push(REASONS.transformNotAllowed(uri));
    }
    // Whole-document reference: without the enveloped transform the signature would sign itself.
    // Any reference: the enveloped transform at most once, and at most one C14N beside it.
    const envelopedCount = transformUris.filter((uri) => uri === ENVELOPED).length;
    if (transformUris.length > 2 || envelopedCount > 1 || (reference === whole && envelopedCount !== 1))
      reasons.push(REASONS.transformProfile);
    const digestUri = digestMethod.getAttribute('Algorithm') ?? '';
    const digestJudgement = judgeDigestMethod(digestUri);
    const digestReason = algorithmReason(digestJudgement, digestUri);
    if (digestReason) reasons.push(digestReason);
    else if (digestJudgement.ok && digestJudgement.legacy) warnings.push(REASONS.sha1Legacy);
    if (!isPlainText(value)) reasons.push(REASONS.digestValueMarkup);
  }
  if (reasons.length > 0 || !whole) return { ok: false, reasons: [...new Set(reasons)] };

  const certificates: string[] = [];
  if (keyInfo) {
    for (const data of elementChildren(keyInfo).filter((e) => isDsig(e, 'X509Data'))) {
      for (const cert of elementChildren(data).filter((e) => isDsig(e, 'X509Certificate'))) {
        certificates.push((cert.textContent ?? '').replace(/\s+/g, ''));
      }
    }
  }
  return { ok: true, certificates, warnings };
}
