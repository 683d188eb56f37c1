import type { Prisma, PrismaClient, Transaction } from '../db/index.ts';
import {
  systemClock,
  type Clock,
  actorLabel,
  agencyScope,
  type Actor,
  isUuid,
  issueInWords,
  said,
  type Said,
} from '../shared/index.ts';
import { checkAgencyReferences } from './agency-references.ts';
import { appendAudit } from './audit-trail.ts';
import { REGISTRY_TRANSACTION } from './transaction-options.ts';
import { foldForSearch } from './domain/search-text.ts';
import { takeRegistrationNumber } from './registration-number.ts';
import { readFieldsOfItem } from './page-fields.ts';
import { senderAgencyName } from './sender-name.ts';
import { refreshDocumentVector } from './search-index.ts';
import {
  prefillRecord,
  prefillRegistrationForm,
  RegistrationFormSchema,
  type RegistrationEdits,
} from './registration-form.ts';
import { owesStatus, queueStatus } from './status-outbox.ts';

/**
 * A clerk's decisions on an intake item: register (số đến), reject with a reason, mark as a
 * duplicate, or release from quarantine. Each runs in one transaction with its audit entry and the
 * status owed to the sender. An item of another agency is reported exactly like a missing one.
 * A quarantined item is registered only after someone released it, with a note saying why.
 */
export type DecisionRefusal =
  | { kind: 'not-found' }
  | { kind: 'forbidden'; message: Said }
  | { kind: 'conflict'; message: Said }
  | { kind: 'invalid'; problems: string[]; said?: Said[] };

export type ReleaseOutcome = { kind: 'released' } | DecisionRefusal;

export type RegisterOutcome =
  | { kind: 'registered'; documentId: string; year: number; number: number }
  | { kind: 'versioned'; documentId: string; businessType: number }
  | DecisionRefusal;

type LockedItem = {
  id: string;
  agency_id: string;
  state: string;
  reason: string | null;
  source: string;
  sender_organ_id: string | null;
  document_key: string | null;
  business_type: number;
  subject: string | null;
  metadata: unknown;
  organ_id: string;
};

function mayDecide(actor: Actor): boolean {
  return (
    actor.kind === 'system' || (actor.kind === 'user' && (actor.role === 'clerk' || actor.role === 'admin'))
  );
}

/** Locks the item row so two clerks (or two hubs) cannot decide it twice. */
async function lockItem(tx: Transaction, actor: Actor, itemId: string): Promise<LockedItem | undefined> {
  const scope = agencyScope(actor);
  const rows = await tx.$queryRaw<LockedItem[]>`
    SELECT i.id, i.agency_id, i.state::text AS state, i.reason, i.source::text AS source, i.sender_organ_id, i.document_key,
           i.business_type, i.subject, i.metadata, a.organ_id
    FROM intake_item i JOIN agency a ON a.id = i.agency_id
    WHERE i.id = ${itemId}::uuid AND (${scope}::uuid IS NULL OR i.agency_id = ${scope}::uuid)
    FOR UPDATE OF i`;
  return rows[0];
}

const OPEN_STATES = new Set(['new', 'quarantined']);
/** Ingest records what ClamAV found in `metadata.malware` ("<file>: <signature>" each). */
function hasMalware(metadata: unknown): boolean {
  const found = (metadata as { malware?: unknown } | null)?.malware;
  return Array.isArray(found) && found.length > 0;
}

/** A bounce, read receipt or abuse report (parse-message.ts kinds): about mail, never a document. */
function reportKind(metadata: unknown): string | null {
  const kind = (metadata as { mail?: { kind?: unknown } } | null)?.mail?.kind;
  return typeof kind === 'string' && kind !== 'document' ? kind : null;
}

function noteProblems(note: string): Said[] {
  if (note.length === 0)
    return [
      said(
        'Ghi chú: hãy ghi lý do văn bản được đưa ra khỏi cách ly (đã kiểm tra những gì)',
        'Note: say why the item may leave quarantine (what was checked)',
        'note',
      ),
    ];
  if (note.length > 2000)
    return [said('Ghi chú: tối đa 2000 ký tự', 'Note: at most 2000 characters', 'note')];
  return [];
}

