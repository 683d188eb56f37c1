import { ImapFlow } from 'imapflow';
import { HubError, type Logger } from '../../shared/index.ts';
import type { IngestMetrics } from '../ingest-metrics.ts';
import type { MailRecipient } from '../recipient-directory.ts';
import type { MailSpoolPort } from '../smtp/smtp-listener.ts';

/**
 * Collects mail from one IMAP mailbox (imapflow). The mailbox itself is the cursor: a message is
 * marked \Seen (or moved) only after the mail spool committed it, so a restart at any point finds
 * every uncommitted message still unseen (no gaps), and one committed but not yet flagged is
 * recognised by its Message-ID + content (no duplicate item). For the same reason a UIDVALIDITY
 * change needs no stored state: UIDs are only used within one session.
 */
export type MailboxConfig = {
  name: string;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  folder: string;
  afterCommit: 'seen' | 'move';
  processedFolder: string;
  /** resolves the target agency on every (re)connect, so a directory change is picked up */
  recipient: () => Promise<MailRecipient | undefined>;
};

/** The poller's state for people (the admin console): read-only. */
export type MailboxHealth = {
  up: boolean;
  lastSuccessAt: Date | null;
  lastError: { at: Date; message: string } | null;
};

export type MailboxPoller = {
  stop(): Promise<void>;
  health(): MailboxHealth;
  /** messages committed to the spool since start */
  readonly committed: number;
};

export type PollerOptions = {
  spool: MailSpoolPort;
  metrics?: IngestMetrics;
  log: Logger;
  /** poll even without IDLE notifications (some servers drop them) */
  pollIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number };
};

/** An IMAP failure in words: imapflow puts the server's answer in `responseText`. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const response = (error as Error & { responseText?: unknown }).responseText;
  return typeof response === 'string' && response && !error.message.includes(response)
    ? `${error.message}: ${response}`
    : error.message;
}

export function startMailboxPoller(mailbox: MailboxConfig, options: PollerOptions): MailboxPoller {
  const log = options.log.child({ mailbox: mailbox.name });
  const metrics = options.metrics;
  const backoff = options.backoff ?? { initialMs: 1_000, maxMs: 60_000 };
  // a function, not a variable: stop() flips it while the loops await
  let stopped = false;
  const running = () => !stopped;
  let committed = 0;
  let client: ImapFlow | undefined;
  let wake: (() => void) | undefined;
  let lastUidValidity: bigint | undefined;
  const health: MailboxHealth = { up: false, lastSuccessAt: null, lastError: null };

  async function session(): Promise<void> {
    const recipient = await mailbox.recipient();
    if (!recipient)
      throw new HubError(
        'INGEST_MAILBOX_TARGET_UNKNOWN',
        `mailbox ${mailbox.name}: target agency is not hosted here`,
      );
    const imap = new ImapFlow({
      host: mailbox.host,
      port: mailbox.port,
      secure: mailbox.secure,
      auth: { user: mailbox.user, pass: mailbox.password },
      logger: false,
      emitLogs: false,
    });
    client = imap;
    const closed = new Promise<void>((resolve) => imap.once('close', () => resolve()));
    imap.on('error', (error: Error) => {
      log.warn({ err: error }, 'imap error');
    });
    imap.on('exists', () => wake?.());
    await imap.connect();
    if (mailbox.afterCommit === 'move')
      await imap.mailboxCreate(mailbox.processedFolder).catch(() => undefined);
    const opened = await imap.mailboxOpen(mailbox.folder);
    if (lastUidValidity !== undefined && opened.uidValidity !== lastUidValidity)
      log.warn(
        { before: String(lastUidValidity), now: String(opened.uidValidity) },
        'UIDVALIDITY changed; rescanning unseen messages',
      );
    lastUidValidity = opened.uidValidity;
    metrics?.pollerUp.set({ mailbox: mailbox.name }, 1);
    health.up = true;
    while (running() && imap.usable) {
      await drainUnseen(imap, recipient, opened.uidValidity);
      metrics?.pollerLastSuccess.set({ mailbox: mailbox.name }, Date.now() / 1000);
      health.lastSuccessAt = new Date();
      // imapflow IDLEs by itself while no command runs; EXISTS, the poll timer or stop wakes us.
      await Promise.race([
        closed,
        new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, options.pollIntervalMs ?? 60_000).unref();
        }),
      ]);
    }
  }

  async function drainUnseen(imap: ImapFlow, recipient: MailRecipient, uidValidity: bigint): Promise<void> {
    for (;;) {
      // In move mode everything left in the folder is unprocessed, read by a person or not; in
      // seen mode the \Seen flag is the cursor, so that mailbox must not be read by people.
      const found = await imap.search(mailbox.afterCommit === 'move' ? { all: true } : { seen: false }, {
        uid: true,
      });
      const uids = (found || []).sort((a, b) => a - b);
      if (uids.length === 0 || !running()) return;
      for (const uid of uids) {
        // A full spool: leave the rest in the mailbox (it is the cursor) until the hub catches up.
        if (!running() || options.spool.full()) return;
        const message = await imap.fetchOne(String(uid), { source: true }, { uid: true });
        if (!message || !message.source) continue;
        await options.spool.accept(message.source, {
          source: 'imap',
          mailFrom: null,
          recipients: [recipient],
          origin: { mailbox: mailbox.name, folder: mailbox.folder, uid, uidValidity: String(uidValidity) },
        });
        metrics?.bytes.inc({ source: 'imap' }, message.source.length);
        // Only now, with the message committed to the spool, does the mailbox learn we have it.
        if (mailbox.afterCommit === 'move')
          await imap.messageMove(String(uid), mailbox.processedFolder, { uid: true });
        else await imap.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
        committed += 1;
      }
    }
  }

  const loop = (async () => {
    let delay = backoff.initialMs;
    while (running()) {
      const started = Date.now();
      try {
        await session();
      } catch (error) {
        if (running()) {
          log.warn({ err: error }, 'imap session ended');
          health.lastError = { at: new Date(), message: errorText(error) };
        }
      } finally {
        metrics?.pollerUp.set({ mailbox: mailbox.name }, 0);
        health.up = false;
        const imap = client;
        client = undefined;
        if (imap?.usable) await imap.logout().catch(() => undefined);
        else imap?.close();
      }
      if (!running()) break;
      if (Date.now() - started > 60_000) delay = backoff.initialMs;
      const wait = Math.min(backoff.maxMs, delay) * (0.5 + Math.random() / 2);
      delay = Math.min(backoff.maxMs, delay * 2);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, wait).unref();
      });
    }
  })();

  return {
    get committed() {
      return committed;
    },
    health: () => ({ ...health }),
    async stop() {
      stopped = true;
      wake?.();
      client?.close();
      await loop;
    },
  };
}
