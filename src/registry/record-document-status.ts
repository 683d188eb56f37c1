import type { PrismaClient, Transaction } from '../db/index.ts';
import { actorLabel, agencyScope, type Actor, said, type Said } from '../shared/index.ts';
import { checkAgencyReferences } from './agency-references.ts';
import { appendAudit } from './audit-trail.ts';
import { REGISTRY_TRANSACTION } from './transaction-options.ts';
import { owesStatus, queueStatus } from './status-outbox.ts';

/**
 * Follow-up on a registered incoming document: 04 assigned, 05 processing, 06 finished. The status
 * is recorded and, for a document that came as an edXML package, queued for its sender. Later
 * statuses may skip earlier ones; going back (06 then 05) is refused.
 */
export const FOLLOW_UP_CODES = ['04', '05', '06'] as const;
export type FollowUpCode = (typeof FOLLOW_UP_CODES)[number];

export type StatusInput = {
  code: FollowUpCode;
  description?: string;
  departmentId?: string;
  assigneeId?: string;
  staff?: Record<string, string>;
};

export type StatusOutcome =
  | { kind: 'recorded'; code: FollowUpCode; queuedForSender: boolean }
  | { kind: 'not-found' }
  | { kind: 'forbidden'; message: Said }
  | { kind: 'conflict'; message: Said }
  | { kind: 'invalid'; problems: string[]; said?: Said[] };

const DESCRIPTIONS: Record<FollowUpCode, string> = {
  '04': 'Đã phân công',
  '05': 'Đang xử lý',
  '06': 'Đã hoàn thành',
};

export async function recordDocumentStatus(
  prisma: PrismaClient,
  actor: Actor,
  documentId: string,
  input: StatusInput,
): Promise<StatusOutcome> {
  if (!/^[0-9a-f-]{36}$/i.test(documentId)) return { kind: 'not-found' };
  if (actor.kind === 'token')
    return {
      kind: 'forbidden',
      message: said(
        'Hệ thống đối tác gửi trạng thái bằng gói tin edXML.',
        'partner systems send statuses as edXML packages',
      ),
    };
  if (input.code === '04' && actor.kind === 'user' && actor.role === 'clerk' && input.assigneeId) {
    return {
      kind: 'forbidden',
      message: said('Chỉ lãnh đạo mới giao việc cho một người.', 'assigning to a person is for leaders'),
    };
  }
  const scope = agencyScope(actor);
  return prisma.$transaction(async (tx): Promise<StatusOutcome> => {
    const document = await lockDocumentInScope(tx, documentId, scope);
    if (!document) return { kind: 'not-found' };
    if (document.direction !== 'incoming')
      return {
        kind: 'conflict',
        message: said(
          'Trạng thái xử lý chỉ dành cho văn bản đến.',
          'follow-up statuses are for incoming documents',
        ),
      };
    if (document.statusCode && /^0[4-6]$/.test(document.statusCode) && document.statusCode > input.code) {
      return {
        kind: 'conflict',
        message: said(
          'Văn bản đã ở bước xử lý sau bước này: trạng thái không quay lại được.',
          `the document is already at status ${document.statusCode}; statuses do not go back`,
        ),
      };
    }
    const references = await checkAgencyReferences(tx, document.agencyId, {
      departmentId: input.departmentId,
      assigneeId: input.assigneeId,
    });
    if (references.problems.length > 0) return { kind: 'invalid', problems: references.problems };
    if (input.departmentId || input.assigneeId) {
      await tx.document.update({
        where: { id: documentId },
        data: {
          ...(input.departmentId ? { departmentId: input.departmentId } : {}),
          ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
        },
      });
    }
    const { queuedForSender } = await appendFollowUpStatus(tx, actor, document, {
      code: input.code,
      ...(input.description ? { description: input.description } : {}),
      ...(input.staff ? { staff: input.staff } : {}),
      auditData: { departmentId: input.departmentId ?? null, assigneeId: input.assigneeId ?? null },
    });
    return { kind: 'recorded', code: input.code, queuedForSender };
  }, REGISTRY_TRANSACTION);
}

type StatusTarget = {
  id: string;
  agencyId: string;
  documentKey: string | null;
  agency: { organId: string };
  intakeItem: { source: string; senderOrganId: string | null } | null;
};

/**
 * The part of a follow-up status that every path shares, inside the caller's transaction (the
 * document already locked and checked): the document's latest code, the timeline event, the status
 * owed to the sender of an edXML package (outbox) and the audit entry.
 */
export async function appendFollowUpStatus(
  tx: Transaction,
  actor: Actor,
  document: StatusTarget,
  input: {
    code: FollowUpCode;
    description?: string;
    staff?: Record<string, string>;
    auditData?: Record<string, unknown>;
  },
): Promise<{ queuedForSender: boolean }> {
  const description = input.description?.trim() || DESCRIPTIONS[input.code];
  await tx.document.update({ where: { id: document.id }, data: { statusCode: input.code } });
  await tx.statusEvent.create({
    data: {
      documentId: document.id,
      code: input.code,
      direction: 'outgoing',
      description,
      staff: input.staff ?? {},
    },
  });
  const sender = document.intakeItem;
  const queuedForSender = sender !== null && owesStatus(sender, document.agency.organId);
  if (queuedForSender) {
    await queueStatus(tx, {
      fromOrganId: document.agency.organId,
      toOrganId: sender.senderOrganId,
      code: input.code,
      documentKey: document.documentKey,
      description,
      ...(input.staff ? { staff: input.staff } : {}),
    });
  }
  await appendAudit(tx, {
    actor: actorLabel(actor),
    agencyId: document.agencyId,
    action: `document.status.${input.code}`,
    subject: `document:${document.id}`,
    data: { description, ...input.auditData },
  });
  return { queuedForSender };
}

/**
 * A document of the actor's agency (any agency for admins, `scope` null), row-locked for the rest
 * of the transaction so follow-up changes to it are serialized; null when missing or another agency's.
 */
export async function lockDocumentInScope(tx: Transaction, documentId: string, scope: string | null) {
  const [locked] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM document WHERE id = ${documentId}::uuid AND (${scope}::uuid IS NULL OR agency_id = ${scope}::uuid) FOR UPDATE`;
  if (!locked) return null;
  return tx.document.findUniqueOrThrow({
    where: { id: documentId },
    include: { agency: true, intakeItem: true },
  });
}
