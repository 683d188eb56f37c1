import { Prisma, type PrismaClient, type Transaction } from '../db/index.ts';
import { closedCodeNote, findAgency, type ResolvedAgency } from '../directory/index.ts';
import { inspectEdxml, type EdocPackage, type EdxmlPackage, type StatusPackage } from '../edxml/index.ts';
import { appendAudit, putBlob, REGISTRY_TRANSACTION, sha256Hex } from '../registry/index.ts';
import { isHubError } from '../shared/index.ts';
import { verifyEdxmlSignature, type SignatureVerdict } from '../signing/index.ts';
import { findConfidentialityMarking } from './domain/confidentiality.ts';
import type { RelayDeps } from './relay-deps.ts';
import { applyStatusToDelivery } from './apply-status.ts';

/**
 * The one submit path for every source: AMQP `lienthong.submit`, `POST /api/v1/packages`,
 * `lienthong send` and packages composed in the console. It reads and validates the package,
 * verifies its signature, checks that the submitter speaks for the `From` agency, applies the
 * relay policy (docs/contract.md) and records the package with one outbox row per recipient in one
 * transaction. The caller acknowledges only after this returns.
 */
export type Submitter = {
  via: 'amqp' | 'http' | 'cli' | 'console' | 'axis';
  /** the agency the submitter is authenticated as (broker user, API token, login) */
  organId: string;
  /** for the audit trail */
  label: string;
};

export type SubmitOutcome =
  | { kind: 'accepted'; packageId: string; recipients: string[]; verdict: SignatureVerdict }
  | { kind: 'duplicate'; packageId: string }
  | { kind: 'held'; packageId: string; reason: string }
  | { kind: 'refused'; reasons: string[]; documentKey: string | null };

const refused = (
  reasons: string[],
  documentKey: string | null = null,
): Extract<SubmitOutcome, { kind: 'refused' }> => ({ kind: 'refused', reasons, documentKey });
const RELAYED_STATUS_CODES = new Set(['01', '02', '03', '04', '05', '06', '13', '15', '16']);

export async function submitPackage(
  deps: RelayDeps,
  submitter: Submitter,
  bytes: Uint8Array,
): Promise<SubmitOutcome> {
  const outcome = await submitOnce(deps, submitter, bytes);
  if (outcome.kind === 'refused') await recordRefusal(deps, submitter, outcome);
  return outcome;
}

/**
 * Kept for the relay dashboard (refusals per minute, and why). Best effort: the refusal is the
 * answer whether or not it could be recorded, and nothing was accepted that a lost row would hide.
 * (A document composed in the console and refused inside its transaction is answered to the
 * clerk on the spot and not recorded here.)
 */
async function recordRefusal(
  deps: RelayDeps,
  submitter: Submitter,
  refusal: Extract<SubmitOutcome, { kind: 'refused' }>,
): Promise<void> {
  try {
    await deps.prisma.relayRefusal.create({
      data: {
        submitterOrganId: submitter.organId.slice(0, 20),
        submittedVia: submitter.via,
        documentKey: refusal.documentKey?.slice(0, 400) ?? null,
        reasons: refusal.reasons.slice(0, 8).map((reason) => reason.slice(0, 500)),
      },
    });
  } catch (error) {
    deps.log.warn({ err: error, organId: submitter.organId }, 'could not record a refused submission');
  }
}

async function submitOnce(deps: RelayDeps, submitter: Submitter, bytes: Uint8Array): Promise<SubmitOutcome> {
  const checked = await checkSubmission(deps, readerOf(deps.prisma), submitter, bytes);
  if (checked.kind === 'refused') return checked;
  try {
    const outcome = await deps.prisma.$transaction(
      (tx) => recordSubmission(tx, submitter, checked, bytes),
      REGISTRY_TRANSACTION,
    );
    if (outcome.kind === 'accepted' || outcome.kind === 'held') deps.outboxChanged?.();
    return outcome;
  } catch (error) {
    // Two processes took the same submission at once: the loser sees the winner's row.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const existing = await deps.prisma.relayPackage.findUnique({
        where: { fromOrganId_sha256: { fromOrganId: checked.sender.organId, sha256: checked.sha256 } },
      });
      if (existing) return { kind: 'duplicate', packageId: existing.id };
    }
    if (isHubError(error)) return refused([error.message], checked.documentKey);
    throw error;
  }
}

