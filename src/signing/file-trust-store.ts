/**
 * File adapter of the trust-store port. A trust directory holds anchors and intermediates
 * (`*.crt`, `*.pem`, `*.cer`), CRLs (`*.crl`) and agency pins (`pins/<OrganId>.pem`, or
 * `pins/<OrganId>/*.pem`). `--trust` and `--crl` arguments may name single files instead.
 */
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HubError } from '../shared/index.ts';
import {
  buildTrustMaterial,
  mergeTrustMaterial,
  type TrustFile,
  type TrustMaterial,
  type TrustStore,
} from './trust-store.ts';

const MATERIAL_EXTENSIONS = new Set(['.crt', '.pem', '.cer', '.der', '.crl']);
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** The government root shipped with the hub, used to seed an empty trust directory. */
export const GOVERNMENT_ROOT_PATH = fileURLToPath(new URL('./anchors/vgca-rootcag2.crt', import.meta.url));

async function readTrustFile(path: string, pinnedTo?: string): Promise<TrustFile> {
  const info = await stat(path);
  if (info.size > MAX_FILE_BYTES)
    throw new HubError('SIGNING_TRUST_FILE_TOO_LARGE', `trust file ${path} is larger than 10 MB`);
  const bytes = await readFile(path);
  return pinnedTo === undefined ? { name: path, bytes } : { name: path, bytes, pinnedTo };
}

async function listMaterial(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && MATERIAL_EXTENSIONS.has(extname(entry.name).toLowerCase()))
    .map((entry) => join(dir, entry.name))
    .sort();
}

async function readPins(dir: string): Promise<TrustFile[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: TrustFile[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      for (const file of await listMaterial(path)) files.push(await readTrustFile(file, entry.name));
    } else if (entry.isFile() && MATERIAL_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      files.push(await readTrustFile(path, basename(entry.name, extname(entry.name))));
    }
  }
  return files;
}

/** Reads a trust directory or a single PEM/DER file. */
export async function readTrustPath(path: string): Promise<TrustMaterial> {
  const info = await stat(path).catch((error: unknown) => {
    throw new HubError('SIGNING_TRUST_PATH_MISSING', `trust path ${path} does not exist`, { cause: error });
  });
  if (!info.isDirectory()) return buildTrustMaterial([await readTrustFile(path)]);
  const files = await Promise.all((await listMaterial(path)).map((file) => readTrustFile(file)));
  files.push(...(await readPins(join(path, 'pins'))));
  return buildTrustMaterial(files);
}

/** Every material file of a trust directory, pins marked with their agency (the certificate list for people). */
export async function listTrustFiles(dir: string): Promise<TrustFile[]> {
  const files = await Promise.all((await listMaterial(dir)).map((file) => readTrustFile(file)));
  files.push(...(await readPins(join(dir, 'pins'))));
  return files;
}

/** A trust store over directories and files; re-read on every `load()` so CRL updates apply without a restart. */
export function fileTrustStore(paths: readonly string[], crlPaths: readonly string[] = []): TrustStore {
  return {
    async load() {
      const parts = await Promise.all(paths.map(readTrustPath));
      const crls = await Promise.all(
        crlPaths.map(async (path) =>
          buildTrustMaterial([{ ...(await readTrustFile(path)), name: `${path}.crl` }]),
        ),
      );
      return mergeTrustMaterial(...parts, ...crls);
    },
  };
}

/** Creates the trust directory and puts the government root in it when it holds no certificate yet. */
export async function seedTrustDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if ((await listMaterial(dir)).length > 0) return;
  await copyFile(GOVERNMENT_ROOT_PATH, join(dir, 'vgca-rootcag2.crt'));
}
