import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeTo } from '../../text/index.ts';
import { commands } from './text.ts';

async function run(
  argv: string[],
  input: Uint8Array,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = commands.find((c) => c.words.join(' ') === 'text normalize');
  if (!command) throw new TypeError('text normalize is missing');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await command.run({
    argv,
    stdin: Readable.from([Buffer.from(input)]),
    stdout,
    stderr,
    env: {},
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

describe('lienthong text normalize', () => {
  it('detects TCVN3 on stdin, prints NFC and says what it detected on stderr', async () => {
    const sentence = 'Sở Tài chính kính gửi Văn phòng Tỉnh ủy báo cáo tình hình thực hiện dự toán ngân sách.';
    const result = await run([], encodeTo(sentence, 'tcvn3'));
    expect(result).toMatchObject({ code: 0, stdout: sentence });
    expect(result.stderr).toMatch(/^encoding: tcvn3; confidence: (?:0\.9\d|1\.00); runner-up: /mu);
  });

  it('converts a named encoding without a detection line', async () => {
    const result = await run(['--from', 'viqr'], new TextEncoder().encode('Vie^.t Nam'));
    expect(result).toEqual({ code: 0, stdout: 'Việt Nam', stderr: '' });
  });

  it('repairs mojibake and leaves ASCII exactly as it came', async () => {
    expect((await run(['--from', 'auto'], new TextEncoder().encode('CÃ´ng vÄƒn'))).stdout).toBe('Công văn');
    const ascii = 'line one\r\nline two\n';
    const result = await run([], new TextEncoder().encode(ascii));
    expect(result.stdout).toBe(ascii);
    expect(result.stderr).toBe('encoding: ascii; confidence: 1.00\n');
  });

  it('refuses an unknown encoding name with TEXT_UNKNOWN_ENCODING', async () => {
    await expect(run(['--from', 'koi8-r'], new Uint8Array())).rejects.toMatchObject({
      code: 'TEXT_UNKNOWN_ENCODING',
    });
  });
});
