import { pino } from 'pino';
import type { PrismaClient } from '../../db/index.ts';
import type { IngestDeps } from '../ingest-message.ts';
import { createIngestMetrics } from '../ingest-metrics.ts';
import { prismaRecipientDirectory } from '../recipient-directory.ts';
import { startSmtpListener, type SmtpListener, type SmtpListenerOptions } from '../smtp/smtp-listener.ts';

export const HUB_AGENCY = '000.00.00.H53';
export const SECOND_AGENCY = '000.00.11.H53';
export const SENDER_AGENCY = '000.00.22.H53';
export const SECOND_ADDRESS = 'vanthu@stc.hanoi.gov.vn';
export const KNOWN_SENDER = 'vanthu@stc.example.vn';
export const MAIL_DOMAIN = 'lienthong.local';

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
    enforceDmarcReject: false,
    metrics: createIngestMetrics(),
    authTimeoutMs: 2_000,
    ...overrides,
  };
}

export function startTestListener(
  prisma: PrismaClient,
  overrides: Partial<SmtpListenerOptions> = {},
  deps: Partial<IngestDeps> = {},
): Promise<SmtpListener> {
  return startSmtpListener({
    host: '127.0.0.1',
    port: 0,
    name: MAIL_DOMAIN,
    maxMessageBytes: 1024 * 1024,
    maxRecipients: 50,
    maxClients: 100,
    limits: { maxPerClient: 60, maxPerClientPerMinute: 100_000 },
    ingest: ingestDeps(prisma, deps),
    log: pino({ level: 'silent' }),
    ...overrides,
  });
}
