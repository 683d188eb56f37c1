import type { SendMailOptions } from 'nodemailer';
import type { Logger } from '../shared/index.ts';
import type { MailTransport } from './mail-transport.ts';
import { newMessageId, sendRecorded, type OutboundMailEntry, type OutboundMailLog } from './outbound-log.ts';

/**
 * Notices through the hub's one mail transport (LIENTHONG_SMTP_RELAY_URL): receipts to senders
 * and alerts to admins. Best effort: a receipt or alert that cannot be sent is logged, never retried
 * in-process (the stored message does not depend on it). Each mail gets a Message-ID set here and
 * is recorded in `outbound_mail` before it is sent (outbound-log.ts), so bounces can be linked; a
 * send the mail server refuses is recorded on the row too, so admins see it.
 */
export type OutboundMail = {
  sendReceipt(
    to: string,
    inReplyTo: string | null,
    subject: string | null,
    itemIds: readonly string[],
  ): Promise<void>;
  alert(subject: string, text: string): Promise<void>;
};

export function smtpOutbound(options: {
  transport: MailTransport;
  from: string;
  alertTo: readonly string[];
  log: Logger;
  /** records each mail before it is sent, and a failed send; never throws */
  record?: OutboundMailLog;
}): OutboundMail {
  const { transport } = options;
  const domain = options.from.split('@')[1] ?? 'lienthong.invalid';
  const send = async (
    message: Omit<SendMailOptions, 'to'> & { to: string | string[]; subject: string },
    entry: Omit<OutboundMailEntry, 'messageId' | 'recipients' | 'subject'>,
  ) => {
    const messageId = newMessageId(domain);
    const recorded = {
      ...entry,
      messageId,
      recipients: Array.isArray(message.to) ? message.to : [message.to],
      subject: message.subject,
    };
    try {
      await sendRecorded(options.record, recorded, () =>
        transport.sendMail({ from: options.from, ...message, messageId }),
      );
    } catch (error) {
      options.log.warn({ err: error, what: entry.kind, messageId }, 'outbound mail failed');
    }
  };
  return {
    sendReceipt: (to, inReplyTo, subject, itemIds) =>
      send(
        {
          to,
          subject: `Đã nhận / Received: ${subject ?? '(không có tiêu đề)'}`.slice(0, 300),
          ...(inReplyTo ? { inReplyTo, references: [inReplyTo] } : {}),
          text:
            `Hệ thống liên thông đã nhận thư của quý cơ quan (${itemIds.length} mục tiếp nhận: ${itemIds.join(', ')}).\n` +
            `The hub has stored your message for the clerks of the recipient agencies.\n`,
        },
        { kind: 'receipt', intakeItemIds: itemIds },
      ),
    alert: (subject, text) =>
      options.alertTo.length === 0
        ? Promise.resolve()
        : send({ to: [...options.alertTo], subject: `[lienthong] ${subject}`, text }, { kind: 'alert' }),
  };
}
