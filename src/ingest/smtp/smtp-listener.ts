import net from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../shared/index.ts';
import { smtpReply, toSmtpReply, type SmtpReplyError } from '../ingest-errors.ts';
import {
  checkConnection,
  checkDeclaredSize,
  checkReceivedSize,
  checkRecipient,
  type ConnectionLimits,
  type Verdict,
} from '../ingest-policy.ts';
import type { IngestMetrics } from '../ingest-metrics.ts';
import type { MailEnvelope } from '../ingest-message.ts';
import type { MailRecipient, RecipientDirectory } from '../recipient-directory.ts';
import type { SmtpAuthenticator } from './agency-credentials.ts';
import { ClientLoadTracker } from './client-load.ts';
import { SessionWatch, type Breach, type TimeLimits } from './session-watch.ts';

/**
 * The SMTP edge: smtp-server hooks → ingest policy → spool → reply. It decides nothing itself.
 * 250 is sent only after the raw message and its envelope are committed to the mail spool;
 * reading it into intake items is the spool processor's work, after the reply.
 *
 * Line endings: the raw message is stored byte-exact, bare CR or LF included (old clients send
 * them; mailparser reads them). smtp-server ends DATA only at CRLF.CRLF, so a bare "\n.\n" stays
 * content and cannot smuggle a second message into the session.
 */
export type SmtpListenerOptions = {
  host: string;
  port: number;
  /** hub host name in the greeting and Received lines */
  name: string;
  maxMessageBytes: number;
  maxRecipients: number;
  maxClients: number;
  limits: ConnectionLimits;
  /** whole session, DATA phase and DATA rate (session-watch.ts); a breach is answered 421 and closes */
  timeLimits: TimeLimits;
  tls?: { key: Buffer; cert: Buffer };
  /** AUTH (only offered over TLS): resolves the authenticated identity or undefined */
  authenticate?: SmtpAuthenticator;
  directory: RecipientDirectory;
  spool: MailSpoolPort;
  metrics?: IngestMetrics;
  log: Logger;
};

/** Where the edge puts a message before it answers 250. */
export type MailSpoolPort = {
  /** resolves with the spool id once the message is committed; throws when it is not */
  accept(raw: Buffer, envelope: MailEnvelope): Promise<string>;
  /** true while more unread mail waits than the hub will take: new mail is deferred (451) */
  full(): boolean;
};

export type SmtpListener = { readonly port: number; close(): Promise<void> };

type Transaction = { recipients: MailRecipient[] };

/** A connection's watch, and the DATA phase it may have to abort. */
type Watched = { watch: SessionWatch; data?: AbortController };

/** How often the time limits are checked: their precision. */
const WATCH_EVERY_MS = 250;

