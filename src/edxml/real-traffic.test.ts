import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_DIR,
  REAL_TRAFFIC,
  scannedPdf,
  scannedPdfPackage,
  UNUSABLE,
  writePackage,
} from '../../test/fixtures/edxml/real-traffic/generate-real-traffic.ts';
import { documentTypeOfPackage } from './document-type.ts';
import type { EdocPackage } from './package-model.ts';
import { parseEdxml } from './reader.ts';
import { inspectEdxml, validateEdxml, type ValidationProblem } from './validator.ts';

/** Packages shaped like the national axis traffic of October 2025 (test/fixtures/edxml/real-traffic). */
const MH = '/edXML/edXMLEnvelope/edXMLHeader/MessageHeader';
const TRACE = '/edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList';
const SIGNATURE = '/edXML/edXMLEnvelope/edXMLHeader/Signature';
const SDK_SIGNATURE_NOTES = [
  `warning EDXML_SIGNATURE_NOT_XMLDSIG ${SIGNATURE} [W3C XMLDSig (xmldsig-core)]`,
  `warning EDXML_SIGNATURE_PLACEHOLDER ${SIGNATURE} [W3C XMLDSig (xmldsig-core)]`,
];

const fixture = (name: string): string => readFileSync(path.join(FIXTURE_DIR, name), 'utf8');
const validate = (xml: string) => validateEdxml(xml);
const summary = (problems: readonly ValidationProblem[]): string[] =>
  problems.map((p) => `${p.severity} ${p.code} ${p.path} [${p.rule}]`);

const edoc = (xml: string): EdocPackage => {
  const pkg = parseEdxml(xml);
  if (pkg.kind !== 'edoc') throw new TypeError('expected a document package');
  return pkg;
};

describe('the real-traffic fixtures', () => {
  it.each(Object.keys(REAL_TRAFFIC))('%s is what the generator writes (no drift)', (name) => {
    const pkg = REAL_TRAFFIC[name];
    if (pkg === undefined) throw new TypeError(name);
    expect(fixture(name)).toBe(writePackage(pkg));
  });
});

