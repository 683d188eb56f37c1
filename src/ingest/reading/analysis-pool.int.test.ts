import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedTrustStore, fileTrustStore, GOVERNMENT_ROOT_PATH } from '../../signing/index.ts';
import { analyzeMessage } from '../message-analysis.ts';
import { buildMail } from '../test-support/build-mail.ts';
import { startAnalysisPool, type AnalysisPool } from './analysis-pool.ts';

/**
 * Mail read on the reader thread gives exactly what reading it in the hub's own thread gives, and
 * a message still being read when its time is up is stopped — the thread is terminated, the
 * message comes back unread with the reason, and the next message is read by a new thread.
 */
let pool: AnalysisPool;
const receivedAt = new Date('2026-11-26T02:00:00Z');

beforeAll(() => {
  pool = startAnalysisPool({
    trustPaths: [GOVERNMENT_ROOT_PATH],
    parseTimeoutMs: 20_000,
    hardTimeoutMs: 30_000,
    log: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await pool.stop();
});

describe('the reader thread', () => {
  it('reads a mail exactly as the hub thread does, attachments as Buffers', async () => {
    const raw = Buffer.from(buildMail({ seed: 'reader-parity', padBytes: 20_000 }));
    const there = await pool.analyze(raw, receivedAt);
    const here = await analyzeMessage(raw, receivedAt, {
      trust: cachedTrustStore(fileTrustStore([GOVERNMENT_ROOT_PATH])),
      parseTimeoutMs: 20_000,
    });
    expect(there).toEqual(here);
    expect(there.attachments).toHaveLength(1);
    expect(Buffer.isBuffer(there.attachments[0]?.content)).toBe(true);
    expect(there.attachments[0]?.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(there.parseProblem).toBeNull();
  });

  it('stops a message whose reading outlasts its time, and reads the next one on a new thread', async () => {
    // 8 MB of attachment cannot be decoded, hashed and checked in 1 ms.
    const big = Buffer.from(buildMail({ seed: 'reader-slow', padBytes: 8_000_000 }));
    const started = Date.now();
    const stopped = await pool.analyze(big, receivedAt, 1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stopped).toMatchObject({
      message: null,
      attachments: [],
      parseProblem: 'reading stopped after 0.001 s (the message keeps a parser busy)',
    });
    const next = await pool.analyze(Buffer.from(buildMail({ seed: 'reader-after' })), receivedAt);
    expect(next.parseProblem).toBeNull();
    expect(next.message?.messageId).toBe('<reader-after@stc.example.vn>');
  });

  it('answers a message given after stop without reading it', async () => {
    const stoppedPool = startAnalysisPool({
      trustPaths: [GOVERNMENT_ROOT_PATH],
      parseTimeoutMs: 20_000,
      hardTimeoutMs: 30_000,
      log: pino({ level: 'silent' }),
    });
    await stoppedPool.stop();
    const late = await stoppedPool.analyze(Buffer.from(buildMail({ seed: 'late' })), receivedAt);
    expect(late.parseProblem).toBe('the hub stopped before this message was read');
  });
});
