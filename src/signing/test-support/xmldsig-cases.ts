/**
 * The XMLDSig cases of acceptance item 1, each built in the edXML profile (whole-document
 * reference) so that the attack reaches the cryptographic checks. Shared by the verdict table,
 * the xmlsec1 cross-check and the bench.
 */
import { createPrivateKey } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { HubError } from '../../shared/index.ts';
import { certificateFingerprint, type TrustMaterial } from '../trust-store.ts';
import { ENVELOPED, EXC_C14N, RSA_SHA1, RSA_SHA256, SHA1, SHA256 } from '../xmldsig-algorithms.ts';
import { signEdxml } from '../xmldsig-sign.ts';
import { makeEdxmlPackage } from './edxml-package.ts';
import type { TestIdentity, TestPki } from './test-pki.ts';

export const FROM_AGENCY = '000.00.11.H53';
const ORIGINAL_SUBJECT = 'V/v kết nối, liên thông phần mềm quản lý văn bản';
const FORGED_SUBJECT = 'V/v chuyển 5 tỷ đồng cho tài khoản lạ';

export type XmlCase = {
  readonly name: string;
  readonly xml: string;
  readonly material: TrustMaterial;
  readonly expected: {
    status: string;
    chain: string;
    trusted: boolean;
    reason?: string;
    warning?: string;
    /** Every reason, exactly, in its English words (after ` / `). */
    reasons?: readonly string[];
  };
  /** Whether plain xml-crypto (right certificate, no profile) also rejects it: the attack reaches crypto. */
  readonly plainXmlCryptoRejects?: boolean;
};

export function signAs(xml: string, identity: TestIdentity, keyPem = identity.keyPem): string {
  return signEdxml(xml, { privateKey: createPrivateKey(keyPem), certificatePem: identity.certificatePem });
}

function digestValueOf(signed: string): string {
  const match = /<DigestValue>([^<]+)<\/DigestValue>/.exec(signed);
  if (!match?.[1]) throw new HubError('SIGNING_TEST_XML', 'no DigestValue');
  return match[1];
}

/** The digest a forger would compute for a changed package (the digest needs no key). */
function forgedDigest(pki: TestPki, changed: string): string {
  return digestValueOf(signAs(changed, pki.leaf, pki.attackerKeyPem));
}