/**
 * The same path inside a transaction the caller holds (a document composed in the console is
 * numbered in the outgoing register and submitted in one commit: neither without the other).
 * Every read goes through `tx`, so it also works on the single-connection embedded database.
 * The caller commits, then calls `deps.outboxChanged`.
 */
export async function submitPackageInTransaction(
  tx: Transaction,
  deps: RelayDeps,
  submitter: Submitter,
  bytes: Uint8Array,
): Promise<SubmitOutcome> {
  const checked = await checkSubmission(deps, readerOf(tx), submitter, bytes);
  if (checked.kind === 'refused') return checked;
  return recordSubmission(tx, submitter, checked, bytes);
}

/**
 * The submit path with one more write in its commit: `alongside` runs in the transaction that
 * records the package (or, for a refusal, in a transaction of its own), with the outcome. The
 * national-axis poller keeps the axis's DocId this way, so a DocId is stored exactly when its
 * package is. The checks run before the transaction, as in `submitPackage`.
 */
export async function submitPackageAlongside(
  deps: RelayDeps,
  submitter: Submitter,
  bytes: Uint8Array,
  alongside: (tx: Transaction, outcome: SubmitOutcome) => Promise<void>,
): Promise<SubmitOutcome> {
  const checked = await checkSubmission(deps, readerOf(deps.prisma), submitter, bytes);
  const outcome = await deps.prisma.$transaction(async (tx) => {
    const recorded =
      checked.kind === 'refused' ? checked : await recordSubmission(tx, submitter, checked, bytes);
    await alongside(tx, recorded);
    return recorded;
  }, REGISTRY_TRANSACTION);
  if (outcome.kind === 'accepted' || outcome.kind === 'held') deps.outboxChanged?.();
  return outcome;
}

/** What the checks read: the directory and, for recalls, the packages already relayed. */
export type Reader = {
  find(organId: string): Promise<ResolvedAgency | undefined>;
  relayPackage: Pick<Transaction['relayPackage'], 'findMany'>;
};

export function readerOf(db: PrismaClient | Transaction): Reader {
  return { find: (organId) => findAgency(db, organId), relayPackage: db.relayPackage };
}

type Checked = {
  kind: 'checked';
  pkg: EdxmlPackage;
  documentKey: string | null;
  sender: ResolvedAgency;
  verdict: SignatureVerdict;
  receivedAt: Date;
  recipients: string[];
  /** recipients named by a closed code, each with the words saying where it went */
  redirects: Redirect[];
  /** for a status: every code of the agency it answers (the delivery may be under a former one) */
  originalSenderCodes: string[];
  marking: ReturnType<typeof confidentialityOf>;
  mailOnly: Map<string, string[]>;
  sha256: string;
  log: RelayDeps['log'];
};

