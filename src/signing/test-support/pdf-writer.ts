/**
 * A PDF writer for signature tests: a one-page document (written here, or by pdfkit), then
 * incremental updates as real signers write them — signature fields with a visible appearance
 * (each with a /ByteRange placeholder filled after signing with openssl CMS), certification
 * (DocMDP) and FieldMDP locks, document timestamps, DSS validation data, form filling,
 * annotations and plain rewrites of any object. An update's cross-reference section is a table,
 * or a compressed cross-reference stream with its dictionaries in an object stream.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import * as asn1js from 'asn1js';
import PDFDocument from 'pdfkit';
import * as pkijs from 'pkijs';
import { HubError } from '../../shared/index.ts';
import { opensslBytes } from './external-tools.ts';
import type { TestIdentity } from './test-pki.ts';

const CONTENTS_HEX_LENGTH = 16_384;
const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf';

export type PdfObject = { readonly number: number; readonly body: string };

export type SignedField = {
  readonly name: string;
  readonly widget: number;
  readonly signature: number;
  readonly appearance: number;
};

export type PdfDraft = {
  readonly bytes: Buffer;
  readonly nextObject: number;
  readonly lastXref: number;
  /** The catalog's number and its own entries (without the ones this writer manages). */
  readonly catalog: { readonly number: number; readonly base: string };
  readonly page: { readonly number: number; readonly base: string };
  /** The page content stream (what `appendPageChange` rewrites). */
  readonly content: number;
  /** Trailer entries kept in every update (/Info of a pdfkit document). */
  readonly trailerExtra: string;
  readonly fields: readonly number[];
  readonly annots: readonly number[];
  readonly signed: readonly SignedField[];
  readonly perms: number | null;
  readonly dss: number | null;
  /** The form's text field, when the document has one. */
  readonly textField: { readonly number: number; readonly name: string; readonly appearance: number } | null;
};

export type UpdateOptions = {
  /** Write the cross-reference section as a compressed stream, dictionaries in an object stream. */
  readonly xrefStream?: boolean;
};

function catalogObject(draft: PdfDraft, extra: { dss?: number | null } = {}): PdfObject {
  const fields = draft.fields.map((f) => `${f} 0 R`).join(' ');
  const dss = extra.dss ?? draft.dss;
  return {
    number: draft.catalog.number,
    body:
      `${draft.catalog.base} /AcroForm << /Fields [${fields}] /SigFlags 3 >>` +
      (draft.perms === null ? '' : ` /Perms << /DocMDP ${draft.perms} 0 R >>`) +
      (dss === null
        ? ''
        : ` /DSS ${dss} 0 R /Extensions << /ADBE << /BaseVersion /1.7 /ExtensionLevel 5 >> >>`) +
      ' >>',
  };
}

function pageObject(draft: PdfDraft, annots: readonly number[]): PdfObject {
  const list = annots.length === 0 ? '' : ` /Annots [${annots.map((a) => `${a} 0 R`).join(' ')}]`;
  return { number: draft.page.number, body: `${draft.page.base}${list} >>` };
}

function streamObject(number: number, dict: string, data: string | Buffer): PdfObject {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  return {
    number,
    body: `<< ${dict}${dict ? ' ' : ''}/Length ${bytes.length} >>\nstream\n${bytes.toString('latin1')}\nendstream`,
  };
}

/** Rows of a PNG-Up-predicted cross-reference stream (what iText, Acrobat and qpdf write). */
function predicted(rows: Buffer[], width: number): Buffer {
  const out: Buffer[] = [];
  let previous: Buffer = Buffer.alloc(width);
  for (const row of rows) {
    const encoded = Buffer.alloc(width + 1);
    encoded[0] = 2;
    for (let i = 0; i < width; i++) encoded[i + 1] = ((row[i] ?? 0) - (previous[i] ?? 0)) & 0xff;
    out.push(encoded);
    previous = row;
  }
  return Buffer.concat(out);
}