/** An item's state as a clerk says it, after "văn bản này …". */
const STATE_WORDS: Record<string, Said> = {
  new: said('đang chờ xử lý', 'waiting in the queue'),
  registered: said('đã được vào sổ', 'already registered'),
  rejected: said('đã bị từ chối', 'already rejected'),
  duplicate: said('đã được đánh dấu là bản trùng', 'already marked as a duplicate'),
  quarantined: said('đang bị cách ly', 'quarantined'),
};

function alreadyDecided(state: string): Said {
  const words = STATE_WORDS[state] ?? said(state, state);
  return said(
    `Văn bản này ${words.vi}: không thể xử lý lại. Hãy tải lại danh sách.`,
    `the item is ${words.en.startsWith('already') ? words.en : `already ${state}`}`,
  );
}

const CLERKS_ONLY = (vi: string, en: string) => said(`Chỉ văn thư mới được ${vi}.`, `only clerks ${en}`);

/**
 * Quarantine → the clerks' queue ('new'), with the reason it was held and who looked at it in the
 * audit trail. Clerks release their agency's items; an item held for malware only an admin may
 * release (a scanner's false positive happens; an infected file in the register must not).
 */
export async function releaseIntakeItem(
  prisma: PrismaClient,
  actor: Actor,
  itemId: string,
  note: string,
): Promise<ReleaseOutcome> {
  if (!isUuid(itemId)) return { kind: 'not-found' };
  if (!mayDecide(actor))
    return {
      kind: 'forbidden',
      message: CLERKS_ONLY('đưa văn bản ra khỏi cách ly', 'release items from quarantine'),
    };
  const why = note.normalize('NFC').trim();
  const problems = noteProblems(why);
  if (problems.length > 0) return { kind: 'invalid', problems: problems.map((p) => p.en), said: problems };
  return prisma.$transaction(async (tx): Promise<ReleaseOutcome> => {
    const item = await lockItem(tx, actor, itemId);
    if (!item) return { kind: 'not-found' };
    if (item.state !== 'quarantined')
      return {
        kind: 'conflict',
        message: said(
          `Văn bản này không bị cách ly (nó ${(STATE_WORDS[item.state] ?? said(item.state, item.state)).vi}).`,
          `the item is not quarantined (it is ${item.state})`,
        ),
      };
    const admin = actor.kind === 'system' || (actor.kind === 'user' && actor.role === 'admin');
    const report = reportKind(item.metadata);
    if (report)
      return {
        kind: 'conflict',
        message: said(
          'Đây là thư báo (báo phát hoặc báo đã đọc) trả lời thư hệ thống đã gửi, không phải văn bản: nó không vào hàng chờ.',
          `a ${report} report answers mail the hub sent; it is not a document and stays out of the queue`,
        ),
      };
    if (hasMalware(item.metadata) && !admin)
      return {
        kind: 'forbidden',
        message: said(
          `Văn bản bị giữ vì có mã độc (${item.reason ?? ''}): chỉ quản trị viên mới được đưa ra khỏi cách ly.`,
          `held for malware (${item.reason ?? ''}): only an administrator can release it`,
        ),
      };
    await tx.intakeItem.update({ where: { id: item.id }, data: { state: 'new' } });
    await appendAudit(tx, {
      actor: actorLabel(actor),
      agencyId: item.agency_id,
      action: 'intake.released',
      subject: `intake:${item.id}`,
      data: { reason: item.reason, note: why },
    });
    return { kind: 'released' };
  }, REGISTRY_TRANSACTION);
}