describe('validateEdxml on real axis traffic: no errors, the warnings a partner can act on, with their rules', () => {
  it.each([
    ['enterprise-sender.edxml', []],
    [
      'dual-coded-ministry.edxml',
      [...SDK_SIGNATURE_NOTES, `note EDXML_RECIPIENT_SAME_AGENCY ${MH}/To[2]/OrganId [QĐ 09/2025/QĐ-TTg]`],
    ],
    [
      'trace-absent-codes.edxml',
      [
        ...SDK_SIGNATURE_NOTES,
        `warning EDXML_REQUIRED_MISSING ${TRACE}/TraceHeader[2]/OrganId [QCVN 102:2016 §2.1 TraceHeader/OrganId]`,
        `warning EDXML_REQUIRED_MISSING ${TRACE}/TraceHeader[3]/OrganId [QCVN 102:2016 §2.1 TraceHeader/OrganId]`,
        `warning EDXML_ORGAN_ID_ABSENT ${TRACE}/TraceHeader[4]/OrganId [QCVN 102:2016 §2.1 TraceHeader/OrganId]`,
        `warning EDXML_ORGAN_ID_LEGACY ${TRACE}/TraceHeader[5]/OrganId [QĐ 20/2020/QĐ-TTg Điều 4]`,
      ],
    ],
    [
      'type-71-cong-van.edxml',
      [
        ...SDK_SIGNATURE_NOTES,
        `warning EDXML_TYPE_CODE_PRODUCER ${MH}/DocumentType/Type [QCVN 102:2016 §1.5 DocumentType/Type]`,
      ],
    ],
    [
      'doc-declared-zip.edxml',
      [
        ...SDK_SIGNATURE_NOTES,
        'warning EDXML_CONTENT_TYPE_MISMATCH /edXML/AttachmentEncoded/Attachment[1]/ContentType [QCVN 102:2016 AttachmentEncoded/Attachment/ContentType]',
      ],
    ],
    [
      'system-id-sender.edxml',
      [
        ...SDK_SIGNATURE_NOTES,
        `warning EDXML_ORGAN_ID_SYSTEM ${MH}/From/OrganId [QĐ 20/2020/QĐ-TTg Điều 4–6]`,
        `warning EDXML_ORGAN_ID_SYSTEM ${TRACE}/TraceHeader[1]/OrganId [QĐ 20/2020/QĐ-TTg Điều 4–6]`,
      ],
    ],
    ['closed-province-code.edxml', SDK_SIGNATURE_NOTES],
  ])('%s', (name, expected) => {
    const result = validate(fixture(name));
    expect(summary(result.problems)).toEqual(expected);
    expect(result.valid).toBe(true);
  });

  it('accepts the enterprise code, the bare level-1 code and its former form as codes, with no problem of their own', () => {
    const pkg = edoc(fixture('dual-coded-ministry.edxml'));
    expect(pkg.to.map((to) => to.organId)).toEqual(['G12', '000.00.00.G12', '020100107370']);
    expect(edoc(fixture('enterprise-sender.edxml')).from.organId).toBe('020100107370');
    const codeProblems = validate(fixture('dual-coded-ministry.edxml')).problems.filter((p) =>
      /\/(From|To\[\d\])\/OrganId$/.test(p.path),
    );
    expect(codeProblems.map((p) => p.code)).toEqual(['EDXML_RECIPIENT_SAME_AGENCY']);
  });

  it('says in both languages which entries name one agency, and that it receives the package once', () => {
    const note = validate(fixture('dual-coded-ministry.edxml')).problems.find((p) => p.severity === 'note');
    expect(note?.message).toBe(
      'To[2] 000.00.00.G12 và To[1] G12 là một cơ quan (mã cấp 1 mới và mã 4 nhóm cũ); một cơ quan chỉ nhận một lần / ' +
        'To[2] 000.00.00.G12 and To[1] G12 name one agency (the new level-1 code and the former four-group code); one agency receives the package once',
    );
  });

  it('calls a `null` trace code what it is, and keeps the hop as read', () => {
    const result = validate(fixture('trace-absent-codes.edxml'));
    expect(result.problems.find((p) => p.code === 'EDXML_ORGAN_ID_ABSENT')?.message).toContain(
      'TraceHeader[4]/OrganId is the text "null", not a code; it is hop history only and does not affect routing',
    );
    expect(edoc(fixture('trace-absent-codes.edxml')).trace.map((hop) => hop.organId)).toEqual([
      '000.00.11.H53',
      undefined,
      undefined,
      'null',
      '02.29.W00',
    ]);
  });

  it('names the real kind of a .doc declared application/zip', () => {
    const problem = validate(fixture('doc-declared-zip.edxml')).problems.find(
      (p) => p.code === 'EDXML_CONTENT_TYPE_MISMATCH',
    );
    expect(problem?.message).toContain(
      'ContentType says "application/zip" but the bytes ("Cong van 1234.doc") are Word/Excel 97–2003 (OLE2)',
    );
  });

  it('reads a Type 71 "Công văn" as a Công văn, and a typed notation when TypeName is absent', () => {
    const type71 = edoc(fixture('type-71-cong-van.edxml'));
    expect(type71.documentType).toEqual({ type: 71, typeDetail: 0, name: 'Công văn' });
    expect(documentTypeOfPackage(type71)).toMatchObject({
      entry: { no: 18, name: 'Công văn' },
      source: 'type-name',
    });
    const invitation = { documentType: { type: 71 }, code: { number: '12', notation: 'GM-UBND' } };
    expect(documentTypeOfPackage(invitation)).toMatchObject({
      entry: { no: 23, name: 'Giấy mời' },
      source: 'notation',
    });
  });
});

describe('a 1.5 MB image-only scanned PDF attachment', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lienthong-real-traffic-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a real PDF: one page, one image XObject, no font or text, a correct xref table', () => {
    const pdf = scannedPdf();
    expect(pdf.length).toBeGreaterThan(1_500_000);
    expect(pdf.length).toBeLessThan(1_600_000);
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4')).toBe(true);
    expect(text).toContain('/Subtype /Image');
    expect(text).not.toMatch(/\/Font|BT\s/);
    const xref = /startxref\n(\d+)\n%%EOF\n$/.exec(text);
    expect(text.slice(Number(xref?.[1]), Number(xref?.[1]) + 4)).toBe('xref');
    const offsets = [...text.matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets.map((offset) => text.slice(offset, offset + 8))).toEqual(
      [1, 2, 3, 4, 5].map((n) => `${n} 0 obj\n`),
    );
  });

  it('parses and validates with no error, the attachment whole', () => {
    const file = path.join(dir, 'scanned-pdf.edxml');
    writeFileSync(file, scannedPdfPackage());
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(2_000_000);
    const { package: pkg, validation } = inspectEdxml(bytes);
    expect(summary(validation.problems)).toEqual(SDK_SIGNATURE_NOTES);
    expect(pkg?.kind === 'edoc' ? pkg.attachments : []).toEqual([
      expect.objectContaining({
        name: 'giay-moi-1234-scan.pdf',
        contentType: 'application/pdf',
        size: scannedPdf().length,
      }),
    ]);
  });
});

