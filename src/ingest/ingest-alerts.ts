import type { Logger } from '../shared/index.ts';
import type { IngestOutcome, ReadMessage } from './ingest-message.ts';
import type { PolledMailbox } from './ingest-sources.ts';
import type { OutboundMail } from '../outbound-mail/index.ts';
import type { SpoolBacklog } from './spool/mail-spool.ts';

/**
 * Mail to the data centre's admins (LIENTHONG_ALERT_TO) when mail ingest needs a person: a
 * mailbox the hub cannot collect from, spooled mail the database will not take, a spool so full
 * that senders get 451, and malware found in mail. The first three are states: one lasting
 * `graceMs` alerts once (a mailbox server restarting for a minute is not news) and its end is
 * announced too. Malware is an event: whatever was found in an interval goes out as one mail, so a
 * wave of infected spam is a handful of alerts, not thousands.
 */
export type AlertCondition = { key: string; active: boolean; subject: string; detail: string };
export type AlertToSend = { subject: string; text: string };

/** The state machine of the conditions, apart from any timer or mail: pure, tested alone. */
export function createAlertTracker(options: { graceMs: number }) {
  const episodes = new Map<string, { since: number; alerted: boolean; subject: string }>();
  return {
    /** Every condition's state at `now`; returns what to send: raised and cleared alerts. */
    observe(conditions: readonly AlertCondition[], now: number): AlertToSend[] {
      const out: AlertToSend[] = [];
      const active = new Set<string>();
      for (const condition of conditions) {
        if (!condition.active) continue;
        active.add(condition.key);
        const episode = episodes.get(condition.key) ?? {
          since: now,
          alerted: false,
          subject: condition.subject,
        };
        episodes.set(condition.key, episode);
        if (!episode.alerted && now - episode.since >= options.graceMs) {
          episode.alerted = true;
          const minutes = Math.round((now - episode.since) / 60_000);
          out.push({
            subject: condition.subject,
            text: `${condition.detail}\n\nTình trạng kéo dài ${minutes} phút / lasting ${minutes} min.`,
          });
        }
      }
      for (const [key, episode] of episodes) {
        if (active.has(key)) continue;
        episodes.delete(key);
        if (episode.alerted)
          out.push({
            subject: `Đã trở lại bình thường / resolved: ${episode.subject}`,
            text: `Tình trạng đã kết thúc / The condition is over: ${episode.subject}`,
          });
      }
      return out;
    },
  };
}

/** The conditions as the hub sees them now. */
export function ingestConditions(input: {
  mailboxes: readonly PolledMailbox[];
  backlog: SpoolBacklog;
  spoolMax: number;
}): AlertCondition[] {
  const { backlog } = input;
  return [
    ...input.mailboxes.map((mailbox) => {
      const health = mailbox.health();
      return {
        key: `imap:${mailbox.name}`,
        active: !health.up,
        subject: `Không lấy được thư từ hộp thư ${mailbox.name} / mailbox ${mailbox.name} unreachable`,
        detail: [
          `Hộp thư / mailbox: ${mailbox.name} (${mailbox.host}, ${mailbox.folder}) → ${mailbox.agency}`,
          `Lỗi gần nhất / last error: ${health.lastError ? `${health.lastError.message} (${health.lastError.at.toISOString()})` : '—'}`,
          `Lần lấy thư thành công gần nhất / last success: ${health.lastSuccessAt?.toISOString() ?? '—'}`,
        ].join('\n'),
      };
    }),
    {
      key: 'spool:store',
      active: backlog.failed > 0,
      subject: 'Thư đã nhận chưa lưu được vào hàng đợi / received mail cannot be stored',
      detail:
        `${backlog.failed} thư đã trả lời 250 nhưng chưa lưu được thành văn bản chờ xử lý (lỗi cơ sở dữ liệu); ` +
        `hệ thống vẫn thử lại. / ${backlog.failed} acknowledged messages failed to be stored (database), retried with back-off. ` +
        `Spool: ${backlog.pending} waiting, oldest ${Math.round(backlog.oldestAgeSeconds)} s.`,
    },
    {
      key: 'spool:full',
      active: backlog.pending >= input.spoolMax,
      subject: 'Hàng đợi thư đầy, thư mới bị hoãn (451) / mail spool full, senders get 451',
      detail:
        `${backlog.pending} thư chờ đọc (giới hạn LIENTHONG_SMTP_SPOOL_MAX = ${input.spoolMax}); máy gửi sẽ gửi lại sau. ` +
        `/ ${backlog.pending} messages wait to be read (limit ${input.spoolMax}); senders retry later.`,
    },
  ];
}

export type IngestAlerts = {
  /** afterCommit hook: remembers malware found in a stored message */
  noteStored(outcome: IngestOutcome, read: ReadMessage): void;
  /** one round of checks now (the timer calls it; tests too) */
  check(): Promise<void>;
  stop(): void;
};

const MALWARE_LINES = 20;

export function startIngestAlerts(options: {
  outbound: Pick<OutboundMail, 'alert'>;
  conditions: () => AlertCondition[];
  graceMs: number;
  intervalMs: number;
  log: Logger;
}): IngestAlerts {
  const tracker = createAlertTracker({ graceMs: options.graceMs });
  let malware: string[] = [];
  let malwareCount = 0;
  const send = async (alert: AlertToSend) => {
    options.log.warn({ alert: alert.subject }, 'admin alert');
    // OutboundMail logs a failed send itself; an alert must never stop ingest.
    await options.outbound.alert(alert.subject, alert.text).catch(() => undefined);
  };
  const check = async () => {
    const due = tracker.observe(options.conditions(), Date.now());
    if (malwareCount > 0) {
      const lines = malware;
      const more = malwareCount - lines.length;
      malware = [];
      malwareCount = 0;
      due.push({
        subject: `Phát hiện mã độc trong ${lines.length + more} thư / malware in ${lines.length + more} messages`,
        text:
          'Các thư sau đã được cách ly; chỉ quản trị viên được đưa ra khỏi cách ly.\n' +
          'These messages were quarantined; only an admin can release them.\n\n' +
          lines.join('\n') +
          (more > 0 ? `\n… và ${more} thư khác / and ${more} more` : ''),
      });
    }
    for (const alert of due) await send(alert);
  };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(check, check);
  }, options.intervalMs);
  timer.unref();
  return {
    noteStored(outcome, read) {
      if (outcome.placement !== 'quarantine' || read.malware.length === 0) return;
      malwareCount += 1;
      if (malware.length < MALWARE_LINES)
        malware.push(
          `- ${read.sender || '(?)'} → ${read.envelope.recipients.map((r) => r.organId).join(', ')}: ` +
            `${outcome.reason} (${outcome.items.map((i) => i.itemId).join(', ')})`,
        );
    },
    check: () => (running = running.then(check, check)),
    stop() {
      clearInterval(timer);
    },
  };
}
