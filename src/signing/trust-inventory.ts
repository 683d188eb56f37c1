/**
 * What certificates the hub holds, for people: the trust directory's anchors and intermediates,
 * the agencies' pinned signing certificates (`pins/<OrganId>…`), the certificates of the hosted
 * agencies' own signing keys (the agency key store) and any other PEM named by the
 * configuration (the TLS certificate). Each with its validity, so the data centre sees in time
 * which one is about to expire. Reads only; no trust decision is made here.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { HubError } from '../shared/index.ts';
import { factsOf } from './certificate-facts.ts';
import { listTrustFiles } from './file-trust-store.ts';
import { isCrlFile, parseCertificates, type TrustFile } from './trust-store.ts';

export type HeldCertificateKind = 'trust-anchor' | 'intermediate' | 'agency-pinned' | 'agency-key' | 'tls';

export type HeldCertificate = {
  kind: HeldCertificateKind;
  /** The agency a pinned certificate or a signing key belongs to. */
  organId: string | null;
  /** The file it was read from, relative to the trust directory when it lies there. */
  source: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprint: string;
};

function describe(
  file: TrustFile,
  source: string,
  kind?: HeldCertificateKind,
  organId?: string,
): HeldCertificate[] {
  return parseCertificates(file.bytes, file.name).map((certificate) => {
    const facts = factsOf(certificate);
    return {
      kind:
        kind ??
        (file.pinnedTo !== undefined
          ? 'agency-pinned'
          : facts.subject === facts.issuer
            ? 'trust-anchor'
            : 'intermediate'),
      organId: organId ?? file.pinnedTo ?? null,
      source,
      subject: facts.subject,
      issuer: facts.issuer,
      serial: facts.summary.serial,
      notBefore: facts.summary.notBefore,
      notAfter: facts.summary.notAfter,
      fingerprint: facts.fingerprint,
    };
  });
}

/** Every certificate of a trust directory (CRLs are skipped), sorted as in the directory. */
export async function trustDirectoryCertificates(dir: string): Promise<HeldCertificate[]> {
  const files = await listTrustFiles(dir).catch((error: unknown) => {
    throw new HubError('SIGNING_TRUST_PATH_MISSING', `cannot read the trust directory ${dir}`, {
      cause: error,
    });
  });
  return files.filter((file) => !isCrlFile(file)).flatMap((file) => describe(file, relative(dir, file.name)));
}

const AGENCY_CERTIFICATE = /^(.+)\.cert\.pem$/;

/** The certificates of the hosted agencies' signing keys (`<OrganId>.cert.pem`, agency-key-store.ts). */
export async function agencyKeyCertificates(dir: string): Promise<HeldCertificate[]> {
  const names = await readdir(dir).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new HubError('SIGNING_KEY_UNREADABLE', `cannot read the agency key directory ${dir}`, {
      cause: error,
    });
  });
  const held: HeldCertificate[] = [];
  for (const name of names.sort()) {
    const organId = AGENCY_CERTIFICATE.exec(name)?.[1];
    if (organId === undefined) continue;
    const file = join(dir, name);
    held.push(...describe({ name: file, bytes: await readFile(file) }, file, 'agency-key', organId));
  }
  return held;
}

/** The certificates of one PEM or DER file outside the trust directory (the TLS certificate). */
export async function certificatesOfFile(
  path: string,
  kind: HeldCertificateKind,
): Promise<HeldCertificate[]> {
  return describe({ name: path, bytes: await readFile(path) }, path, kind);
}
