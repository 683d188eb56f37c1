import net from 'node:net';
import { HubError } from '../shared/index.ts';

/** Malware scanning port: the names of what was found, empty when clean. */
export interface MalwareScanner {
  scan(bytes: Buffer): Promise<string[]>;
}

const CHUNK = 64 * 1024;

/**
 * clamd's INSTREAM protocol over a UNIX socket or host:port (LIENTHONG_CLAMD). A scanner that
 * cannot answer throws: the caller stores the message quarantined rather than unscanned-and-queued.
 */
export function clamdScanner(target: string, timeoutMs = 30_000): MalwareScanner {
  const connectOptions = parseTarget(target);
  return {
    scan: async (bytes) => {
      const text = await clamdExchange(connectOptions, timeoutMs, (socket) => {
        socket.write('zINSTREAM\0');
        for (let offset = 0; offset < bytes.length; offset += CHUNK) {
          const part = bytes.subarray(offset, offset + CHUNK);
          const size = Buffer.alloc(4);
          size.writeUInt32BE(part.length);
          socket.write(size);
          socket.write(part);
        }
        socket.end(Buffer.alloc(4));
      });
      if (text.endsWith('OK')) return [];
      if (text.endsWith('FOUND')) return [text.replace(/^stream:\s*/, '').replace(/\s*FOUND$/, '')];
      throw unexpectedAnswer(text);
    },
  };
}

/** clamd's PING, for /readyz: resolves when it answers PONG, else rejects with why not. */
export async function pingClamd(target: string, timeoutMs: number): Promise<void> {
  const text = await clamdExchange(parseTarget(target), timeoutMs, (socket) => {
    socket.end('zPING\0');
  });
  if (text !== 'PONG') throw unexpectedAnswer(text);
}

const unexpectedAnswer = (text: string) =>
  new HubError('INGEST_SCANNER_UNAVAILABLE', `clamd answered: ${text.slice(0, 200)}`);

/**
 * One command to clamd: connect, `send` once connected, and read the whole reply (NULs removed,
 * trimmed). A connection that fails, or a reply that does not end within `timeoutMs`, rejects.
 */
function clamdExchange(
  connectOptions: net.NetConnectOpts,
  timeoutMs: number,
  send: (socket: net.Socket) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(connectOptions);
    let reply = '';
    socket.setTimeout(timeoutMs, () => {
      socket.destroy(
        new HubError('INGEST_SCANNER_UNAVAILABLE', `clamd did not answer within ${timeoutMs} ms`),
      );
    });
    socket.on('error', (error) => {
      reject(new HubError('INGEST_SCANNER_UNAVAILABLE', `clamd: ${error.message}`, { cause: error }));
    });
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('utf8')));
    socket.on('end', () => {
      resolve(reply.replace(/\0/g, '').trim());
    });
    socket.on('connect', () => {
      send(socket);
    });
  });
}

function parseTarget(target: string): net.NetConnectOpts {
  if (target.startsWith('/')) return { path: target };
  const match = /^(?:tcp:\/\/)?([^:]+):(\d+)$/.exec(target);
  if (!match?.[1] || !match[2])
    throw new HubError(
      'INGEST_SCANNER_UNAVAILABLE',
      `clamd target "${target}" is neither a socket path nor host:port`,
    );
  return { host: match[1], port: Number(match[2]) };
}
