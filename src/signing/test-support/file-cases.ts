/** The S/MIME and PDF cases of acceptance item 1, shared by the verdict table and the openssl cross-check. */
import { appendPageChange, appendSignature, breakLastSignature, newPdf } from './pdf-writer.ts';
import { breakSigner, signSmime, tamperBody } from './smime-builder.ts';
import type { TestPki } from './test-pki.ts';

export type Expected = {
  trusted: boolean;
  coversWholeFile: boolean;
  signatures: { status: string; chain: string; reason?: string; warning?: string }[];
};
export type FileCase = { readonly name: string; readonly bytes: Buffer; readonly expected: Expected };

export function buildFileCases(pki: TestPki): { smime: Map<string, FileCase>; pdf: Map<string, FileCase> } {
  const smimeCases = new Map<string, FileCase>();
  const pdfCases = new Map<string, FileCase>();
  const chainExtra = pki.intermediate.certPath;
  const good = signSmime([pki.leaf], chainExtra);
  const two = signSmime([pki.leaf, pki.otherLeaf], chainExtra);
  for (const row of [
    {
      name: 'valid',
      bytes: good,
      expected: { trusted: true, coversWholeFile: true, signatures: [{ status: 'valid', chain: 'trusted' }] },
    },
    {
      name: 'valid (opaque signed-data)',
      bytes: signSmime([pki.leaf], chainExtra, true),
      expected: { trusted: true, coversWholeFile: true, signatures: [{ status: 'valid', chain: 'trusted' }] },
    },
    {
      name: 'modified after signing',
      bytes: tamperBody(good),
      expected: {
        trusted: false,
        coversWholeFile: true,
        signatures: [{ status: 'invalid', chain: 'unknown', reason: 'does not verify' }],
      },
    },
    {
      name: 'untrusted',
      bytes: signSmime([pki.untrustedLeaf], pki.untrustedRoot.certPath),
      expected: {
        trusted: false,
        coversWholeFile: true,
        signatures: [{ status: 'valid', chain: 'untrusted', reason: 'trusted root' }],
      },
    },
    {
      name: 'expired',
      bytes: signSmime([pki.expired], chainExtra),
      expected: {
        trusted: false,
        coversWholeFile: true,
        signatures: [{ status: 'valid', chain: 'expired', reason: 'expired' }],
      },
    },
    {
      name: 'two signatures with one broken',
      bytes: breakSigner(two, 1),
      expected: {
        trusted: false,
        coversWholeFile: true,
        signatures: [
          { status: 'valid', chain: 'trusted' },
          { status: 'invalid', chain: 'unknown', reason: 'does not verify' },
        ],
      },
    },
  ])
    smimeCases.set(row.name, row);

  const signed = appendSignature(newPdf(), pki.leaf, chainExtra, 'Chu ky lanh dao');
  const twice = appendSignature(signed, pki.otherLeaf, chainExtra, 'Con dau co quan');
  for (const row of [
    {
      name: 'valid',
      bytes: signed.bytes,
      expected: { trusted: true, coversWholeFile: true, signatures: [{ status: 'valid', chain: 'trusted' }] },
    },
    {
      name: 'modified after signing',
      bytes: appendPageChange(signed, 'Noi dung bi sua').bytes,
      expected: {
        trusted: false,
        coversWholeFile: false,
        signatures: [
          {
            status: 'invalid',
            chain: 'trusted',
            reason: 'object 4 (page 1 content) changed after this signature',
          },
        ],
      },
    },
    {
      name: 'untrusted',
      bytes: appendSignature(newPdf(), pki.untrustedLeaf, pki.untrustedRoot.certPath, 'Chu ky').bytes,
      expected: {
        trusted: false,
        coversWholeFile: true,
        signatures: [{ status: 'valid', chain: 'untrusted', reason: 'trusted root' }],
      },
    },
    {
      name: 'expired',
      bytes: appendSignature(newPdf(), pki.expired, chainExtra, 'Chu ky').bytes,
      expected: {
        trusted: false,
        coversWholeFile: true,
        signatures: [{ status: 'valid', chain: 'expired', reason: 'expired' }],
      },
    },
    {
      name: 'two signatures, both good (signer and seal)',
      bytes: twice.bytes,
      expected: {
        trusted: true,
        coversWholeFile: true,
        signatures: [
          { status: 'valid', chain: 'trusted', warning: 'changed after this signature' },
          { status: 'valid', chain: 'trusted' },
        ],
      },
    },
    {
      name: 'two signatures with one broken',
      bytes: breakLastSignature(twice.bytes),
      expected: {
        trusted: false,
        coversWholeFile: true,
        signatures: [
          { status: 'valid', chain: 'trusted' },
          { status: 'invalid', chain: 'unknown', reason: 'does not verify' },
        ],
      },
    },
  ])
    pdfCases.set(row.name, row);
  return { smime: smimeCases, pdf: pdfCases };
}
