/**
 * A minimal PDF writer for signature tests: a one-page document, signature fields added by
 * incremental updates (each with a /ByteRange placeholder filled after signing with openssl
 * CMS), and plain incremental updates that change the page after signing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubError } from '../../shared/index.ts';
import { opensslBytes } from './external-tools.ts';
import type { TestIdentity } from './test-pki.ts';

const CONTENTS_HEX_LENGTH = 16_384;
const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';

type PdfObject = { readonly number: number; readonly body: string };

export type PdfDraft = { bytes: Buffer; nextObject: number; fields: number[]; lastXref: number };

function section(
  previous: Buffer | null,
  objects: readonly PdfObject[],
  size: number,
  prevXref: number | null,
): { bytes: Buffer; xref: number } {
  const parts: Buffer[] = previous ? [previous] : [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]?.length ?? 0;
  const offsets: [number, number][] = [];
  for (const object of objects) {
    const text = Buffer.from(`${object.number} 0 obj\n${object.body}\nendobj\n`, 'latin1');
    offsets.push([object.number, offset]);
    parts.push(text);
    offset += text.length;
  }
  const xref = offset;
  const rows = offsets
    .map(([number, at]) => `${number} 1\n${String(at).padStart(10, '0')} 00000 n \n`)
    .join('');
  const head = previous ? '' : '0 1\n0000000000 65535 f \n';
  const trailer = `xref\n${head}${rows}trailer\n<< /Size ${size} /Root 1 0 R${prevXref === null ? '' : ` /Prev ${prevXref}`} >>\nstartxref\n${xref}\n%%EOF\n`;
  parts.push(Buffer.from(trailer, 'latin1'));
  return { bytes: Buffer.concat(parts), xref };
}

function catalog(fields: readonly number[]): PdfObject {
  return {
    number: 1,
    body: `<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [${fields.map((f) => `${f} 0 R`).join(' ')}] /SigFlags 3 >> >>`,
  };
}

export function newPdf(text = 'Quyết định số 123/QĐ-UBND'): PdfDraft {
  const stream = `BT /F1 12 Tf 72 760 Td (${text.normalize('NFD').replace(/[^\x20-\x7e]/g, '')}) Tj ET`;
  const objects: PdfObject[] = [
    catalog([]),
    { number: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { number: 3, body: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>' },
    { number: 4, body: `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream` },
  ];
  const { bytes, xref } = section(null, objects, 5, null);
  return { bytes, nextObject: 5, fields: [], lastXref: xref };
}

/** Appends an incremental update that changes the page content (the "modified after signing" case). */
export function appendPageChange(draft: PdfDraft, text: string): PdfDraft {
  const stream = `BT /F1 12 Tf 72 700 Td (${text}) Tj ET`;
  const objects = [{ number: 4, body: `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream` }];
  const { bytes, xref } = section(draft.bytes, objects, draft.nextObject, draft.lastXref);
  return { ...draft, bytes, lastXref: xref };
}

/** Appends a signature field by incremental update and signs everything but its /Contents. */
export function appendSignature(
  draft: PdfDraft,
  signer: TestIdentity,
  extraCerts: string,
  fieldName: string,
): PdfDraft {
  const args = [
    'cms',
    '-sign',
    '-binary',
    '-md',
    'sha256',
    '-outform',
    'DER',
    '-signer',
    signer.certPath,
    '-inkey',
    signer.keyPath,
    '-certfile',
    extraCerts,
  ];
  return appendSignatureWith(draft, fieldName, 'adbe.pkcs7.detached', (data) => opensslBytes(args, data));
}

