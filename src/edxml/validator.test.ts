import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateEdxml, type ValidationProblem } from './validator.ts';

const FIXTURES = new URL('../../test/fixtures/edxml/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const SMALL = fixture('truclienthong-example/dc0bdef0-c7a3-4aaf-b717-777303442973.edxml');
const STATUS = fixture('truclienthong-example/status.edxml');
const MH = '/edXML/edXMLEnvelope/edXMLHeader/MessageHeader';
const TRACE = '/edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList';

const summary = (problems: readonly ValidationProblem[]): string[] =>
  problems.map((p) => `${p.severity} ${p.code} ${p.path}`);

/** Replaces exactly one occurrence, so a crafted case cannot silently miss its target. */
function craft(xml: string, search: string | RegExp, replacement: string): string {
  const count =
    typeof search === 'string'
      ? xml.split(search).length - 1
      : (xml.match(new RegExp(search, 'g')) ?? []).length;
  if (count !== 1) throw new Error(`expected one match of ${String(search)}, found ${count}`);
  return xml.replace(search, replacement);
}

describe('validateEdxml on the samples', () => {
  it('finds the placeholder signature and the impossible Bussiness date in the SDK sample, and nothing fatal', () => {
    const result = validateEdxml(SMALL);
    expect(result.valid).toBe(true);
    expect(summary(result.problems)).toEqual([
      'warning EDXML_SIGNATURE_NOT_XMLDSIG /edXML/edXMLEnvelope/edXMLHeader/Signature',
      'warning EDXML_SIGNATURE_PLACEHOLDER /edXML/edXMLEnvelope/edXMLHeader/Signature',
      `warning EDXML_DOCUMENT_ID_MISMATCH ${MH}/DocumentId`,
      `warning EDXML_DOCUMENT_ID_DATE ${TRACE}/Bussiness/DocumentId`,
    ]);
  });

  it('reports the Tây Ninh sample: dd/MM/yyyy date and empty SignerInfo as warnings', () => {
    const result = validateEdxml(fixture('edoc-integrator/edoc_new.edxml'));
    expect(result.valid).toBe(true);
    expect(summary(result.problems)).toContain(
      `warning EDXML_DATE_FORMAT ${MH}/PromulgationInfo/PromulgationDate`,
    );
    expect(summary(result.problems)).toContain(`warning EDXML_REQUIRED_MISSING ${MH}/SignerInfo/FullName`);
  });

  it('reports the legacy 3-group OrganId and the non-numeric CodeNumber of edoc_new', () => {
    const result = validateEdxml(fixture('truclienthong-example/edoc_new.edxml'));
    expect(summary(result.problems)).toEqual(
      expect.arrayContaining([
        `warning EDXML_ORGAN_ID_LEGACY ${MH}/To[1]/OrganId`,
        `warning EDXML_CODE_NUMBER_FORM ${MH}/Code/CodeNumber`,
      ]),
    );
  });

  it('asks for the old DocumentId of a revocation', () => {
    const result = validateEdxml(fixture('truclienthong-example/edoc_revocation.edxml'), {});
    expect(summary(result.problems)).toContain(
      `warning EDXML_REQUIRED_MISSING ${TRACE}/Bussiness/DocumentId`,
    );
  });

  it.each([
    'status.edxml',
    'status_inbox_01.edxml',
    'status_rejection_02.edxml',
    'status_acceptance_03.edxml',
    'status_assignment_04.edxml',
    'status_processing_05.edxml',
    'status_finish_06.edxml',
    'status_cancellation_13.edxml',
    'status_change-acceptance_15.edxml',
    'status_change-rejection_16.edxml',
  ])('finds no problem in %s', (name) => {
    expect(validateEdxml(fixture(`truclienthong-example/${name}`))).toEqual({
      valid: true,
      problems: [],
    });
  });

  it('turns the not-well-formed edoc.edxml into one error with line and column', () => {
    const result = validateEdxml(fixture('truclienthong-example/edoc.edxml'));
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([
      {
        path: '/',
        code: 'EDXML_NOT_WELL_FORMED',
        severity: 'error',
        message: expect.stringContaining('line 74, column 7') as string,
        rule: 'XML 1.0 (W3C) §2.1',
      },
    ]);
  });
});

describe('validateEdxml on crafted document packages', () => {
  it.each([
    [
      'missing Subject',
      /<edXML:Subject>.*?<\/edXML:Subject>/,
      '',
      'error',
      'EDXML_REQUIRED_MISSING',
      `${MH}/Subject`,
      'QCVN 102:2016 §1.6 Subject',
    ],
    [
      'empty Subject',
      /<edXML:Subject>.*?<\/edXML:Subject>/,
      '<edXML:Subject/>',
      'error',
      'EDXML_REQUIRED_MISSING',
      `${MH}/Subject`,
      'QCVN 102:2016 §1.6 Subject',
    ],
    [
      'missing CodeNumber',
      '<edXML:CodeNumber>7816</edXML:CodeNumber>',
      '',
      'error',
      'EDXML_REQUIRED_MISSING',
      `${MH}/Code/CodeNumber`,
      'QCVN 102:2016 §1.3 Code/CodeNumber',
    ],
    [
      'missing From OrganId',
      /<edXML:From>\s*<edXML:OrganId>000\.00\.00\.G22<\/edXML:OrganId>/,
      '<edXML:From>',
      'error',
      'EDXML_REQUIRED_MISSING',
      `${MH}/From/OrganId`,
      'QCVN 102:2016 §1.1 From/OrganId',
    ],
    [
      'missing PromulgationDate',
      '<edXML:PromulgationDate>2019/04/11</edXML:PromulgationDate>',
      '',
      'error',
      'EDXML_REQUIRED_MISSING',
      `${MH}/PromulgationInfo/PromulgationDate`,
      'QCVN 102:2016 §1.4 PromulgationInfo/PromulgationDate',
    ],
    [
      'unreadable PromulgationDate',
      '<edXML:PromulgationDate>2019/04/11<',
      '<edXML:PromulgationDate>11 tháng 4<',
      'error',
      'EDXML_DATE_INVALID',
      `${MH}/PromulgationInfo/PromulgationDate`,
      'QCVN 102:2016 §1.4 PromulgationInfo/PromulgationDate',
    ],
    [
      'missing TypeName',
      '<edXML:TypeName>Công văn</edXML:TypeName>',
      '',
      'warning',
      'EDXML_REQUIRED_MISSING',
      `${MH}/DocumentType/TypeName`,
      'QCVN 102:2016 §1.5 DocumentType/TypeName',
    ],
    [
      'no To at all',
      /<edXML:To>[\s\S]*<\/edXML:To>/,
      '',
      'error',
      'EDXML_REQUIRED_MISSING',
      `${MH}/To`,
      'QCVN 102:2016 §1.2 To',
    ],
    [
      'free-text To OrganId',
      '<edXML:OrganId>000.00.00.H14</edXML:OrganId>',
      '<edXML:OrganId>H14-CAOBANG</edXML:OrganId>',
      'error',
      'EDXML_ORGAN_ID_FORMAT',
      `${MH}/To[2]/OrganId`,
      'QĐ 20/2020/QĐ-TTg Điều 4–6',
    ],
    [
      'Priority 7',
      '<edXML:Priority>0</edXML:Priority>',
      '<edXML:Priority>7</edXML:Priority>',
      'warning',
      'EDXML_CODE_NOT_IN_LIST',
      `${MH}/OtherInfo/Priority`,
      'QCVN 102:2016 §1.11 OtherInfo/Priority',
    ],
    [
      'Priority "cao"',
      '<edXML:Priority>0</edXML:Priority>',
      '<edXML:Priority>cao</edXML:Priority>',
      'warning',
      'EDXML_NOT_AN_INTEGER',
      `${MH}/OtherInfo/Priority`,
      'QCVN 102:2016 §1.11 OtherInfo/Priority',
    ],
    [
      'SteeringType 3',
      '<edXML:SteeringType>1</edXML:SteeringType>',
      '<edXML:SteeringType>3</edXML:SteeringType>',
      'warning',
      'EDXML_CODE_NOT_IN_LIST',
      `${MH}/SteeringType`,
      'QCVN 102:2016 §1.13 SteeringType',
    ],
    [
      'BussinessDocType 4',
      '<edXML:BussinessDocType>0</edXML:BussinessDocType>',
      '<edXML:BussinessDocType>4</edXML:BussinessDocType>',
      'error',
      'EDXML_CODE_NOT_IN_LIST',
      `${TRACE}/Bussiness/BussinessDocType`,
      'QCVN 102:2016 §2.2 Bussiness/BussinessDocType',
    ],
    [
      'BussinessDocType "mới"',
      '<edXML:BussinessDocType>0</edXML:BussinessDocType>',
      '<edXML:BussinessDocType>mới</edXML:BussinessDocType>',
      'error',
      'EDXML_NOT_AN_INTEGER',
      `${TRACE}/Bussiness/BussinessDocType`,
      'QCVN 102:2016 §2.2 Bussiness/BussinessDocType',
    ],
    [
      'Subject of 501 characters',
      /<edXML:Subject>.*?<\/edXML:Subject>/,
      `<edXML:Subject>${'ắ'.repeat(501)}</edXML:Subject>`,
      'warning',
      'EDXML_TOO_LONG',
      `${MH}/Subject`,
      'QCVN 102:2016 §1.6 Subject',
    ],
    [
      'Subject of 2001 characters (more than the register stores)',
      /<edXML:Subject>.*?<\/edXML:Subject>/,
      `<edXML:Subject>${'ắ'.repeat(2001)}</edXML:Subject>`,
      'error',
      'EDXML_TOO_LONG',
      `${MH}/Subject`,
      'QCVN 102:2016 §1.6 Subject',
    ],
    [
      'OrganAdd of 4001 characters',
      '<edXML:OrganAdd>Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội</edXML:OrganAdd>',
      `<edXML:OrganAdd>${'x'.repeat(4001)}</edXML:OrganAdd>`,
      'error',
      'EDXML_TOO_LONG',
      `${MH}/From/OrganAdd`,
      'QCVN 102:2016 §1.1 From/OrganAdd',
    ],
    [
      'CodeNotation of 31 characters',
      '<edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation>',
      `<edXML:CodeNotation>${'Đ'.repeat(31)}</edXML:CodeNotation>`,
      'warning',
      'EDXML_TOO_LONG',
      `${MH}/Code/CodeNotation`,
      'QCVN 102:2016 §1.3 Code/CodeNotation',
    ],
    [
      'To OrganName of 201 characters',
      '<edXML:OrganName>UBND Tỉnh Cao Bằng</edXML:OrganName>',
      `<edXML:OrganName>${'x'.repeat(201)}</edXML:OrganName>`,
      'warning',
      'EDXML_TOO_LONG',
      `${MH}/To[2]/OrganName`,
      'QCVN 102:2016 §1.2 To/OrganName',
    ],
    [
      'Website of 27 characters',
      '<edXML:Website>vpcp.vn</edXML:Website>',
      '<edXML:Website>http://www.ict-hanoi.gov.vn</edXML:Website>',
      'warning',
      'EDXML_TOO_LONG',
      `${MH}/From/Website`,
      'QCVN 102:2016 §1.1 From/Website',
    ],
    [
      'PageAmount 70000',
      '<edXML:PageAmount>22</edXML:PageAmount>',
      '<edXML:PageAmount>70000</edXML:PageAmount>',
      'warning',
      'EDXML_OUT_OF_RANGE',
      `${MH}/OtherInfo/PageAmount`,
      'QCVN 102:2016 §1.11 OtherInfo/PageAmount',
    ],
    [
      'UUID DocumentId',
      '<edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>',
      '<edXML:DocumentId>9fbfbad2-f1f8-4256-a2eb-50fb1061cddb</edXML:DocumentId>',
      'warning',
      'EDXML_DOCUMENT_ID_FORM',
      `${MH}/DocumentId`,
      'QCVN 102:2016 §1.14 DocumentId',
    ],
    [
      'invalid base64',
      /(<edXML:ContentTransferEncoded[^>]*>)[^<]*</,
      '$1not*base64!<',
      'error',
      'EDXML_BASE64_INVALID',
      '/edXML/AttachmentEncoded/Attachment[1]/ContentTransferEncoded',
      'RFC 4648 §4 base64',
    ],
  ])(
    '%s → %s %s at the element, citing its rule',
    (_name, search, replacement, severity, code, path, rule) => {
      const result = validateEdxml(craft(SMALL, search, replacement));
      expect(result.problems).toContainEqual({
        path,
        code,
        severity,
        message: expect.stringMatching(/.+ \/ .+/) as string,
        rule,
      });
      expect(result.valid).toBe(severity !== 'error');
    },
  );

  it('points at the right ResponseFor even after an empty one', () => {
    const answered =
      '<edXML:ResponseFor><edXML:OrganId/><edXML:Code/></edXML:ResponseFor>' +
      '<edXML:ResponseFor><edXML:OrganId>VPCP</edXML:OrganId><edXML:Code>7806/VPCP-TTĐT</edXML:Code>' +
      '<edXML:DocumentId>000.00.00.G22,2014/02/30,7806/VPCP-TTĐT</edXML:DocumentId></edXML:ResponseFor>';
    const result = validateEdxml(craft(SMALL, '<edXML:SteeringType>', `${answered}<edXML:SteeringType>`), {});
    expect(summary(result.problems)).toEqual(
      expect.arrayContaining([
        `warning EDXML_ORGAN_ID_FORMAT ${MH}/ResponseFor[2]/OrganId`,
        `warning EDXML_DOCUMENT_ID_DATE ${MH}/ResponseFor[2]/DocumentId`,
      ]),
    );
  });

  it('reports every problem of a package at once', () => {
    let xml = craft(SMALL, /<edXML:Subject>.*?<\/edXML:Subject>/, '');
    xml = craft(xml, '<edXML:Priority>0</edXML:Priority>', '<edXML:Priority>9</edXML:Priority>');
    xml = craft(xml, '<edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation>', '');
    const { problems } = validateEdxml(xml);
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.path)).toEqual([
      `${MH}/Code/CodeNotation`,
      `${MH}/Subject`,
    ]);
    expect(summary(problems)).toContain(`warning EDXML_CODE_NOT_IN_LIST ${MH}/OtherInfo/Priority`);
  });

  it('writes messages a partner developer can act on, in Vietnamese and English', () => {
    const result = validateEdxml(
      craft(SMALL, '<edXML:Priority>0</edXML:Priority>', '<edXML:Priority>7</edXML:Priority>'),
    );
    const problem = result.problems.find((p) => p.code === 'EDXML_CODE_NOT_IN_LIST');
    expect(problem?.message).toContain('Priority "7" không thuộc danh mục');
    expect(problem?.message).toContain('Priority "7" is not in the code list (0 thường/normal');
  });
});

