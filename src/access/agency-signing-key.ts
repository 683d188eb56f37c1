import { X509Certificate } from 'node:crypto';
import type { PrismaClient } from '../db/index.ts';
import type { AgencyDirectory } from '../directory/index.ts';
import { actorLabel, type Actor } from '../shared/index.ts';
import { installAgencyKey, signingKeyFromPem } from '../signing/index.ts';
import { recordAccessEvent } from './access-audit.ts';

/**
 * Installs the key an agency's documents sent from the console are signed with, and records it in
 * the audit trail (the certificate's subject, serial, validity and fingerprint; never key material).
 * The pair is checked first (a readable RSA key that belongs to the certificate). The entry's
 * transaction stays open while the files are written, so a failed write leaves no entry and a
 * refused entry leaves no key: only a commit failing after the files were renamed into place can
 * leave a key without its entry, and the next install of that agency writes one.
 */
export type SigningKeyOutcome =
  | { kind: 'installed'; subject: string; serial: string; notAfter: string; fingerprint: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'refused'; message: string };

export type SigningKeyDeps = {
  prisma: PrismaClient;
  directory: AgencyDirectory;
  /** the data directory's agency key folder (signing/agency-key-store.ts) */
  keyDir: string;
};

export async function installAgencySigningKey(
  deps: SigningKeyDeps,
  actor: Actor,
  organId: string,
  keyPem: Buffer,
  certificatePem: Buffer,
): Promise<SigningKeyOutcome> {
  const agency = await deps.directory.find(organId);
  // A former code (alias) does not name the agency's key files.
  if (agency?.organId !== organId) return { kind: 'not-found', message: `no agency ${organId}` };
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(signingKeyFromPem(keyPem, certificatePem).certificatePem);
  } catch (error) {
    return { kind: 'refused', message: (error as Error).message };
  }
  const facts = {
    subject: certificate.subject,
    serial: certificate.serialNumber,
    notAfter: new Date(certificate.validTo).toISOString(),
    fingerprint: certificate.fingerprint256,
  };
  const agencyId = (await deps.prisma.agency.findUnique({ where: { organId }, select: { id: true } }))?.id;
  await deps.prisma.$transaction(async (tx) => {
    await recordAccessEvent(tx, {
      actor: actorLabel(actor),
      agencyId: agencyId ?? null,
      action: 'agency.signing-key-installed',
      subject: `agency:${organId}`,
      data: facts,
    });
    await installAgencyKey(deps.keyDir, organId, keyPem, certificatePem);
  });
  return { kind: 'installed', ...facts };
}