export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const { log, metrics, spool } = options;
  const loads = new ClientLoadTracker();
  const transactions = new WeakMap<SMTPServerSession, Transaction>();
  const watched = new WeakMap<SMTPServerSession, Watched>();
  const refuse = (verdict: Verdict): SmtpReplyError | null => {
    if (verdict.kind === 'accept') return null;
    metrics?.refused.inc({ source: 'smtp', reason: verdict.code });
    return smtpReply(verdict.code, verdict.reason);
  };
  let closing = false;
  /** A session past a time limit: counted, logged, forgotten; the 421 that ends it. */
  const overTime = (session: SMTPServerSession, breach: Breach) => {
    watched.delete(session);
    log.info(
      { session: session.id, client: session.remoteAddress, limit: breach.kind },
      'smtp session over its time limit; answering 421 and closing',
    );
    metrics?.refused.inc({ source: 'smtp', reason: 'INGEST_TIME_LIMIT' });
    // smtp-server adds no enhanced status code unless it advertises them (it does not here)
    return smtpReply(
      'INGEST_TIME_LIMIT',
      server.options.hideENHANCEDSTATUSCODES ? breach.reply : breach.reply.replace(/^4\.4\.2 /, ''),
    );
  };

  const server = new SMTPServer({
    name: options.name,
    banner: 'Lienthong ESMTP',
    size: options.maxMessageBytes,
    maxClients: options.maxClients,
    disableReverseLookup: true,
    logger: false,
    secure: false,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : { hideSTARTTLS: true }),
    authOptional: true,
    allowInsecureAuth: false,
    disabledCommands: options.authenticate && options.tls ? [] : ['AUTH'],
    closeTimeout: 5_000,
    socketTimeout: 60_000,

    onConnect(session, callback) {
      if (closing) {
        callback(smtpReply('INGEST_SHUTTING_DOWN', 'Service shutting down, try again later'));
        return;
      }
      watched.set(session, { watch: new SessionWatch(options.timeLimits, Date.now()) });
      callback(null);
    },
    onAuth(auth, session, callback) {
      const check = options.authenticate;
      if (!check || !session.secure || auth.method === 'XOAUTH2') {
        callback(smtpReply('INGEST_AUTH_FAILED', 'Authentication requires TLS and a password'));
        return;
      }
      check(auth.username ?? '', auth.password ?? '', session.remoteAddress).then(
        (user) => {
          callback(
            user ? null : smtpReply('INGEST_AUTH_FAILED', 'Authentication failed'),
            user ? { user } : undefined,
          );
        },
        (error: unknown) => {
          callback(toSmtpReply(error));
        },
      );
    },
    onMailFrom(address, session, callback) {
      transactions.set(session, { recipients: [] });
      // a session past its deadline takes no new message, even before the next check
      const breach = watched.get(session)?.watch.check(Date.now());
      if (breach) {
        callback(overTime(session, breach));
        return;
      }
      if (spool.full()) {
        callback(
          refuse({
            kind: 'refuse',
            code: 'INGEST_SPOOL_FULL',
            reason: 'The hub is still reading earlier mail, try again later',
          }),
        );
        return;
      }
      const declared = (address.args as { SIZE?: string }).SIZE;
      callback(
        refuse(
          checkDeclaredSize(declared === undefined ? undefined : Number(declared), options.maxMessageBytes),
        ),
      );
    },
    onRcptTo(address, session, callback) {
      const transaction = transactions.get(session) ?? { recipients: [] };
      transactions.set(session, transaction);
      options.directory.resolve(address.address).then(
        (recipient) => {
          const error = refuse(
            checkRecipient(recipient !== undefined, transaction.recipients.length, options.maxRecipients),
          );
          if (!error && recipient && !transaction.recipients.some((r) => r.agencyId === recipient.agencyId))
            transaction.recipients.push(recipient);
          callback(error);
        },
        (error: unknown) => {
          log.warn({ err: error }, 'recipient lookup failed');
          callback(smtpReply('INGEST_LOOKUP_UNAVAILABLE', 'Recipient lookup failed, try again later', error));
        },
      );
    },
    onData(stream, session, callback) {
      const recipients = transactions.get(session)?.recipients ?? [];
      const watching = watched.get(session);
      const data = new AbortController();
      if (watching) watching.data = data;
      watching?.watch.dataStarted(Date.now());
      const reply: typeof callback = (error, message) => {
        if (watching) {
          watching.watch.replied();
          delete watching.data;
        }
        callback(error, message);
      };
      receive(stream, options.maxMessageBytes, data.signal, watching?.watch)
        .then(async (raw) => {
          const sizeError = refuse(
            checkReceivedSize(stream.sizeExceeded || raw === null, options.maxMessageBytes),
          );
          if (sizeError || raw === null) {
            reply(sizeError);
            return;
          }
          const started = process.hrtime.bigint();
          const spoolId = await spool.accept(raw, {
            source: 'smtp',
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            recipients,
            client: { ip: session.remoteAddress, helo: session.hostNameAppearsAs, mta: options.name },
            ...(session.user ? { authenticatedAs: String(session.user) } : {}),
          });
          metrics?.secondsTo250.observe(Number(process.hrtime.bigint() - started) / 1e9);
          metrics?.bytes.inc({ source: 'smtp' }, raw.length);
          reply(null, `OK queued as ${spoolId}`);
        })
        .catch((error: unknown) => {
          // cut by a time limit: the 421 is sent and the connection closing, nothing was stored
          if (data.signal.aborted) {
            reply(toSmtpReply(error));
            return;
          }
          log.warn({ err: error, session: session.id }, 'message not stored; answering 4xx');
          metrics?.refused.inc({ source: 'smtp', reason: 'INGEST_STORE_UNAVAILABLE' });
          reply(toSmtpReply(error));
        });
    },
  });
  // smtp-server's idle timeout is reset by every byte: the time limits are checked here.
  const watchTimer = setInterval(() => {
    const now = Date.now();
    for (const connection of server.connections) {
      const watching = watched.get(connection.session);
      const breach = watching?.watch.check(now);
      if (!watching || !breach) continue;
      const error = overTime(connection.session, breach);
      connection.send(error.responseCode, error.message); // a 421 also closes the connection
      watching.data?.abort(error);
    }
  }, WATCH_EVERY_MS);
  watchTimer.unref();
  server.on('error', (error) => {
    log.warn({ err: error }, 'smtp connection error');
  });
  // The per-address limits are checked as a connection is accepted, before smtp-server sees it:
  // its connections count against maxClients from the start, during the 100 ms before the
  // greeting too, so connections refused only in onConnect could still take every slot.
  const sockets = new Set<net.Socket>();
  const front = net.createServer((socket) => {
    socket.on('error', () => undefined); // smtp-server reports errors of admitted sockets
    const client = clientAddress(socket);
    const error = refuse(checkConnection(loads.load(client), options.limits));
    if (error) {
      socket.end(`${String(error.responseCode)} ${error.message}\r\n`);
      socket.setTimeout(5_000, () => socket.destroy());
      return;
    }
    loads.opened(client);
    sockets.add(socket);
    socket.once('close', () => {
      loads.closed(client);
      sockets.delete(socket);
    });
    // Node's documented way to hand a connection to a server that did not accept it itself
    server.server.emit('connection', socket);
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port, options.host, () => {
      front.off('error', reject);
      resolve();
    });
  });
  const address = front.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  log.info({ host: options.host, port, tls: options.tls !== undefined }, 'smtp listener started');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        clearInterval(watchTimer);
        // smtp-server answers 421 to the sessions still open after its closeTimeout (5 s)
        server.close();
        front.close(() => {
          clearTimeout(last);
          resolve();
        });
        // ...and a client that then keeps its side open is dropped
        const last = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 6_000);
        last.unref();
      }),
  };
}

/** The client's address as the connection limits count it (an IPv4 client of an IPv6 socket as IPv4). */
function clientAddress(socket: net.Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/**
 * Reads DATA into memory up to the limit; past it, keeps draining (so the reply can be sent) but
 * keeps nothing. An abort (a time limit) drops what was received.
 */
function receive(
  stream: SMTPServerDataStream,
  maxBytes: number,
  signal: AbortSignal,
  watch: SessionWatch | undefined,
): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    signal.addEventListener(
      'abort',
      () => {
        chunks.length = 0;
        reject(signal.reason as Error);
      },
      { once: true },
    );
    stream.on('data', (chunk: Buffer) => {
      watch?.received(chunk.length);
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => {
      watch?.dataEnded();
      resolve(over ? null : Buffer.concat(chunks, size));
    });
  });
}