describe('validateEdxml on crafted status packages', () => {
  it.each([
    [
      'StatusCode 07',
      '<edXML:StatusCode>01</edXML:StatusCode>',
      '<edXML:StatusCode>07</edXML:StatusCode>',
      'error',
      'EDXML_CODE_NOT_IN_LIST',
      `${MH}/StatusCode`,
    ],
    [
      'StatusCode 1 (one digit)',
      '<edXML:StatusCode>01</edXML:StatusCode>',
      '<edXML:StatusCode>1</edXML:StatusCode>',
      'error',
      'EDXML_CODE_NOT_IN_LIST',
      `${MH}/StatusCode`,
    ],
    [
      'missing StatusCode value',
      '<edXML:StatusCode>01</edXML:StatusCode>',
      '<edXML:StatusCode></edXML:StatusCode>',
      'error',
      'EDXML_REQUIRED_MISSING',
      `${MH}/StatusCode`,
    ],
    [
      'missing ResponseFor DocumentId',
      /<edXML:DocumentId>[^<]*<\/edXML:DocumentId>/,
      '',
      'error',
      'EDXML_REQUIRED_MISSING',
      `${MH}/ResponseFor/DocumentId`,
    ],
    [
      'bad ResponseFor OrganId',
      '<edXML:OrganId>000.00.00.G22</edXML:OrganId>',
      '<edXML:OrganId>VPCP</edXML:OrganId>',
      'error',
      'EDXML_ORGAN_ID_FORMAT',
      `${MH}/ResponseFor/OrganId`,
    ],
    [
      'unreadable Timestamp',
      '<edXML:Timestamp>2018/09/28 17:25:11</edXML:Timestamp>',
      '<edXML:Timestamp>hôm qua</edXML:Timestamp>',
      'warning',
      'EDXML_TIMESTAMP_INVALID',
      `${MH}/Timestamp`,
    ],
  ])('%s → %s %s', (_name, search, replacement, severity, code, path) => {
    const xml = craft(STATUS, search, replacement);
    expect(validateEdxml(xml).problems).toContainEqual({
      path,
      code,
      severity,
      message: expect.any(String) as string,
      rule: expect.stringMatching(/^(QCVN 102:2016 \(gói tin trạng thái\) |QĐ 20\/2020)/) as string,
    });
  });

  it('hints at the two-digit form for a one-digit StatusCode', () => {
    const xml = craft(
      STATUS,
      '<edXML:StatusCode>01</edXML:StatusCode>',
      '<edXML:StatusCode>1</edXML:StatusCode>',
    );
    expect(validateEdxml(xml).problems[0]?.message).toContain('two digits: "01"');
  });
});
