import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { hubEnv, runCli } from '../../../test/support/hub-process.ts';
import type { CliContext } from '../cli-command.ts';
import { commands } from './edxml.ts';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/edxml/', import.meta.url));
const SMALL = join(FIXTURES, 'truclienthong-example/dc0bdef0-c7a3-4aaf-b717-777303442973.edxml');
const REAL_TRAFFIC = join(FIXTURES, 'real-traffic');
const scratch = mkdtempSync(join(tmpdir(), 'lienthong-edxml-cli-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function run(
  words: string,
  argv: string[],
  stdin = '',
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = commands.find((c) => c.words.join(' ') === words);
  if (command === undefined) throw new Error(`no command ${words}`);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const context: CliContext = { argv, stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr, env };
  const code = await command.run(context);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

describe('lienthong edxml', () => {
  it('parse prints the normalized JSON and exits 0', async () => {
    const result = await run('edxml parse', [SMALL]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { kind: string; attachments: { content?: string }[] };
    expect(parsed.kind).toBe('edoc');
    expect(parsed.attachments[0]?.content).toBeUndefined();
  });

  it('parse --with-content adds the attachment bytes', async () => {
    const result = await run('edxml parse', ['--with-content', SMALL]);
    const parsed = JSON.parse(result.stdout) as { attachments: { content?: string }[] };
    expect(parsed.attachments[0]?.content).toMatch(/^UEsDB/);
  });

  it('parse prints an error JSON on stdout and exits 1 for edoc.edxml', async () => {
    const result = await run('edxml parse', [join(FIXTURES, 'truclienthong-example/edoc.edxml')]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: 'EDXML_NOT_WELL_FORMED',
        message: expect.stringContaining('line 74, column 7') as string,
        details: { line: 74, column: 7 },
      },
    });
  });

  it('parse refuses a file over LIENTHONG_MAX_MESSAGE_BYTES without parsing it', async () => {
    const result = await run('edxml parse', [SMALL], '', { LIENTHONG_MAX_MESSAGE_BYTES: '2048' });
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as { error: { code: string } }).error.code).toBe('EDXML_TOO_LARGE');
  });

  it('parse reports a missing file as error JSON, exit 1', async () => {
    const result = await run('edxml parse', [join(scratch, 'absent.edxml')]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: { code: 'CLI_INPUT_UNREADABLE', message: expect.stringContaining('ENOENT') as string },
    });
  });

  it('validate reads stdin, exits 0 with warnings only', async () => {
    const result = await run('edxml validate', ['-'], readFileSync(SMALL, 'utf8'));
    expect(result.code).toBe(0);
    const validation = JSON.parse(result.stdout) as { valid: boolean; problems: { severity: string }[] };
    expect(validation.valid).toBe(true);
    expect(validation.problems.every((p) => p.severity === 'warning')).toBe(true);
  });

  it('validate exits 1 when there are errors', async () => {
    const result = await run(
      'edxml validate',
      ['-'],
      '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>',
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: false,
      problems: [
        { code: 'EDXML_NOT_EDXML', severity: 'error', rule: 'QCVN 102:2016 edXML/edXMLEnvelope/edXMLHeader' },
      ],
    });
  });

  it('build turns parse --with-content output back into a package that parses the same', async () => {
    const parsed = await run('edxml parse', ['--with-content', SMALL]);
    const jsonFile = join(scratch, 'package.json');
    writeFileSync(jsonFile, parsed.stdout);
    const built = await run('edxml build', [jsonFile]);
    expect(built.code).toBe(0);
    expect(built.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<edXML')).toBe(true);
    const reparsed = await run('edxml parse', ['--with-content', '-'], built.stdout);
    const strip = (text: string): unknown => ({
      ...(JSON.parse(text) as Record<string, unknown>),
      warnings: [],
    });
    expect(strip(reparsed.stdout)).toEqual(strip(parsed.stdout));
  });

  it('build refuses input that is not JSON', async () => {
    await expect(run('edxml build', ['-'], '<xml/>')).rejects.toThrow(/not JSON/);
  });

  it('validate, run as an operator runs it, shows each problem in words with its path, message and rule (exit 0 on warnings)', async () => {
    const result = await runCli(
      ['edxml', 'validate', join(REAL_TRAFFIC, 'dual-coded-ministry.edxml')],
      hubEnv({ LIENTHONG_DATA_DIR: scratch }),
    );
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as {
      valid: boolean;
      problems: { severity: string; rule: string }[];
    };
    expect(json.valid).toBe(true);
    expect(json.problems.map((p) => `${p.severity} ${p.rule}`)).toEqual([
      'warning W3C XMLDSig (xmldsig-core)',
      'warning W3C XMLDSig (xmldsig-core)',
      'note QĐ 09/2025/QĐ-TTg',
    ]);
    expect(result.stderr).toContain(
      'ghi chú (note)  /edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId\n' +
        '  To[2] 000.00.00.G12 và To[1] G12 là một cơ quan',
    );
    expect(result.stderr).toContain(
      'one agency receives the package once\n  quy tắc / rule: QĐ 09/2025/QĐ-TTg\n',
    );
    expect(result.stderr).toContain('cảnh báo (warning)  /edXML/edXMLEnvelope/edXMLHeader/Signature\n');
    expect(result.stderr).toMatch(/0 lỗi, 2 cảnh báo, 1 ghi chú: hợp lệ \/ valid\n$/);
  }, 60_000);

  it('validate prints an error in words with its rule and exits 1', async () => {
    const xml = readFileSync(join(REAL_TRAFFIC, 'enterprise-sender.edxml'), 'utf8').replace(
      '<edXML:OrganId>020100107370</edXML:OrganId>\n          <edXML:OrganizationInCharge>',
      '<edXML:OrganId>Tổng công ty</edXML:OrganId>\n          <edXML:OrganizationInCharge>',
    );
    const result = await run('edxml validate', ['-'], xml);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'lỗi (error)  /edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId\n',
    );
    expect(result.stderr).toContain('quy tắc / rule: QĐ 20/2020/QĐ-TTg Điều 4–6\n');
    expect(result.stderr).toMatch(/1 lỗi, \d+ cảnh báo, 0 ghi chú: không hợp lệ \/ not valid\n$/);
  });
});
