import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHubError } from '../shared/index.ts';
import type { EdocPackage, StatusPackage } from './package-model.ts';
import { parseEdxml } from './reader.ts';

const FIXTURES = new URL('../../test/fixtures/edxml/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const SAMPLES = [
  'truclienthong-example/dc0bdef0-c7a3-4aaf-b717-777303442973.edxml',
  'truclienthong-example/edoc_new.edxml',
  'truclienthong-example/edoc_replacement.edxml',
  'truclienthong-example/edoc_revocation.edxml',
  'truclienthong-example/edoc_update.edxml',
  'truclienthong-example/status.edxml',
  'truclienthong-example/status_inbox_01.edxml',
  'truclienthong-example/status_rejection_02.edxml',
  'truclienthong-example/status_acceptance_03.edxml',
  'truclienthong-example/status_assignment_04.edxml',
  'truclienthong-example/status_processing_05.edxml',
  'truclienthong-example/status_finish_06.edxml',
  'truclienthong-example/status_cancellation_13.edxml',
  'truclienthong-example/status_change-acceptance_15.edxml',
  'truclienthong-example/status_change-rejection_16.edxml',
  'edoc-integrator/edoc_new.edxml',
  'edoc-integrator/edoc_update.edxml',
  'edoc-integrator/status_processing_05.edxml',
];
const SMALL_DOCUMENT = 'truclienthong-example/dc0bdef0-c7a3-4aaf-b717-777303442973.edxml';

const edoc = (xml: string): EdocPackage => {
  const parsed = parseEdxml(xml);
  if (parsed.kind !== 'edoc') throw new Error('expected a document package');
  return parsed;
};
const status = (xml: string): StatusPackage => {
  const parsed = parseEdxml(xml);
  if (parsed.kind !== 'status') throw new Error('expected a status package');
  return parsed;
};
const codes = (pkg: { warnings: { code: string }[] }): string[] => pkg.warnings.map((w) => w.code);

