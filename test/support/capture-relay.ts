import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real smtp-server standing in for the data centre's outbound relay in tests: it takes every
 * mail and keeps it — envelope recipients, the bytes as sent, and the parsed message.
 */
export type CapturedMail = { to: string[]; raw: Buffer; parsed: ParsedMail };

export type CaptureRelay = {
  readonly port: number;
  /** for LIENTHONG_SMTP_RELAY_URL / nodemailer */
  readonly url: string;
  /** in arrival order; tests may empty it */
  readonly mails: CapturedMail[];
  close(): Promise<void>;
};

export async function startCaptureRelay(): Promise<CaptureRelay> {
  const mails: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
            callback();
          },
          (error: unknown) => {
            callback(error as Error);
          },
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
