import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../parse-message.ts';
import { compareReadings } from './compare-readings.ts';
import { assembleParameters, parseStructured } from './header-fields.ts';
import { readMimeStructure } from './read-mime-structure.ts';
import { uuencode, yenc } from '../../../test/fixtures/mail/hidden-attachments/generate-variants.ts';
import { decodeBase64, decodeQuotedPrintable, findEmbeddedFiles } from './transfer-decoding.ts';

const CRLF = '\r\n';
const mail = (lines: string[]) =>
  Buffer.from(['From: a@b.example', 'MIME-Version: 1.0', ...lines].join(CRLF), 'latin1');
const payload = Buffer.from('MZ hidden payload \x00\x01\x02\xff', 'latin1');
const filePart = (name: string, extra: string[] = []) => [
  `Content-Type: application/octet-stream; name="${name}"`,
  'Content-Transfer-Encoding: base64',
  ...extra,
  '',
  payload.toString('base64'),
];
const codes = (raw: Buffer, severity?: string) =>
  readMimeStructure(raw)
    .findings.filter((f) => !severity || f.severity === severity)
    .map((f) => f.code);

describe('the strict reading of the structure', () => {
  it('reads parts, names and bytes of a plain multipart as mailparser does', async () => {
    const raw = mail([
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'hello',
      '--b',
      ...filePart('a.exe'),
      '--b--',
      '',
    ]);
    const strict = readMimeStructure(raw);
    expect(strict.attachments).toEqual([
      expect.objectContaining({
        path: '2',
        name: 'a.exe',
        candidates: ['a.exe'],
        content: payload,
        carrier: 'mime',
      }),
    ]);
    expect(strict.findings).toEqual([]);
    expect(compareReadings(strict, (await parseMessage(raw)).attachments).verdict).toBe('agree');
  });

  it('takes the delimiter line break as the delimiter’s, and a missing close is only a note', () => {
    const raw = mail(['Content-Type: multipart/mixed; boundary=b', '', '--b', ...filePart('a.bin'), '']);
    const strict = readMimeStructure(raw);
    expect(strict.attachments[0]?.content).toEqual(payload);
    expect(codes(raw)).toEqual(['missing-final-boundary']);
    expect(codes(raw, 'conflict')).toEqual([]);
  });

  it('sees a file after the closing delimiter, which a reader passing over the close shows', () => {
    const raw = mail([
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'x',
      '--b--',
      '--b',
      ...filePart('late.exe'),
      '--b--',
    ]);
    const strict = readMimeStructure(raw);
    expect(strict.attachments).toEqual([]);
    const conflict = strict.findings.find((f) => f.code === 'ignore-close');
    expect(conflict?.severity).toBe('conflict');
    expect(conflict?.en).toContain('"late.exe"');
    expect(conflict?.vi).toContain('"late.exe"');
  });

  it('judges a prefix line by what prefix-matching readers would find: nothing new is a note', () => {
    const harmless = mail([
      'Content-Type: multipart/mixed; boundary=d1',
      '',
      '--d1',
      'Content-Type: text/plain',
      '',
      '--d10 just text',
      '--d1--',
    ]);
    expect(codes(harmless, 'conflict')).toEqual([]);
    expect(codes(harmless)).toContain('prefix-delimiter');
    const hiding = mail([
      'Content-Type: multipart/mixed; boundary=B',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'x',
      '--B-x',
      ...filePart('p.exe'),
      '--B--',
    ]);
    expect(codes(hiding, 'conflict')).toEqual(['prefix-delimiter']);
  });

  it('reports two boundary parameters that split the body differently', () => {
    const raw = mail([
      'Content-Type: multipart/mixed; boundary="DECOY"; boundary="REAL"',
      '',
      '--DECOY',
      'Content-Type: text/plain',
      '',
      '--REAL',
      ...filePart('x.exe'),
      '--REAL--',
      '--DECOY--',
    ]);
    expect(codes(raw, 'conflict')).toEqual(['boundary-readings']);
  });

  it('reports a boundary given only in RFC 2231 form, and an RFC 2231 name is read', () => {
    const raw = mail([
      "Content-Type: multipart/mixed; boundary*=us-ascii''b",
      '',
      '--b',
      'Content-Type: application/octet-stream',
      "Content-Disposition: attachment; filename*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf",
      'Content-Transfer-Encoding: base64',
      '',
      payload.toString('base64'),
      '--b--',
    ]);
    const strict = readMimeStructure(raw);
    expect(strict.attachments[0]?.name).toBe('Quyết định.pdf');
    expect(codes(raw, 'conflict')).toEqual(['boundary-extended']);
  });

  it('differing duplicate MIME fields are a conflict, equal ones a note', () => {
    expect(
      codes(
        mail(['Content-Type: text/plain', 'Content-Type: application/octet-stream', '', 'x']),
        'conflict',
      ),
    ).toEqual(['duplicate-header']);
    expect(codes(mail(['Content-Type: text/plain', 'Content-Type: text/plain', '', 'x']))).toEqual([
      'repeated-header',
    ]);
  });

  it('lists every name an attachment could be shown with', () => {
    const raw = mail([
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      ...filePart('a.pdf', ['Content-Disposition: attachment; filename*1="exe"; filename*0="a."']),
      '--b--',
    ]);
    const [file] = readMimeStructure(raw).attachments;
    expect(file?.name).toBe('a.exe');
    expect(file?.candidates).toEqual(['a.exe', 'exea.', 'a.pdf']);
  });

  it('decodes uuencode and yEnc blocks in a text body as files', () => {
    const uu = uuencode(payload, 'run.exe');
    const [file] = readMimeStructure(mail(['Content-Type: text/plain', '', 'see below', uu])).attachments;
    expect(file).toMatchObject({ name: 'run.exe', carrier: 'uuencode', path: '1/uuencode/1' });
    expect(file?.content).toEqual(payload);
    const y = findEmbeddedFiles(yenc(payload, 'a.bin'));
    expect(y).toEqual([{ carrier: 'yenc', name: 'a.bin', content: payload, unterminated: false }]);
  });

  it('reads message/rfc822 parts and a TNEF winmail.dat into their files', () => {
    const inner = [
      'From: c@d.example',
      'Content-Type: multipart/mixed; boundary=i',
      '',
      '--i',
      ...filePart('inner.exe'),
      '--i--',
    ].join(CRLF);
    const raw = mail([
      'Content-Type: multipart/mixed; boundary=o',
      '',
      '--o',
      'Content-Type: message/rfc822',
      '',
      inner,
      '--o--',
    ]);
    expect(readMimeStructure(raw).attachments.map((a) => [a.path, a.name])).toEqual([
      ['1/forwarded/1', 'inner.exe'],
    ]);
  });
});