function section(
  draft: PdfDraft | null,
  objects: readonly PdfObject[],
  size: number,
  options: UpdateOptions = {},
): { bytes: Buffer; xref: number; size: number } {
  const previous = draft?.bytes ?? null;
  const parts: Buffer[] = previous ? [previous] : [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]?.length ?? 0;
  const rows: { number: number; type: number; a: number; b: number }[] = [];
  const write = (object: PdfObject) => {
    const text = Buffer.from(`${object.number} 0 obj\n${object.body}\nendobj\n`, 'latin1');
    rows.push({ number: object.number, type: 1, a: offset, b: 0 });
    parts.push(text);
    offset += text.length;
  };
  const root = draft?.catalog.number ?? 1;
  const tail = `/Root ${root} 0 R${draft?.trailerExtra ?? ''}${draft ? ` /Prev ${draft.lastXref}` : ''}`;
  if (!options.xrefStream) {
    for (const object of objects) write(object);
    const xref = offset;
    const table = rows.map((r) => `${r.number} 1\n${String(r.a).padStart(10, '0')} 00000 n \n`).join('');
    const head = previous ? '' : '0 1\n0000000000 65535 f \n';
    const trailer = `xref\n${head}${table}trailer\n<< /Size ${size} ${tail} >>\nstartxref\n${xref}\n%%EOF\n`;
    parts.push(Buffer.from(trailer, 'latin1'));
    return { bytes: Buffer.concat(parts), xref, size };
  }
  // Streams stay outside; every other object goes into one object stream.
  const loose = objects.filter((o) => o.body.includes('\nstream\n'));
  const packed = objects.filter((o) => !o.body.includes('\nstream\n'));
  for (const object of loose) write(object);
  let next = size;
  if (packed.length > 0) {
    const holder = next++;
    let header = '';
    let body = '';
    packed.forEach((object, index) => {
      header += `${object.number} ${body.length} `;
      body += `${object.body}\n`;
      rows.push({ number: object.number, type: 2, a: holder, b: index });
    });
    const data = deflateSync(Buffer.from(header + body, 'latin1'));
    write(
      streamObject(
        holder,
        `/Type /ObjStm /N ${packed.length} /First ${header.length} /Filter /FlateDecode`,
        data,
      ),
    );
  }
  const xrefNumber = next++;
  const xref = offset;
  rows.push({ number: xrefNumber, type: 1, a: xref, b: 0 });
  rows.sort((x, y) => x.number - y.number);
  const encoded = rows.map((r) => {
    const row = Buffer.alloc(7);
    row[0] = r.type;
    row.writeUInt32BE(r.a, 1);
    row.writeUInt16BE(r.b, 5);
    return row;
  });
  const index = rows.map((r) => `${r.number} 1`).join(' ');
  const data = deflateSync(predicted(encoded, 7));
  const dict = `/Type /XRef /Size ${next} /W [1 4 2] /Index [${index}] ${tail} /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 7 >>`;
  write(streamObject(xrefNumber, dict, data));
  parts.push(Buffer.from(`startxref\n${xref}\n%%EOF\n`, 'latin1'));
  return { bytes: Buffer.concat(parts), xref, size: next };
}

/** An incremental update that writes `objects` (new or rewritten) as they are. */
export function appendUpdate(
  draft: PdfDraft,
  objects: readonly PdfObject[],
  options: UpdateOptions = {},
): PdfDraft {
  const top = Math.max(draft.nextObject, ...objects.map((o) => o.number + 1));
  const { bytes, xref, size } = section(draft, objects, top, options);
  return { ...draft, bytes, lastXref: xref, nextObject: size };
}

