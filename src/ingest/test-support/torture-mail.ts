/**
 * Generated MIME torture cases (the kinds public torture tests collect). Each names the outcome
 * the hub must reach: stored (queue or quarantine, never lost) — none of them may crash it.
 */
export type TortureCase = { name: string; raw: Buffer };

const head = (name: string) => [
  `From: torture@example.net`,
  `To: 000.00.00.H53@lienthong.local`,
  `Subject: torture ${name}`,
  `Message-ID: <${name}@torture>`,
];

function build(name: string, lines: string[]): TortureCase {
  return { name, raw: Buffer.from([...head(name), ...lines].join('\r\n'), 'latin1') };
}

export function tortureCases(): TortureCase[] {
  const nested = (depth: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < depth; i += 1)
      out.push(`Content-Type: multipart/mixed; boundary="d${i}"`, '', `--d${i}`);
    out.push('Content-Type: text/plain', '', 'deep');
    for (let i = depth - 1; i >= 0; i -= 1) out.push(`--d${i}--`);
    return out;
  };
  return [
    build('ten-thousand-headers', [
      ...Array.from({ length: 10_000 }, (_, i) => `X-Filler-${i}: ${'v'.repeat(20)}`),
      '',
      'body',
    ]),
    build('megabyte-header-line', [`X-Long: ${'a'.repeat(1024 * 1024)}`, '', 'body']),
    build('deep-nesting', ['MIME-Version: 1.0', ...nested(300)]),
    build('broken-boundary', [
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="never-closed"',
      '',
      '--never-closed',
      'Content-Type: application/pdf; name="a.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0xLjQK!!!not base64!!!',
      '--wrong-boundary--',
    ]),
    build('missing-subtype', [
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="x"',
      '',
      '--x',
      'Content-Type: application',
      'Content-Disposition: attachment; filename="doc.bin"',
      '',
      'data',
      '--x--',
    ]),
    build('invalid-charset', [
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="x-no-such-charset"',
      'Subject: =?x-bogus?Q?abc?= =?utf-8?B?!!!?=',
      '',
      'caf\xe9',
    ]),
    build('no-headers-body-only', ['', '\x00\x01\x02 binary junk \xff\xfe']),
    build('empty-multipart', [
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="e"',
      '',
      '--e--',
    ]),
    build('nul-bytes-in-headers', ['X-Nul: a\x00b', 'Content-Type: text/plain', '', 'x']),
    build('huge-base64-line', [
      'MIME-Version: 1.0',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: base64',
      '',
      'QUFB'.repeat(200_000),
    ]),
  ];
}
