import { simpleParser, type ParsedMail } from 'mailparser';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpOutbound } from './outbound-mail.ts';

// Receipts and alerts through nodemailer to a real smtp-server standing in for the relay.
const received: ParsedMail[] = [];
let relay: SMTPServer;
let port = 0;

beforeAll(async () => {
  relay = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (error: unknown) => {
          callback(error as Error);
        },
      );
    },
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => relay.close(() => resolve()));
});

describe('outbound mail', () => {
  it('sends a receipt threaded to the original message, and alerts to admins', async () => {
    const outbound = smtpOutbound({
      relayUrl: `smtp://127.0.0.1:${port}`,
      from: '000.00.00.H53@lienthong.local',
      alertTo: ['admin@lienthong.local'],
      log: pino({ level: 'silent' }),
    });
    await outbound.sendReceipt('vanthu@stc.example.vn', '<orig@stc.example.vn>', 'V/v kế hoạch', ['item-1']);
    await outbound.alert('mailbox down', 'imap so-tc unreachable');
    outbound.close();
    expect(received).toHaveLength(2);
    const [receipt, alert] = received;
    expect(receipt?.inReplyTo).toBe('<orig@stc.example.vn>');
    expect(receipt?.subject).toBe('Đã nhận / Received: V/v kế hoạch');
    expect(receipt?.text).toContain('item-1');
    expect(alert?.subject).toBe('[lienthong] mailbox down');
  });

  it('a relay that is down is logged, never thrown', async () => {
    const outbound = smtpOutbound({
      relayUrl: 'smtp://127.0.0.1:1',
      from: 'a@b.example',
      alertTo: ['x@y.example'],
      log: pino({ level: 'silent' }),
    });
    await expect(outbound.alert('x', 'y')).resolves.toBeUndefined();
    outbound.close();
  });
});
