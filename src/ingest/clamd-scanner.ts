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
    scan: (bytes) =>
      new Promise((resolve, reject) => {
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
          const text = reply.replace(/\0/g, '').trim();
          if (text.endsWith('OK')) resolve([]);
          else if (text.endsWith('FOUND'))
            resolve([text.replace(/^stream:\s*/, '').replace(/\s*FOUND$/, '')]);
          else reject(new HubError('INGEST_SCANNER_UNAVAILABLE', `clamd answered: ${text.slice(0, 200)}`));
        });
        socket.on('connect', () => {
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
      }),
  };
}

/** clamd's PING, for /readyz: resolves when it answers PONG, else rejects with why not. */
export function pingClamd(target: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(parseTarget(target));
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
      const text = reply.replace(/\0/g, '').trim();
      if (text === 'PONG') resolve();
      else reject(new HubError('INGEST_SCANNER_UNAVAILABLE', `clamd answered: ${text.slice(0, 200)}`));
    });
    socket.on('connect', () => {
      socket.end('zPING\0');
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
