import { describe, expect, it } from 'vitest';
import { runTool } from './run-tool.ts';

/** The limits every reading tool runs under, with the system's own small tools standing in. */
describe('runTool', () => {
  const soon = (ms: number) => Date.now() + ms;

  it('returns what the tool printed and its exit code, with no shell between', async () => {
    const run = await runTool('printf', ['%s', '$(echo no shell); *'], {
      deadline: soon(5000),
      maxOutputBytes: 1000,
    });
    expect(run).toMatchObject({ code: 0, killed: null });
    expect(run.stdout.toString()).toBe('$(echo no shell); *');
  });

  it('kills the tool at the deadline', async () => {
    const started = Date.now();
    const run = await runTool('sleep', ['10'], { deadline: soon(200), maxOutputBytes: 1000 });
    expect(run.killed).toBe('deadline');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('kills the tool past its output cap', async () => {
    const run = await runTool('yes', ['lienthong'], { deadline: soon(5000), maxOutputBytes: 64 * 1024 });
    expect(run.killed).toBe('output');
    expect(run.stdout.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('kills the tool when the caller aborts (the hub stops)', async () => {
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 100);
    const run = await runTool('sleep', ['10'], {
      deadline: soon(5000),
      maxOutputBytes: 1000,
      signal: controller.signal,
    });
    expect(run.killed).toBe('aborted');
  });

  it('says 127 for a tool that is not installed', async () => {
    const run = await runTool('no-such-reading-tool', [], { deadline: soon(5000), maxOutputBytes: 1000 });
    expect(run.code).toBe(127);
  });
});
