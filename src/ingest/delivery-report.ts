/**
 * The machine-readable part of a bounce or read receipt, read without trusting it: RFC 3464
 * `message/delivery-status` (per-recipient Action, Status, Diagnostic-Code, Final-Recipient) and
 * RFC 8098 `message/disposition-notification` (Disposition, Original-Message-ID). Pure; never
 * throws: a part that cannot be read becomes `problem`.
 */
export type ReportKind = 'delivery-status' | 'disposition-notification';

export type ReportRecipient = {
  finalRecipient: string | null;
  action: string;
  status: string | null;
  diagnostic: string | null;
};

export type DeliveryReport = {
  kind: ReportKind;
  /** DSN: the worst recipient's Action (failed > delayed > delivered|relayed|expanded); MDN: the disposition type */
  outcome: string | null;
  /** DSN Status of that recipient (e.g. 5.1.1); MDN: the whole Disposition line */
  status: string | null;
  diagnostic: string | null;
  recipients: ReportRecipient[];
  /** MDN Original-Message-ID (a DSN names the original only in its returned headers) */
  originalMessageId: string | null;
  /** why the part could not be read; outcome is null then */
  problem: string | null;
};

const DSN_ACTIONS = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'];
const MDN_TYPES = ['displayed', 'processed', 'deleted', 'dispatched', 'denied', 'failed'];
const MAX_PART_BYTES = 64 * 1024;
const MAX_RECIPIENTS = 100;

/** `part` is the body of the status part, or null when the report has none. */
export function readDeliveryReport(kind: ReportKind, part: Buffer | null): DeliveryReport {
  const empty: DeliveryReport = {
    kind,
    outcome: null,
    status: null,
    diagnostic: null,
    recipients: [],
    originalMessageId: null,
    problem: null,
  };
  if (!part) return { ...empty, problem: `no ${kind} part` };
  const blocks = fieldBlocks(part.subarray(0, MAX_PART_BYTES).toString('utf8'));
  return kind === 'delivery-status' ? readDsn(empty, blocks) : readMdn(empty, blocks);
}

function readDsn(report: DeliveryReport, blocks: Map<string, string>[]): DeliveryReport {
  const recipients: ReportRecipient[] = [];
  const problems: string[] = [];
  // The first block is per-message (Reporting-MTA …); recipients follow. Some MTAs omit the
  // per-message block, so every block with an Action counts as a recipient.
  for (const fields of blocks) {
    if (recipients.length >= MAX_RECIPIENTS) break;
    const action = fields.get('action')?.toLowerCase();
    if (action === undefined) continue;
    const status = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(fields.get('status') ?? '')?.[1];
    if (!DSN_ACTIONS.includes(action)) {
      problems.push(`unknown Action "${action.slice(0, 40)}"`);
      continue;
    }
    // Early MTAs (before RFC 3464) sent no Status; an Action alone still says what happened.
    if (!status && fields.has('status')) {
      problems.push(`Status "${(fields.get('status') ?? '').slice(0, 40)}" is not a status code`);
      continue;
    }
    recipients.push({
      finalRecipient: address(fields.get('final-recipient') ?? fields.get('original-recipient')),
      action,
      status: status ?? null,
      diagnostic: fields.get('diagnostic-code')?.slice(0, 500) ?? null,
    });
  }
  if (recipients.length === 0)
    return {
      ...report,
      problem: `delivery-status part unreadable: ${problems[0] ?? 'no recipient with Action and Status'}`,
    };
  const worst = [...recipients].sort(
    (a, b) => DSN_ACTIONS.indexOf(a.action) - DSN_ACTIONS.indexOf(b.action),
  )[0] as ReportRecipient;
  return {
    ...report,
    outcome: worst.action,
    status: worst.status,
    diagnostic: worst.diagnostic,
    recipients,
  };
}

function readMdn(report: DeliveryReport, blocks: Map<string, string>[]): DeliveryReport {
  const fields = blocks.find((b) => b.has('disposition'));
  const line = fields?.get('disposition');
  // disposition-mode ";" disposition-type ["/" modifier]: "manual-action/MDN-sent-manually; displayed"
  const type = line?.split(';')[1]?.split('/')[0]?.trim().toLowerCase();
  const originalMessageId =
    /<[^>\s]{1,500}>/.exec(blocks.map((b) => b.get('original-message-id') ?? '').join(' '))?.[0] ?? null;
  if (!line || !type || !MDN_TYPES.includes(type))
    return {
      ...report,
      originalMessageId,
      problem: `disposition-notification part unreadable: ${line ? `Disposition "${line.slice(0, 80)}"` : 'no Disposition field'}`,
    };
  return {
    ...report,
    outcome: type,
    status: line.slice(0, 200),
    recipients: [
      {
        finalRecipient: address(fields?.get('final-recipient') ?? fields?.get('original-recipient')),
        action: type,
        status: line.slice(0, 200),
        diagnostic: null,
      },
    ],
    originalMessageId,
  };
}

/** RFC 822-style field groups separated by blank lines, names lower-cased, folded lines joined. */
function fieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.split(/\r?\n|\r/)) {
    if (line.trim() === '') {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      last = null;
    } else if (/^[ \t]/.test(line) && last) {
      current.set(last, `${current.get(last) ?? ''} ${line.trim()}`);
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      if (!current.has(last)) current.set(last, line.slice(colon + 1).trim());
    }
  }
  if (current.size > 0) blocks.push(current);
  return blocks;
}

/** "rfc822; user@example.vn" → "user@example.vn" */
function address(value: string | undefined): string | null {
  if (!value) return null;
  const semicolon = value.indexOf(';');
  return (semicolon >= 0 ? value.slice(semicolon + 1) : value).trim().slice(0, 320) || null;
}

/** The quarantine reason a clerk reads. `linkedTo` is the outbound Message-ID found, or null. */
export function reportReason(report: DeliveryReport, answered: string | null, linked: boolean): string {
  const what = report.kind === 'delivery-status' ? 'delivery report' : 'read receipt';
  const target = linked
    ? `for ${answered ?? '?'}`
    : `for a message the hub did not send${answered ? ` (${answered})` : ''}, not linked`;
  if (report.problem) return `${what} ${target}: ${report.problem}`.slice(0, 500);
  const detail =
    report.kind === 'delivery-status'
      ? [report.outcome, report.status, report.diagnostic].filter(Boolean).join(' ')
      : (report.outcome ?? '');
  return `${what} ${target}: ${detail}`.slice(0, 500);
}
