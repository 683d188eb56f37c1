/**
 * Signs an edXML package: one enveloped XMLDSig over the whole document (Reference URI=""),
 * RSA-SHA256, exclusive C14N, signer certificate in KeyInfo, placed in edXMLHeader.
 */
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { assertWellFormedXml } from '../edxml/index.ts';
import { HubError } from '../shared/index.ts';
import type { SigningKey } from './key-store.ts';
import { DSIG_NS, ENVELOPED, EXC_C14N, RSA_SHA256, SHA256 } from './xmldsig-algorithms.ts';

export function signEdxml(input: Uint8Array | string, key: SigningKey): string {
  const text = assertWellFormedXml(input);
  const document = new DOMParser().parseFromString(text, 'text/xml');
  if (document.getElementsByTagNameNS(DSIG_NS, 'Signature').length > 0) {
    throw new HubError(
      'SIGNING_ALREADY_SIGNED',
      'Gói tin đã có chữ ký XML; không ký chồng / the package already carries an XML signature',
    );
  }
  const hasHeader = Array.from(document.getElementsByTagNameNS('*', 'edXMLHeader')).length > 0;
  const signer = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificatePem,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  signer.addReference({
    xpath: '/*',
    isEmptyUri: true,
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: SHA256,
  });
  try {
    signer.computeSignature(text, {
      location: { reference: hasHeader ? "(//*[local-name(.)='edXMLHeader'])[1]" : '/*', action: 'append' },
    });
  } catch (error) {
    // xml-crypto's messages never include key material, but keep only the class of failure.
    throw new HubError('SIGNING_SIGN_FAILED', 'could not sign the package', {
      details: { reason: error instanceof Error ? error.message.slice(0, 120) : 'unknown' },
    });
  }
  return signer.getSignedXml();
}
