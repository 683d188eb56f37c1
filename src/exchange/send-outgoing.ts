import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/index.ts';
import { buildEdxml } from '../edxml/index.ts';
import {
  getDocument,
  recordOutgoingDocument,
  REGISTRY_TRANSACTION,
  sha256Hex,
  takeRegistrationNumber,
} from '../registry/index.ts';
import { HubError, isHubError, actorLabel, type Actor, type Said } from '../shared/index.ts';
import { signEdxml, type AgencyKeyStore, type SigningKey } from '../signing/index.ts';
import { ND30_DOCUMENT_TYPES } from '../text/index.ts';
import type { RelayDeps } from './relay-deps.ts';
import { submitPackageInTransaction } from './submit-package.ts';
import { deliveryProblemWords } from './delivery-problem.ts';

/**
 * A clerk sends a document from the console: the PDF and its metadata become an edXML package
 * (From = the clerk's agency, To = the recipients chosen from the directory), signed with the
 * agency's own key, numbered in the outgoing register book (số đi) and submitted through the one
 * submit path — all in one transaction, so a number is never taken without the package being
 * queued, and nothing is queued without its line in the book.
 */
export type OutgoingInput = {
  /** ký hiệu without the number, e.g. `UBND-VP`; the hub puts số đi in front */
  notation: string;
  /** row of the Nghị định 30 table (ND30_DOCUMENT_TYPES.no) */
  documentType: number;
  subject: string;
  /** YYYY-MM-DD */
  promulgatedOn: string;
  place?: string;
  signer: { fullName: string; position?: string; competence?: string };
  priority: number;
  dueOn?: string;
  recipients: string[];
  pdf: { name: string; content: Buffer };
};

export type OutgoingOutcome =
  | {
      kind: 'sent';
      documentId: string;
      year: number;
      number: number;
      notation: string;
      packageId: string;
      recipients: string[];
    }
  | { kind: 'forbidden'; message: string }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'unknown-recipients'; organIds: string[] }
  | { kind: 'no-key'; message: string }
  | { kind: 'refused'; reasons: string[] };

export type OutgoingDeps = RelayDeps & { readonly agencyKeys: AgencyKeyStore };

/** A PDF starts with `%PDF-` (readers allow junk before it within 1 KiB) and ends with `%%EOF`. */
export function looksLikePdf(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 1024).toString('latin1');
  const tail = bytes.subarray(Math.max(0, bytes.length - 1024)).toString('latin1');
  return head.includes('%PDF-') && tail.includes('%%EOF');
}

/** Room left for the XML around the base64 PDF in a package of the hub's size limit. */
export function maxOutgoingPdfBytes(maxMessageBytes: number): number {
  return Math.max(0, Math.floor(((maxMessageBytes - 65_536) * 3) / 4));
}

const slashDate = (isoDate: string) => isoDate.replaceAll('-', '/');

