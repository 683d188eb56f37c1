/**
 * The signing keys of the agencies the hub hosts: a clerk's outgoing document is signed with its
 * agency's key, never with another's. The file adapter keeps each pair as
 * `<dir>/<OrganId>.key.pem` (unencrypted PEM, mode 0600) and `<dir>/<OrganId>.cert.pem`, put there by
 * `lienthong agency signing-key ORGANID --key K.pem --cert C.pem`; files are read on demand, so a
 * key installed while the hub runs is used at the next send.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HubError } from '../shared/index.ts';
import { signingKeyFromPem, type SigningKey } from './key-store.ts';

export interface AgencyKeyStore {
  /** The agency's signing key, or null when none is configured; a broken pair throws. */
  signingKeyFor(organId: string): Promise<SigningKey | null>;
}

/** Where the hub keeps agencies' signing keys: `$LIENTHONG_DATA_DIR/keys/agencies` (backed up with the data directory). */
export function agencyKeyDir(dataDir: string): string {
  return path.join(dataDir, 'keys', 'agencies');
}

const SAFE_ORGAN_ID = /^[0-9A-Za-z.]{1,20}$/;

export function agencyKeyFiles(dir: string, organId: string): { keyPath: string; certificatePath: string } {
  if (!SAFE_ORGAN_ID.test(organId) || organId.startsWith('.'))
    throw new HubError('SIGNING_ORGAN_ID_INVALID', `not an OrganId: ${organId}`);
  return {
    keyPath: path.join(dir, `${organId}.key.pem`),
    certificatePath: path.join(dir, `${organId}.cert.pem`),
  };
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

export function fileAgencyKeyStore(dir: string): AgencyKeyStore {
  return {
    async signingKeyFor(organId) {
      const files = agencyKeyFiles(dir, organId);
      const read = (file: string, code: 'SIGNING_KEY_UNREADABLE' | 'SIGNING_CERTIFICATE_UNREADABLE') =>
        readFile(file).catch((error: unknown) => {
          if (missing(error)) return null;
          throw new HubError(code, `cannot read ${file}`, { cause: error });
        });
      const [key, certificate] = await Promise.all([
        read(files.keyPath, 'SIGNING_KEY_UNREADABLE'),
        read(files.certificatePath, 'SIGNING_CERTIFICATE_UNREADABLE'),
      ]);
      if (key === null && certificate === null) return null;
      if (key === null || certificate === null)
        throw new HubError(
          'SIGNING_KEY_INCOMPLETE',
          `the signing key of ${organId} is incomplete: ${key === null ? files.keyPath : files.certificatePath} is missing`,
        );
      return signingKeyFromPem(key, certificate);
    },
  };
}

/** Checks the pair (readable, RSA, key matches certificate), then writes both files atomically. */
export async function installAgencyKey(
  dir: string,
  organId: string,
  keyPem: Buffer,
  certificatePem: Buffer,
): Promise<SigningKey> {
  const key = signingKeyFromPem(keyPem, certificatePem);
  const files = agencyKeyFiles(dir, organId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const put = async (file: string, bytes: Buffer | string, mode: number) => {
    const staging = `${file}.${process.pid}.tmp`;
    await writeFile(staging, bytes, { mode });
    await chmod(staging, mode);
    await rename(staging, file);
  };
  await put(files.certificatePath, key.certificatePem, 0o644);
  await put(files.keyPath, keyPem, 0o600);
  return key;
}
