import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../cli/commands/signing.ts';
import { certificateFingerprint } from './trust-store.ts';
import { makeEdxmlPackage } from './test-support/edxml-package.ts';
import { ocspResponse } from './test-support/ocsp-responses.ts';
import { appendSignature, newPdf } from './test-support/pdf-writer.ts';
import { createTestPki, type TestPki } from './test-support/test-pki.ts';
import type { SignatureVerdict } from './verdict.ts';

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki();
});

async function run(argv: string[]): Promise<{ code: number; stdout: string }> {
  const command = commands.find(
    (c) => c.words.every((w, i) => argv[i] === w) && (c.words.length > 1 || argv[0] === 'verify'),
  )!;
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await command.run({
    argv: argv.slice(command.words.length),
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough(),
    env: { LIENTHONG_DATA_DIR: join(pki.dir, 'data') },
  });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

describe('lienthong edxml sign / edxml verify / verify', () => {
  it('signs a package and verifies it against a trust directory (exit 0 only when trusted)', async () => {
    const input = join(pki.dir, 'cli.edxml');
    writeFileSync(input, makeEdxmlPackage());
    const signed = await run([
      'edxml',
      'sign',
      input,
      '--key',
      pki.leaf.keyPath,
      '--cert',
      pki.leaf.certPath,
    ]);
    expect(signed.code).toBe(0);
    const signedPath = join(pki.dir, 'cli-signed.edxml');
    writeFileSync(signedPath, signed.stdout);
    const trustDir = join(pki.dir, 'trust');
    mkdirSync(trustDir, { recursive: true });
    writeFileSync(join(trustDir, 'root.crt'), pki.root.certificatePem);
    writeFileSync(join(trustDir, 'intermediate.crt'), pki.intermediate.certificatePem);
    const ok = await run(['edxml', 'verify', signedPath, '--trust', trustDir]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'valid', chain: 'trusted', trusted: true });
    // Only the government root is trusted by default: a test PKI signature is not.
    const byDefault = await run(['edxml', 'verify', signedPath]);
    expect(byDefault.code).toBe(1);
    expect((JSON.parse(byDefault.stdout) as SignatureVerdict).chain).toBe('untrusted');
  });

  it('applies --crl and the pins of a trust directory', async () => {
    const revokedPath = join(pki.dir, 'cli-revoked.edxml');
    writeFileSync(
      revokedPath,
      (
        await run([
          'edxml',
          'sign',
          writePackage('r'),
          '--key',
          pki.revoked.keyPath,
          '--cert',
          pki.revoked.certPath,
        ])
      ).stdout,
    );
    const revoked = await run([
      'edxml',
      'verify',
      revokedPath,
      '--trust',
      pki.chainPath,
      '--crl',
      pki.crlPath,
    ]);
    expect(revoked.code).toBe(1);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ status: 'valid', chain: 'revoked', trusted: false });

    const pinnedDir = join(pki.dir, 'pinned-trust');
    mkdirSync(join(pinnedDir, 'pins'), { recursive: true });
    writeFileSync(join(pinnedDir, 'chain.pem'), readFileSync(pki.chainPath));
    writeFileSync(join(pinnedDir, 'pins', '000.00.11.H53.pem'), pki.otherLeaf.certificatePem);
    const signedPath = join(pki.dir, 'cli-pinned.edxml');
    writeFileSync(
      signedPath,
      (
        await run([
          'edxml',
          'sign',
          writePackage('p'),
          '--key',
          pki.leaf.keyPath,
          '--cert',
          pki.leaf.certPath,
        ])
      ).stdout,
    );
    const pinned = await run(['edxml', 'verify', signedPath, '--trust', pinnedDir]);
    expect(JSON.parse(pinned.stdout)).toMatchObject({ chain: 'pinned-mismatch', trusted: false });
    expect(certificateFingerprint(pki.otherLeaf.certificate)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to sign with a key that does not match the certificate, without printing key material', async () => {
    await expect(
      run(['edxml', 'sign', writePackage('k'), '--key', pki.leaf.keyPath, '--cert', pki.otherLeaf.certPath]),
    ).rejects.toMatchObject({
      code: 'SIGNING_KEY_CERT_MISMATCH',
      message: expect.not.stringContaining('PRIVATE KEY') as unknown,
    });
  });
});

describe('lienthong verify --at with evidence kept from earlier (--ocsp), offline', () => {
  it('judges a PDF whose signer was revoked after signing valid as of the signing time and revoked after', async () => {
    const hour = 3_600_000;
    const revokedAt = new Date(Date.now() - 12 * hour);
    const pdf = join(pki.dir, 'cli-revoked-later.pdf');
    writeFileSync(pdf, appendSignature(newPdf('Công văn'), pki.leaf, pki.chainPath, 'Ký').bytes);
    const leafOcsp = join(pki.dir, 'leaf.ocsp');
    writeFileSync(
      leafOcsp,
      await ocspResponse({
        certificate: pki.leaf.certificate,
        issuer: pki.intermediate,
        status: 'revoked',
        revokedAt,
        thisUpdate: new Date(revokedAt.getTime() + hour),
      }),
    );
    const trust = ['--trust', pki.root.certPath, '--trust', pki.intermediate.certPath];
    const at = (ms: number) => new Date(revokedAt.getTime() + ms).toISOString();
    const before = await run(['verify', pdf, ...trust, '--ocsp', leafOcsp, '--at', at(-6 * hour)]);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ trusted: true, signatures: [{ chain: 'trusted' }] });
    const after = await run(['verify', pdf, ...trust, '--ocsp', leafOcsp, '--at', at(6 * hour)]);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ trusted: false, signatures: [{ chain: 'revoked' }] });
  });

  it('refuses a file that is not an OCSP response, and a time that is not one, in Vietnamese first', async () => {
    const pdf = join(pki.dir, 'cli-plain.pdf');
    writeFileSync(pdf, appendSignature(newPdf('Tờ trình'), pki.leaf, pki.chainPath, 'Ký').bytes);
    const junk = join(pki.dir, 'junk.ocsp');
    writeFileSync(junk, 'not an OCSP response');
    await expect(run(['verify', pdf, '--ocsp', junk])).rejects.toMatchObject({
      code: 'CLI_USAGE',
      message: expect.stringMatching(/^Tệp .*junk\.ocsp không phải là phản hồi OCSP/) as unknown,
    });
    await expect(run(['verify', pdf, '--at', 'hôm qua'])).rejects.toMatchObject({
      code: 'CLI_USAGE',
      message: expect.stringMatching(/^Thời điểm kiểm tra \(--at\) phải viết theo ISO 8601/) as unknown,
    });
  });
});

function writePackage(tag: string): string {
  const path = join(pki.dir, `cli-${tag}.edxml`);
  writeFileSync(path, makeEdxmlPackage());
  return path;
}