export function newPdf(
  text = 'Quyết định số 123/QĐ-UBND',
  options: { textField?: boolean; imageBytes?: number; openAction?: boolean } = {},
): PdfDraft {
  const words = `BT /F1 12 Tf 72 760 Td (${text.normalize('NFD').replace(/[^\x20-\x7e]/g, '')}) Tj ET`;
  const stream = options.imageBytes ? `q 400 0 0 400 97 300 cm /Im0 Do Q ${words}` : words;
  const draft: PdfDraft = {
    bytes: Buffer.alloc(0),
    nextObject: 5,
    lastXref: 0,
    catalog: {
      number: 1,
      // An /OpenAction naming the page, as word processors write: a reference that is not the page's content.
      base: `<< /Type /Catalog /Pages 2 0 R${options.openAction ? ' /OpenAction [3 0 R /Fit]' : ''}`,
    },
    page: { number: 3, base: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R' },
    content: 4,
    trailerExtra: '',
    fields: [],
    annots: [],
    signed: [],
    perms: null,
    dss: null,
    textField: null,
  };
  const objects: PdfObject[] = [
    { number: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    streamObject(4, '', stream),
  ];
  let withField = draft;
  if (options.imageBytes) {
    // A scanned-looking page: an incompressible greyscale image of about that many bytes.
    const side = Math.floor(Math.sqrt(options.imageBytes));
    const pixels = Buffer.alloc(side * side);
    let seed = 7;
    for (let i = 0; i < pixels.length; i++) pixels[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const image = `/Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8`;
    objects.push(streamObject(5, image, pixels));
    withField = {
      ...draft,
      nextObject: 6,
      page: { ...draft.page, base: `${draft.page.base} /Resources << /XObject << /Im0 5 0 R >> >>` },
    };
  }
  if (options.textField) {
    const appearance = '/Tx BMC EMC';
    objects.push(
      {
        number: withField.nextObject,
        body: `<< /Type /Annot /Subtype /Widget /FT /Tx /T (So van ban) /V () /Rect [72 700 300 720] /P 3 0 R /AP << /N ${withField.nextObject + 1} 0 R >> >>`,
      },
      streamObject(withField.nextObject + 1, '/Type /XObject /Subtype /Form /BBox [0 0 228 20]', appearance),
    );
    const field = withField.nextObject;
    withField = {
      ...withField,
      nextObject: field + 2,
      fields: [field],
      annots: [field],
      textField: { number: field, name: 'So van ban', appearance: field + 1 },
    };
  }
  objects.unshift(catalogObject(withField), pageObject(withField, withField.annots));
  const { bytes, xref } = section(null, objects, withField.nextObject);
  return { ...withField, bytes, lastXref: xref };
}

/** A one-page document made by pdfkit (DejaVu Serif embedded, compressed streams), ready for updates. */
export function pdfkitPdf(text: string): Promise<PdfDraft> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 72, info: { Title: text } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('error', reject);
    doc.on('end', () => {
      try {
        resolve(adoptPdf(Buffer.concat(chunks)));
      } catch (error) {
        reject(error instanceof Error ? error : new HubError('SIGNING_TEST_PDF', String(error)));
      }
    });
    doc.registerFont('serif', FONT);
    doc.font('serif').fontSize(14).text(text);
    doc.end();
  });
}