describe('packages the hub cannot route are errors, each saying what is missing', () => {
  it.each([
    [
      'no-from-code',
      `${MH}/From/OrganId`,
      'EDXML_REQUIRED_MISSING',
      'QCVN 102:2016 §1.1 From/OrganId',
      'From/OrganId is missing or empty; the hub cannot tell who sends the package',
    ],
    [
      'null-from-code',
      `${MH}/From/OrganId`,
      'EDXML_ORGAN_ID_ABSENT',
      'QCVN 102:2016 §1.1 From/OrganId',
      'From/OrganId is the text "null", not a code; the hub cannot tell who sends the package',
    ],
    [
      'no-recipient',
      `${MH}/To`,
      'EDXML_REQUIRED_MISSING',
      'QCVN 102:2016 §1.2 To',
      'the <To> element is missing: the package names no recipient',
    ],
    [
      'free-text-organ-id',
      `${MH}/From/OrganId`,
      'EDXML_ORGAN_ID_FORMAT',
      'QĐ 20/2020/QĐ-TTg Điều 4–6',
      'From/OrganId "Sở Tài chính Tây Ninh" is not an agency code (NNN.NN.NN.XNN such as 000.00.11.H53, a level-1 code such as G12, an enterprise\'s 02 + tax code); the hub cannot tell who sends the package',
    ],
    [
      'only-absent-recipients',
      `${MH}/To`,
      'EDXML_NO_RECIPIENT',
      'QCVN 102:2016 §1.2 To',
      'no <To> has a usable agency code (OrganId); the package has no recipient to be routed to',
    ],
  ])('%s → error %s %s', (name, path, code, rule, english) => {
    const pkg = UNUSABLE[name];
    if (pkg === undefined) throw new TypeError(name);
    const result = validate(writePackage(pkg));
    expect(result.valid).toBe(false);
    const errors = result.problems.filter((p) => p.severity === 'error');
    expect(errors).toEqual([
      { path, code, severity: 'error', rule, message: expect.stringContaining(english) as string },
    ]);
    expect(errors[0]?.message).toMatch(/^\S.* \/ \S/);
  });

  it('keeps an absent recipient a warning while another recipient can be routed', () => {
    const pkg = UNUSABLE['only-absent-recipients'];
    if (pkg === undefined) throw new TypeError('fixture');
    const result = validate(writePackage({ ...pkg, to: [...pkg.to, { organId: 'G12', organName: 'Bộ' }] }));
    expect(result.valid).toBe(true);
    expect(summary(result.problems.filter((p) => p.path.startsWith(`${MH}/To`)))).toEqual([
      `warning EDXML_ORGAN_ID_ABSENT ${MH}/To[1]/OrganId [QCVN 102:2016 §1.2 To/OrganId]`,
      `warning EDXML_REQUIRED_MISSING ${MH}/To[2]/OrganId [QCVN 102:2016 §1.2 To/OrganId]`,
    ]);
  });

  it('refuses free text in a To as it would refuse it in From', () => {
    const pkg = UNUSABLE['no-recipient'];
    if (pkg === undefined) throw new TypeError('fixture');
    const result = validate(
      writePackage({ ...pkg, to: [{ organId: 'UBND tỉnh Tây Ninh', organName: 'UBND' }] }),
    );
    expect(summary(result.problems.filter((p) => p.severity === 'error'))).toEqual([
      `error EDXML_ORGAN_ID_FORMAT ${MH}/To[1]/OrganId [QĐ 20/2020/QĐ-TTg Điều 4–6]`,
      `error EDXML_NO_RECIPIENT ${MH}/To [QCVN 102:2016 §1.2 To]`,
    ]);
  });
});
