import nodemailer from 'nodemailer';
import type { Logger } from '../shared/logger.ts';

/**
 * Outbound mail through the relay of LIENTHONG_SMTP_RELAY_URL (nodemailer): receipts to senders
 * and alerts to admins. Best effort: a receipt that cannot be sent is logged, never retried
 * in-process (the stored message does not depend on it).
 */
export type OutboundMail = {
  sendReceipt(
    to: string,
    inReplyTo: string | null,
    subject: string | null,
    itemIds: readonly string[],
  ): Promise<void>;
  alert(subject: string, text: string): Promise<void>;
  close(): void;
};

export function smtpOutbound(options: {
  relayUrl: string;
  from: string;
  alertTo: readonly string[];
  log: Logger;
}): OutboundMail {
  const transport = nodemailer.createTransport(options.relayUrl);
  const send = async (message: nodemailer.SendMailOptions, what: string) => {
    try {
      await transport.sendMail({ from: options.from, ...message });
    } catch (error) {
      options.log.warn({ err: error, what }, 'outbound mail failed');
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
        'receipt',
      ),
    alert: (subject, text) =>
      options.alertTo.length === 0
        ? Promise.resolve()
        : send({ to: [...options.alertTo], subject: `[lienthong] ${subject}`, text }, 'alert'),
    close: () => {
      transport.close();
    },
  };
}
