import net from 'node:net';

/**
 * A deliberately dumb SMTP client for tests: sends exactly the lines given (no SIZE parameter,
 * no dot-stuffing, bare LF if asked) and returns each reply. nodemailer is the polite client;
 * this one is how torture input and oversize data reach the listener unfiltered.
 */
export type RawReply = { code: number; text: string };

export class RawSmtp {
  private buffer = '';
  private waiters: ((reply: RawReply) => void)[] = [];
  private readonly replies: RawReply[] = [];
  /** resolves when the server (or this client) closed the connection */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      for (;;) {
        const match = /^(\d{3}) (.*)\r?\n/m.exec(this.buffer);
        if (!match) break;
        const end = match.index + match[0].length;
        const reply = { code: Number(match[1]), text: this.buffer.slice(0, end) };
        this.buffer = this.buffer.slice(end);
        const waiter = this.waiters.shift();
        if (waiter) waiter(reply);
        else this.replies.push(reply);
      }
    });
    socket.on('error', () => undefined);
  }

  /** localAddress: a source address of 127/8 (Linux routes all of it to lo), to be another client */
  static async connect(
    port: number,
    options: { localAddress?: string } = {},
  ): Promise<{ client: RawSmtp; greeting: RawReply }> {
    const socket = net.connect({ host: '127.0.0.1', port, ...options });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    // no Nagle: the terminator must not wait for the server's delayed ACK (40 ms on Linux)
    socket.setNoDelay(true);
    const client = new RawSmtp(socket);
    return { client, greeting: await client.reply() };
  }

  reply(timeoutMs = 20_000): Promise<RawReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SMTP reply')), timeoutMs);
      this.waiters.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  async command(line: string): Promise<RawReply> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** Writes the message body in chunks (dot-stuffed as given) and the terminator, then reads the reply. */
  async data(body: Buffer | string): Promise<RawReply> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
    for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
      if (!this.socket.write(bytes.subarray(offset, offset + 64 * 1024)))
        await new Promise((resolve) => this.socket.once('drain', resolve));
    this.socket.write('\r\n.\r\n');
    return this.reply(60_000);
  }

  /** HELO, MAIL, RCPT…, DATA, body; returns the replies. */
  async send(from: string, to: readonly string[], body: Buffer | string): Promise<RawReply[]> {
    const replies = [await this.command(`MAIL FROM:<${from}>`)];
    for (const rcpt of to) replies.push(await this.command(`RCPT TO:<${rcpt}>`));
    const data = await this.command('DATA');
    replies.push(data);
    if (data.code === 354) replies.push(await this.data(body));
    return replies;
  }

  /** Writes bytes as they are, no reply awaited (a slow client sends its command or DATA this way). */
  write(bytes: string | Buffer): void {
    if (this.socket.writable) this.socket.write(bytes);
  }

  close(): void {
    this.socket.end('QUIT\r\n');
  }

  /** Drops the connection without QUIT. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Dot-stuffs a message so it can go through `data()` byte-exact. */
export function dotStuff(message: string | Buffer): Buffer {
  const text = typeof message === 'string' ? message : message.toString('latin1');
  return Buffer.from(text.replace(/(^|\n)\./g, '$1..'), 'latin1');
}