export async function registerIntakeItem(
  prisma: PrismaClient,
  actor: Actor,
  itemId: string,
  edits: RegistrationEdits = {},
  clock: Clock = systemClock,
): Promise<RegisterOutcome> {
  if (!isUuid(itemId)) return { kind: 'not-found' };
  if (!mayDecide(actor))
    return { kind: 'forbidden', message: CLERKS_ONLY('vào sổ văn bản', 'register documents') };
  return prisma.$transaction(async (tx): Promise<RegisterOutcome> => {
    const item = await lockItem(tx, actor, itemId);
    if (!item) return { kind: 'not-found' };
    if (item.state === 'quarantined')
      return {
        kind: 'conflict',
        message: said(
          `Văn bản đang bị cách ly (${item.reason ?? 'không ghi lý do'}): hãy đưa nó ra khỏi cách ly trước khi vào sổ.`,
          `the item is quarantined (${item.reason ?? 'no reason recorded'}): release it from quarantine first`,
        ),
      };
    if (!OPEN_STATES.has(item.state)) return { kind: 'conflict', message: alreadyDecided(item.state) };
    const prefillFrom = {
      subject: item.subject,
      senderOrganId: item.sender_organ_id,
      metadata: item.metadata,
      source: item.source,
      senderAgencyName: await senderAgencyName(tx, item.sender_organ_id),
      readFields: await readFieldsOfItem(tx, item.id),
    };
    const form = RegistrationFormSchema.safeParse(prefillRegistrationForm(prefillFrom, edits));
    if (!form.success)
      return {
        kind: 'invalid',
        problems: form.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        said: form.error.issues.map(issueInWords),
      };
    const references = await checkAgencyReferences(tx, item.agency_id, {
      departmentId: form.data.departmentId,
    });
    if (references.problems.length > 0) return { kind: 'invalid', problems: references.problems };
    const now = clock.now();
    const who = actorLabel(actor);

    // Update, revoke and replace packages attach to the original document as versions.
    if (item.business_type !== 0 && item.document_key) {
      const original = await tx.document.findFirst({
        where: { agencyId: item.agency_id, direction: 'incoming', documentKey: item.document_key },
        orderBy: { registeredAt: 'asc' },
      });
      if (original) {
        await tx.documentVersion.create({
          data: { documentId: original.id, businessType: item.business_type, intakeItemId: item.id },
        });
        await tx.intakeItem.update({
          where: { id: item.id },
          data: { state: 'registered', decidedAt: now, decidedBy: who },
        });
        await appendAudit(tx, {
          actor: who,
          agencyId: item.agency_id,
          action: 'document.versioned',
          subject: `document:${original.id}`,
          data: { intakeItemId: item.id, businessType: item.business_type },
        });
        return { kind: 'versioned', documentId: original.id, businessType: item.business_type };
      }
    }

    const { year, number } = await takeRegistrationNumber(tx, item.agency_id, 'incoming', now);
    const f = form.data;
    const document = await tx.document.create({
      data: {
        agencyId: item.agency_id,
        direction: 'incoming',
        year,
        number,
        registeredAt: now,
        registeredBy: who,
        intakeItemId: item.id,
        documentKey: item.document_key,
        notation: f.notation ?? null,
        documentType: f.documentType ?? null,
        subject: f.subject,
        senderOrganId: f.senderOrganId ?? null,
        senderName: f.senderName ?? null,
        promulgatedOn: f.promulgatedOn ? new Date(`${f.promulgatedOn}T00:00:00Z`) : null,
        signer: f.signer ?? null,
        priority: f.priority ?? 0,
        dueOn: f.dueOn ? new Date(`${f.dueOn}T00:00:00Z`) : null,
        departmentId: f.departmentId ?? null,
        statusCode: owesStatus({ source: item.source, senderOrganId: item.sender_organ_id }, item.organ_id)
          ? '03'
          : null,
        searchText: foldForSearch(
          [f.subject, f.notation, f.senderName, f.senderOrganId].filter(Boolean).join(' '),
        ),
        prefill: prefillRecord(prefillFrom, f) as Prisma.InputJsonValue,
        versions: { create: { businessType: item.business_type, intakeItemId: item.id } },
      },
    });
    await tx.intakeItem.update({
      where: { id: item.id },
      data: { state: 'registered', decidedAt: now, decidedBy: who },
    });
    await refreshDocumentVector(tx, document.id);
    if (owesStatus({ source: item.source, senderOrganId: item.sender_organ_id }, item.organ_id)) {
      await tx.statusEvent.create({
        data: { documentId: document.id, code: '03', direction: 'outgoing', description: 'Đã tiếp nhận' },
      });
      await queueStatus(tx, {
        fromOrganId: item.organ_id,
        toOrganId: item.sender_organ_id as string,
        code: '03',
        documentKey: item.document_key,
        description: `Đã tiếp nhận, số đến ${number}/${year}`,
      });
    }
    await appendAudit(tx, {
      actor: who,
      agencyId: item.agency_id,
      action: 'intake.registered',
      subject: `document:${document.id}`,
      data: { intakeItemId: item.id, year, number },
    });
    return { kind: 'registered', documentId: document.id, year, number };
  }, REGISTRY_TRANSACTION);
}

