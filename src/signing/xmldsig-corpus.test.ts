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

const ROWS: [file: string, status: string, reason: string][] = [
  ['valid_saml_with_digest_comment.xml', 'invalid', 'Comment or split text inside DigestValue'],
  ['saml_multiple_signed_info_nodes.xml', 'invalid', 'Duplicated or wrapped SignedInfo'],
  ['saml_wrapped_signed_info_node.xml', 'invalid', 'Duplicated or wrapped SignedInfo'],
  ['hmac_signature.xml', 'invalid', 'HMAC signature method refused'],
  ['valid_saml_signature_wrapping.xml', 'invalid', 'More than one XML signature'],
  ['id_with_quotes.xml', 'invalid', 'does not cover the whole document'],
  ['invalid_saml_no_signed_info.xml', 'invalid', 'More than one XML signature'],
  [
    'response.root-resigned-by-attacker-assertion-unsigned-attackers-cert-at-keyinfo.xml',
    'invalid',
    'does not cover the whole document',
  ],
  ['response.root-signed.multiple-root-elements.xml', 'invalid', 'not readable XML'],
  ['unsigned_saml_response.xml', 'unsigned', 'no digital signature'],
  ['valid_saml.xml', 'invalid', 'More than one XML signature'],
  ['wsfederation_metadata.xml', 'invalid', 'does not cover the whole document'],
];

describe('third-party XML-signature fixtures', () => {
  it('lists every copied fixture', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.xml'));
    expect(files.sort()).toEqual(ROWS.map(([file]) => file).sort());
  });

  it.each(ROWS)('%s → %s (%s)', async (file, status, reason) => {
    const { verdict, signedXml } = await verifyEdxmlSignature(readFileSync(DIR + file), material, {
      at: new Date(),
    });
    expect(verdict.status).toBe(status);
    expect(verdict.trusted).toBe(false);
    expect(verdict.reasons.join('\n')).toContain(reason);
    expect(signedXml).toBeNull();
  });
});
