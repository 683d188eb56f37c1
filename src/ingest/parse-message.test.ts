import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse-message.ts';
import { unpackTnef } from './tnef.ts';
import { readSubjectLine } from './subject-line.ts';
import { tortureCases } from './test-support/torture-mail.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/mail');
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

describe('parseMessage on third-party fixtures', () => {
  it.each([
    ['mimekit/delivery-status.txt', 'delivery-status'],
    ['mimekit/bounce.txt', 'delivery-status'],
    ['mimekit/disposition-notification.txt', 'disposition-notification'],
    ['mimekit/feedback-report.txt', 'feedback-report'],
    ['mailparser/delivery-status.eml', 'delivery-status'],
    ['mailparser/mixed.eml', 'document'],
  ])('%s is a %s', async (file, kind) => {
    expect((await parseMessage(read(file))).kind).toBe(kind);
  });

  it('links a DSN to the message it answers', async () => {
    const message = await parseMessage(read('mimekit/delivery-status.txt'));
    expect(message.answers.length).toBeGreaterThan(0);
  });

  it.each([
    // Amazon SES, RFC 3464 with a per-message block and one failed recipient
    ['mailparser/delivery-status.eml', { outcome: 'failed', status: '5.1.1', problem: null }],
    // 1996 draft DSN: Action without Status still says it failed
    ['mimekit/delivery-status.txt', { outcome: 'failed', status: null, problem: null }],
    ['mimekit/delivery-status-no-blank-line.txt', { outcome: 'failed', status: null, problem: null }],
    [
      'mimekit/disposition-notification.txt',
      {
        outcome: 'displayed',
        originalMessageId: '<199509192301.23456@example.org>',
        problem: null,
      },
    ],
    // Postfix part whose per-recipient fields are base64 inside the part: read as unreadable, not guessed
    [
      'mimekit/bounce.txt',
      { outcome: null, problem: 'delivery-status part unreadable: no recipient with Action and Status' },
    ],
  ])('reads the machine-readable report of %s', async (file, expected) => {
    expect((await parseMessage(read(file))).report).toMatchObject(expected);
  });

  it('reads the worst recipient of a DSN and a folded Diagnostic-Code; documents have no report', async () => {
    const part = [
      'Reporting-MTA: dns; mx.example.vn',
      '',
      'Final-Recipient: rfc822; a@example.vn',
      'Action: delivered',
      'Status: 2.0.0',
      '',
      'Final-Recipient: rfc822; b@example.vn',
      'Action: failed',
      'Status: 5.2.2',
      'Diagnostic-Code: smtp; 552 mailbox',
      '  full',
      '',
    ].join('\r\n');
    const raw = Buffer.from(
      [
        'From: MAILER-DAEMON@mx.example.vn',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="x"',
        '',
        '--x',
        'Content-Type: text/plain',
        '',
        'failed',
        '--x',
        'Content-Type: message/delivery-status',
        '',
        part,
        '--x--',
        '',
      ].join('\r\n'),
    );
    const report = (await parseMessage(raw)).report;
    expect(report).toMatchObject({
      outcome: 'failed',
      status: '5.2.2',
      diagnostic: 'smtp; 552 mailbox full',
    });
    expect(report?.recipients.map((r) => [r.finalRecipient, r.action])).toEqual([
      ['a@example.vn', 'delivered'],
      ['b@example.vn', 'failed'],
    ]);
    expect((await parseMessage(read('mailparser/mixed.eml'))).report).toBeNull();
  });

  it('normalises a missing subtype to application/octet-stream', async () => {
    const message = await parseMessage(read('mimekit/missing-subtype.txt'));
    expect(message.attachments.map((a) => a.contentType)).toContain('application/octet-stream');
  });

  it('extracts the one attachment of base64encodedroot.eml with its upstream hash', async () => {
    const message = await parseMessage(read('mailparser/base64encodedroot.eml'));
    expect(message.attachments).toHaveLength(1);
    const { createHash } = await import('node:crypto');
    expect(
      createHash('sha256')
        .update(message.attachments[0]?.content ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe('3d0c2d17edd1fed968f66ca200e7c165efd63834b488eec53deb24cca49c3d7b');
  });

  it('caps HTML (outofmemory.eml) and survives a deep HTML call stack', async () => {
    const started = Date.now();
    await parseMessage(read('mailparser/outofmemory.eml'));
    await parseMessage(read('mailparser/htmllargecallstack.eml'));
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('parses the stack-overflow To: header quickly', async () => {
    const started = Date.now();
    await parseMessage(read('mimekit/stack-overflow.txt'));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('sees an S/MIME multipart/signed message as such', async () => {
    const message = await parseMessage(read('mimekit/thunderbird-signed.txt'));
    expect(message.contentType).toMatch(/^multipart\/signed/i);
  });

  it('finds the attachments inside a forwarded message/rfc822 part', async () => {
    const inner = [
      'From: a@b.example',
      'Subject: inner',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="in"',
      '',
      '--in',
      'Content-Type: text/plain',
      '',
      'inner',
      '--in',
      'Content-Type: application/pdf; name="cv.pdf"',
      'Content-Disposition: attachment; filename="cv.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0xLjQK',
      '--in--',
      '',
    ].join('\r\n');
    const outer = [
      'From: z@y.example',
      'Subject: Fw: cv',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="out"',
      '',
      '--out',
      'Content-Type: text/plain',
      '',
      'fwd',
      '--out',
      'Content-Type: message/rfc822',
      '',
      inner,
      '--out--',
      '',
    ].join('\r\n');
    const message = await parseMessage(Buffer.from(outer));
    expect(message.attachments.map((a) => [a.name, a.path])).toEqual([['cv.pdf', '1/forwarded/1']]);
  });

  it('decodes RFC 2047 windows-1258 subjects to NFC', async () => {
    // "Về việc" in windows-1258: ê + combining grave (0xCC), ê + combining dot below (0xF2)
    const raw = Buffer.from(
      'From: a@b.example\r\nSubject: =?windows-1258?Q?V=EA=CC_vi=EA=F2c?=\r\n\r\nx\r\n',
      'latin1',
    );
    const message = await parseMessage(raw);
    expect(message.subject).toBe('Về việc'.normalize('NFC'));
  });

  it('repairs a TCVN3 body sent as latin-1', async () => {
    // "Kính gửi các cơ quan" in TCVN3 bytes, declared iso-8859-1
    const tcvn3 = Buffer.from('4bdd6e682067f6692063b8632063ac207175616e', 'hex');
    const raw = Buffer.concat([
      Buffer.from(
        'From: a@b.example\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      ),
      tcvn3,
      Buffer.from('\r\n'),
    ]);
    const message = await parseMessage(raw);
    expect(message.text).toContain('Kính gửi các cơ quan');
    expect(message.textEncoding?.encoding).toBe('tcvn3');
  });
});

describe('TNEF', () => {
  const dir = path.join(FIXTURES, 'mimekit/tnef');
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.tnef'));
  // winmail.tnef holds its two files as embedded OLE objects, which we do not unpack: the
  // winmail.dat itself is kept as the attachment then (see parse-message.ts).
  const OLE_ONLY = new Set(['winmail.tnef']);
  it.each(names)('%s gives the files of its .list (bodies aside)', (file) => {
    const expected = fs
      .readFileSync(path.join(dir, file.replace(/\.tnef$/, '.list')), 'utf8')
      .split('\n')
      .filter((n) => n && !/^body\.(rtf|html)$/.test(n));
    const result = unpackTnef(fs.readFileSync(path.join(dir, file)));
    const names = result.files.map((f) => f.name);
    if (OLE_ONLY.has(file)) expect(names).toEqual([]);
    // MimeKit's lists omit files with long or missing names; we extract them too (superset).
    else expect(names).toEqual(expect.arrayContaining(expected));
  });
});

describe('subject line', () => {
  it.each([
    ['Số 123/UBND-VP: V/v triển khai', '123', 'UBND-VP', 'V/v triển khai'],
    [
      'Fw: Công văn 05/2026/QĐ-UBND về việc ban hành quy chế',
      '05',
      '2026/QĐ-UBND',
      'Về việc ban hành quy chế',
    ],
    ['Công văn số 12/UBND-VP về tình hình triển khai', '12', 'UBND-VP', 'Về tình hình triển khai'],
    ['Số 7/SYT-NVY: v/v tiêm chủng', '7', 'SYT-NVY', 'v/v tiêm chủng'],
    ['Thông báo lịch họp', null, null, 'Thông báo lịch họp'],
  ])('%s', (subject, number, notation, summary) => {
    const facts = readSubjectLine(subject);
    expect(facts.notation?.number ?? null).toBe(number);
    expect(facts.notation?.codeNotation ?? null).toBe(notation);
    expect(facts.summary).toBe(summary);
  });
});

describe('torture cases', () => {
  it.each(tortureCases().map((c) => [c.name, c] as const))(
    '%s parses or fails without hanging',
    async (_name, torture) => {
      const started = Date.now();
      await parseMessage(torture.raw).catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(15_000);
    },
  );
});
