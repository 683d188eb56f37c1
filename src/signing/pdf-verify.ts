/**
 * Verdicts for every signature in a PDF: the CMS over its byte ranges, the signer's chain, and
 * whether the file was changed after it. The whole file is trusted only when every signature is
 * and the last one covers the file to its end.
 */
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import {
  encapsulatedContent,
  parseSignedData,
  verifySignedData,
  type CmsVerifyOptions,
} from './cms-verify.ts';
import { coversWholeFile, findPdfSignatures, signedBytes } from './pdf-signatures.ts';
import type { TrustMaterial } from './trust-store.ts';
import { makeVerdict, REASONS, type EmbeddedSignatureVerdict, type FileVerdict } from './verdict.ts';

const TIMESTAMP_HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/**
 * Signatures whose CMS carries content instead of signing the ranges directly: adbe.pkcs7.sha1
 * (a SHA-1 digest of the ranges) and ETSI.RFC3161 document timestamps (a TSTInfo whose message
 * imprint is the digest of the ranges).
 */
function encapsulatedDigestMatches(
  subFilter: string | null,
  encapsulated: Uint8Array,
  data: Uint8Array,
): boolean {
  if (subFilter === 'ETSI.RFC3161') {
    try {
      const info = pkijs.TSTInfo.fromBER(encapsulated);
      const hash = TIMESTAMP_HASHES[info.messageImprint.hashAlgorithm.algorithmId];
      if (!hash) return false;
      const imprint = Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView);
      return imprint.equals(createHash(hash).update(data).digest());
    } catch {
      return false;
    }
  }
  return Buffer.from(encapsulated).equals(createHash('sha1').update(data).digest());
}

export async function verifyPdf(
  pdf: Uint8Array,
  material: TrustMaterial,
  options: CmsVerifyOptions,
): Promise<FileVerdict> {
  const at = options.at;
  const slots = findPdfSignatures(pdf);
  if (slots.length === 0) {
    const verdict = {
      ...makeVerdict({
        status: 'unsigned',
        chain: 'unknown',
        signer: null,
        checkedAt: at,
        reasons: [REASONS.unsigned],
      }),
      field: null,
      signingTime: null,
      coversWholeFile: false,
    };
    return { signatures: [verdict], coversWholeFile: false, trusted: false };
  }
  const anyCoversAll = slots.some((slot) => !slot.malformed && coversWholeFile(pdf, slot));
  const signatures: EmbeddedSignatureVerdict[] = [];
  for (const slot of slots) {
    const covers = !slot.malformed && coversWholeFile(pdf, slot);
    const base = { field: slot.field, coversWholeFile: covers };
    if (slot.malformed) {
      signatures.push({
        ...makeVerdict({
          status: 'invalid',
          chain: 'unknown',
          signer: null,
          checkedAt: at,
          reasons: [REASONS.pdfByteRange],
        }),
        ...base,
        signingTime: slot.claimedTime,
      });
      continue;
    }
    const signed = parseSignedData(slot.contents);
    if (!signed) {
      signatures.push({
        ...makeVerdict({
          status: 'invalid',
          chain: 'unknown',
          signer: null,
          checkedAt: at,
          reasons: [REASONS.cmsUnreadable],
        }),
        ...base,
        signingTime: slot.claimedTime,
      });
      continue;
    }
    const data = signedBytes(pdf, slot);
    const encapsulated = encapsulatedContent(signed);
    const legacyDigestOk =
      encapsulated === null || encapsulatedDigestMatches(slot.subFilter, encapsulated, data);
    const results = await verifySignedData(
      signed,
      // Always the ranges: pkijs checks a timestamp's imprint against them, and uses eContent itself otherwise.
      data,
      material,
      options,
    );
    for (const result of results) {
      const status = legacyDigestOk ? result.status : 'invalid';
      const changedAfter = !covers;
      // A later signature covering the file means the change is a later signer's incremental update.
      const changeNote = changedAfter ? [REASONS.pdfChangedAfter] : [];
      const verdict = makeVerdict({
        status,
        chain: result.chain,
        signer: result.signer,
        checkedAt: at,
        reasons: [
          ...(legacyDigestOk ? [] : [REASONS.cmsBroken]),
          ...result.reasons,
          ...(anyCoversAll ? [] : changeNote),
        ],
        warnings: [...result.warnings, ...(anyCoversAll ? changeNote : [])],
      });
      signatures.push({ ...verdict, ...base, signingTime: result.signingTime ?? slot.claimedTime });
    }
  }
  const last = slots.reduce((a, b) =>
    a.byteRange[2] + a.byteRange[3] >= b.byteRange[2] + b.byteRange[3] ? a : b,
  );
  const fileCovered = !last.malformed && coversWholeFile(pdf, last);
  return {
    signatures,
    coversWholeFile: fileCovered,
    trusted: fileCovered && signatures.every((s) => s.trusted),
  };
}