/** Takes over a PDF written by another library: its catalog, first page and content stream. */
export function adoptPdf(bytes: Buffer): PdfDraft {
  const text = bytes.toString('latin1');
  const number = (pattern: RegExp, what: string): number => {
    const all = [...text.matchAll(pattern)];
    const m = all.at(-1);
    if (!m?.[1]) throw new HubError('SIGNING_TEST_PDF', `no ${what} in the PDF`);
    return Number(m[1]);
  };
  const dictOf = (num: number): string => {
    const m = new RegExp(`(?:^|\\n)${num} 0 obj\\s*<<([^<>]*(?:<<[^<>]*>>[^<>]*)*)>>\\s*endobj`).exec(text);
    if (!m?.[1]) throw new HubError('SIGNING_TEST_PDF', `object ${num} is not a plain dictionary`);
    return `<< ${m[1].replace(/\s+/g, ' ').trim()}`;
  };
  const root = number(/\/Root (\d+) 0 R/g, 'catalog');
  const catalogBase = dictOf(root);
  const pages = Number(/\/Pages (\d+) 0 R/.exec(catalogBase)?.[1]);
  const kids = /\/Kids \[(\d+) 0 R/.exec(dictOf(pages));
  const page = Number(kids?.[1]);
  const pageBase = dictOf(page);
  const content = Number(/\/Contents (\d+) 0 R/.exec(pageBase)?.[1]);
  const info = /\/Info (\d+) 0 R/.exec(text.slice(text.lastIndexOf('trailer')));
  return {
    bytes,
    nextObject: number(/\/Size (\d+)/g, 'trailer /Size'),
    lastXref: number(/startxref\s+(\d+)/g, 'startxref'),
    catalog: { number: root, base: catalogBase },
    page: { number: page, base: pageBase },
    content,
    trailerExtra: info ? ` /Info ${info[1]} 0 R` : '',
    fields: [],
    annots: [],
    signed: [],
    perms: null,
    dss: null,
    textField: null,
  };
}

/** Appends an incremental update that changes the page content (the "modified after signing" case). */
export function appendPageChange(draft: PdfDraft, text: string, options: UpdateOptions = {}): PdfDraft {
  return appendUpdate(draft, [pageContent(draft, text)], options);
}

/** A replacement of the page content stream. */
export function pageContent(draft: PdfDraft, text: string): PdfObject {
  return streamObject(draft.content, '', `BT /F1 12 Tf 72 700 Td (${text}) Tj ET`);
}

/** A visible appearance stream (a framed box with a line of text). */
export function appearanceStream(number: number, text: string): PdfObject {
  return streamObject(
    number,
    '/Type /XObject /Subtype /Form /BBox [0 0 200 50]',
    `q 0 0 1 RG 1 w 0.5 0.5 199 49 re S Q BT /Helv 10 Tf 6 20 Td (${text}) Tj ET`,
  );
}

export type SignatureOptions = UpdateOptions & {
  /** Certifies the document with DocMDP permission P. */
  readonly certify?: 1 | 2 | 3;
  /** A FieldMDP lock written in the signature dictionary and on the field. */
  readonly lock?: { readonly action: 'All' | 'Include' | 'Exclude'; readonly fields?: readonly string[] };
  /** Writes /Contents before /ByteRange (as some signers do), far from the object header. */
  readonly contentsFirst?: boolean;
  /** Puts the signature field under a parent field of this name (full name "parent.field"). */
  readonly parent?: string;
  /** Other objects the same update writes (a laundering signer rewrites earlier ones). */
  readonly alsoWrite?: (draft: PdfDraft) => readonly PdfObject[];
};

/** `openssl cms -sign` of the signed ranges as detached DER with SHA-256, the signer's chain included. */
function cmsSignArgs(signer: TestIdentity, extraCerts: string, extra: readonly string[] = []): string[] {
  return [
    'cms',
    '-sign',
    '-binary',
    ...extra,
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
}

/** Appends a signature field by incremental update and signs everything but its /Contents. */
export function appendSignature(
  draft: PdfDraft,
  signer: TestIdentity,
  extraCerts: string,
  fieldName: string,
  options: SignatureOptions = {},
): PdfDraft {
  const args = cmsSignArgs(signer, extraCerts);
  return appendSignatureWith(
    draft,
    fieldName,
    'adbe.pkcs7.detached',
    (data) => opensslBytes(args, data),
    options,
  );
}

/**
 * An RFC 3161 token from `openssl ts` with the test TSA, over `data` or over a SHA-256 `digest`
 * given as hex (a signature timestamp stamps the signature value's digest).
 */
export function timestampToken(
  tsa: TestIdentity,
  chain: string,
  workDir: string,
  over: { data: Buffer } | { digest: string },
): Buffer {
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
  const query =
    'data' in over
      ? opensslBytes(['ts', '-query', '-sha256', '-cert', '-no_nonce'], over.data)
      : opensslBytes(['ts', '-query', '-sha256', '-cert', '-no_nonce', '-digest', over.digest]);
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
}

/** Appends an RFC 3161 document timestamp (SubFilter ETSI.RFC3161) made by `openssl ts` with the test TSA. */
export function appendDocumentTimestamp(
  draft: PdfDraft,
  tsa: TestIdentity,
  chain: string,
  workDir: string,
  options: SignatureOptions = {},
): PdfDraft {
  return appendSignatureWith(
    draft,
    'Dau thoi gian',
    'ETSI.RFC3161',
    (data) => timestampToken(tsa, chain, workDir, { data }),
    options,
  );
}

const SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

/**
 * A PAdES baseline signature (SubFilter ETSI.CAdES.detached, `openssl cms -cades`: the signing
 * certificate in a signed attribute), with a signature timestamp (id-aa-signatureTimeStampToken
 * over the signature value) when `timestamp` names a TSA: the signature is then PAdES-B-T.
 */
export function appendCadesSignature(
  draft: PdfDraft,
  signer: TestIdentity,
  extraCerts: string,
  fieldName: string,
  options: SignatureOptions & { timestamp?: { tsa: TestIdentity; chain: string; workDir: string } } = {},
): PdfDraft {
  const args = cmsSignArgs(signer, extraCerts, ['-cades']);
  return appendSignatureWith(
    draft,
    fieldName,
    'ETSI.CAdES.detached',
    (data) => {
      const cms = opensslBytes(args, data);
      const stamp = options.timestamp;
      if (!stamp) return cms;
      const info = pkijs.ContentInfo.fromBER(cms);
      const signed = new pkijs.SignedData({ schema: info.content });
      const signerInfo = signed.signerInfos[0];
      if (!signerInfo) throw new HubError('BENCH_FAILED', 'openssl wrote no SignerInfo');
      const digest = createHash('sha256').update(signerInfo.signature.valueBlock.valueHexView).digest('hex');
      const token = timestampToken(stamp.tsa, stamp.chain, stamp.workDir, { digest });
      signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
        type: 1,
        attributes: [
          new pkijs.Attribute({
            type: SIGNATURE_TIMESTAMP,
            values: [asn1js.fromBER(new Uint8Array(token)).result],
          }),
        ],
      });
      const out = new pkijs.ContentInfo({
        contentType: pkijs.ContentInfo.SIGNED_DATA,
        content: signed.toSchema(true),
      });
      return Buffer.from(out.toSchema().toBER(false));
    },
    options,
  );
}

