import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * One run of a Debian tool (pdfinfo, pdftotext, pdftoppm, tesseract) with hard limits: no shell
 * (arguments are an array, a file name is never parsed), a deadline, a cap on what it may print,
 * a cap on its memory and on the files it writes (util-linux's prlimit, where installed), and a
 * signal that ends it when the hub stops. Whatever ends it early, the whole process group is
 * killed (SIGKILL), so no helper of the tool outlives the reading.
 */
export type ToolRun = {
  /** exit code, or null when a signal ended it */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** the first 4 KiB of what it said on stderr */
  stderr: string;
  /** killed by us: the deadline passed, the output cap was reached, or the caller aborted */
  killed: 'deadline' | 'output' | 'aborted' | null;
};

export type ToolLimits = {
  /** ms since the epoch by which the tool must be done */
  deadline: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  cwd?: string;
};

const PRLIMIT = '/usr/bin/prlimit';
/** Address space of one tool: OCR of an A4 page at 300 dpi needs about 130 MB. */
const MEMORY_BYTES = 1024 * 1024 * 1024;
/** Largest file a tool may write (a page image is a few MB). */
const FILE_BYTES = 256 * 1024 * 1024;

/** Tools are found in the system's own directories only, whatever PATH the hub was started with. */
/** nice 19: the lowest CPU priority. */
const LOWEST_PRIORITY = 19;

const TOOL_ENV = {
  PATH: '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  // One thread per tesseract: the pool runs one file per core already.
  OMP_THREAD_LIMIT: '1',
};

export function runTool(command: string, args: readonly string[], limits: ToolLimits): Promise<ToolRun> {
  return new Promise((resolve) => {
    const left = limits.deadline - Date.now();
    if (left <= 0 || limits.signal?.aborted) {
      resolve({
        code: null,
        signal: null,
        stdout: Buffer.alloc(0),
        stderr: '',
        killed: limits.signal?.aborted ? 'aborted' : 'deadline',
      });
      return;
    }
    const limited = existsSync(PRLIMIT);
    const child = spawn(
      limited ? PRLIMIT : command,
      limited ? [`--as=${MEMORY_BYTES}`, `--fsize=${FILE_BYTES}`, '--', command, ...args] : args,
      {
        shell: false,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: TOOL_ENV,
        ...(limits.cwd ? { cwd: limits.cwd } : {}),
      },
    );
    // The readers yield the CPU to everything else: an SMTP 250 or an AMQP ack never waits for OCR.
    if (child.pid !== undefined)
      try {
        setPriority(child.pid, LOWEST_PRIORITY);
      } catch {
        // Exited already, or not ours to change: it runs at the hub's priority.
      }
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let killed: ToolRun['killed'] = null;
    const kill = (why: NonNullable<ToolRun['killed']>) => {
      if (killed) return;
      killed = why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      kill('deadline');
    }, left);
    const onAbort = () => {
      kill('aborted');
    };
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxOutputBytes) {
        kill('output');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8').slice(0, 4096 - stderr.length);
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, stdout: Buffer.concat(chunks), stderr, killed });
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      resolve({
        code: error.code === 'ENOENT' ? 127 : 126,
        signal: null,
        stdout: Buffer.alloc(0),
        stderr: error.message,
        killed,
      });
    });
    child.once('close', finish);
  });
}
