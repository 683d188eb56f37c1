/**
 * End-to-end rate and latency of the AMQP relay for 10 KB signed edXML packages: a partner submits
 * on `lienthong.submit` (confirm channel), the hub — a real `lienthong start` on PostgreSQL —
 * verifies, records, routes and publishes, and the recipient partner consumes from its inbox.
 * Next to it, in the same run and on the same broker: a raw amqplib publish-with-confirms +
 * consume of the same bytes, and a plain xml-crypto verify loop, whose single-core rate times the
 * cores is the verification-bound ceiling the relay is judged against (target: half of it, and
 * p95 under 250 ms at 100 packages/s).
 *
 * Run: npm run bench:relay
 *   BENCH_PACKAGES=1500   packages in the saturation burst
 *   BENCH_PACED_SECONDS=15  length of the 100 packages/s phase
 *   BENCH_LOW_RATE=20     rate of a 10 s paced phase below the relay's capacity (latency without a queue)
 *   BENCH_PROFILE=1       run the hub under node --cpu-prof and print where its time goes
 * Uses the shared PostgreSQL and RabbitMQ of the tests (a fresh database and vhost, dropped after).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DOMParser } from '@xmldom/xmldom';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { SignedXml } from 'xml-crypto';
import { createPrismaAgencyDirectory } from '../src/directory/index.ts';
import { buildEdxml } from '../src/edxml/index.ts';
import { issuePartnerBrokerAccess } from '../src/exchange/index.ts';
import { HubError } from '../src/shared/index.ts';
import { signEdxml } from '../src/signing/index.ts';
import { createTestPki } from '../src/signing/test-support/test-pki.ts';
import { DSIG_NS } from '../src/signing/xmldsig-algorithms.ts';
import { freePort, hubEnv, LIENTHONG_BIN } from '../test/support/hub-process.ts';
import { prismaFor } from '../test/support/registry-fixtures.ts';
import { createTestDatabase } from '../test/support/test-database.ts';
import { createTestVhost } from '../test/support/test-broker.ts';
import { testServices } from '../test/support/test-services.ts';
import { percentile } from './latency-stats.ts';

const HUB = '000.00.00.H53';
const A = '000.00.11.H53';
const B = '000.00.12.H53';
const BURST = Number(process.env.BENCH_PACKAGES ?? '1500');
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? '15');
const PACED_RATE = 100;
// A second paced phase below the relay's capacity on a small machine: latency without a queue.
const LOW_RATE = Number(process.env.BENCH_LOW_RATE ?? '20');
const lowCount = LOW_RATE * 10;
const PROFILE = process.env.BENCH_PROFILE === '1';
const WARMUP = 100;
const CORES = availableParallelism();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- corpus: distinct signed 10 KB packages
const pki = await createTestPki();
const signingKey = { privateKey: createPrivateKey(pki.leaf.keyPem), certificatePem: pki.leaf.certificatePem };

function signedPackage(documentId: string): Buffer {
  // 4,180 attachment bytes make the signed package (with its embedded certificate) about 10 KB.
  const pdf = randomBytes(4180);
  const xml = buildEdxml({
    kind: 'edoc',
    documentId,
    from: { organId: A, organName: 'Sở Tài chính tỉnh Tây Ninh' },
    to: [{ organId: B, organName: 'Sở Y tế tỉnh Tây Ninh' }],
    code: { number: '123', notation: 'STC-VP' },
    promulgation: { place: 'Tây Ninh', date: '2026-11-25' },
    documentType: { type: 1, name: 'Công văn' },
    subject: 'V/v kết nối, liên thông phần mềm quản lý văn bản',
    signer: { competence: 'KT. GIÁM ĐỐC', position: 'Phó Giám đốc', fullName: 'Nguyễn Văn An' },
    priority: 0,
    steeringType: 0,
    businessDocType: 0,
    toPlaces: [],
    trace: [],
    warnings: [],
    attachments: [
      {
        contentId: 'cid:1',
        name: 'congvan.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
        sha256: createHash('sha256').update(pdf).digest('hex'),
        content: pdf.toString('base64'),
      },
    ],
  });
  return Buffer.from(signEdxml(xml, signingKey));
}

const runId = randomBytes(3).toString('hex');
const pacedCount = PACED_RATE * PACED_SECONDS;
const corpusStarted = performance.now();
const corpus = Array.from({ length: WARMUP + pacedCount + BURST + lowCount }, (_, i) => {
  const documentId = `${A},2026/11/25,bench-${runId}-${i}/STC-VP`;
  return { documentId, bytes: signedPackage(documentId) };
});
const packageBytes = Math.round(corpus.reduce((n, p) => n + p.bytes.length, 0) / corpus.length);
console.log(
  `relay bench — node ${process.version}, ${CORES} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}; ${corpus.length} distinct signed packages of ${packageBytes} bytes (signed in ${((performance.now() - corpusStarted) / 1000).toFixed(1)} s)\n`,
);

// ---------------------------------------------------------------- (b) plain xml-crypto verify loop
function plainVerify(bytes: Buffer): boolean {
  const xml = bytes.toString('utf8');
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const signature = document.getElementsByTagNameNS(DSIG_NS, 'Signature')[0];
  if (!signature) return false;
  const verifier = new SignedXml({ publicCert: pki.leaf.certificatePem, getCertFromKeyInfo: () => null });
  verifier.loadSignature(signature);
  return verifier.checkSignature(xml);
}

function verifyRate(): number {
  const sample = corpus.slice(0, 400);
  for (const p of sample.slice(0, 50)) plainVerify(p.bytes); // JIT warm-up
  const started = performance.now();
  for (const p of sample)
    if (!plainVerify(p.bytes)) throw new HubError('BENCH_FAILED', `${p.documentId} did not verify`);
  return sample.length / ((performance.now() - started) / 1000);
}

// ---------------------------------------------------------------- services: database, vhost, hub
const db = await createTestDatabase('relaybench');
const vhost = await createTestVhost('relaybench');
const dataDir = fs.mkdtempSync(path.join(tmpdir(), 'lienthong-relay-bench-'));
const trustDir = path.join(dataDir, 'trust');
fs.mkdirSync(trustDir, { recursive: true });
fs.writeFileSync(path.join(trustDir, 'test-root.pem'), pki.root.certificatePem);
fs.writeFileSync(path.join(trustDir, 'test-intermediate.pem'), pki.intermediate.certificatePem);
const profileDir = path.resolve(import.meta.dirname, 'out', `relay-prof-${runId}`);

const prisma = prismaFor(db.url, 2);
await createPrismaAgencyDirectory(prisma).upsertAll(
  (
    [
      [HUB, 'UBND tỉnh Tây Ninh', 'hosted'],
      [A, 'Sở Tài chính', 'partner'],
      [B, 'Sở Y tế', 'partner'],
    ] as const
  ).map(([organId, name, channel]) => ({
    organId,
    name,
    channel,
    // The sender must sign with a trusted certificate: the bench pays for the whole chain check.
    signaturePolicy: organId === A ? ('require_trusted' as const) : ('record_only' as const),
    emails: [],
    aliases: [],
  })),
);
await prisma.$disconnect();

/** Drops what the bench made; also runs when the bench dies of an uncaught error. */
async function dropServices(): Promise<void> {
  await vhost.drop().catch(() => undefined);
  await db.drop().catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

type BenchHub = { child: ChildProcess; output(): string; terminate(): Promise<number | null> };

/**
 * The real `lienthong start`, as test/support/hub-process.ts runs it, but with node flags of our
 * own: `--cpu-prof` is refused in NODE_OPTIONS, so the profiled hub gets it on its command line.
 */
async function startBenchHub(env: Record<string, string>, nodeArgs: string[]): Promise<BenchHub> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, LIENTHONG_BIN, 'start'], {
    env: { ...env, LIENTHONG_HTTP_PORT: String(port), LIENTHONG_SMTP_PORT: String(await freePort()) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new HubError('BENCH_FAILED', `hub exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new HubError('BENCH_FAILED', `hub not healthy within 60 s:\n${output}`);
    }
    await sleep(200);
  }
  return {
    child,
    output: () => output,
    terminate: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

let hub: BenchHub;
try {
  hub = await startBenchHub(
    hubEnv({
      DATABASE_URL: db.url,
      LIENTHONG_DATA_DIR: dataDir,
      LIENTHONG_TRUST_DIR: trustDir,
      AMQP_URL: vhost.amqpUrl,
      LIENTHONG_AMQP_MANAGEMENT_URL: testServices.amqpManagementUrl,
      LIENTHONG_ORGAN_ID: HUB,
      LIENTHONG_LOG_LEVEL: 'warn',
    }),
    PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
} catch (error) {
  await dropServices();
  throw error;
}
// If the bench dies of an uncaught error, its hub must not outlive it, nor its database and vhost.
process.once('uncaughtException', (error) => {
  console.error(error);
  hub.child.kill('SIGKILL');
  void dropServices().finally(() => process.exit(1));
});

/** A partner as `lienthong agency credentials` makes one: its user, and its inbox under its own name. */
async function partnerConnection(
  organId: string,
): Promise<{ connection: ChannelModel; queue: string; username: string }> {
  const access = prismaFor(db.url, 1);
  try {
    // the hub makes the inboxes once it reached the broker
    for (let tries = 0; !(await access.brokerInbox.findUnique({ where: { organId } })); tries += 1) {
      if (tries > 100) throw new HubError('BENCH_FAILED', `the hub made no inbox for ${organId}`);
      await sleep(300);
    }
    const creds = await issuePartnerBrokerAccess(
      { api: { url: testServices.amqpManagementUrl }, amqpUrl: vhost.amqpUrl, prisma: access },
      organId,
    );
    const url = new URL(vhost.amqpUrl);
    url.username = encodeURIComponent(creds.username);
    url.password = encodeURIComponent(creds.password);
    const connection = await connect(url.toString());
    // A channel error closes only that channel.
    connection.on('error', () => undefined);
    return { connection, queue: creds.queue, username: creds.username };
  } finally {
    await access.$disconnect();
  }
}

// The recipient B records when each package arrives; the sender A hears refusals, if any.
const arrivals = new Map<string, number>();
const refusals: string[] = [];
const waiters = new Set<() => void>();
const partnerB = await partnerConnection(B);
const partnerA = await partnerConnection(A);
const connB = partnerB.connection;
const connA = partnerA.connection;
const inboxB = await connB.createChannel();
await inboxB.prefetch(500);
await inboxB.consume(partnerB.queue, (message) => {
  if (!message) return;
  const documentId = message.properties.headers?.['x-lienthong-document-id'] as string | undefined;
  if (documentId && !arrivals.has(documentId)) arrivals.set(documentId, performance.now());
  inboxB.ack(message);
  for (const wake of waiters) wake();
});
const inboxA = await connA.createChannel();
await inboxA.consume(partnerA.queue, (message) => {
  if (!message) return;
  if (message.properties.type === 'error') refusals.push(message.content.toString());
  inboxA.ack(message);
});
const submitChannel: ConfirmChannel = await connA.createConfirmChannel();
const senderUser = partnerA.username;

/** Publishes with confirms; at most `window` unconfirmed, as a partner with a bounded buffer would. */
function makePublisher(channel: ConfirmChannel, exchange: string, routingKey: string, extra: object) {
  let outstanding = 0;
  let release: (() => void) | undefined;
  return async (bytes: Buffer, messageId: string, window = 256): Promise<void> => {
    while (outstanding >= window) await new Promise<void>((r) => (release = r));
    outstanding += 1;
    channel.publish(exchange, routingKey, bytes, { persistent: true, messageId, ...extra }, (error) => {
      outstanding -= 1;
      if (error) throw new HubError('BENCH_FAILED', `publish not confirmed: ${String(error)}`);
      release?.();
    });
  };
}
const submit = makePublisher(submitChannel, 'lienthong.submit', '', {
  contentType: 'application/xml',
  userId: senderUser,
});

async function waitForArrivals(ids: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ids.every((id) => arrivals.has(id))) {
    if (Date.now() > deadline) {
      const missing = ids.filter((id) => !arrivals.has(id)).length;
      throw new HubError(
        'BENCH_FAILED',
        `${missing} of ${ids.length} packages did not arrive within ${timeoutMs} ms; refusals: ${refusals.slice(0, 3).join(' | ')}\n${hub.output().slice(-3000)}`,
      );
    }
    await new Promise<void>((resolve) => {
      const wake = () => {
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
      setTimeout(wake, 200);
    });
  }
}

type Phase = { count: number; seconds: number; latencies: number[] };

/** Sends packages at `rate` per second (0: as fast as the confirm window allows). */
async function runRelayPhase(packages: typeof corpus, rate: number): Promise<Phase> {
  const sentAt = new Map<string, number>();
  const started = performance.now();
  for (const [i, p] of packages.entries()) {
    if (rate > 0) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
    }
    sentAt.set(p.documentId, performance.now());
    await submit(p.bytes, p.documentId);
  }
  const ids = packages.map((p) => p.documentId);
  await waitForArrivals(ids, 300_000);
  const last = Math.max(...ids.map((id) => arrivals.get(id) ?? 0));
  return {
    count: packages.length,
    seconds: (last - started) / 1000,
    latencies: ids.map((id) => (arrivals.get(id) ?? 0) - (sentAt.get(id) ?? 0)),
  };
}

// ---------------------------------------------------------------- (a) raw amqplib publish + consume, same bytes
async function runRawPhase(packages: typeof corpus, rate: number): Promise<Phase> {
  const conn = await connect(vhost.amqpUrl);
  const queue = `bench.raw.${rate}`;
  const admin = await conn.createChannel();
  // Same queue type as the relay's inboxes: a quorum queue.
  await admin.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  const consumeConn = await connect(vhost.amqpUrl);
  const consumer = await consumeConn.createChannel();
  await consumer.prefetch(500);
  const received = new Map<string, number>();
  let done: (() => void) | undefined;
  await consumer.consume(queue, (message) => {
    if (!message) return;
    received.set(String(message.properties.messageId), performance.now());
    consumer.ack(message);
    if (received.size === packages.length) done?.();
  });
  const finished = new Promise<void>((r) => (done = r));
  const publish = makePublisher(await conn.createConfirmChannel(), '', queue, {});
  const sentAt = new Map<string, number>();
  const started = performance.now();
  for (const [i, p] of packages.entries()) {
    if (rate > 0) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 1) await sleep(wait);
    }
    sentAt.set(p.documentId, performance.now());
    await publish(p.bytes, p.documentId);
  }
  await finished;
  const last = Math.max(...received.values());
  await consumeConn.close();
  await admin.deleteQueue(queue);
  await conn.close();
  return {
    count: packages.length,
    seconds: (last - started) / 1000,
    latencies: [...received.entries()].map(([id, at]) => at - (sentAt.get(id) ?? at)),
  };
}

// ---------------------------------------------------------------- run
const warm = corpus.slice(0, WARMUP);
const paced = corpus.slice(WARMUP, WARMUP + pacedCount);
const burst = corpus.slice(WARMUP + pacedCount, WARMUP + pacedCount + BURST);
const low = corpus.slice(WARMUP + pacedCount + BURST);
try {
  const verifyBefore = verifyRate();
  await runRelayPhase(warm, 50);
  const relayLow = await runRelayPhase(low, LOW_RATE);
  const relayPaced = await runRelayPhase(paced, PACED_RATE);
  const relayBurst = await runRelayPhase(burst, 0);
  const rawPaced = await runRawPhase(paced, PACED_RATE);
  const rawBurst = await runRawPhase(burst, 0);
  const verifyAfter = verifyRate();

  const single = (verifyBefore + verifyAfter) / 2;
  const ceiling = single * CORES;
  const relayRate = relayBurst.count / relayBurst.seconds;
  const rawRate = rawBurst.count / rawBurst.seconds;
  const p = (phase: Phase, q: number) => percentile(phase.latencies, q).toFixed(1);
  const line = (label: string, phase: Phase, extra = '') =>
    `  ${label.padEnd(44)} ${(phase.count / phase.seconds).toFixed(0).padStart(6)} /s   p50 ${p(phase, 50).padStart(7)} ms  p95 ${p(phase, 95).padStart(7)} ms  p99 ${p(phase, 99).padStart(7)} ms${extra}`;
  console.log(
    `plain xml-crypto verify, one core: ${verifyBefore.toFixed(0)} /s before, ${verifyAfter.toFixed(0)} /s after`,
  );
  console.log(
    `verification-bound ceiling: ${CORES} cores × ${single.toFixed(0)} /s = ${ceiling.toFixed(0)} packages/s\n`,
  );
  console.log(`saturation (${BURST} packages, confirm window 256):`);
  console.log(
    line(
      'relay end to end (submit → … → consumed)',
      relayBurst,
      `   ${((relayRate / ceiling) * 100).toFixed(0)}% of ceiling`,
    ),
  );
  console.log(
    line(
      'raw amqplib publish-confirm + consume',
      rawBurst,
      `   ${((rawRate / ceiling) * 100).toFixed(0)}% of ceiling`,
    ),
  );
  console.log(
    `  relay / raw AMQP: ${((relayRate / rawRate) * 100).toFixed(1)}%   relay / one-core verify: ${((relayRate / single) * 100).toFixed(0)}%`,
  );
  console.log(`\npaced at ${PACED_RATE} packages/s for ${PACED_SECONDS} s (${pacedCount} packages):`);
  console.log(line('relay end to end', relayPaced));
  console.log(line('raw amqplib publish-confirm + consume', rawPaced));
  console.log(`\npaced at ${LOW_RATE} packages/s for 10 s (${lowCount} packages):`);
  console.log(line('relay end to end', relayLow));
  const rateOk = relayRate >= ceiling / 2;
  const latencyOk = percentile(relayPaced.latencies, 95) < 250;
  console.log(
    `\ntarget: rate ≥ half the ceiling (${(ceiling / 2).toFixed(0)} /s): ${rateOk ? 'MET' : 'MISSED'}; p95 < 250 ms at ${PACED_RATE}/s: ${latencyOk ? 'MET' : 'MISSED'}`,
  );
  if (refusals.length > 0)
    console.log(`refusals heard by the sender: ${refusals.length}, e.g. ${refusals[0]}`);
} finally {
  await connA.close().catch(() => undefined);
  await connB.close().catch(() => undefined);
  const code = await hub.terminate();
  if (code !== 0) console.log(`hub exited with ${code}:\n${hub.output().slice(-2000)}`);
  await dropServices();
}
if (PROFILE) printProfile(profileDir);

// ---------------------------------------------------------------- profile summary
type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
};

function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const dependency = /\/node_modules\/(.*)$/.exec(file);
  // tsx serves the hub's own files transformed: their line numbers do not map, so none are shown.
  return dependency ? `node_modules/${dependency[1] ?? ''}` : file.replace(/^.*\/(src|bench|test)\//, '$1/');
}

function moduleOf(where: string, functionName: string): string {
  if (where.startsWith('node_modules/'))
    return where
      .split('/')
      .slice(0, where.startsWith('node_modules/@') ? 3 : 2)
      .join('/');
  if (where.startsWith('src/')) return where.split('/').slice(0, 2).join('/');
  if (where === '') return `(${functionName || 'native'})`;
  return where.startsWith('node:') ? 'node: internals' : 'other';
}

/**
 * Where the hub's main thread spends its busy time (idle excluded), from the .cpuprofile node
 * wrote at exit: self time by module, and inclusive time of the hub's own functions (src/), which
 * shows which step of the pipeline the time belongs to. Worker threads (logging) are left out.
 */
function printProfile(dir: string): void {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  // The main thread's profile is thread 0: CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile
  const main = files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
  if (!main) {
    console.log(`\nno CPU profile in ${dir}`);
    return;
  }
  const profile = JSON.parse(fs.readFileSync(path.join(dir, main), 'utf8')) as {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
  };
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfByModule = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    if (node.callFrame.functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const where = shortUrl(node.callFrame.url);
    const module = moduleOf(where, node.callFrame.functionName);
    selfByModule.set(module, (selfByModule.get(module) ?? 0) + hits);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (!frame) break;
      const at = shortUrl(frame.url);
      if (!at.startsWith('src/')) continue;
      const key = `${frame.functionName || '(anonymous)'} ${at}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + hits);
    }
  }
  const busy = total - idle;
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((v / busy) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  console.log(
    `\nhub main thread (${main} in ${dir}): ${seconds.toFixed(0)} s profiled, busy ${((busy / total) * 100).toFixed(0)}% = ${((busy / total) * seconds).toFixed(1)} s of CPU`,
  );
  console.log(`self time by module, % of busy time:\n${top(selfByModule, 15)}`);
  console.log(`inclusive time of the hub's own functions, % of busy time:\n${top(inclusive, 25)}`);
}
