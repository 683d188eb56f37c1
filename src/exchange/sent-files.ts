import type { PrismaClient } from '../db/index.ts';
import { parseEdxml, type Attachment, type EdocPackage } from '../edxml/index.ts';
import { agencyScope, type Actor } from '../shared/index.ts';

/**
 * The files of a document the caller's agency sent: they exist only inside the signed edXML
 * package the hub built and stored (content-addressed in `blob`), so they are read back from it
 * with the edXML reader. A document of another agency is `undefined`, exactly like a missing one;
 * an incoming document has no sent package (its files are its intake item's attachments).
 */
export type SentFile = {
  /** position in the package's AttachmentEncoded, from 0: names may repeat or be odd, positions do not */
  index: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
};

export type SentFilesOutcome =
  { kind: 'files'; files: SentFile[] } | { kind: 'not-found' } | { kind: 'too-large'; message: string };

export type SentFileOutcome =
  | { kind: 'file'; file: SentFile; bytes: Buffer }
  | { kind: 'not-found' }
  | { kind: 'too-large'; message: string };

/** What reading a stored package may cost: the hub's message limit, as at submit. */
export type SentFileLimits = { maxPackageBytes: number };

export async function listSentFiles(
  prisma: PrismaClient,
  actor: Actor,
  documentId: string,
  limits: SentFileLimits,
): Promise<SentFilesOutcome> {
  const read = await readSentPackage(prisma, actor, documentId, limits, false);
  if (read.kind !== 'package') return read;
  return { kind: 'files', files: read.pkg ? read.pkg.attachments.map(sentFileOf) : [] };
}

export async function readSentFile(
  prisma: PrismaClient,
  actor: Actor,
  documentId: string,
  index: number,
  limits: SentFileLimits,
): Promise<SentFileOutcome> {
  const read = await readSentPackage(prisma, actor, documentId, limits, true);
  if (read.kind !== 'package') return read;
  const attachment = read.pkg?.attachments[index];
  if (!attachment?.content) return { kind: 'not-found' };
  return {
    kind: 'file',
    file: sentFileOf(attachment, index),
    bytes: Buffer.from(attachment.content, 'base64'),
  };
}

function sentFileOf(attachment: Attachment, index: number): SentFile {
  return {
    index,
    // A package may leave both out; the hub's own packages always name them.
    name: attachment.name ?? `tep-${index + 1}`,
    contentType: attachment.contentType ?? 'application/octet-stream',
    size: attachment.size,
    sha256: attachment.sha256,
  };
}

type PackageRead =
  | { kind: 'package'; pkg: EdocPackage | null }
  | { kind: 'not-found' }
  | { kind: 'too-large'; message: string };

async function readSentPackage(
  prisma: PrismaClient,
  actor: Actor,
  documentId: string,
  limits: SentFileLimits,
  withContent: boolean,
): Promise<PackageRead> {
  if (!/^[0-9a-f-]{36}$/i.test(documentId)) return { kind: 'not-found' };
  const scope = agencyScope(actor);
  const document = await prisma.document.findFirst({
    where: { id: documentId, ...(scope ? { agencyId: scope } : {}) },
    select: { direction: true, documentKey: true, agency: { select: { organId: true } } },
  });
  if (!document) return { kind: 'not-found' };
  if (document.direction !== 'outgoing' || !document.documentKey) return { kind: 'package', pkg: null };
  // The original the console built and submitted for this line of the outgoing book (the same
  // link deliveriesOfDocument follows); a partner system's packages never make an outgoing line.
  const sent = await prisma.relayPackage.findFirst({
    where: {
      kind: 'edoc',
      fromOrganId: document.agency.organId,
      documentKey: document.documentKey,
      businessType: 0,
      submittedVia: 'console',
    },
    orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
    select: { sha256: true },
  });
  if (!sent) return { kind: 'package', pkg: null };
  // The size first, so a package over the limit (lowered since it was sent) is never loaded.
  const stored = await prisma.blob.findUnique({ where: { sha256: sent.sha256 }, select: { size: true } });
  if (!stored) return { kind: 'package', pkg: null };
  if (stored.size > limits.maxPackageBytes)
    return {
      kind: 'too-large',
      message: `Gói tin đã gửi ${stored.size} byte vượt giới hạn hiện tại ${limits.maxPackageBytes} byte / the sent package of ${stored.size} bytes is over the hub's current limit of ${limits.maxPackageBytes} bytes`,
    };
  const blob = await prisma.blob.findUnique({ where: { sha256: sent.sha256 }, select: { content: true } });
  if (!blob) return { kind: 'package', pkg: null };
  const pkg = parseEdxml(blob.content, { withContent, limits: { maxBytes: limits.maxPackageBytes } });
  return { kind: 'package', pkg: pkg.kind === 'edoc' ? pkg : null };
}
