import { RawSmtp, type RawReply } from './raw-smtp.ts';

/**
 * Slow SMTP clients for the slow-client test (smtp/slow-clients.int.test.ts), run in a process of
 * their own (`node --import tsx dribblers.ts '<json>'`): attackers are other machines, and their
 * sockets must not share the hub's event loop, or the test measures the attackers' CPU.
 * The parent sends "stop"; the process answers with what the dribblers saw, then exits.
 */
export type DribblePlan = {
  port: number;
  /** connections to keep trying, spread over the addresses, half in DATA, half in a command */
  count: number;
  /** source addresses of 127/8 */
  addresses: readonly string[];
  recipient: string;
};

/** What the dribblers saw, by the reply that ended their connection. */
export type DribbleLog = { connected: number; refused: RawReply[]; cut: RawReply[] };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One slow client: connects from `localAddress`, then sends a byte a second, in DATA or in its
 * EHLO line, until the hub answers or closes; then connects again after 1–3 s, until stopped.
 */
async function dribble(
  plan: DribblePlan,
  localAddress: string,
  phase: 'data' | 'command',
  log: DribbleLog,
  stopped: () => boolean,
): Promise<void> {
  while (!stopped()) {
    let client: RawSmtp | undefined;
    try {
      const connection = await RawSmtp.connect(plan.port, { localAddress });
      client = connection.client;
      if (connection.greeting.code !== 220) {
        log.refused.push(connection.greeting);
      } else {
        log.connected += 1;
        let ready = true;
        if (phase === 'data')
          for (const line of [
            'EHLO dribbler.example',
            'MAIL FROM:<slow@dribbler.example>',
            `RCPT TO:<${plan.recipient}>`,
            'DATA',
          ])
            if ((await client.command(line)).code >= 400) ready = false;
        const bytes =
          phase === 'data'
            ? `Subject: dribble ${String(Date.now())}\r\n\r\n${'x'.repeat(200)}`
            : 'EHLO dribbler.example.slowly.example\r\n';
        const ended = client.reply(120_000).then(
          (reply) => reply,
          () => undefined,
        );
        let sent = 0;
        let reply: RawReply | undefined;
        while (ready && !stopped() && reply === undefined && sent < bytes.length) {
          client.write(bytes.charAt(sent));
          sent += 1;
          reply = await Promise.race([ended, sleep(1_000).then(() => undefined)]);
        }
        if (reply) log.cut.push(reply);
      }
    } catch {
      // refused or reset: try again, as a bot would
    } finally {
      client?.destroy();
    }
    if (!stopped()) await sleep(1_000 + Math.random() * 2_000);
  }
}

/** Runs the plan until "stop" arrives from the parent; the connections arrive within a second. */
async function run(plan: DribblePlan): Promise<void> {
  const log: DribbleLog = { connected: 0, refused: [], cut: [] };
  let stop = false;
  process.on('message', (message) => {
    if (message === 'stop') stop = true;
  });
  const dribblers = Array.from({ length: plan.count }, (_, i) =>
    sleep((i * 1000) / plan.count).then(() =>
      dribble(
        plan,
        plan.addresses[i % plan.addresses.length] ?? '127.0.0.1',
        i % 2 === 0 ? 'data' : 'command',
        log,
        () => stop,
      ),
    ),
  );
  process.send?.('started');
  await Promise.all(dribblers);
  process.send?.(log, () => process.exit(0));
}

if (process.send && process.argv[2]) await run(JSON.parse(process.argv[2]) as DribblePlan);