/** Everything before the commit: size, edXML validity, sender, signature, routing, marking. */
async function checkSubmission(
  deps: RelayDeps,
  reader: Reader,
  submitter: Submitter,
  bytes: Uint8Array,
): Promise<Checked | Extract<SubmitOutcome, { kind: 'refused' }>> {
  if (bytes.length > deps.maxMessageBytes) {
    return refused([
      `Gói tin quá lớn / package too large: ${bytes.length} bytes, the limit is ${deps.maxMessageBytes}`,
    ]);
  }
  const inspected = inspectEdxml(bytes, {
    limits: { maxBytes: deps.maxMessageBytes },
  });
  const pkg = inspected.package;
  const errors = inspected.validation.problems.filter((p) => p.severity === 'error');
  if (!pkg || errors.length > 0) {
    const shown = errors.slice(0, 8).map((p) => `${p.path}: ${p.message}`);
    return refused(shown.length > 0 ? shown : ['Không đọc được gói tin / not a readable edXML package']);
  }
  const documentKey = pkg.kind === 'edoc' ? (pkg.documentId ?? null) : (pkg.responseFor.documentId ?? null);
  const fromOrganId = pkg.from.organId;
  if (!fromOrganId) return refused(['From/OrganId is missing'], documentKey);
  const sender = await reader.find(fromOrganId);
  if (!sender)
    return refused(
      [
        `Cơ quan gửi ${fromOrganId} không có trong danh bạ / the sending agency ${fromOrganId} is not in the hub's directory`,
      ],
      documentKey,
    );
  // The submitter authenticated under a code (its broker user, token or login); codes compare as
  // the directory resolves them (case, a rule-equivalent or former code of the same agency).
  const submitterAgency =
    submitter.organId === sender.organId ? sender : await reader.find(submitter.organId);
  if (submitterAgency?.organId !== sender.organId) {
    return refused(
      [
        `Bạn chỉ được gửi thay cho cơ quan của mình / you may submit only for your own agency ${submitter.organId}; this package says From ${fromOrganId}`,
      ],
      documentKey,
    );
  }

  const receivedAt = deps.clock.now();
  const verdict = deps.verifyEdxml
    ? await deps.verifyEdxml(bytes, receivedAt)
    : (await verifyEdxmlSignature(bytes, await deps.trust(), { at: receivedAt })).verdict;
  if (verdict.status === 'invalid') {
    return refused(
      [`Chữ ký số không hợp lệ / the signature is invalid: ${verdict.reasons.join('; ')}`],
      documentKey,
    );
  }
  if (sender.signaturePolicy === 'require_trusted' && !verdict.trusted) {
    return refused(
      [
        `Cơ quan ${sender.organId} phải ký số bằng chứng thư tin cậy / ${sender.organId} must send packages with a trusted signature (${verdict.status}, ${verdict.chain}): ${verdict.reasons.join('; ')}`,
      ],
      documentKey,
    );
  }

  const routing =
    pkg.kind === 'edoc'
      ? await routeDocument(reader, pkg, sender.organId)
      : await routeStatus(reader, pkg, sender.organId);
  if (routing.kind === 'refused') return refused(routing.reasons, documentKey);
  const mailOnly = new Map<string, string[]>();
  for (const organId of routing.recipients) {
    const agency = await reader.find(organId);
    if (agency?.channel === 'email') mailOnly.set(organId, agency.emails);
  }
  return {
    kind: 'checked',
    pkg,
    documentKey,
    sender,
    verdict,
    receivedAt,
    recipients: routing.recipients,
    redirects: routing.redirects,
    originalSenderCodes: routing.originalSenderCodes ?? [],
    marking: pkg.kind === 'edoc' ? confidentialityOf(pkg) : null,
    mailOnly,
    sha256: sha256Hex(bytes),
    log: deps.log,
  };
}

