import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readControlFile } from '../../src/web/index.ts';
import { openStream } from '../support/event-stream.ts';
import { hubEnv, startHubProcess } from '../support/hub-process.ts';
import { createTestVhost, type TestVhost } from '../support/test-broker.ts';

/**
 * The real `lienthong start` on its embedded database (PGlite's own LISTEN/NOTIFY): a change
 * reaches an open event stream, and SIGTERM with streams open still drains and exits 0 promptly.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-live-'));
// The hub's relay gets a vhost of its own: on the default one it would share queues with other files' hubs.
let vhost: TestVhost;
beforeAll(async () => {
  vhost = await createTestVhost('live');
});
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await vhost.drop();
});

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('live events in a running hub', () => {
  it('streams a committed change and stops with streams open', { timeout: 180_000 }, async () => {
    // A first start migrates a fresh embedded database: slow on a loaded machine.
    const hub = await startHubProcess(
      hubEnv({
        LIENTHONG_DATA_DIR: dataDir,
        AMQP_URL: vhost.amqpUrl,
        LIENTHONG_SHUTDOWN_TIMEOUT_MS: '8000',
        // Each component's "stopped" line (with its time) tells which one held a slow stop up.
        LIENTHONG_LOG_LEVEL: 'info',
      }),
      120_000,
    );
    try {
      const control = readControlFile(dataDir);
      if (!control) throw new Error('no control file');
      const headers = { authorization: `Bearer ${control.controlToken}` };
      const streams = [await openStream(hub.url, headers), await openStream(hub.url, headers)];
      for (const s of streams) {
        expect(s.status).toBe(200);
        await until(() => s.events.find((e) => e.event === 'ready'));
      }
      const refused = await fetch(`${hub.url}/api/v1/packages`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/xml' },
        body: '<not-edxml/>',
      });
      expect(refused.status).toBe(422);
      for (const s of streams) {
        const event = await until(() => s.events.find((e) => e.event === 'relay'));
        expect(event.data).toMatchObject({ change: 'refused' });
      }

      const stopped = await hub.terminate();
      expect(stopped).toMatchObject({ code: 0, signal: null });
      expect(stopped.ms, hub.output()).toBeLessThan(8_000);
      for (const s of streams) {
        await s.ended;
        expect(s.events.at(-1)).toEqual({ event: 'end', data: { reason: 'shutdown' } });
      }
      expect(hub.output()).not.toContain('drain timed out');
    } finally {
      if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    }
  });
});
