import { randomUUID } from 'node:crypto';

/** A small multipart mail with a PDF attachment, byte-stable for a given seed (dedup tests retry it). */
export function buildMail(options: {
  seed: string;
  from?: string;
  to?: readonly string[];
  subject?: string;
  padBytes?: number;
  messageId?: string | null;
}): string {
  const boundary = `b-${options.seed}`;
  const pdf = Buffer.from(
    `%PDF-1.4\n% ${options.seed}\n${'x'.repeat(options.padBytes ?? 200)}\n%%EOF\n`,
  ).toString('base64');
  const headers = [
    `From: Van thu <${options.from ?? 'vanthu@stc.example.vn'}>`,
    `To: ${(options.to ?? ['000.00.00.H53@lienthong.local']).join(', ')}`,
    `Subject: ${options.subject ?? `Số ${options.seed}/UBND-VP: V/v triển khai kế hoạch`}`,
    ...(options.messageId === null
      ? []
      : [`Message-ID: <${options.messageId ?? `${options.seed}@stc.example.vn`}>`]),
    'Date: Wed, 25 Nov 2026 09:00:00 +0700',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
  ];
  return [
    ...headers,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Kính gửi quý cơ quan, văn bản ${options.seed} đính kèm.`,
    `--${boundary}`,
    `Content-Type: application/pdf; name="vanban-${options.seed}.pdf"`,
    `Content-Disposition: attachment; filename="vanban-${options.seed}.pdf"`,
    'Content-Transfer-Encoding: base64',
    '',
    ...(pdf.match(/.{1,76}/g) ?? []),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

export const uniqueSeed = () => randomUUID().slice(0, 8);
