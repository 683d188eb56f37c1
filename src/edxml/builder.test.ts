import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHubError } from '../shared/index.ts';
import { buildEdxml } from './builder.ts';
import type { EdocPackage, EdxmlPackage } from './package-model.ts';
import { parseEdxml } from './reader.ts';
import { validateEdxml } from './validator.ts';

const FIXTURES = new URL('../../test/fixtures/edxml/', import.meta.url);
const SAMPLES = ['truclienthong-example', 'edoc-integrator'].flatMap((folder) =>
  readdirSync(new URL(folder, FIXTURES))
    .filter((name) => name.endsWith('.edxml') && name !== 'edoc.edxml')
    .map((name) => `${folder}/${name}`),
);
const read = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const withoutWarnings = (pkg: EdxmlPackage): EdxmlPackage => ({ ...pkg, warnings: [] });
const SMALL = 'truclienthong-example/dc0bdef0-c7a3-4aaf-b717-777303442973.edxml';

function smallDocument(): EdocPackage {
  const parsed = parseEdxml(read(SMALL), { withContent: true });
  if (parsed.kind !== 'edoc') throw new Error('expected a document');
  return parsed;
}

function buildError(input: unknown): { code: string; message: string } {
  try {
    buildEdxml(input);
  } catch (error) {
    if (isHubError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the build to be refused');
}

describe('buildEdxml round trip', () => {
  it('covers all 18 readable samples', () => {
    expect(SAMPLES).toHaveLength(18);
  });

  it.each(SAMPLES)('%s survives parse → build → parse unchanged except warnings', (name) => {
    const first = parseEdxml(read(name), { withContent: true });
    const second = parseEdxml(buildEdxml(first), { withContent: true });
    expect(withoutWarnings(second)).toEqual(withoutWarnings(first));
  });

  it('gives the same result without content in the second parse', () => {
    const first = parseEdxml(read(SMALL), { withContent: true });
    const plain = parseEdxml(read(SMALL));
    expect(withoutWarnings(parseEdxml(buildEdxml(first)))).toEqual(withoutWarnings(plain));
  });
});

describe('buildEdxml byte shape (reference SDK, NOTES.md §1.2)', () => {
  const built = buildEdxml(smallDocument());
  const text = built.toString('utf8');

  it('is UTF-8 without BOM, with the XML declaration and the default namespace on the root', () => {
    expect(built.subarray(0, 3)).not.toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(
      text.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">\n',
      ),
    ).toBe(true);
    expect(text).toContain(
      '  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">\n    <edXML:edXMLHeader>\n      <edXML:MessageHeader>\n',
    );
    expect(text.endsWith('</edXML>\n')).toBe(true);
    expect(text).not.toContain('\r');
  });

  it('writes dates as yyyy/MM/dd and timestamps as yyyy/MM/dd HH:mm:ss', () => {
    expect(text).toContain('<edXML:PromulgationDate>2019/04/11</edXML:PromulgationDate>');
    expect(text).toContain('<edXML:Timestamp>2019/04/11 00:00:00</edXML:Timestamp>');
  });

  it('normalizes a dd/MM/yyyy date from the wire to yyyy/MM/dd', () => {
    const tayNinh = parseEdxml(read('edoc-integrator/edoc_new.edxml'), { withContent: true });
    expect(buildEdxml(tayNinh).toString('utf8')).toContain(
      '<edXML:PromulgationDate>2020/10/30</edXML:PromulgationDate>',
    );
  });

  it('prefixes the envelope, leaves Attachment children unprefixed and puts base64 on one line', () => {
    expect(text).toMatch(
      /<edXML:edXMLManifest version="1.0">\n {8}<edXML:Reference>\n {10}<edXML:ContentId>cid:209<\/edXML:ContentId>/,
    );
    expect(text).toMatch(
      /<AttachmentEncoded>\n {4}<Attachment>\n {6}<ContentId>cid:209<\/ContentId>\n {6}<AttachmentName>1896_QD-TTg_m_294779.doc<\/AttachmentName>/,
    );
    expect(text).toMatch(
      /<edXML:ContentTransferEncoded xmlns:edXML="http:\/\/www.mic.gov.vn\/TBT\/QCVN_102_2016">[A-Za-z0-9+/=]+<\/edXML:ContentTransferEncoded>/,
    );
  });

  it('puts Bussiness before TraceHeader, as the SDK does', () => {
    expect(text.indexOf('<edXML:Bussiness>')).toBeLessThan(text.indexOf('<edXML:TraceHeader>'));
  });

  it('escapes markup characters in text', () => {
    const pkg = smallDocument();
    const built2 = buildEdxml({ ...pkg, subject: 'A < B & C > D' }).toString('utf8');
    expect(built2).toContain('<edXML:Subject>A &lt; B &amp; C &gt; D</edXML:Subject>');
    const reparsed = parseEdxml(built2);
    expect(reparsed.kind === 'edoc' && reparsed.subject).toBe('A < B & C > D');
  });
});

describe('buildEdxml from hand-written JSON', () => {
  it('builds a status package from only the fields a partner sets, and it validates', () => {
    const built = buildEdxml({
      kind: 'status',
      from: { organId: '000.00.00.H53', organName: 'UBND tỉnh Tây Ninh' },
      responseFor: {
        organId: '000.00.00.G22',
        code: '7816/VPCP-TTĐT',
        promulgationDate: '2015-09-30',
        documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT',
      },
      statusCode: '03',
      timestamp: '2026-11-25T09:15:00+07:00',
    });
    const text = built.toString('utf8');
    expect(text).toContain('<edXML:Timestamp>2026/11/25 09:15:00</edXML:Timestamp>');
    expect(text).not.toContain('edXMLBody');
    expect(validateEdxml(built)).toEqual({ valid: true, problems: [] });
  });

  it('builds a document package whose missing arrays default to empty', () => {
    const parsed = parseEdxml(
      buildEdxml({
        kind: 'edoc',
        from: { organId: '000.00.00.H53' },
        subject: 'Kế hoạch',
        promulgation: { date: '2026-01-05' },
      }),
    );
    expect(parsed).toMatchObject({
      kind: 'edoc',
      to: [],
      attachments: [],
      toPlaces: [],
      subject: 'Kế hoạch',
      promulgation: { date: '2026-01-05' },
    });
  });
});

describe('buildEdxml refusals', () => {
  it('needs the attachment content', () => {
    const pkg = smallDocument();
    const attachments = pkg.attachments.map((attachment) => ({ ...attachment, content: undefined }));
    expect(buildError({ ...pkg, attachments })).toMatchObject({
      code: 'EDXML_BUILD_MISSING_CONTENT',
      message: expect.stringContaining('--with-content') as string,
    });
  });

  it('refuses content that does not match the declared sha256', () => {
    const pkg = smallDocument();
    const attachments = pkg.attachments.map((attachment) => ({
      ...attachment,
      content: Buffer.from('other').toString('base64'),
    }));
    expect(buildError({ ...pkg, attachments }).code).toBe('EDXML_BUILD_ATTACHMENT_MISMATCH');
  });

  it('lists every schema problem at once', () => {
    const { code, message } = buildError({
      ...smallDocument(),
      priority: 'high',
      promulgation: { date: '11/04/2019' },
    });
    expect(code).toBe('EDXML_BUILD_INVALID_INPUT');
    expect(message).toContain('priority');
    expect(message).toContain('promulgation.date');
  });

  it('refuses characters XML cannot carry', () => {
    expect(buildError({ ...smallDocument(), subject: 'bell \u0007' }).code).toBe(
      'EDXML_BUILD_INVALID_CHARACTER',
    );
  });

  it('refuses unknown keys rather than dropping them silently', () => {
    expect(buildError({ ...smallDocument(), subjet: 'typo' }).message).toContain('subjet');
  });
});