describe('transfer encodings, strict and lenient', () => {
  it('base64: junk, data after a pad and missing padding', () => {
    expect(decodeBase64('QUJD\r\nREVG')).toMatchObject({ junk: 0, dataAfterPad: false });
    const junk = decodeBase64('QU*JD');
    expect(junk.junk).toBe(1);
    expect(junk.bytes.toString()).toBe('ABC');
    const pad = decodeBase64('QQ==QUJD');
    expect(pad).toMatchObject({ dataAfterPad: true });
    expect(pad.bytes.toString()).toBe('A');
    expect(decodeBase64('QUI').unpadded).toBe(true);
  });

  it('quoted-printable: soft breaks, padding after them, bad escapes, lowercase hex', () => {
    expect(decodeQuotedPrintable('a=3Db=\r\nc \r\nd').bytes.toString()).toBe('a=bc\r\nd');
    expect(decodeQuotedPrintable('a= \r\nb').bytes.toString()).toBe('ab');
    const bad = decodeQuotedPrintable('a=ZZb=3d');
    expect(bad).toMatchObject({ badEscapes: 1, lowercaseHex: 1 });
    expect(bad.bytes.toString()).toBe('a=ZZb=');
    expect(bad.lenient.toString()).toBe('aZZb=');
  });
});

describe('header parameters', () => {
  it('strips comments, keeps lenient readings, joins RFC 2231 sections by number', () => {
    const parsed = parseStructured('application/pdf (c); name=a(.exe).pdf; x="q\\"t"');
    expect(parsed.value).toBe('application/pdf');
    expect(parsed.hasComment).toBe(true);
    const params = assembleParameters(parsed.parameters);
    expect(params.get('name')?.readings).toEqual(['a', 'a(.exe).pdf', 'a.pdf']);
    expect(params.get('x')?.value).toBe('q"t');
    const sections = assembleParameters(parseStructured("x; f*2=c; f*0*=utf-8''%C3%A1; f*1=b").parameters);
    expect(sections.get('f')).toMatchObject({ value: 'ábc', form: 'extended' });
  });
});

describe('bounded on any input', () => {
  it('never throws and stays fast on random bytes and on mutated messages', () => {
    const seedMessage = mail([
      'Content-Type: multipart/mixed; boundary="b"; name*0*=utf-8\'\'%E1; name*1=x',
      '',
      '--b',
      'Content-Type: text/plain',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'begin 644 x.exe',
      '=ybegin name=y',
      '--b',
      ...filePart('a.exe'),
      '--b--',
    ]);
    const started = performance.now();
    for (let i = 0; i < 1500; i += 1) {
      const input =
        i % 2 === 0
          ? randomBytes(1 + (i % 4000))
          : Buffer.from(
              seedMessage.map((byte) => (Math.random() < 0.03 ? Math.floor(Math.random() * 256) : byte)),
            );
      const reading = readMimeStructure(input);
      expect(Array.isArray(reading.findings)).toBe(true);
    }
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('reads 20,000 parts, 1 MB header lines and deep nesting in linear time', () => {
    const many = mail([
      'Content-Type: multipart/mixed; boundary=b',
      '',
      ...Array.from({ length: 20_000 }, (_, i) => `--b${CRLF}Content-Type: text/plain${CRLF}${CRLF}${i}`),
      '--b--',
    ]);
    const deep: string[] = [];
    for (let i = 0; i < 500; i += 1)
      deep.push(`Content-Type: multipart/mixed; boundary="d${i}"`, '', `--d${i}`);
    const cases = [
      many,
      mail([
        `X-Long: ${'a('.repeat(500_000)}`,
        `Content-Type: text/plain; name="${'"\\'.repeat(100_000)}`,
        '',
        'x',
      ]),
      mail(deep),
      mail(['Content-Type: multipart/mixed; boundary=b', '', '--b-'.repeat(200_000)]),
      mail(['Content-Transfer-Encoding: base64', '', '='.repeat(2_000_000)]),
    ];
    for (const raw of cases) {
      const started = performance.now();
      readMimeStructure(raw);
      expect(performance.now() - started, `${raw.length} bytes`).toBeLessThan(3_000);
    }
  });
});