/** The commit: package, per-recipient delivery and outbox rows, the audit entry. */
async function recordSubmission(
  tx: Transaction,
  submitter: Submitter,
  checked: Checked,
  bytes: Uint8Array,
): Promise<SubmitOutcome> {
  const { pkg, documentKey, sender, verdict, receivedAt, marking, mailOnly, sha256 } = checked;
  const routing = { recipients: checked.recipients };
  const existing = await tx.relayPackage.findUnique({
    where: { fromOrganId_sha256: { fromOrganId: sender.organId, sha256 } },
  });
  if (existing) return { kind: 'duplicate', packageId: existing.id };
  await putBlob(tx, bytes);
  const heldReason = marking
    ? `Văn bản có dấu độ mật "${marking.level}" (${marking.where}): không được chuyển qua hệ thống, đang chờ văn thư xử lý / marked ${marking.level}; held for a clerk, never relayed automatically`
    : null;
  const record = await tx.relayPackage.create({
    data: {
      kind: pkg.kind,
      fromOrganId: sender.organId,
      documentKey,
      businessType: pkg.kind === 'edoc' ? (pkg.businessDocType ?? 0) : 0,
      statusCode: pkg.kind === 'status' ? (pkg.statusCode ?? null) : null,
      sha256,
      submittedVia: submitter.via,
      submittedBy: submitter.label,
      verdict: { ...verdict, checkedAt: receivedAt.toISOString() },
      heldReason,
      receivedAt,
    },
  });
  // Last statements of the transaction: the audit chain's lock is held only until the commit.
  const audit = async () => {
    // A closed code is never a reason to refuse or drop: the package goes to the code's
    // successor, and the trail says so in words, one entry per closed code used.
    for (const redirect of checked.redirects) {
      await appendAudit(tx, {
        actor: submitter.label,
        action: 'relay.closed-code',
        subject: `package:${record.id}`,
        data: {
          note: redirect.note,
          given: redirect.given,
          closedOn: redirect.closedOn,
          reason: redirect.reason,
          to: redirect.to,
          documentKey,
        },
      });
    }
    await appendAudit(tx, {
      actor: submitter.label,
      action: heldReason ? 'relay.held' : 'relay.submitted',
      subject: `package:${record.id}`,
      data: {
        kind: pkg.kind,
        from: sender.organId,
        to: routing.recipients,
        documentKey,
        sha256,
        signature: verdict.status,
        chain: verdict.chain,
        ...(checked.redirects.length > 0 ? { closedCodes: checked.redirects.map((r) => r.given) } : {}),
      },
    });
  };
  if (heldReason) {
    await queueError(tx, sender.organId, {
      packageId: record.id,
      documentId: documentKey,
      reasons: [heldReason],
    });
    await audit();
    return { kind: 'held', packageId: record.id, reason: heldReason };
  }
  for (const to of routing.recipients) {
    await tx.relayDelivery.create({
      data: {
        packageId: record.id,
        toOrganId: to,
        history: [
          {
            state: 'queued',
            at: receivedAt.toISOString(),
            ...notesFor(checked.redirects, to),
          },
        ],
      },
    });
    const mailTo = mailOnly.get(to);
    await tx.outboxMessage.create({
      data: {
        // An agency reached only by e-mail gets the package as an attachment (outbound-mail/relay-mail-channel.ts).
        kind: mailTo ? 'mail' : pkg.kind,
        targetOrganId: to,
        bodySha256: sha256,
        headers: {
          packageId: record.id,
          from: sender.organId,
          documentKey,
          ...(mailTo
            ? {
                to: mailTo,
                subject: pkg.kind === 'edoc' ? (pkg.subject ?? null) : `Trạng thái ${pkg.statusCode ?? ''}`,
              }
            : {}),
        },
      },
    });
  }
  if (pkg.kind === 'status' && pkg.statusCode) {
    await applyStatusToDelivery(tx, checked.log, {
      documentKey,
      originalSender: [...routing.recipients, ...checked.originalSenderCodes],
      statusSender: sender.organId,
      statusSenderFormerCodes: sender.aliases,
      code: pkg.statusCode,
      ...(pkg.description ? { description: pkg.description } : {}),
    });
  }
  await audit();
  return { kind: 'accepted', packageId: record.id, recipients: routing.recipients, verdict };
}

/** A recipient named by a closed code: delivered to the code's successor. */
export type Redirect = {
  given: string;
  to: string;
  closedOn: string | null;
  reason: 'merger' | 'code_change';
  note: string;
};

export type Routing =
  | { kind: 'routed'; recipients: string[]; redirects: Redirect[]; originalSenderCodes?: string[] }
  | { kind: 'refused'; reasons: string[] };

function redirectOf(given: string, agency: ResolvedAgency): Redirect | null {
  const note = closedCodeNote(given, agency);
  if (!note || agency.matched.kind !== 'former') return null;
  return {
    given,
    to: agency.organId,
    closedOn: agency.matched.closedOn,
    reason: agency.matched.reason,
    note,
  };
}

function notesFor(redirects: readonly Redirect[], to: string): { note?: string } {
  const notes = redirects.filter((r) => r.to === to).map((r) => r.note);
  return notes.length > 0 ? { note: notes.join('; ') } : {};
}

/**
 * Each To names an agency by any of its codes; two codes of one agency (G12 and 000.00.00.G12, or
 * a closed code and its successor's) are one recipient and one delivery.
 */