export type RejectOutcome = { kind: 'rejected' } | DecisionRefusal;

export async function rejectIntakeItem(
  prisma: PrismaClient,
  actor: Actor,
  itemId: string,
  reason: string,
  clock: Clock = systemClock,
): Promise<RejectOutcome> {
  if (!isUuid(itemId)) return { kind: 'not-found' };
  if (!mayDecide(actor))
    return { kind: 'forbidden', message: CLERKS_ONLY('từ chối văn bản', 'reject documents') };
  const why = reason.normalize('NFC').trim();
  if (why.length === 0)
    return {
      kind: 'invalid',
      problems: ['reason: a rejection needs a reason the sender can act on'],
      said: [
        said(
          'Lý do: hãy ghi lý do từ chối để nơi gửi biết phải làm gì',
          'Reason: a rejection needs a reason the sender can act on',
          'reason',
        ),
      ],
    };
  if (why.length > 2000)
    return {
      kind: 'invalid',
      problems: ['reason: at most 2000 characters'],
      said: [said('Lý do: tối đa 2000 ký tự', 'Reason: at most 2000 characters', 'reason')],
    };
  return prisma.$transaction(async (tx): Promise<RejectOutcome> => {
    const item = await lockItem(tx, actor, itemId);
    if (!item) return { kind: 'not-found' };
    if (!OPEN_STATES.has(item.state)) return { kind: 'conflict', message: alreadyDecided(item.state) };
    const who = actorLabel(actor);
    await tx.intakeItem.update({
      where: { id: item.id },
      data: { state: 'rejected', reason: why, decidedAt: clock.now(), decidedBy: who },
    });
    if (owesStatus({ source: item.source, senderOrganId: item.sender_organ_id }, item.organ_id)) {
      await queueStatus(tx, {
        fromOrganId: item.organ_id,
        toOrganId: item.sender_organ_id as string,
        code: '02',
        documentKey: item.document_key,
        description: why,
      });
    }
    await appendAudit(tx, {
      actor: who,
      agencyId: item.agency_id,
      action: 'intake.rejected',
      subject: `intake:${item.id}`,
      data: { reason: why },
    });
    return { kind: 'rejected' };
  }, REGISTRY_TRANSACTION);
}

export type DuplicateOutcome = { kind: 'marked-duplicate' } | DecisionRefusal;

/** A clerk says this item is the same document as one already in the queue or the register. */
export async function markIntakeDuplicate(
  prisma: PrismaClient,
  actor: Actor,
  itemId: string,
  duplicateOfId: string,
  clock: Clock = systemClock,
): Promise<DuplicateOutcome> {
  if (!isUuid(itemId)) return { kind: 'not-found' };
  if (!mayDecide(actor))
    return { kind: 'forbidden', message: CLERKS_ONLY('đánh dấu văn bản trùng', 'mark duplicates') };
  return prisma.$transaction(async (tx): Promise<DuplicateOutcome> => {
    const item = await lockItem(tx, actor, itemId);
    if (!item) return { kind: 'not-found' };
    if (!OPEN_STATES.has(item.state)) return { kind: 'conflict', message: alreadyDecided(item.state) };
    const references = await checkAgencyReferences(
      tx,
      item.agency_id,
      { duplicateOfId },
      { intakeItemId: item.id },
    );
    if (references.problems.length > 0) return { kind: 'invalid', problems: references.problems };
    const who = actorLabel(actor);
    await tx.intakeItem.update({
      where: { id: item.id },
      data: { state: 'duplicate', duplicateOfId, decidedAt: clock.now(), decidedBy: who },
    });
    await appendAudit(tx, {
      actor: who,
      agencyId: item.agency_id,
      action: 'intake.duplicate',
      subject: `intake:${item.id}`,
      data: { duplicateOfId },
    });
    return { kind: 'marked-duplicate' };
  }, REGISTRY_TRANSACTION);
}
