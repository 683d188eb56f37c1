import type { PrismaClient } from '../db/index.ts';
import { systemClock, type Clock } from '../shared/index.ts';
import { auditHead } from './audit-trail.ts';
import { GENESIS_HASH } from './domain/audit-hash.ts';
import { accumulate, anchorDigest, type Said } from './domain/audit-proof.ts';

/**
 * Time-stamped anchors: the audit chain's head, time-stamped by an outside RFC 3161 authority
 * (LIENTHONG_TSA_URL) once a day when it changed, and on demand (`lienthong audit timestamp`).
 * The token is over anchorDigest(seq, hash, accumulator) — the accumulator of every hash of the
 * chain up to the head (domain/audit-proof.ts) — and is kept in `audit_timestamp`; a proof of a
 * document (`lienthong audit proof`) ends at the first one at or after its last entry. The
 * authority is reached through a port (main.ts wires the signing library's client): a token
 * handed to this module has already been checked in full.
 */
export type AuditStamp =
  { ok: true; token: Uint8Array; genTime: Date; tsa: string } | { ok: false; problem: Said };

export interface AuditTimestamper {
  stamp(digest: Buffer): Promise<AuditStamp>;
}

export type AuditTimestampOutcome =
  | { kind: 'stamped'; seq: bigint; hash: string; accumulator: string; genTime: Date; tsa: string }
  | { kind: 'unchanged'; seq: bigint; genTime: Date }
  | { kind: 'empty' }
  | { kind: 'failed'; seq: bigint; problem: Said };

export async function lastAuditTimestamp(prisma: PrismaClient) {
  return prisma.auditTimestamp.findFirst({ orderBy: [{ seq: 'desc' }, { id: 'desc' }] });
}

/**
 * The accumulator `from` (the value after entry `afterSeq`) carried over the hashes of the entries
 * after it up to `uptoSeq`, read in pages of hashes only.
 */
export async function accumulateChain(
  prisma: PrismaClient,
  from: { accumulator: string; afterSeq: bigint },
  uptoSeq: bigint,
): Promise<string> {
  let accumulator = from.accumulator;
  let afterSeq = from.afterSeq;
  for (;;) {
    const page = await prisma.auditEntry.findMany({
      where: { seq: { gt: afterSeq, lte: uptoSeq } },
      orderBy: { seq: 'asc' },
      select: { seq: true, hash: true },
      take: 10_000,
    });
    for (const row of page) accumulator = accumulate(accumulator, row.hash);
    const last = page.at(-1);
    if (!last) return accumulator;
    afterSeq = last.seq;
  }
}

/** Time-stamps the chain's head unless the last time stamp already covers it. */
export async function timestampAuditHead(
  prisma: PrismaClient,
  timestamper: AuditTimestamper,
  clock: Clock = systemClock,
): Promise<AuditTimestampOutcome> {
  const head = await auditHead(prisma);
  if (!head) return { kind: 'empty' };
  const last = await lastAuditTimestamp(prisma);
  if (last && last.seq === head.seq) return { kind: 'unchanged', seq: head.seq, genTime: last.genTime };
  // From the last time stamp's accumulator; from the beginning for the first one (or a chain that
  // no longer reaches the last one, which a proof then shows).
  const base =
    last && last.seq < head.seq
      ? { accumulator: last.accumulator, afterSeq: last.seq }
      : { accumulator: GENESIS_HASH, afterSeq: -1n };
  const accumulator = await accumulateChain(prisma, base, head.seq);
  const stamp = await timestamper.stamp(anchorDigest(head.seq, head.hash, accumulator));
  if (!stamp.ok) return { kind: 'failed', seq: head.seq, problem: stamp.problem };
  await prisma.auditTimestamp.create({
    data: {
      seq: head.seq,
      hash: head.hash,
      accumulator,
      token: new Uint8Array(stamp.token),
      genTime: stamp.genTime,
      tsa: stamp.tsa.slice(0, 500),
      createdAt: clock.now(),
    },
  });
  return {
    kind: 'stamped',
    seq: head.seq,
    hash: head.hash,
    accumulator,
    genTime: stamp.genTime,
    tsa: stamp.tsa,
  };
}