function appendSignatureWith(
  draft: PdfDraft,
  fieldName: string,
  subFilter: string,
  makeCms: (data: Buffer) => Buffer,
  options: SignatureOptions,
): PdfDraft {
  const widget = draft.nextObject;
  const sig = widget + 1;
  const appearance = widget + 2;
  const parent = options.parent === undefined ? null : appearance + 1;
  const timestamp = subFilter === 'ETSI.RFC3161';
  const state: PdfDraft = {
    ...draft,
    nextObject: (parent ?? appearance) + 1,
    fields: [...draft.fields, parent ?? widget],
    annots: [...draft.annots, widget],
    perms: options.certify ? sig : draft.perms,
  };
  const lock = options.lock
    ? `/Action /${options.lock.action}${options.lock.fields ? ` /Fields [${options.lock.fields.map((f) => `(${f})`).join(' ')}]` : ''}`
    : null;
  const references = [
    ...(options.certify
      ? [
          `<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P ${options.certify} /V /1.2 >> >>`,
        ]
      : []),
    ...(lock
      ? [
          `<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams ${lock} /V /1.2 >> >>`,
        ]
      : []),
  ];
  const contents = `/Contents <${'0'.repeat(CONTENTS_HEX_LENGTH)}>`;
  const head = `<< /Type /${timestamp ? 'DocTimeStamp' : 'Sig'} /Filter /Adobe.PPKLite /SubFilter /${subFilter}`;
  const rest = `${timestamp ? '' : " /M (D:20261125090000+07'00')"}${references.length ? ` /Reference [${references.join(' ')}]` : ''}`;
  const sigBody = options.contentsFirst
    ? `${head} ${contents}${rest} ${BYTE_RANGE_PLACEHOLDER} >>`
    : `${head}${rest} ${BYTE_RANGE_PLACEHOLDER} ${contents} >>`;
  const rect = timestamp ? '[0 0 0 0]' : `[${300 - 60 * draft.signed.length} 72 500 122]`;
  const objects: PdfObject[] = [
    catalogObject(state),
    pageObject(state, state.annots),
    {
      number: widget,
      body: `<< /Type /Annot /Subtype /Widget /FT /Sig /F 132 /T (${fieldName}) /Rect ${rect} /P ${draft.page.number} 0 R /V ${sig} 0 R${parent === null ? '' : ` /Parent ${parent} 0 R`}${lock ? ` /Lock << /Type /SigFieldLock ${lock} >>` : ''} /AP << /N ${appearance} 0 R >> >>`,
    },
    { number: sig, body: sigBody },
    appearanceStream(appearance, `Da ky: ${fieldName}`),
  ];
  const extra = options.alsoWrite?.(draft) ?? [];
  objects.push(...extra);
  if (parent !== null)
    objects.push({ number: parent, body: `<< /T (${options.parent}) /Kids [${widget} 0 R] >>` });
  const size = Math.max((parent ?? appearance) + 1, ...extra.map((o) => o.number + 1));
  // A signed revision is written with a table: the signature dictionary may not sit in an object
  // stream, whose bytes are compressed. Later plain updates may use streams.
  const { bytes, xref } = section(draft, objects, size);
  const text = bytes.toString('latin1');
  const sigAt = text.lastIndexOf(`\n${sig} 0 obj\n`);
  const rangeAt = text.indexOf(BYTE_RANGE_PLACEHOLDER, sigAt);
  const holeStart = text.indexOf('/Contents <', sigAt) + '/Contents '.length;
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
  return {
    ...state,
    nextObject: size,
    bytes,
    lastXref: xref,
    signed: [...draft.signed, { name: fieldName, widget, signature: sig, appearance }],
  };
}

