import { pino } from 'pino';
import type { PrismaClient } from '../../db/index.ts';
import {
  readMessage,
  storeMessages,
  type IngestDeps,
  type IngestOutcome,
  type MailEnvelope,
} from '../ingest-message.ts';
import { createIngestMetrics } from '../ingest-metrics.ts';
import { prismaRecipientDirectory } from '../recipient-directory.ts';
import {
  startSmtpListener,
  type MailSpoolPort,
  type SmtpListener,
  type SmtpListenerOptions,
} from '../smtp/smtp-listener.ts';
import { spoolPort, startSpoolProcessor, type SpoolProcessor } from '../spool/spool-processor.ts';

export const HUB_AGENCY = '000.00.00.H53';
export const SECOND_AGENCY = '000.00.11.H53';
export const SENDER_AGENCY = '000.00.22.H53';
export const SECOND_ADDRESS = 'vanthu@stc.hanoi.gov.vn';
export const KNOWN_SENDER = 'vanthu@stc.example.vn';
export const MAIL_DOMAIN = 'lienthong.local';
/** Time limits no test meets unless it is about them (slow-clients.int.test.ts). */
export const TEST_TIME_LIMITS = {
  sessionMs: 900_000,
  dataMs: 600_000,
  minBytesPerSecond: 100,
  rateWindowMs: 30_000,
};

/** Two hosted agencies (one with its own address) and one partner agency that sends mail. */
export async function seedAgencies(prisma: PrismaClient): Promise<void> {
  await prisma.agency.create({ data: { organId: HUB_AGENCY, name: 'Hub', channel: 'hosted' } });
  await prisma.agency.create({
    data: {
      organId: SECOND_AGENCY,
      name: 'Sở Tài chính',
      channel: 'hosted',
      emails: { create: [{ address: SECOND_ADDRESS }] },
    },
  });
  await prisma.agency.create({
    data: {
      organId: SENDER_AGENCY,
      name: 'Sở Kế hoạch',
      channel: 'email',
      emails: { create: [{ address: KNOWN_SENDER }] },
    },
  });
}

export function ingestDeps(prisma: PrismaClient, overrides: Partial<IngestDeps> = {}): IngestDeps {
  return {
    prisma,
    directory: prismaRecipientDirectory(prisma, MAIL_DOMAIN),
    analysis: { parseTimeoutMs: 10_000 },
    unknownSenderPolicy: 'queue',
    metrics: createIngestMetrics(),
    authTimeoutMs: 2_000,
    ...overrides,
  };
}

/** The spool and its processor as the hub wires them (ingest-service.ts), with a test's deps. */
export function startTestSpool(
  prisma: PrismaClient,
  deps: Partial<IngestDeps> = {},
  options: { spoolMax?: number } = {},
): { spool: MailSpoolPort; processor: SpoolProcessor; deps: IngestDeps } {
  const ingest = ingestDeps(prisma, deps);
  const processor = startSpoolProcessor(ingest, {
    batchSize: 16,
    leaseMs: 15_000,
    idlePollMs: 200,
    maxAttempts: 3,
    log: pino({ level: 'silent' }),
  });
  return { spool: spoolPort(prisma, processor, options.spoolMax ?? 100_000), processor, deps: ingest };
}

export type TestListener = SmtpListener & {
  processor: SpoolProcessor;
  spool: MailSpoolPort;
  /** resolves when every message spooled so far is read into intake items */
  drained(): Promise<void>;
};

/** An SMTP listener on a free port with its spool processor; close() stops both. */
export async function startTestListener(
  prisma: PrismaClient,
  overrides: Partial<SmtpListenerOptions> = {},
  deps: Partial<IngestDeps> = {},
): Promise<TestListener> {
  const { spool, processor, deps: ingest } = startTestSpool(prisma, deps);
  const listener = await startSmtpListener({
    host: '127.0.0.1',
    port: 0,
    name: MAIL_DOMAIN,
    maxMessageBytes: 1024 * 1024,
    maxRecipients: 50,
    maxClients: 100,
    limits: { maxPerClient: 60, maxPerClientPerMinute: 100_000 },
    timeLimits: TEST_TIME_LIMITS,
    directory: ingest.directory,
    spool,
    ...(ingest.metrics ? { metrics: ingest.metrics } : {}),
    log: pino({ level: 'silent' }),
    ...overrides,
  });
  return {
    port: listener.port,
    processor,
    spool,
    drained: () => processor.drained(),
    async close() {
      await listener.close();
      await processor.stop();
    },
  };
}

/** Reads and stores one message at once, without the spool (tests that need an item, not SMTP). */
export async function ingestNow(
  deps: IngestDeps,
  raw: Buffer,
  envelope: MailEnvelope,
): Promise<IngestOutcome> {
  const read = await readMessage(deps, raw, envelope, new Date());
  const [outcome] = await storeMessages(deps, [read], () => Promise.resolve());
  if (!outcome) throw new TypeError('a batch of one returned no outcome');
  return outcome;
}
