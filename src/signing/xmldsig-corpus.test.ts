/**
 * The third-party fixtures of xml-crypto and node-saml (test/fixtures/xmldsig, MIT) through the
 * hub's verifier: each attack they carry is refused by the defence named in the row, and the
 * SAML-style partial references never pass the edXML whole-document profile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildTrustMaterial } from './trust-store.ts';
import { verifyEdxmlSignature } from './xmldsig-verify.ts';

const DIR = fileURLToPath(new URL('../../test/fixtures/xmldsig/', import.meta.url));
// Every fixture's certificate is trusted, so that nothing fails merely for want of trust.
const material = buildTrustMaterial(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.pem'))
    .map((f) => ({ name: f, bytes: readFileSync(DIR + f) })),
);

const PLACEMENT = 'Signature element is not where the profile puts it.';
const PARTIAL = 'The signature does not cover the whole document.';
const MANY = 'More than one XML signature.';
const WRAPPED = 'Duplicated or wrapped SignedInfo (forgery pattern).';

/** Each fixture's verdict and every reason, exactly, in its English words (after ` / `). */
const ROWS: [file: string, status: string, reasons: string[]][] = [
  [
    'valid_saml_with_digest_comment.xml',
    'invalid',
    [PLACEMENT, PARTIAL, 'Comment or split text inside DigestValue.'],
  ],
  // CVE-2025-29774 and the wrapped SignedInfo: the only fixtures that are wrapping, and named so.
  ['saml_multiple_signed_info_nodes.xml', 'invalid', [PLACEMENT, WRAPPED]],
  ['saml_wrapped_signed_info_node.xml', 'invalid', [PLACEMENT, WRAPPED]],
  [
    'hmac_signature.xml',
    'invalid',
    ['HMAC signatures are not accepted: http://www.w3.org/2000/09/xmldsig#hmac-sha1'],
  ],
  [
    'valid_saml_sha256_rsa_mgf1.xml',
    'invalid',
    ['Algorithm not allowed: http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1'],
  ],
  [
    'valid_signature.xml',
    'invalid',
    ['3 References: the profile takes exactly one, to the whole document.', PARTIAL],
  ],
  [
    'response.root-signed-transforms.assertion-unsigned.xml',
    'invalid',
    [PARTIAL, 'Transforms must be enveloped-signature once, optionally with one C14N.'],
  ],
  ['valid_saml_signature_wrapping.xml', 'invalid', [MANY]],
  ['id_with_quotes.xml', 'invalid', [PLACEMENT, PARTIAL]],
  ['invalid_saml_no_signed_info.xml', 'invalid', [MANY]],
  [
    'response.root-resigned-by-attacker-assertion-unsigned-attackers-cert-at-keyinfo.xml',
    'invalid',
    [PARTIAL],
  ],
  [
    'response.root-signed.multiple-root-elements.xml',
    'invalid',
    [
      'The file is not readable XML.',
      'XML is not well-formed at line 57, column 1: more than one root element',
    ],
  ],
  ['unsigned_saml_response.xml', 'unsigned', ['The document carries no digital signature.']],
  ['valid_saml.xml', 'invalid', [MANY]],
  ['wsfederation_metadata.xml', 'invalid', [PARTIAL]],
];

describe('third-party XML-signature fixtures', () => {
  it('lists every copied fixture', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.xml'));
    expect(files.sort()).toEqual(ROWS.map(([file]) => file).sort());
  });

  it.each(ROWS)('%s → %s %j', async (file, status, reasons) => {
    const { verdict, signedXml } = await verifyEdxmlSignature(readFileSync(DIR + file), material, {
      at: new Date(),
    });
    expect(verdict.status).toBe(status);
    expect(verdict.trusted).toBe(false);
    expect(verdict.reasons.map((reason) => reason.split(' / ').slice(1).join(' / '))).toEqual(reasons);
    expect(signedXml).toBeNull();
  });
});
