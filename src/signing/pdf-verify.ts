/**
 * Verdicts for every signature in a PDF: the CMS over its byte ranges, the signer's chain, and
 * what the incremental updates after it changed (pdf-update-analysis.ts). The whole file is
 * trusted only when every signature is: a signature followed by a change it does not allow is not.
 */
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import {
  encapsulatedContent,
  parseSignedData,
  verifySignedData,
  type CmsVerifyOptions,
} from './cms-verify.ts';
import { PdfFile } from './pdf-document.ts';
import { dssEvidence } from './pdf-dss.ts';
import {
  coversWholeFile,
  findPdfSignatures,
  signedBytes,
  signedEnd,
  type PdfSignatureSlot,
} from './pdf-signatures.ts';
import { analyseUpdates, finalRevision, type FinalRevision } from './pdf-update-analysis.ts';
import { isHubError } from '../shared/index.ts';
import type { TrustMaterial } from './trust-store.ts';
import { makeVerdict, REASONS, type EmbeddedSignatureVerdict, type FileVerdict } from './verdict.ts';

/** Where each verdict came from: its slot, and whether its CMS names the signing certificate (CAdES). */
type Origins = Map<EmbeddedSignatureVerdict, { slot: PdfSignatureSlot; cades: boolean }>;

/**
 * The PAdES baseline level each signature reaches (ETSI EN 319 142-1 §6): B-B, a trusted
 * ETSI.CAdES.detached signature with its signing certificate in a signed attribute; B-T, with a
 * valid signature timestamp or a trusted document timestamp made after it; B-LT, with the
 * revocation of its whole path checked from evidence (the DSS, the CMS, the trust store); B-LTA,
 * with a trusted document timestamp made after the DSS. Any other signature has no level (null).
 */
function withLevels(
  signatures: readonly EmbeddedSignatureVerdict[],
  origins: Origins,
  dss: { at: number | null } | null,
): EmbeddedSignatureVerdict[] {
  const stampsEndingAt = signatures.flatMap((s) => {
    const slot = origins.get(s)?.slot;
    return slot?.subFilter === 'ETSI.RFC3161' && s.trusted ? [signedEnd(slot)] : [];
  });
  return signatures.map((verdict) => {
    const origin = origins.get(verdict);
    const slot = origin?.slot;
    let level: EmbeddedSignatureVerdict['level'] = null;
    if (slot && slot.subFilter === 'ETSI.CAdES.detached' && origin.cades && verdict.trusted) {
      level = 'PAdES-B-B';
      const end = signedEnd(slot);
      if (verdict.signatureTimestamp || stampsEndingAt.some((at) => at > end)) level = 'PAdES-B-T';
      if (
        level === 'PAdES-B-T' &&
        !verdict.warnings.includes(REASONS.noCrl) &&
        !verdict.warnings.includes(REASONS.staleCrl)
      ) {
        level = 'PAdES-B-LT';
        const dssAt = dss?.at ?? null;
        if (dssAt !== null && stampsEndingAt.some((at) => at > dssAt)) level = 'PAdES-B-LTA';
      }
    }
    return { ...verdict, level };
  });
}

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

type ChangeNotes = { readonly reasons: string[]; readonly warnings: string[] };

/** The reasons and warnings for what was changed after a signature that does not cover the file. */
function changeNotes(
  file: PdfFile,
  final: FinalRevision | { error: string },
  slot: PdfSignatureSlot,
  cache: Map<number, ChangeNotes>,
): ChangeNotes {
  const end = signedEnd(slot);
  const cached = cache.get(end);
  if (cached) return cached;
  let notes: ChangeNotes;
  if ('error' in final) {
    const vi = `cấu trúc PDF không đọc được (${final.error})`;
    const en = `the PDF structure is unreadable (${final.error})`;
    notes = { reasons: [REASONS.pdfUpdateUnreadable(vi, en)], warnings: [] };
  } else {
    const analysis = analyseUpdates(file, final, end, slot.objectNumber);
    if (analysis.kind === 'unreadable')
      notes = { reasons: [REASONS.pdfUpdateUnreadable(analysis.vi, analysis.en)], warnings: [] };
    else if (analysis.refused.length > 0)
      notes = { reasons: [REASONS.pdfChangedObjects(analysis.refused)], warnings: [] };
    else notes = { reasons: [], warnings: [REASONS.pdfAllowedUpdate(analysis.allowed)] };
  }
  cache.set(end, notes);
  return notes;
}

export async function verifyPdf(
  pdf: Uint8Array,
  material: TrustMaterial,
  options: CmsVerifyOptions,
): Promise<FileVerdict> {
  const at = options.at;
  const file = new PdfFile(pdf);
  let final: FinalRevision | { error: string };
  try {
    final = finalRevision(file);
  } catch (error) {
    if (!isHubError(error, 'SIGNING_PDF_UNREADABLE')) throw error;
    final = { error: error.message };
  }
  const slots = findPdfSignatures(pdf, 'error' in final ? null : final);
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
  const analyses = new Map<number, ChangeNotes>();
  const found: EmbeddedSignatureVerdict[] = [];
  const origins: Origins = new Map();
  // The DSS's certificates, CRLs and OCSP responses serve every signature's chain check, next to
  // what each CMS carries and what the caller gives.
  const dss = 'error' in final ? null : dssEvidence(final.view);
  const withDss: CmsVerifyOptions = dss
    ? {
        ...options,
        crls: [...(options.crls ?? []), ...dss.crls],
        ocsp: [...(options.ocsp ?? []), ...dss.ocsp],
        certificates: [...(options.certificates ?? []), ...dss.certificates],
      }
    : options;
  for (const slot of slots) {
    const covers = coversWholeFile(pdf, slot);
    const base = { field: slot.field, coversWholeFile: covers };
    if (slot.problem) {
      found.push({
        ...makeVerdict({
          status: 'invalid',
          chain: 'unknown',
          signer: null,
          checkedAt: at,
          reasons: [REASONS.pdfByteRange(slot.problem)],
        }),
        ...base,
        signingTime: slot.claimedTime,
      });
      continue;
    }
    const signed = parseSignedData(slot.contents);
    if (!signed) {
      found.push({
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
      withDss,
    );
    // What later incremental updates changed, judged by what this signature allows.
    const notes: ChangeNotes = covers
      ? { reasons: [], warnings: [] }
      : changeNotes(file, final, slot, analyses);
    for (const result of results) {
      // A change this signature does not allow means the signer's document is not the one shown.
      const status = legacyDigestOk && notes.reasons.length === 0 ? result.status : 'invalid';
      const verdict = makeVerdict({
        status,
        chain: result.chain,
        signer: result.signer,
        checkedAt: at,
        reasons: [...(legacyDigestOk ? [] : [REASONS.cmsBroken]), ...result.reasons, ...notes.reasons],
        warnings: [...result.warnings, ...notes.warnings],
      });
      const embedded: EmbeddedSignatureVerdict = {
        ...verdict,
        ...base,
        signingTime: result.signingTime ?? slot.claimedTime,
        ...(result.signatureTimestamp ? { signatureTimestamp: result.signatureTimestamp } : {}),
      };
      origins.set(embedded, { slot, cades: result.signingCertificateAttribute === true });
      found.push(embedded);
    }
  }
  const signatures = withLevels(found, origins, dss);
  const fileCovered = slots.some((slot) => coversWholeFile(pdf, slot));
  return {
    signatures,
    coversWholeFile: fileCovered,
    // A signature not covering the file is trusted only when what followed it is allowed.
    trusted: signatures.every((s) => s.trusted),
  };
}
