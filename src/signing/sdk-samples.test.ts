/**
 * The reference SDK samples (test/fixtures/edxml, owned by the edXML module) through the
 * verifier: placeholder signatures are `unverifiable`, nothing crashes, nothing is `valid`, and
 * the XXE / billion-laughs packages are refused by the safe-xml guard before any parse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GOVERNMENT_ROOT_PATH } from './file-trust-store.ts';
import { buildTrustMaterial } from './trust-store.ts';
import { verifyEdxmlSignature } from './xmldsig-verify.ts';

const ROOT = fileURLToPath(new URL('../../test/fixtures/edxml/', import.meta.url));
const material = buildTrustMaterial([
  { name: 'vgca-rootcag2.crt', bytes: readFileSync(GOVERNMENT_ROOT_PATH) },
]);
const samples = ['truclienthong-example', 'edoc-integrator'].flatMap((dir) =>
  readdirSync(ROOT + dir)
    .filter((f) => f.endsWith('.edxml'))
    .map((f) => `${dir}/${f}`),
);

describe('reference SDK samples', () => {
  it('trusts the government root shipped with the hub', () => {
    expect(material.anchors.map((a) => a.subject)).toEqual([
      expect.stringContaining('RootCA chuyên dùng Chính phủ G2'),
    ]);
  });

  it.each(samples)('%s is never valid and never crashes', async (sample) => {
    const { verdict } = await verifyEdxmlSignature(readFileSync(ROOT + sample), material, { at: new Date() });
    expect(verdict.trusted).toBe(false);
    expect(verdict.status).not.toBe('valid');
    expect(verdict.reasons.length).toBeGreaterThan(0);
    // The SDK's copy-pasted placeholders are unverifiable; the one broken sample is not XML.
    const expected =
      sample === 'truclienthong-example/edoc.edxml' ? ['invalid'] : ['unverifiable', 'unsigned'];
    expect(expected).toContain(verdict.status);
  });

  it.each(['xxe.edxml', 'billion-laughs.edxml'])('refuses %s before parsing', async (file) => {
    const { verdict } = await verifyEdxmlSignature(readFileSync(`${ROOT}attacks/${file}`), material, {
      at: new Date(),
    });
    expect(verdict).toMatchObject({ status: 'invalid', trusted: false });
    expect(verdict.reasons.join('\n')).toContain('not readable XML');
  });
});