export async function routeDocument(reader: Reader, pkg: EdocPackage, from: string): Promise<Routing> {
  const recipients: string[] = [];
  const redirects: Redirect[] = [];
  const reasons: string[] = [];
  for (const to of pkg.to) {
    const organId = to.organId;
    if (!organId) continue;
    const agency = await reader.find(organId);
    if (!agency)
      reasons.push(`Không có cơ quan nhận ${organId} trong danh bạ / unknown recipient ${organId}`);
    else if (agency.organId === from) reasons.push(`a package cannot be sent to its own sender ${from}`);
    else {
      if (!recipients.includes(agency.organId)) recipients.push(agency.organId);
      const redirect = redirectOf(organId, agency);
      if (redirect) redirects.push(redirect);
    }
  }
  if (recipients.length === 0 && reasons.length === 0)
    reasons.push('the package names no recipient (To/OrganId)');
  return reasons.length > 0 ? { kind: 'refused', reasons } : { kind: 'routed', recipients, redirects };
}

/**
 * 01–06, 15, 16 go back to the original sender; 13 (recall) to the recipients recorded for it. A
 * ResponseFor naming a closed code reaches the code's successor and finds the document it sent
 * under any of its codes.
 */
export async function routeStatus(reader: Reader, pkg: StatusPackage, from: string): Promise<Routing> {
  const code = pkg.statusCode ?? '';
  if (!RELAYED_STATUS_CODES.has(code))
    return { kind: 'refused', reasons: [`status code ${code || '(none)'} is not one the hub relays`] };
  const original = pkg.responseFor.organId;
  if (code !== '13') {
    if (!original)
      return {
        kind: 'refused',
        reasons: ['ResponseFor/OrganId is missing: the hub cannot tell whom the status answers'],
      };
    const agency = await reader.find(original);
    if (!agency) return { kind: 'refused', reasons: [`unknown agency ${original} in ResponseFor`] };
    const redirect = redirectOf(original, agency);
    return {
      kind: 'routed',
      recipients: [agency.organId],
      redirects: redirect ? [redirect] : [],
      originalSenderCodes: [agency.organId, ...agency.aliases],
    };
  }
  const documentKey = pkg.responseFor.documentId;
  const sender = await reader.find(from);
  const senderCodes = sender ? [sender.organId, ...sender.aliases] : [from];
  const sent = documentKey
    ? await reader.relayPackage.findMany({
        where: { kind: 'edoc', fromOrganId: { in: senderCodes }, documentKey },
        include: { deliveries: true },
      })
    : [];
  // A recipient recorded under a code closed since is recalled at its successor.
  const recipients: string[] = [];
  const redirects: Redirect[] = [];
  for (const recorded of new Set(sent.flatMap((p) => p.deliveries.map((d) => d.toOrganId)))) {
    const agency = await reader.find(recorded);
    const target = agency?.organId ?? recorded;
    if (!recipients.includes(target)) recipients.push(target);
    const redirect = agency ? redirectOf(recorded, agency) : null;
    if (redirect) redirects.push(redirect);
  }
  return recipients.length > 0
    ? { kind: 'routed', recipients, redirects }
    : {
        kind: 'refused',
        reasons: [
          `a recall (13) for ${documentKey ?? '(no DocumentId)'}: the hub relayed no such document from ${from}`,
        ],
      };
}

function confidentialityOf(pkg: EdocPackage) {
  return findConfidentialityMarking({
    subject: pkg.subject,
    content: pkg.content,
    documentType: pkg.documentType.name,
    notation: pkg.code.notation,
  });
}

/** An `error` message for a sender's inbox: why its submission was refused or held. */
export async function queueError(
  tx: Transaction,
  toOrganId: string,
  body: { packageId?: string; documentId: string | null; reasons: string[] },
): Promise<void> {
  const bytes = Buffer.from(
    JSON.stringify({
      ...(body.packageId ? { packageId: body.packageId } : {}),
      documentId: body.documentId,
      reasons: body.reasons,
    }),
  );
  const sha256 = await putBlob(tx, bytes);
  await tx.outboxMessage.create({
    data: {
      kind: 'error',
      targetOrganId: toOrganId,
      bodySha256: sha256,
      headers: { documentKey: body.documentId },
    },
  });
}

export type { EdxmlPackage };
