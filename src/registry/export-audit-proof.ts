import type { PrismaClient } from '../db/index.ts';
import { accumulateChain } from './audit-timestamps.ts';
import { GENESIS_HASH } from './domain/audit-hash.ts';
import { isUuid } from '../shared/index.ts';
import {
  anchorDatum,
  PROOF_FORMAT,
  type AuditProof,
  type ProofChainEntry,
  type Said,
} from './domain/audit-proof.ts';

export type ProofOutcome =
  | { kind: 'exported'; proof: AuditProof }
  | { kind: 'not-found' }
  | { kind: 'no-entries' }
  | { kind: 'not-yet-stamped'; lastSeq: bigint; message: Said };

/**
 * One document's proof (domain/audit-proof.ts): the register fields, the intake items it came
 * from with their files' SHA-256 and the signature verdicts stored at receipt, its audit entries,
 * and the chain from the first of them to the first time-stamped head at or after the last.
 */
export async function exportAuditProof(prisma: PrismaClient, documentId: string): Promise<ProofOutcome> {
  if (!isUuid(documentId)) return { kind: 'not-found' };
  const document = await prisma.document.findUnique({
    where: { id: documentId },
    include: {
      agency: { select: { organId: true, name: true } },
      versions: { orderBy: { receivedAt: 'asc' } },
    },
  });
  if (!document) return { kind: 'not-found' };
  const itemIds = [
    ...new Set(
      [document.intakeItemId, ...document.versions.map((v) => v.intakeItemId)].filter(
        (id): id is string => id !== null,
      ),
    ),
  ];
  const items = await prisma.intakeItem.findMany({
    where: { id: { in: itemIds } },
    include: { attachments: { orderBy: { name: 'asc' } } },
  });
  const subjects = [`document:${document.id}`, ...itemIds.map((id) => `intake:${id}`)];
  // The document's entries carry its agency: the (agency, seq) index finds them.
  const own = await prisma.auditEntry.findMany({
    where: { agencyId: document.agencyId, subject: { in: subjects } },
    orderBy: { seq: 'asc' },
    select: { seq: true },
  });
  const first = own[0]?.seq;
  const last = own.at(-1)?.seq;
  if (first === undefined || last === undefined) return { kind: 'no-entries' };
  const anchor = await prisma.auditTimestamp.findFirst({
    where: { seq: { gte: last } },
    orderBy: [{ seq: 'asc' }, { id: 'asc' }],
  });
  if (!anchor)
    return {
      kind: 'not-yet-stamped',
      lastSeq: last,
      message: {
        vi: `Mục nhật ký cuối của văn bản (số ${String(last)}) chưa được đóng dấu thời gian; chạy "lienthong audit timestamp" hoặc chờ lần đóng dấu hằng ngày, rồi xuất lại.`,
        en: `The document's last audit entry (${String(last)}) is not time-stamped yet; run "lienthong audit timestamp" or wait for the daily time stamp, then export again.`,
      },
    };
  const ownSeqs = new Set(own.map((e) => e.seq));
  // The accumulator just before the first link: from the last time stamp before it, else the start.
  const prior = await prisma.auditTimestamp.findFirst({
    where: { seq: { lt: first } },
    orderBy: [{ seq: 'desc' }, { id: 'desc' }],
  });
  const accumulatorBefore = await accumulateChain(
    prisma,
    prior
      ? { accumulator: prior.accumulator, afterSeq: prior.seq }
      : { accumulator: GENESIS_HASH, afterSeq: -1n },
    first - 1n,
  );
  // Other entries are read by their hashes only: their content never leaves the database.
  const [links, contents] = await Promise.all([
    prisma.auditEntry.findMany({
      where: { seq: { gte: first, lte: anchor.seq } },
      orderBy: { seq: 'asc' },
      select: { seq: true, prevHash: true, hash: true },
    }),
    prisma.auditEntry.findMany({ where: { seq: { in: [...ownSeqs] } } }),
  ]);
  const contentOf = new Map(contents.map((row) => [row.seq, row]));
  const chain = links.map((row): ProofChainEntry => {
    const link = { seq: row.seq.toString(), prevHash: row.prevHash, hash: row.hash };
    const own = contentOf.get(row.seq);
    if (!own) return link;
    return {
      ...link,
      content: {
        at: own.at.toISOString(),
        actor: own.actor,
        agencyId: own.agencyId,
        action: own.action,
        subject: own.subject,
        data: own.data,
      },
    };
  });
  const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
  const proof: AuditProof = {
    format: PROOF_FORMAT,
    exportedAt: new Date().toISOString(),
    document: {
      id: document.id,
      agency: { id: document.agencyId, organId: document.agency.organId, name: document.agency.name },
      direction: document.direction,
      year: document.year,
      number: document.number,
      registeredAt: document.registeredAt.toISOString(),
      registeredBy: document.registeredBy,
      documentKey: document.documentKey,
      notation: document.notation,
      documentType: document.documentType,
      subject: document.subject,
      senderOrganId: document.senderOrganId,
      senderName: document.senderName,
      promulgatedOn: day(document.promulgatedOn),
      signer: document.signer,
      statusCode: document.statusCode,
      versions: document.versions.map((v) => ({
        businessType: v.businessType,
        intakeItemId: v.intakeItemId,
        receivedAt: v.receivedAt.toISOString(),
        note: v.note,
      })),
    },
    received: itemIds.flatMap((id) => {
      const item = items.find((i) => i.id === id);
      if (!item) return [];
      return [
        {
          id: item.id,
          source: item.source,
          receivedAt: item.receivedAt.toISOString(),
          rawSha256: item.rawSha256,
          messageId: item.messageId,
          senderOrganId: item.senderOrganId,
          senderAddress: item.senderAddress,
          verdicts: item.verdicts,
          files: item.attachments.map((a) => ({
            name: a.name,
            contentType: a.contentType,
            size: a.size,
            sha256: a.sha256,
            verdicts: a.verdicts,
          })),
        },
      ];
    }),
    documentEntries: own.map((e) => e.seq.toString()),
    chain,
    accumulatorBefore,
    anchor: {
      seq: anchor.seq.toString(),
      hash: anchor.hash,
      accumulator: anchor.accumulator,
      genTime: anchor.genTime.toISOString(),
      tsa: anchor.tsa,
      datum: anchorDatum(anchor.seq, anchor.hash, anchor.accumulator),
      token: Buffer.from(anchor.token).toString('base64'),
    },
  };
  return { kind: 'exported', proof };
}
