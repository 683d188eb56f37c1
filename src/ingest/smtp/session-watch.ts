/**
 * How long one SMTP connection may take, and how slowly it may send a message. smtp-server's
 * idle timeout is reset by every byte, so a client sending one byte every 20 s kept its slot for
 * ever; these limits bound a session's whole time, a DATA phase's time, and the rate of DATA.
 *
 * A watch is a small state machine per connection, driven by the listener (smtp-listener.ts) and
 * read by `check(now)` on a timer; it knows nothing of sockets, so it is tested with a fake clock.
 */
export type TimeLimits = {
  /** the whole session, from the connection; a message being received may still finish in its own limits */
  sessionMs: number;
  /** one DATA phase, from the 354 to the final dot */
  dataMs: number;
  /** the least rate of DATA, measured over the last `rateWindowMs` */
  minBytesPerSecond: number;
  /** the rate window, and the grace before the rate is first checked */
  rateWindowMs: number;
};

export type Breach = { kind: 'session' | 'data' | 'rate'; reply: string };

type Phase =
  | { kind: 'command' }
  | { kind: 'data'; since: number; bytes: number; samples: { at: number; bytes: number }[] }
  /** the message is in and the hub is deciding on it: the client waits for us, nothing is cut */
  | { kind: 'deciding' };

const seconds = (ms: number) => `${String(Math.round(ms / 100) / 10)} s`;

/**
 * The reply texts: ASCII only (SMTP replies are not UTF-8), each says which limit, what was
 * kept (nothing of a message cut short), and what the sender does next.
 */
export function breachReply(kind: Breach['kind'], limits: TimeLimits): string {
  switch (kind) {
    case 'session':
      return `4.4.2 Session time limit of ${seconds(limits.sessionMs)} reached; messages already answered 250 are kept; reconnect to send more`;
    case 'data':
      return `4.4.2 DATA took longer than ${seconds(limits.dataMs)}; this message was not kept; send it again over a faster link or in a new session`;
    case 'rate':
      return `4.4.2 DATA arrived at less than ${String(limits.minBytesPerSecond)} bytes per second over ${seconds(limits.rateWindowMs)}; this message was not kept; send it again`;
  }
}

export class SessionWatch {
  private phase: Phase = { kind: 'command' };
  private breach: Breach | undefined;

  constructor(
    private readonly limits: TimeLimits,
    private readonly startedAt: number,
  ) {}

  /** the 354 was sent: DATA begins */
  dataStarted(now: number): void {
    this.phase = { kind: 'data', since: now, bytes: 0, samples: [{ at: now, bytes: 0 }] };
  }

  /** bytes of the message arrived */
  received(bytes: number): void {
    if (this.phase.kind === 'data') this.phase.bytes += bytes;
  }

  /** the final dot arrived: what follows (storing, the reply) is the hub's time, not the client's */
  dataEnded(): void {
    this.phase = { kind: 'deciding' };
  }

  /** the reply to DATA was sent: back to commands */
  replied(): void {
    this.phase = { kind: 'command' };
  }

  /** The limit this session broke, if it broke one by `now`; once broken it stays broken. */
  check(now: number): Breach | undefined {
    this.breach ??= this.find(now);
    return this.breach;
  }

  private find(now: number): Breach | undefined {
    const { limits, phase } = this;
    const breach = (kind: Breach['kind']): Breach => ({ kind, reply: breachReply(kind, limits) });
    if (phase.kind === 'deciding') return undefined;
    if (phase.kind === 'command')
      return now - this.startedAt >= limits.sessionMs ? breach('session') : undefined;
    // a message begun after the session's deadline does not hold the session open
    if (phase.since - this.startedAt >= limits.sessionMs) return breach('session');
    if (now - phase.since >= limits.dataMs) return breach('data');
    phase.samples.push({ at: now, bytes: phase.bytes });
    const windowStart = now - limits.rateWindowMs;
    // keep the newest sample at or before the window's start, as the baseline, and those after it
    while (phase.samples.length > 1 && (phase.samples[1]?.at ?? now) <= windowStart) phase.samples.shift();
    const baseline = phase.samples[0];
    if (!baseline || baseline.at > windowStart) return undefined; // DATA is younger than the window
    const rate = ((phase.bytes - baseline.bytes) * 1000) / (now - baseline.at);
    return rate < limits.minBytesPerSecond ? breach('rate') : undefined;
  }
}