describe('parseEdxml on the samples', () => {
  it.each(SAMPLES)('reads %s', (name) => {
    const parsed = parseEdxml(fixture(name));
    expect(parsed.kind).toBe(name.includes('status') ? 'status' : 'edoc');
    expect(parsed.from.organId).toMatch(/^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/);
  });

  it('reads the SDK document package field by field', () => {
    const parsed = edoc(fixture(SMALL_DOCUMENT));
    expect(parsed).toMatchObject({
      documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT',
      from: { organId: '000.00.00.G22', organName: 'Văn phòng Chính phủ', email: 'vpcp@gov.vn' },
      code: { number: '7816', notation: 'VPCP-TTĐT' },
      promulgation: { place: 'Hà Nội', date: '2019-04-11' },
      documentType: { type: 1, typeDetail: 0, name: 'Công văn' },
      signer: { competence: 'TL. BO TRUONG', fullName: 'Nguyen Thanh Phuc' },
      dueDate: '2019-04-11',
      priority: 0,
      steeringType: 1,
      businessDocType: 0,
      toPlaces: ['Cac bo va co quan ngang bo', 'Uy ban nhan dan cac tinh, TP'],
      trace: [{ organId: '000.00.00.G22', timestamp: '2019-04-11T00:00:00+07:00' }],
    });
    expect(parsed.to.map((to) => to.organId)).toEqual(['000.00.00.H41', '000.00.00.H14', '000.00.00.G17']);
    expect(parsed.attachments).toHaveLength(1);
    const [attachment] = parsed.attachments;
    expect(attachment).toMatchObject({
      contentId: '209',
      name: '1896_QD-TTg_m_294779.doc',
      contentType: 'application/zip',
      size: 4151,
    });
    expect(attachment?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(attachment?.entries).toEqual([
      {
        name: '7a71a0ee-2f35-400d-aca9-811d478eb158.edxml',
        size: 8381,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      },
    ]);
    expect(attachment?.content).toBeUndefined();
    expect(codes(parsed)).toEqual(['EDXML_SIGNATURE_NOT_XMLDSIG', 'EDXML_SIGNATURE_PLACEHOLDER']);
  });

  it('adds the attachment bytes as base64 only when asked', () => {
    const parsed = parseEdxml(fixture(SMALL_DOCUMENT), { withContent: true });
    if (parsed.kind !== 'edoc') throw new Error('expected a document');
    const content = parsed.attachments[0]?.content ?? '';
    expect(Buffer.from(content, 'base64').subarray(0, 4)).toEqual(Buffer.from('PK\u0003\u0004', 'latin1'));
  });

  it('reads a status package with its two-digit code and local timestamp', () => {
    expect(status(fixture('truclienthong-example/status_cancellation_13.edxml'))).toMatchObject({
      kind: 'status',
      statusCode: '13',
      responseFor: {
        organId: '000.00.00.H41',
        code: '7816/VPCP-TTĐT',
        documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT',
      },
      from: { organId: '000.00.00.G22' },
      staff: { department: 'Phong hanh chinh' },
    });
    expect(status(fixture('truclienthong-example/status.edxml')).timestamp).toBe('2018-09-28T17:25:11+07:00');
  });

  it('accepts a dd/MM/yyyy PromulgationDate and says so', () => {
    const parsed = edoc(fixture('edoc-integrator/edoc_new.edxml'));
    expect(parsed.promulgation.date).toBe('2020-10-30');
    expect(parsed.warnings).toContainEqual(
      expect.objectContaining({
        code: 'EDXML_DATE_FORMAT',
        path: '/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate',
      }),
    );
    expect(parsed.signer).toEqual({});
    expect(parsed.dueDate).toBeUndefined();
  });

  it('refuses edoc.edxml as not well-formed with its line and column', () => {
    let caught: unknown;
    try {
      parseEdxml(fixture('truclienthong-example/edoc.edxml'));
    } catch (error) {
      caught = error;
    }
    expect(isHubError(caught, 'EDXML_NOT_WELL_FORMED')).toBe(true);
    expect(isHubError(caught) && caught.details).toEqual({ line: 74, column: 7 });
  });
});

const STATUS = `<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:OrganName>UBND</edXML:OrganName></edXML:From>
<edXML:ResponseFor><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Code>1/UBND</edXML:Code><edXML:PromulgationDate>2020/01/02</edXML:PromulgationDate><edXML:DocumentId>000.00.00.G22,2020/01/02,1/UBND</edXML:DocumentId></edXML:ResponseFor>
<edXML:StatusCode>03</edXML:StatusCode><edXML:Timestamp>2020/01/02 08:30:00</edXML:Timestamp></edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>`;

describe('parseEdxml leniency', () => {
  it('matches elements by namespace, whatever the prefix', () => {
    const reprefixed = STATUS.replaceAll('edXML:', 'q:').replaceAll('xmlns:edXML=', 'xmlns:q=');
    expect(reprefixed).toContain('<q:StatusCode>');
    const defaultOnly = STATUS.replaceAll('edXML:', '').replace(/ xmlns:edXML="[^"]*"/, '');
    expect(status(reprefixed)).toEqual(status(STATUS));
    expect(status(defaultOnly)).toEqual(status(STATUS));
  });

  it('ignores elements of other namespaces that share a local name', () => {
    const foreign = STATUS.replace(
      '<edXML:StatusCode>03</edXML:StatusCode>',
      '<x:StatusCode xmlns:x="urn:other">99</x:StatusCode><edXML:StatusCode>03</edXML:StatusCode>',
    );
    expect(status(foreign).statusCode).toBe('03');
  });

  it('does not depend on element order', () => {
    const reordered = STATUS.replace(
      /(<edXML:From>.*?<\/edXML:From>)\n(<edXML:ResponseFor>.*?<\/edXML:ResponseFor>)/s,
      '$2\n$1',
    );
    expect(reordered).not.toBe(STATUS);
    expect(status(reordered)).toEqual(status(STATUS));
  });

  it('treats empty elements as absent', () => {
    const empty = STATUS.replace(
      '<edXML:OrganName>UBND</edXML:OrganName>',
      '<edXML:OrganName>  </edXML:OrganName><edXML:Email/>',
    );
    expect(status(empty).from).toEqual({ organId: '000.00.00.H41' });
  });

  it('returns all text in NFC, whatever the sender used', () => {
    const decomposed = 'Ủy ban'.normalize('NFD');
    const parsed = status(STATUS.replace('<edXML:OrganName>UBND', `<edXML:OrganName>${decomposed}`));
    expect(parsed.from.organName).toBe('Ủy ban'.normalize('NFC'));
  });

  it.each([
    ['2020/01/02', '2020-01-02', []],
    ['02/01/2020', '2020-01-02', ['EDXML_DATE_FORMAT']],
    ['2020-01-02', '2020-01-02', ['EDXML_DATE_FORMAT']],
    ['2020/02/30', undefined, ['EDXML_DATE_INVALID']],
  ])('reads the date %s as %s', (raw, date, expectedCodes) => {
    const parsed = status(
      STATUS.replace('<edXML:PromulgationDate>2020/01/02<', `<edXML:PromulgationDate>${raw}<`),
    );
    expect(parsed.responseFor.promulgationDate).toBe(date);
    expect(codes(parsed)).toEqual(expectedCodes);
  });

  it('converts a timestamp with an explicit zone to Vietnam time', () => {
    const parsed = status(STATUS.replace('2020/01/02 08:30:00', '2020-01-02T01:30:00Z'));
    expect(parsed.timestamp).toBe('2020-01-02T08:30:00+07:00');
    expect(codes(parsed)).toEqual(['EDXML_TIMESTAMP_FORMAT']);
  });

  it('decodes entities and character references once, and keeps CDATA literal', () => {
    const parsed = status(
      STATUS.replace('<edXML:OrganName>UBND', '<edXML:OrganName>A &amp;amp; &#7911;<![CDATA[ &lt;b&gt;]]>'),
    );
    expect(parsed.from.organName).toBe('A &amp; ủ &lt;b&gt;');
  });

  it('keeps element names like __proto__ and constructor as plain data', () => {
    const hostile = STATUS.replace(
      '<edXML:StatusCode>',
      '<__proto__ __proto__="1" constructor="2"><polluted>yes</polluted></__proto__><constructor>x</constructor><edXML:StatusCode>',
    );
    const parsed = status(hostile);
    expect(parsed.statusCode).toBe('03');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('refuses XML that is not an edXML package', () => {
    expect(() => parseEdxml('<html><body/></html>')).toThrow(/not an edXML package/);
    expect(() => parseEdxml('<a:edXML xmlns:a="urn:other"/>')).toThrow(/foreign namespace/);
  });

  it('decodes a package labelled windows-1258 and returns NFC text', () => {
    const [before = '', after = ''] = STATUS.split('UBND</edXML:OrganName>');
    // "Ủy ban nhân dân" in windows-1258: U + combining hook above (0xD2), â = 0xE2.
    const bytes = Buffer.concat([
      Buffer.from(`<?xml version="1.0" encoding="windows-1258"?>\n${before}`),
      Buffer.from('U\xD2y ban nh\xE2n d\xE2n', 'latin1'),
      Buffer.from(`</edXML:OrganName>${after}`),
    ]);
    expect(parseEdxml(bytes).from.organName).toBe('Ủy ban nhân dân'.normalize('NFC'));
  });

  it('refuses bytes that are not UTF-8, with where the first bad byte is', () => {
    const bytes = Buffer.concat([
      Buffer.from(STATUS.slice(0, 200)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(STATUS.slice(200)),
    ]);
    expect(() => parseEdxml(bytes)).toThrow(/not valid UTF-8 \(line 2, column/);
  });

  it('refuses an encoding it does not know', () => {
    expect(() => parseEdxml(Buffer.from(`<?xml version="1.0" encoding="x-tcvn3-abc"?>${STATUS}`))).toThrow(
      /not supported/,
    );
  });

  it('reads a package without any namespace, with a warning', () => {
    const plain = STATUS.replaceAll('edXML:', '').replace(/ xmlns(:edXML)?="[^"]*"/g, '');
    const parsed = status(plain);
    expect(parsed.statusCode).toBe('03');
    expect(codes(parsed)).toEqual(['EDXML_NAMESPACE']);
  });
});

describe('parseEdxml attachments', () => {
  const small = fixture(SMALL_DOCUMENT);
  const base64 = /<edXML:ContentTransferEncoded([^>]*)>([^<]*)</.exec(small)?.[2] ?? '';

  it('accepts base64 with line breaks and says so', () => {
    const wrapped = small.replace(base64, (base64.match(/.{1,76}/g) ?? []).join('\r\n'));
    const parsed = edoc(wrapped);
    expect(parsed.attachments[0]?.sha256).toBe(edoc(small).attachments[0]?.sha256);
    expect(codes(parsed)).toContain('EDXML_BASE64_LINE_BREAKS');
  });

  it('matches ContentId with or without cid:', () => {
    const bare = small.replace('<ContentId>cid:209</ContentId>', '<ContentId>209</ContentId>');
    const parsed = edoc(bare);
    expect(parsed.attachments[0]).toMatchObject({ contentId: '209', name: '1896_QD-TTg_m_294779.doc' });
    expect(parsed.warnings).toContainEqual(
      expect.objectContaining({
        code: 'EDXML_CONTENT_ID_WITHOUT_CID',
        path: '/edXML/AttachmentEncoded/Attachment[1]/ContentId',
      }),
    );
  });

  it('reports a manifest reference whose attachment is missing', () => {
    const parsed = edoc(small.replace(/<AttachmentEncoded>[\s\S]*<\/AttachmentEncoded>/, ''));
    expect(parsed.attachments).toEqual([]);
    expect(parsed.warnings).toContainEqual(
      expect.objectContaining({
        code: 'EDXML_ATTACHMENT_MISSING',
        path: '/edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]',
      }),
    );
  });

  it('reports an attachment without content', () => {
    const parsed = edoc(small.replace(base64, ''));
    expect(parsed.attachments[0]?.size).toBe(0);
    expect(codes(parsed)).toContain('EDXML_ATTACHMENT_EMPTY');
  });

  it('describes a non-ZIP attachment without entries', () => {
    const text = Buffer.from('Xin chào').toString('base64');
    const parsed = edoc(small.replace(base64, text));
    expect(parsed.attachments[0]?.size).toBe(Buffer.byteLength('Xin chào'));
    expect(parsed.attachments[0]?.entries).toBeUndefined();
    expect(parsed.attachments[0]?.sha256).toBe(createHash('sha256').update('Xin chào').digest('hex'));
  });
});
