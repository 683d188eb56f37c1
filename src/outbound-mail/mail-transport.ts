import nodemailer from 'nodemailer';

/**
 * The hub's one connection to its outbound mail server (LIENTHONG_SMTP_RELAY_URL): receipts,
 * alerts and relay deliveries by e-mail share it, so they share its pool and its limits.
 */
export type MailTransport = Pick<nodemailer.Transporter, 'sendMail' | 'close'>;

export function createMailTransport(relayUrl: string): MailTransport {
  return nodemailer.createTransport(relayUrl);
}
