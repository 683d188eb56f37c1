import type { PrismaClient } from '../db/index.ts';
import { HubError } from '../shared/index.ts';
import type { MailTransport } from './mail-transport.ts';
import { sendRecorded, type OutboundMailLog } from './outbound-log.ts';

/**
 * The e-mail fallback: an agency with neither a partner system nor hosting, but with an address,
 * receives the package by e-mail with the edXML attached (the bytes as submitted). The mail is
 * recorded in `outbound_mail` (kind relay_delivery) with its Message-ID before it is sent, so a
 * bounce fails the delivery (outbound-log.ts, `applyReportLink`); a retry keeps the same Message-ID. A
 * send the mail server refuses is written on that row and thrown on, so the outbox retries it; the
 * send that finally goes through clears it.
 */
export type MailSender = (row: RelayMailRow) => Promise<void>;

/** The relay's outbox row for one recipient reached by e-mail (exchange's OutboxRow fits it). */
export type RelayMailRow = {
  id: string;
  targetOrganId: string;
  bodySha256: string | null;
  headers: unknown;
};

type MailHeaders = {
  packageId?: string;
  from?: string;
  documentKey?: string | null;
  subject?: string | null;
  to?: string[];
};

export function createMailSender(
  prisma: PrismaClient,
  transport: MailTransport | undefined,
  fromAddress: string,
  record?: OutboundMailLog,
): MailSender {
  return async (row) => {
    const headers = (row.headers ?? {}) as MailHeaders;
    const to = headers.to ?? [];
    if (!transport) {
      throw new HubError(
        'MAIL_NOT_CONFIGURED',
        `no outbound mail server (LIENTHONG_SMTP_RELAY_URL) is configured, so ${row.targetOrganId} cannot receive packages by e-mail`,
      );
    }
    if (to.length === 0)
      throw new HubError('MAIL_NO_ADDRESS', `${row.targetOrganId} has no e-mail address in the directory`);
    const blob = row.bodySha256 ? await prisma.blob.findUnique({ where: { sha256: row.bodySha256 } }) : null;
    if (!blob) throw new HubError('MAIL_BODY_MISSING', `outbox ${row.id}: the package bytes are missing`);
    const subject = `[Liên thông] ${headers.subject ?? headers.documentKey ?? 'Văn bản điện tử'}`;
    const messageId = `<${headers.packageId ?? row.id}.${row.targetOrganId}@lienthong>`;
    const entry = {
      messageId,
      kind: 'relay_delivery' as const,
      recipients: to,
      subject,
      packageId: headers.packageId ?? null,
      toOrganId: row.targetOrganId,
    };
    await sendRecorded(record, entry, () =>
      transport.sendMail({
        from: fromAddress,
        to,
        subject,
        text:
          `Văn bản điện tử từ ${headers.from ?? ''} gửi qua hệ thống liên thông (gói tin edXML đính kèm).\n` +
          `An electronic document from ${headers.from ?? ''}, relayed by the interconnection hub (edXML package attached).\n\n` +
          `DocumentId: ${headers.documentKey ?? '-'}\nPackage: ${headers.packageId ?? row.id}\n`,
        attachments: [
          {
            filename: `${headers.packageId ?? row.id}.edxml`,
            content: Buffer.from(blob.content),
            contentType: 'application/xml',
          },
        ],
        headers: {
          'X-Lienthong-Package-Id': headers.packageId ?? row.id,
          'X-Lienthong-From': headers.from ?? '',
        },
        messageId,
      }),
    );
  };
}