/** What /readyz shows of the authority: the last attempt, the last time stamp, the last failure. */
export type TimestampingState = {
  status: 'up' | 'down' | 'connecting';
  lastStamp: { seq: string; genTime: string; tsa: string } | null;
  lastAttemptAt: string | null;
  lastError: Said | null;
  since: string | null;
};

export type AuditTimestamping = {
  state(): TimestampingState;
  /** One round now (the job's own tick calls it too): time-stamps the head if due or asked. */
  runOnce(force?: boolean): Promise<AuditTimestampOutcome | null>;
  stop(): Promise<void>;
};

const DAY_MS = 86_400_000;

/**
 * The daily job of the running hub. Every `checkEveryMs` it asks whether a day has passed since
 * the last time stamp (any hub's: the table says) and the head changed; a failure is logged and
 * the next check tries again, so an authority that was down is caught up within one interval.
 */
export function startAuditTimestamping(
  prisma: PrismaClient,
  timestamper: AuditTimestamper,
  log: { info(o: object, m: string): void; warn(o: object, m: string): void },
  options: { checkEveryMs?: number; firstCheckMs?: number; everyMs?: number; clock?: Clock } = {},
): AuditTimestamping {
  const checkEveryMs = options.checkEveryMs ?? 10 * 60_000;
  const everyMs = options.everyMs ?? DAY_MS;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const state: TimestampingState = {
    status: 'connecting',
    lastStamp: null,
    lastAttemptAt: null,
    lastError: null,
    since: null,
  };
  let running: Promise<AuditTimestampOutcome | null> | null = null;
  const round = async (force: boolean): Promise<AuditTimestampOutcome | null> => {
    const last = await lastAuditTimestamp(prisma);
    if (last && !state.lastStamp)
      state.lastStamp = { seq: last.seq.toString(), genTime: last.genTime.toISOString(), tsa: last.tsa };
    const failing = state.lastError !== null;
    const due = !last || now().getTime() - last.createdAt.getTime() >= everyMs;
    if (!force && !due && !failing) {
      if (state.status === 'connecting') state.status = 'up';
      return null;
    }
    state.lastAttemptAt = now().toISOString();
    const outcome = await timestampAuditHead(prisma, timestamper, clock);
    if (outcome.kind === 'failed') {
      if (state.status !== 'down') state.since = state.lastAttemptAt;
      state.status = 'down';
      state.lastError = outcome.problem;
      log.warn(
        { seq: outcome.seq.toString(), problem: outcome.problem.en },
        'audit time stamp failed; will retry',
      );
      return outcome;
    }
    if (state.status !== 'up') state.since = state.lastAttemptAt;
    state.status = 'up';
    state.lastError = null;
    if (outcome.kind === 'stamped') {
      state.lastStamp = {
        seq: outcome.seq.toString(),
        genTime: outcome.genTime.toISOString(),
        tsa: outcome.tsa,
      };
      log.info({ seq: outcome.seq.toString(), tsa: outcome.tsa }, 'audit chain time-stamped');
    }
    return outcome;
  };
  const runOnce = (force = false): Promise<AuditTimestampOutcome | null> => {
    // One round at a time: a slow authority must not pile up requests.
    running ??= round(force).finally(() => {
      running = null;
    });
    return running;
  };
  const tick = () => {
    runOnce().catch((error: unknown) => {
      log.warn({ err: error }, 'audit time stamping failed; will retry');
    });
  };
  // The first check soon after start: a hub that was down over its day catches up at once.
  const first = setTimeout(tick, options.firstCheckMs ?? 1_000);
  first.unref();
  const timer = setInterval(tick, checkEveryMs);
  timer.unref();
  return {
    state: () => ({ ...state }),
    runOnce,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