/** Vietnam local time as edXML's normalized JSON writes it. */
function vietnamTimestamp(at: Date): string {
  return `${new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
}

export async function sendOutgoingDocument(
  deps: OutgoingDeps,
  actor: Actor,
  input: OutgoingInput,
): Promise<OutgoingOutcome> {
  if (actor.kind !== 'user' || actor.role !== 'clerk')
    return {
      kind: 'forbidden',
      message:
        'Chỉ văn thư của cơ quan gửi văn bản đi / only a clerk of the sending agency sends documents (partner systems submit edXML packages)',
    };
  const problems: string[] = [];
  if (!looksLikePdf(input.pdf.content))
    problems.push('pdf: Tệp không phải PDF / the file is not a PDF (no %PDF- header or %%EOF trailer)');
  const limit = maxOutgoingPdfBytes(deps.maxMessageBytes);
  if (input.pdf.content.length > limit)
    problems.push(`pdf: Tệp quá lớn / the PDF has ${input.pdf.content.length} bytes, the limit is ${limit}`);
  const type = ND30_DOCUMENT_TYPES.find((t) => t.no === input.documentType);
  if (!type) problems.push(`documentType: ${input.documentType} is not a row of the Nghị định 30 table`);
  const recipients = [...new Set(input.recipients)];
  if (recipients.length === 0)
    problems.push('recipients: Chọn ít nhất một nơi nhận / choose at least one recipient');
  if (problems.length > 0 || !type) return { kind: 'invalid', problems };

  const agency = await deps.prisma.agency.findUnique({ where: { id: actor.agencyId } });
  if (!agency) return { kind: 'forbidden', message: 'the clerk’s agency is not in the directory' };
  const unknown: string[] = [];
  const found: { organId: string; name: string }[] = [];
  for (const organId of recipients) {
    const recipient = await deps.directory.find(organId);
    if (!recipient || recipient.organId === agency.organId) unknown.push(organId);
    else if (!found.some((f) => f.organId === recipient.organId))
      found.push({ organId: recipient.organId, name: recipient.name });
  }
  if (unknown.length > 0) return { kind: 'unknown-recipients', organIds: unknown };

  let key: SigningKey | null;
  try {
    key = await deps.agencyKeys.signingKeyFor(agency.organId);
  } catch (error) {
    if (!isHubError(error)) throw error;
    return {
      kind: 'no-key',
      message: `Khóa ký số của cơ quan ${agency.organId} không dùng được / the signing key of ${agency.organId} cannot be used: ${error.message}. Quản trị viên cài lại bằng / an admin installs it again with: lienthong agency signing-key ${agency.organId} --key KEY.pem --cert CERT.pem`,
    };
  }
  if (!key)
    return {
      kind: 'no-key',
      message: `Cơ quan ${agency.organId} chưa có khóa ký số nên không gửi được văn bản / ${agency.organId} has no signing key, so nothing is sent unsigned. Quản trị viên cấu hình bằng / an admin configures it with: lienthong agency signing-key ${agency.organId} --key KEY.pem --cert CERT.pem`,
    };
  const signingKey = key;

  const who = actorLabel(actor);
  const now = deps.clock.now();
  const content = input.pdf.content;
  try {
    const sent = await deps.prisma.$transaction(async (tx) => {
      const { year, number } = await takeRegistrationNumber(tx, agency.id, 'outgoing', now);
      const notation = `${number}/${input.notation}`;
      const documentKey = `${agency.organId},${slashDate(input.promulgatedOn)},${notation}`;
      const unsigned = buildEdxml({
        kind: 'edoc',
        documentId: documentKey,
        from: { organId: agency.organId, organName: agency.name },
        to: found.map((r) => ({ organId: r.organId, organName: r.name })),
        code: { number: String(number), notation: input.notation },
        promulgation: {
          ...(input.place ? { place: input.place } : {}),
          date: input.promulgatedOn,
        },
        documentType: { type: 1, typeDetail: 0, name: type.name },
        subject: input.subject,
        signer: {
          ...(input.signer.competence ? { competence: input.signer.competence } : {}),
          ...(input.signer.position ? { position: input.signer.position } : {}),
          fullName: input.signer.fullName,
        },
        ...(input.dueOn ? { dueDate: input.dueOn } : {}),
        priority: input.priority,
        steeringType: 0,
        businessDocType: 0,
        toPlaces: found.map((r) => r.name.slice(0, 150)),
        attachments: [
          {
            contentId: randomUUID(),
            name: input.pdf.name,
            contentType: 'application/pdf',
            size: content.length,
            sha256: sha256Hex(content),
            content: content.toString('base64'),
          },
        ],
        trace: [{ organId: agency.organId, timestamp: vietnamTimestamp(now) }],
      });
      const signed = Buffer.from(signEdxml(unsigned, signingKey), 'utf8');
      const outcome = await submitPackageInTransaction(
        tx,
        deps,
        { via: 'console', organId: agency.organId, label: who },
        signed,
      );
      // Anything but a clean acceptance undoes the number too (a held package never travels).
      if (outcome.kind !== 'accepted')
        throw new HubError('EXCHANGE_OUTGOING_REFUSED', 'the package was not accepted', {
          details: {
            reasons:
              outcome.kind === 'refused'
                ? outcome.reasons
                : outcome.kind === 'held'
                  ? [
                      'Văn bản có dấu độ mật: không được gửi qua hệ thống liên thông, chưa có gì được gửi và không cấp số / a document marked confidential (Mật, Tối mật, Tuyệt mật) never travels through the hub; nothing was sent or numbered',
                    ]
                  : ['the same package was already submitted'],
          },
        });
      const { documentId } = await recordOutgoingDocument(tx, {
        agencyId: agency.id,
        year,
        number,
        registeredAt: now,
        registeredBy: who,
        documentKey,
        notation,
        documentType: type.name,
        subject: input.subject,
        recipients: found,
        promulgatedOn: input.promulgatedOn,
        signer: input.signer.fullName,
        priority: input.priority,
        ...(input.dueOn ? { dueOn: input.dueOn } : {}),
        packageId: outcome.packageId,
      });
      return {
        kind: 'sent' as const,
        documentId,
        year,
        number,
        notation,
        packageId: outcome.packageId,
        recipients: outcome.recipients,
      };
    }, REGISTRY_TRANSACTION);
    deps.outboxChanged?.();
    return sent;
  } catch (error) {
    if (isHubError(error, 'EXCHANGE_OUTGOING_REFUSED'))
      return {
        kind: 'refused',
        reasons: (error.details?.reasons as string[] | undefined) ?? [error.message],
      };
    if (isHubError(error) && error.code.startsWith('EDXML_'))
      return { kind: 'invalid', problems: [error.message] };
    throw error;
  }
}

export type DeliveryView = {
  packageId: string;
  toOrganId: string;
  toName: string | null;
  state: string;
  /** why: the recipient's refusal (status 02) or the relay's last error */
  reason: string | null;
  /** the relay's last error in words for the clerk (the recipient's own refusal is `reason` as written) */
  reasonWords: Said | null;
  /** while the relay keeps trying: how many attempts so far and when the next one is due */
  retry: { attempts: number; nextAttemptAt: string } | null;
  updatedAt: string;
  history: unknown[];
};

/**
 * Where each recipient stands with a document the caller's agency sent: the deliveries of its
 * packages (same DocumentId, from this agency). A document of another agency is `undefined`, like
 * a missing one; an incoming document has no deliveries.
 */
export async function deliveriesOfDocument(
  prisma: PrismaClient,
  actor: Actor,
  documentId: string,
): Promise<DeliveryView[] | undefined> {
  const document = await getDocument(prisma, actor, documentId);
  if (!document) return undefined;
  if (document.direction !== 'outgoing' || !document.documentKey) return [];
  const agency = await prisma.agency.findUnique({ where: { id: document.agencyId } });
  if (!agency) return [];
  const packages = await prisma.relayPackage.findMany({
    where: { kind: 'edoc', fromOrganId: agency.organId, documentKey: document.documentKey, businessType: 0 },
    include: { deliveries: { orderBy: { toOrganId: 'asc' } } },
    orderBy: { receivedAt: 'asc' },
  });
  const deliveries = packages.flatMap((p) => p.deliveries);
  // Work still waiting for a recipient: its attempts and last error (a delivery stays `queued`
  // while the relay retries, and its own last error is written only when the relay gives up).
  const waiting = deliveries.some((d) => d.state === 'queued')
    ? await prisma.outboxMessage.findMany({
        where: {
          state: 'pending',
          OR: packages.map((p) => ({ headers: { path: ['packageId'], equals: p.id } })),
        },
        select: { headers: true, targetOrganId: true, attempts: true, availableAt: true, lastError: true },
      })
    : [];
  const pendingOf = (packageId: string, toOrganId: string) =>
    waiting.find(
      (row) =>
        row.targetOrganId === toOrganId &&
        (row.headers as { packageId?: unknown } | null)?.packageId === packageId,
    );
  const names = new Map(
    (
      await prisma.agency.findMany({
        where: { organId: { in: deliveries.map((d) => d.toOrganId) } },
        select: { organId: true, name: true },
      })
    ).map((a) => [a.organId, a.name]),
  );
  return deliveries.map((d) => {
    const history = Array.isArray(d.history) ? d.history : [];
    const last = [...history]
      .reverse()
      .find(
        (entry): entry is { state: string; description?: string } =>
          typeof entry === 'object' &&
          entry !== null &&
          !Array.isArray(entry) &&
          entry.state === d.state &&
          (entry.description === undefined || typeof entry.description === 'string'),
      );
    const refusal = d.state === 'rejected' && last?.description ? last.description : null;
    const pending = d.state === 'queued' ? pendingOf(d.packageId, d.toOrganId) : undefined;
    const relayError = pending?.lastError ?? d.lastError;
    return {
      packageId: d.packageId,
      toOrganId: d.toOrganId,
      toName: names.get(d.toOrganId) ?? null,
      state: d.state,
      reason: refusal ?? relayError,
      reasonWords: refusal || !relayError ? null : deliveryProblemWords(relayError, d.state === 'failed'),
      retry:
        pending && pending.attempts > 0
          ? { attempts: pending.attempts, nextAttemptAt: pending.availableAt.toISOString() }
          : null,
      updatedAt: d.updatedAt.toISOString(),
      history,
    };
  });
}
