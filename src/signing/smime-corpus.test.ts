import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifySmime } from './smime-verify.ts';
import { buildTrustMaterial } from './trust-store.ts';

const DIR = fileURLToPath(new URL('../../test/fixtures/smime/', import.meta.url));
const material = buildTrustMaterial(
  ['StartComCertificationAuthority.crt', 'StartComClass1PrimaryIntermediateClientCA.crt'].map((name) => ({
    name,
    bytes: readFileSync(DIR + name),
  })),
);
const message = readFileSync(DIR + 'thunderbird-signed.txt');

describe('a real Thunderbird S/MIME message (MimeKit fixture)', () => {
  it('has a valid signature by an expired certificate when checked today', async () => {
    const verdict = await verifySmime(message, material, { at: new Date() });
    expect(verdict).toMatchObject({
      trusted: false,
      signatures: [
        {
          status: 'valid',
          chain: 'expired',
          signer: { subject: expect.stringContaining('fejj@gnome.org') as unknown },
        },
      ],
    });
    expect(verdict.signatures[0]!.warnings.join('\n')).toContain('RSA-SHA1');
  });

  it('was trusted at the time it was received (its signing time)', async () => {
    const verdict = await verifySmime(message, material, { at: new Date('2013-11-02T20:30:00Z') });
    expect(verdict).toMatchObject({
      trusted: true,
      signatures: [{ status: 'valid', chain: 'trusted', signingTime: '2013-11-02T20:28:04.000Z' }],
    });
  });
});