/** Appends an RFC 3161 document timestamp (SubFilter ETSI.RFC3161) made by `openssl ts` with the test TSA. */
export function appendDocumentTimestamp(
  draft: PdfDraft,
  tsa: TestIdentity,
  chain: string,
  workDir: string,
): PdfDraft {
  const config = join(workDir, 'tsa.cnf');
  writeFileSync(
    config,
    [
      '[ tsa ]',
      'default_tsa = tsa1',
      '[ tsa1 ]',
      `serial = ${join(workDir, 'tsa-serial')}`,
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'digests = sha256',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  return appendSignatureWith(draft, 'Dau thoi gian', 'ETSI.RFC3161', (data) => {
    const query = opensslBytes(['ts', '-query', '-sha256', '-cert', '-no_nonce'], data);
    const queryPath = join(workDir, 'tsa-query.tsq');
    writeFileSync(queryPath, query);
    return opensslBytes([
      'ts',
      '-reply',
      '-config',
      config,
      '-queryfile',
      queryPath,
      '-signer',
      tsa.certPath,
      '-inkey',
      tsa.keyPath,
      '-chain',
      chain,
      '-token_out',
    ]);
  });
}

function appendSignatureWith(
  draft: PdfDraft,
  fieldName: string,
  subFilter: string,
  makeCms: (data: Buffer) => Buffer,
): PdfDraft {
  const widget = draft.nextObject;
  const sig = widget + 1;
  const fields = [...draft.fields, widget];
  const objects: PdfObject[] = [
    catalog(fields),
    {
      number: widget,
      body: `<< /Type /Annot /Subtype /Widget /FT /Sig /T (${fieldName}) /Rect [0 0 0 0] /P 3 0 R /V ${sig} 0 R >>`,
    },
    {
      number: sig,
      body: `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /${subFilter} /M (D:20261125090000+07'00') ${BYTE_RANGE_PLACEHOLDER} /Contents <${'0'.repeat(CONTENTS_HEX_LENGTH)}> >>`,
    },
  ];
  const { bytes, xref } = section(draft.bytes, objects, sig + 1, draft.lastXref);
  const text = bytes.toString('latin1');
  const rangeAt = text.lastIndexOf(BYTE_RANGE_PLACEHOLDER);
  const holeStart = text.indexOf('/Contents <', rangeAt) + '/Contents '.length;
  const holeEnd = holeStart + CONTENTS_HEX_LENGTH + 2;
  const pad = (n: number) => String(n).padStart(10, '0');
  const range = `/ByteRange [0 ${pad(holeStart)} ${pad(holeEnd)} ${pad(bytes.length - holeEnd)}]`;
  bytes.write(range, rangeAt, 'latin1');
  const data = Buffer.concat([bytes.subarray(0, holeStart), bytes.subarray(holeEnd)]);
  const cms = makeCms(data);
  const hex = cms.toString('hex');
  if (hex.length > CONTENTS_HEX_LENGTH)
    throw new HubError('SIGNING_TEST_PDF', 'CMS larger than the /Contents placeholder');
  bytes.write(hex, holeStart + 1, 'latin1');
  return { bytes, nextObject: sig + 1, fields, lastXref: xref };
}

/** Flips a byte inside the CMS signature value of the last signature (its hole is covered by no range). */
export function breakLastSignature(pdf: Buffer): Buffer {
  const copy = Buffer.from(pdf);
  const text = copy.toString('latin1');
  const start = text.lastIndexOf('/Contents <') + '/Contents <'.length;
  const hex = text.slice(start, start + CONTENTS_HEX_LENGTH).replace(/0+$/, '');
  // The RSA signature value is the last element of the SignerInfo: flip a nibble inside it.
  const at = start + hex.length - 20;
  copy.write(text[at] === 'a' ? 'b' : 'a', at, 'latin1');
  return copy;
}

/** The CMS DER and the signed bytes of each signature, for `openssl cms -verify`. */
export function extractForOpenssl(pdf: Buffer): { der: Buffer; data: Buffer }[] {
  const text = pdf.toString('latin1');
  const out: { der: Buffer; data: Buffer }[] = [];
  for (const m of text.matchAll(/\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/g)) {
    const [a, b, c, d] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
    const hex = text.slice(a + b + 1, c - 1);
    out.push({
      der: Buffer.from(hex, 'hex'),
      data: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]),
    });
  }
  return out;
}
