import { postgresClient, type PrismaClient } from '../../src/db/index.ts';
import { contentDedupKey, receiveIntakeItems, type ReceiveIntakeInput } from '../../src/registry/index.ts';
import { type Actor } from '../../src/shared/index.ts';

export function prismaFor(url: string, max = 10): PrismaClient {
  return postgresClient(url, { max });
}

export const SYSTEM: Actor = { kind: 'system', component: 'test' };

export async function createAgency(prisma: PrismaClient, organId: string, name = `Cơ quan ${organId}`) {
  return prisma.agency.create({ data: { organId, name, channel: 'hosted' } });
}

export function clerkOf(agencyId: string, username = `vanthu-${agencyId.slice(0, 4)}`): Actor {
  return {
    kind: 'user',
    userId: '00000000-0000-4000-8000-000000000001',
    username,
    role: 'clerk',
    agencyId,
    departmentId: null,
  };
}

/** Puts one package-like item in an agency's queue; `seed` makes its bytes unique. */
export async function receiveItem(
  prisma: PrismaClient,
  agencyId: string,
  seed: string,
  extra: Partial<ReceiveIntakeInput> = {},
): Promise<string> {
  const raw = Buffer.from(`<edXMLEnvelope>${seed}</edXMLEnvelope>`);
  const [received] = await receiveIntakeItems(prisma, SYSTEM, {
    source: 'amqp',
    raw,
    agencyIds: [agencyId],
    dedupKey: contentDedupKey(extra.senderOrganId ?? '000.00.11.H53', raw),
    senderOrganId: '000.00.11.H53',
    documentKey: `000.00.11.H53,2026/11/20,${seed}/STC-VP`,
    subject: `Về việc ${seed}`,
    metadata: {
      subject: `Quyết định về việc ${seed}`,
      code: { number: seed, notation: `${seed}/QĐ-STC` },
      from: { organId: '000.00.11.H53', organName: 'Sở Tài chính' },
      promulgation: { date: '2026-11-20' },
    },
    ...extra,
  });
  if (!received) throw new Error('no item received');
  return received.itemId;
}
