/**
 * The national-axis simulator's raw serving rate: documents drained per second by a plain
 * keep-alive HTTP client doing what a receiving hub does — getReceivedEdocList, then getEdoc and
 * updateStatus done for each row — with no hub in the way. It is the ceiling a hub's drain bench
 * prints its own rate next to, in the same run (`measureAxisRawRate` is exported for that).
 *
 * Run: npm run bench:axis-raw
 *   BENCH_AXIS_DOCUMENTS=2000   documents enqueued per measurement
 *   BENCH_AXIS_CONCURRENCY=8    getEdoc+updateStatus pairs in flight
 * The client signs every request as the SDK does (HMAC-SHA256 over its header JSON), so the rate
 * includes the signature work of both sides.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startAxisSimulator } from '../test/support/axis-simulator.ts';
import { documentPackage } from '../test/support/relay-fixtures.ts';

export type AxisRawRate = {
  documents: number;
  pageSize: number;
  concurrency: number;
  seconds: number;
  /** documents listed, fetched and acknowledged per second */
  documentsPerSecond: number;
  requestsPerSecond: number;
};

const SYSTEM = { systemId: 'bench.axis.01', secret: 'bench-secret', organIds: ['000.00.00.H53'] };

function timestamp(): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getDate())}${two(d.getMonth() + 1)}${d.getFullYear()}T${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}+${String(d.getMilliseconds()).padStart(4, '0')}`;
}

/** The SDK's signature headers for these parameters (key order as given; the axis hashes what is sent). */
function signedHeaders(parameters: [string, string][]): Record<string, string> {
  const entries: [string, string][] = [
    ['timestamp', timestamp()],
    ['systemid', SYSTEM.systemId],
    ['Content-Type', 'application/json'],
    ...parameters,
  ];
  const json = JSON.stringify(Object.fromEntries(entries.map(([key, value]) => [`XroadVnpt-${key}`, value])));
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  for (const [key, value] of entries) headers[`XroadVnpt-${key}`] = value;
  headers['XroadVnpt-sign-header-key'] = entries.map(([key]) => key).join(';');
  headers['XroadVnpt-sign-header'] = json;
  headers['XroadVnpt-hash-header'] = createHmac('sha256', SYSTEM.secret).update(json).digest('hex');
  return headers;
}

function post(
  agent: http.Agent,
  endpoint: string,
  call: string,
  parameters: [string, string][],
): Promise<unknown> {
  const url = new URL(`${endpoint}/${call}`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: signedHeaders(parameters),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        response.once('error', reject);
      },
    );
    request.once('error', reject);
    request.end();
  });
}

type Answer = { status?: string; ErrorDesc?: string; data?: unknown };

function checked(answer: unknown, call: string): Answer {
  const value = answer as Answer;
  if (value.status !== 'OK') throw new TypeError(`${call} answered ${JSON.stringify(answer).slice(0, 200)}`);
  return value;
}

/** Enqueues `documents` ~10 KB packages and drains them; the simulator runs in this process. */
export async function measureAxisRawRate(
  options: { documents?: number; pageSize?: number; concurrency?: number } = {},
): Promise<AxisRawRate> {
  const documents = options.documents ?? 2000;
  const pageSize = options.pageSize ?? 50;
  const concurrency = options.concurrency ?? 8;
  const simulator = await startAxisSimulator({ systems: [SYSTEM] });
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency + 1 });
  try {
    const attachment = randomBytes(4096);
    for (let i = 0; i < documents; i += 1) {
      const edxml = documentPackage({
        from: '000.00.00.G22',
        to: SYSTEM.organIds,
        subject: `Công văn ${i}`,
        attachments: [{ name: 'congvan.pdf', bytes: attachment }],
      });
      simulator.enqueue({ from: '000.00.00.G22', to: SYSTEM.organIds, edxml });
    }
    let requests = 0;
    let drained = 0;
    const started = performance.now();
    while (drained < documents) {
      const list = checked(
        await post(agent, simulator.endpoint, 'getReceivedEdocList', [
          ['servicetype', 'eDoc'],
          ['messagetype', 'edoc'],
          ['pageSize', String(pageSize)],
          ['pageIndex', '1'],
        ]),
        'getReceivedEdocList',
      );
      requests += 1;
      const rows = list.data as { docId: string }[];
      if (rows.length === 0) throw new TypeError(`the list ran dry after ${drained} of ${documents}`);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
          while (next < rows.length) {
            const row = rows[next++];
            if (!row) break;
            const edoc = checked(
              await post(agent, simulator.endpoint, 'getEdoc', [['docId', row.docId]]),
              'getEdoc',
            );
            createHash('sha256')
              .update(Buffer.from(edoc.data as string, 'base64'))
              .digest();
            checked(
              await post(agent, simulator.endpoint, 'updateStatus', [
                ['docid', row.docId],
                ['status', 'done'],
              ]),
              'updateStatus',
            );
            requests += 2;
            drained += 1;
          }
        }),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      documents,
      pageSize,
      concurrency,
      seconds,
      documentsPerSecond: documents / seconds,
      requestsPerSecond: requests / seconds,
    };
  } finally {
    agent.destroy();
    await simulator.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const documents = Number(process.env.BENCH_AXIS_DOCUMENTS ?? '2000');
  const concurrency = Number(process.env.BENCH_AXIS_CONCURRENCY ?? '8');
  console.log(`axis simulator raw serving rate (${documents} documents of ~10 KB, keep-alive client)`);
  for (const pageSize of [50, 1]) {
    const rate = await measureAxisRawRate({ documents, pageSize, concurrency });
    console.log(
      `  pageSize ${String(pageSize).padStart(2)}, ${concurrency} in flight: ${rate.documentsPerSecond.toFixed(0)} documents/s ` +
        `(${rate.requestsPerSecond.toFixed(0)} requests/s, ${rate.seconds.toFixed(2)} s)`,
    );
  }
}