/** Fills the form's text field: a new /V and a new appearance, as a viewer saves a filled form. */
export function appendFormFill(draft: PdfDraft, value: string, options: UpdateOptions = {}): PdfDraft {
  const field = draft.textField;
  if (!field) throw new HubError('SIGNING_TEST_PDF', 'the document has no text field');
  const appearance = draft.nextObject;
  return appendUpdate(
    { ...draft, nextObject: appearance + 1 },
    [
      {
        number: field.number,
        body: `<< /Type /Annot /Subtype /Widget /FT /Tx /T (${field.name}) /V (${value}) /Rect [72 700 300 720] /P ${draft.page.number} 0 R /AP << /N ${appearance} 0 R >> >>`,
      },
      streamObject(
        appearance,
        '/Type /XObject /Subtype /Form /BBox [0 0 228 20]',
        `/Tx BMC BT /Helv 10 Tf 2 6 Td (${value}) Tj ET EMC`,
      ),
    ],
    options,
  );
}

/** Adds a comment (a FreeText annotation with its appearance) on the page. */
export function appendAnnotation(draft: PdfDraft, text: string, options: UpdateOptions = {}): PdfDraft {
  const annot = draft.nextObject;
  const appearance = annot + 1;
  const state = { ...draft, nextObject: appearance + 1, annots: [...draft.annots, annot] };
  return appendUpdate(
    state,
    [
      pageObject(state, state.annots),
      {
        number: annot,
        body: `<< /Type /Annot /Subtype /FreeText /Rect [72 600 400 640] /Contents (${text}) /DA (/Helv 12 Tf 0 g) /P ${draft.page.number} 0 R /AP << /N ${appearance} 0 R >> >>`,
      },
      streamObject(
        appearance,
        '/Type /XObject /Subtype /Form /BBox [0 0 328 40]',
        `BT /Helv 12 Tf 4 14 Td (${text}) Tj ET`,
      ),
    ],
    options,
  );
}

/**
 * Adds long-term validation data (ETSI EN 319 142-1 §5.4, as Acrobat's "LTV enable" writes it):
 * a /DSS with certificates, CRLs and OCSP responses, and a /VRI entry for the last signature.
 */
export function appendDss(
  draft: PdfDraft,
  data: {
    certificates: readonly Buffer[];
    crls: readonly Buffer[];
    ocsps?: readonly Buffer[];
    vriKey: string;
  },
  options: UpdateOptions & { alsoWrite?: (draft: PdfDraft) => readonly PdfObject[] } = {},
): PdfDraft {
  let next = draft.nextObject;
  const certs = data.certificates.map((der) => streamObject(next++, '', der));
  const crls = data.crls.map((der) => streamObject(next++, '', der));
  const ocsps = (data.ocsps ?? []).map((der) => streamObject(next++, '', der));
  const refs = (objects: PdfObject[]) => objects.map((o) => `${o.number} 0 R`).join(' ');
  const vri = next++;
  const dss = next++;
  const state = { ...draft, nextObject: next, dss };
  const ocspEntry = (key: string) => (ocsps.length > 0 ? ` /${key} [${refs(ocsps)}]` : '');
  return appendUpdate(
    state,
    [
      catalogObject(state),
      ...certs,
      ...crls,
      ...ocsps,
      {
        number: vri,
        body: `<< /Type /VRI /Cert [${refs(certs)}] /CRL [${refs(crls)}]${ocspEntry('OCSP')} >>`,
      },
      {
        number: dss,
        body: `<< /Type /DSS /Certs [${refs(certs)}] /CRLs [${refs(crls)}]${ocspEntry('OCSPs')} /VRI << /${data.vriKey} ${vri} 0 R >> >>`,
      },
      ...(options.alsoWrite?.(draft) ?? []),
    ],
    options,
  );
}

/** Replaces the last /ByteRange with other text of the same length (a broken signature). */
export function withByteRange(pdf: Buffer, make: (range: readonly number[]) => string): Buffer {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('/ByteRange [');
  const end = text.indexOf(']', at) + 1;
  const range = text
    .slice(at + '/ByteRange ['.length, end - 1)
    .trim()
    .split(/\s+/)
    .map(Number);
  const replacement = make(range);
  if (replacement.length > end - at) throw new HubError('SIGNING_TEST_PDF', 'replacement range too long');
  const copy = Buffer.from(pdf);
  copy.write(replacement.padEnd(end - at, ' '), at, 'latin1');
  return copy;
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