function signWith(xml: string, setup: (signer: SignedXml) => void, xpath = '/*', uri = ''): string {
  const signer = new SignedXml();
  setup(signer);
  signer.addReference({
    xpath,
    ...(uri === '' ? { isEmptyUri: true } : { uri }),
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm:
      signer.signatureAlgorithm === RSA_SHA1 ? SHA1 : 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  signer.computeSignature(xml, {
    location: { reference: "(//*[local-name(.)='edXMLHeader'])[1]", action: 'append' },
  });
  return signer.getSignedXml();
}

/**
 * An enveloping signature: the package is the content of the signature's own Object, referenced
 * by Id (signed in a wrapper, then the Signature taken out as the whole document).
 */
function signEnveloping(pkg: string, identity: TestIdentity): string {
  const signer = new SignedXml({
    privateKey: identity.keyPem,
    publicCert: identity.certificatePem,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    objects: [{ content: pkg.replace(/<\?xml[^>]*>\s*/, ''), attributes: { Id: 'package' } }],
  });
  signer.addReference({
    xpath: "//*[@Id='package']",
    uri: '#package',
    transforms: [EXC_C14N],
    digestAlgorithm: SHA256,
  });
  signer.computeSignature('<Wrapper/>', { location: { reference: '/*', action: 'append' } });
  const wrapped = signer.getSignedXml();
  return `<?xml version="1.0" encoding="UTF-8"?>\n${wrapped.slice(wrapped.indexOf('<Signature'), wrapped.lastIndexOf('</Wrapper>'))}`;
}

/** An enveloped signature with XAdES-style signed properties in an Object, referenced beside the package. */
function signWithXadesProperties(pkg: string, identity: TestIdentity): string {
  const properties =
    '<xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#sig"><xades:SignedProperties Id="props"><xades:SignedSignatureProperties><xades:SigningTime>2026-11-25T08:00:00Z</xades:SigningTime></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties>';
  const signer = new SignedXml({
    privateKey: identity.keyPem,
    publicCert: identity.certificatePem,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    objects: [{ content: properties }],
  });
  signer.addReference({
    xpath: '/*',
    isEmptyUri: true,
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: SHA256,
  });
  signer.addReference({
    xpath: "//*[@Id='props']",
    uri: '#props',
    transforms: [EXC_C14N],
    digestAlgorithm: SHA256,
  });
  signer.computeSignature(pkg, {
    location: { reference: "(//*[local-name(.)='edXMLHeader'])[1]", action: 'append' },
  });
  return signer.getSignedXml();
}

const XSLT = 'http://www.w3.org/TR/1999/REC-xslt-19991116';
const XPATH_FILTER2 = 'http://www.w3.org/2002/06/xmldsig-filter2';
const MD5_DIGEST = 'http://www.w3.org/2001/04/xmldsig-more#md5';

export function buildXmlCases(pki: TestPki): XmlCase[] {
  const pkg = makeEdxmlPackage({ organId: FROM_AGENCY, subject: ORIGINAL_SUBJECT });
  const changedPkg = pkg.replace(ORIGINAL_SUBJECT, FORGED_SUBJECT);
  const valid = signAs(pkg, pki.leaf);
  const origDigest = digestValueOf(valid);
  const changed = valid.replace(ORIGINAL_SUBJECT, FORGED_SUBJECT);
  const m = pki.material;
  const pinned: TrustMaterial = {
    ...m,
    pins: new Map([[FROM_AGENCY, [certificateFingerprint(pki.otherLeaf.certificate)]]]),
  };
  const forgedHeader = `<edXML:MessageHeader><edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:From><edXML:Subject>${FORGED_SUBJECT}</edXML:Subject></edXML:MessageHeader>`;

  const partial = signWith(
    pkg.replace('<edXML:edXMLBody>', '<edXML:edXMLBody Id="body">'),
    (s) => {
      s.privateKey = pki.leaf.keyPem;
      s.publicCert = pki.leaf.certificatePem;
      s.signatureAlgorithm = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
      s.canonicalizationAlgorithm = EXC_C14N;
    },
    "//*[local-name(.)='edXMLBody']",
    '#body',
  ).replace(ORIGINAL_SUBJECT, FORGED_SUBJECT);
  const rootStart = valid.indexOf('<edXML:edXMLEnvelope');
  const moved = `<?xml version="1.0" encoding="UTF-8"?>\n<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader>${forgedHeader}</edXML:edXMLHeader><edXML:Archive>${valid.slice(rootStart).replace(/<\?xml[^>]*>/, '')}</edXML:Archive></edXML:edXMLEnvelope>`;
  const duplicated = valid.replace('<edXML:MessageHeader>', `${forgedHeader}<edXML:MessageHeader>`);
  const commentDigest = changed.replace(
    `<DigestValue>${origDigest}</DigestValue>`,
    `<DigestValue><!--${forgedDigest(pki, changedPkg)}-->${origDigest}</DigestValue>`,
  );
  const signedInfo = /<SignedInfo>[\s\S]*<\/SignedInfo>/.exec(valid)?.[0] ?? '';
  const twoSignedInfo = changed.replace(
    signedInfo,
    signedInfo + signedInfo.replace(origDigest, forgedDigest(pki, changedPkg)),
  );
  const signedInfoChanged = changed.replace(
    `<DigestValue>${origDigest}</DigestValue>`,
    `<DigestValue>${forgedDigest(pki, changedPkg)}</DigestValue>`,
  );
  const hmac = signWith(pkg, (s) => {
    s.enableHMAC();
    // Key confusion (GHSA-c27r-x354-4m68): the HMAC key is the public certificate everyone has.
    s.privateKey = Buffer.from(pki.leaf.certificatePem);
    s.publicCert = pki.leaf.certificatePem;
    s.signatureAlgorithm = 'http://www.w3.org/2000/09/xmldsig#hmac-sha1';
    s.canonicalizationAlgorithm = EXC_C14N;
    s.getKeyInfoContent = () =>
      `<X509Data><X509Certificate>${pki.leaf.certificatePem.replace(/-----[^-]+-----|\s/g, '')}</X509Certificate></X509Data>`;
  });
  const unknownAlgorithm = valid.replace(
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'urn:lienthong:test:unknown-signature-method',
  );
  const sha1 = signWith(pkg, (s) => {
    s.privateKey = pki.leaf.keyPem;
    s.publicCert = pki.leaf.certificatePem;
    s.signatureAlgorithm = RSA_SHA1;
    s.canonicalizationAlgorithm = EXC_C14N;
  });
  const c14nTransform = `<Transform Algorithm="${EXC_C14N}"/>`;
  const xslt = valid.replace(
    c14nTransform,
    `<Transform Algorithm="${XSLT}"><xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"><xsl:template match="/"/></xsl:stylesheet></Transform>`,
  );
  const xpathFilter = valid.replace(
    c14nTransform,
    `<Transform Algorithm="${XPATH_FILTER2}"><XPath xmlns="${XPATH_FILTER2}" Filter="subtract">//*[local-name()='Subject']</XPath></Transform>`,
  );
  const md5Digest = valid.replace(
    `<DigestMethod Algorithm="${SHA256}"/>`,
    `<DigestMethod Algorithm="${MD5_DIGEST}"/>`,
  );
  // Unsigned data added inside a good enveloped signature: the enveloped transform removes it, so it verifies.
  const withObject = valid.replace(
    '</Signature>',
    `<Object Id="note"><edXML:Note xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">${FORGED_SUBJECT}</edXML:Note></Object></Signature>`,
  );
  const bad = (reason: string, chain = 'unknown') => ({ status: 'invalid', chain, trusted: false, reason });
  /** Refused by the profile, with exactly these reasons (English words). */
  const refused = (...reasons: string[]) => ({
    status: 'invalid',
    chain: 'unknown',
    trusted: false,
    reasons,
  });
  return [
    {
      name: 'valid',
      xml: valid,
      material: m,
      expected: { status: 'valid', chain: 'trusted', trusted: true },
    },
    {
      name: 'content changed',
      xml: changed,
      material: m,
      expected: bad('Content changed', 'trusted'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'SignedInfo changed (digest re-computed for forged content)',
      xml: signedInfoChanged,
      material: m,
      expected: bad('Signature value does not verify'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'wrong key with a trusted certificate in KeyInfo',
      xml: signAs(pkg, pki.leaf, pki.attackerKeyPem),
      material: m,
      expected: bad('Signature value does not verify'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'certificate expired',
      xml: signAs(pkg, pki.expired),
      material: m,
      expected: { status: 'valid', chain: 'expired', trusted: false, reason: 'Certificate expired' },
    },
    {
      name: 'certificate not yet valid',
      xml: signAs(pkg, pki.notYetValid),
      material: m,
      expected: { status: 'valid', chain: 'not-yet-valid', trusted: false, reason: 'not yet valid' },
    },
    {
      name: 'untrusted root (attacker re-signed with own cert in KeyInfo, CVE-2024-32962 pattern)',
      xml: signAs(pkg, pki.untrustedLeaf),
      material: m,
      expected: {
        status: 'valid',
        chain: 'untrusted',
        trusted: false,
        reason: 'does not chain to a trusted root',
      },
    },
    {
      name: 'revoked by CRL',
      xml: signAs(pkg, pki.revoked),
      material: pki.materialWithCrl,
      expected: { status: 'valid', chain: 'revoked', trusted: false, reason: 'Certificate revoked' },
    },
    {
      name: 'no signing key usage',
      xml: signAs(pkg, pki.noSigningUsage),
      material: m,
      expected: { status: 'valid', chain: 'untrusted', trusted: false, reason: 'not for digital signatures' },
    },
    {
      name: 'certificate issued with MD5',
      xml: signAs(pkg, pki.md5Signed),
      material: m,
      expected: {
        status: 'valid',
        chain: 'untrusted',
        trusted: false,
        reasons: ['The certificate chain uses MD5: "Ký MD5" is signed with md5WithRSAEncryption.'],
      },
    },
    {
      name: 'certificate issued with SHA-1',
      xml: signAs(pkg, pki.sha1Signed),
      material: m,
      expected: {
        status: 'valid',
        chain: 'trusted',
        trusted: true,
        warning: 'The certificate chain uses SHA-1: "Ký SHA-1" is signed with sha1WithRSAEncryption.',
      },
    },
    {
      name: 'RSA key of 1024 bits (TT 15/2025/TT-BKHCN)',
      xml: signAs(pkg, pki.shortRsa),
      material: m,
      expected: {
        status: 'valid',
        chain: 'untrusted',
        trusted: false,
        reasons: [
          'Key too short: RSA 1024 bits, the rule requires at least 2048 (TT 15/2025/TT-BKHCN); certificate "Khóa RSA Ngắn".',
        ],
      },
    },
    {
      name: 'pinned mismatch',
      xml: valid,
      material: pinned,
      expected: {
        status: 'valid',
        chain: 'pinned-mismatch',
        trusted: false,
        reason: `pinned for ${FROM_AGENCY}`,
      },
    },
    {
      name: 'wrapping: partial reference with a forged unsigned header beside it',
      xml: partial,
      material: m,
      expected: bad('does not cover the whole document'),
    },
    {
      name: 'wrapping: signed element moved under a forged header',
      xml: moved,
      material: m,
      expected: bad('Content changed', 'trusted'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'wrapping: signed header duplicated with a forged copy',
      xml: duplicated,
      material: m,
      expected: bad('Content changed', 'trusted'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'comment inside DigestValue (CVE-2025-29775)',
      xml: commentDigest,
      material: m,
      expected: bad('Comment or split text inside DigestValue'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'two SignedInfo (CVE-2025-29774)',
      xml: twoSignedInfo,
      material: m,
      expected: bad('Duplicated or wrapped SignedInfo'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'HMAC signature method (key confusion, GHSA-c27r-x354-4m68)',
      xml: hmac,
      material: m,
      expected: refused('HMAC signatures are not accepted: http://www.w3.org/2000/09/xmldsig#hmac-sha1'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'enveloping signature (the package inside its own Object)',
      xml: signEnveloping(pkg, pki.leaf),
      material: m,
      expected: refused(
        'Enveloping signatures are not accepted: the signed content is inside the Signature; the edXML profile takes one enveloped signature over the whole package.',
      ),
    },
    {
      name: 'Object element beside an enveloped signature',
      xml: withObject,
      material: m,
      expected: refused('Signatures carrying Object elements are not accepted by the edXML profile.'),
    },
    {
      name: 'XAdES signed properties in an Object',
      xml: signWithXadesProperties(pkg, pki.leaf),
      material: m,
      expected: refused(
        'XAdES signatures (QualifyingProperties in an Object) are not accepted: the edXML profile takes a plain enveloped XMLDSig signature.',
        '2 References: the profile takes exactly one, to the whole document.',
      ),
    },
    {
      name: 'XSLT transform',
      xml: xslt,
      material: m,
      expected: refused(`Transform not allowed: XSLT (${XSLT}).`),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'XPath Filter 2.0 transform (signed content filtered out)',
      xml: xpathFilter,
      material: m,
      expected: refused(`Transform not allowed: XPath Filter 2.0 (${XPATH_FILTER2}).`),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'Signature without SignedInfo',
      xml: valid.replace(signedInfo, ''),
      material: m,
      expected: refused('The signature has no SignedInfo.'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'unexpected element inside Signature',
      xml: valid.replace(
        '<SignatureValue>',
        `<edXML:Note xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"/><SignatureValue>`,
      ),
      material: m,
      expected: refused('Unexpected <edXML:Note> in the Signature element.'),
    },
    {
      name: 'MD5 digest',
      xml: md5Digest,
      material: m,
      expected: refused(`MD5 is not accepted: ${MD5_DIGEST}`),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'unknown algorithm',
      xml: unknownAlgorithm,
      material: m,
      expected: bad('Algorithm not allowed'),
      plainXmlCryptoRejects: true,
    },
    {
      name: 'unsigned',
      xml: pkg,
      material: m,
      expected: { status: 'unsigned', chain: 'unknown', trusted: false, reason: 'no digital signature' },
    },
    {
      name: 'SDK placeholder',
      xml: makeEdxmlPackage({ sdkPlaceholder: true }),
      material: m,
      expected: { status: 'unverifiable', chain: 'unknown', trusted: false, reason: 'SDK placeholder' },
    },
    {
      name: 'RSA-SHA1 legacy',
      xml: sha1,
      material: m,
      expected: { status: 'valid', chain: 'trusted', trusted: true, warning: 'RSA-SHA1' },
    },
  ];
}
