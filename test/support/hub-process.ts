import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** Runs the real `lienthong` executable, as an operator would. */
export const LIENTHONG_BIN = path.resolve(import.meta.dirname, '../../bin/lienthong.js');

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** The environment for a hub under test: nothing inherited from the developer's shell but PATH/HOME. */
export function hubEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    LIENTHONG_LOG_LEVEL: 'warn',
    ...extra,
  };
}

export function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LIENTHONG_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => {
        resolve(address.port);
      });
    });
  });
}

export type HubProcess = {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Sends SIGTERM; resolves with the exit code and how long the drain took. */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
};

/**
 * Starts `bin/lienthong.js` and waits for /healthz. The default wait is generous because CI runs
 * test files side by side on two cores: an embedded hub (PGlite loads and migrates in-process)
 * started in 8–18 s alone and was seen past 30 s under that load, failing tests that had nothing
 * wrong. A hub that never becomes healthy still fails, with its output.
 */
export async function startHubProcess(env: Record<string, string>, timeoutMs = 75_000): Promise<HubProcess> {
  const port = env.LIENTHONG_HTTP_PORT ?? String(await freePort());
  const child = spawn(process.execPath, [LIENTHONG_BIN, 'start'], {
    // Hubs under test run side by side: each gets its own SMTP port unless the test chose one.
    env: {
      ...env,
      LIENTHONG_HTTP_PORT: port,
      LIENTHONG_SMTP_PORT: env.LIENTHONG_SMTP_PORT ?? String(await freePort()),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`hub exited with ${child.exitCode} before it was healthy:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hub not healthy within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    url,
    output: () => output,
    terminate: async () => {
      const started = Date.now();
      child.kill('SIGTERM');
      const result = await exited;
      return { ...result, ms: Date.now() - started };
    },
  };
}
