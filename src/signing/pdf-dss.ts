/**
 * The validation data a PDF keeps for its signatures (PAdES, ETSI EN 319 142-1 §5.4): the
 * catalog's /DSS with /Certs, /CRLs and /OCSPs, arrays of streams holding DER. Read from the final
 * revision: a DSS added after a signature (the usual LTV update) is where its evidence lives.
 * What cannot be read is left out, not an error: missing evidence is reported by the chain check.
 */
import { decodeStream, type PdfView } from './pdf-document.ts';
import { isArray, isRef, type PdfValue } from './pdf-syntax.ts';
import { parseOcspResponse, type OcspEvidence } from './ocsp.ts';
import { X509Certificate, X509Crl } from './x509.ts';

export type DssEvidence = {
  /** the byte offset of the DSS dictionary's object (a document timestamp ending after it covers it); null without a DSS */
  readonly at: number | null;
  readonly certificates: X509Certificate[];
  readonly crls: X509Crl[];
  readonly ocsp: OcspEvidence[];
};

/** Enough for any real chain; a DSS with more is read up to this many of each. */
const MAX_ITEMS = 256;
/** A CRL of a large CA runs to megabytes; more than this is not one we read. */
const MAX_ITEM_BYTES = 16 * 1024 * 1024;

function streamsOf(view: PdfView, list: PdfValue | undefined): Uint8Array[] {
  const items = view.resolve(list);
  if (!isArray(items)) return [];
  const found: Uint8Array[] = [];
  for (const item of items.slice(0, MAX_ITEMS)) {
    if (!isRef(item)) continue;
    const entry = view.state.entries.get(item.num);
    if (entry?.kind !== 'offset') continue; // a stream is never inside an object stream
    try {
      found.push(decodeStream(view.file.bytes, view.file.indirectAt(entry.offset, item.num), MAX_ITEM_BYTES));
    } catch {
      // unreadable stream: no evidence from it
    }
  }
  return found;
}

function each<T>(items: readonly Uint8Array[], parse: (der: Uint8Array) => T | null): T[] {
  const out: T[] = [];
  for (const der of items) {
    try {
      const value = parse(der);
      if (value) out.push(value);
    } catch {
      // not what the array says it holds
    }
  }
  return out;
}

export function dssEvidence(view: PdfView): DssEvidence {
  const empty: DssEvidence = { at: null, certificates: [], crls: [], ocsp: [] };
  let dss;
  let at: number | null;
  try {
    const ref = view.catalog?.map.get('DSS');
    dss = view.dict(ref);
    const entry = isRef(ref) ? view.state.entries.get(ref.num) : undefined;
    at = entry?.kind === 'offset' ? entry.offset : null;
  } catch {
    return empty;
  }
  if (!dss) return empty;
  return {
    at,
    certificates: each(streamsOf(view, dss.map.get('Certs')), (der) => new X509Certificate(der)),
    crls: each(streamsOf(view, dss.map.get('CRLs')), (der) => new X509Crl(der)),
    ocsp: each(streamsOf(view, dss.map.get('OCSPs')), parseOcspResponse),
  };
}
