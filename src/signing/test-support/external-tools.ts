/**
 * Runs the independent Debian tools used as cross-checks (xmlsec1, openssl, pdfsig). A missing tool
 * fails the test with what to install; it never turns into a skip.
 */
import { spawnSync } from 'node:child_process';
import { HubError } from '../../shared/index.ts';

export type ToolResult = { readonly ok: boolean; readonly output: string };

const INSTALL_HINT: Record<string, string> = {
  xmlsec1: 'xmlsec1 is missing: install it with `apt-get install -y xmlsec1`',
  openssl: 'openssl is missing: install it with `apt-get install -y openssl`',
  pdfsig: 'pdfsig is missing: install it with `apt-get install -y poppler-utils`',
};

export type Tool = 'xmlsec1' | 'openssl' | 'pdfsig';

export function requireTool(tool: Tool): void {
  const probe = spawnSync(tool, [tool === 'pdfsig' ? '-v' : 'version'], { encoding: 'utf8' });
  if (probe.error)
    throw new HubError('SIGNING_TEST_TOOL_MISSING', INSTALL_HINT[tool] ?? `${tool} is missing`);
}

export function runTool(tool: Tool, args: readonly string[], input?: Uint8Array): ToolResult {
  requireTool(tool);
  const result = spawnSync(tool, args, { input, maxBuffer: 64 * 1024 * 1024 });
  return {
    ok: result.status === 0,
    output: `${result.stdout.toString('utf8')}${result.stderr.toString('utf8')}`,
  };
}

/** openssl output as bytes (CMS signing in the test builders). */
export function opensslBytes(args: readonly string[], input?: Uint8Array): Buffer {
  requireTool('openssl');
  const result = spawnSync('openssl', args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0)
    throw new HubError(
      'SIGNING_TEST_TOOL_FAILED',
      `openssl ${args.join(' ')} failed: ${result.stderr.toString('utf8')}`,
    );
  return result.stdout;
}
