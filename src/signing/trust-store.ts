/**
 * Trust material and the trust-store port. The hub trusts only anchors it was given (the
 * government root, test roots); intermediates help build paths but never end one.
 */
import { PemConverter, X509Certificate, X509Crl } from './x509.ts';
import { HubError } from '../shared/index.ts';
import { factsOf } from './certificate-facts.ts';

export type TrustMaterial = {
  /** Self-signed roots: a path must end in one of these. */
  readonly anchors: readonly X509Certificate[];
  /** Issuing CAs that may appear in a path (PDFs usually embed only the leaf). */
  readonly intermediates: readonly X509Certificate[];
  readonly crls: readonly X509Crl[];
  /** OrganId → SHA-256 fingerprints (lowercase hex) of the certificates that agency signs with. */
  readonly pins: ReadonlyMap<string, readonly string[]>;
};

/** Port: where trust material comes from (a directory now, the registry database later). */
export interface TrustStore {
  load(): Promise<TrustMaterial>;
}

/** One file of trust material; `pinnedTo` marks certificates an agency pinned (OrganId). */
export type TrustFile = { readonly name: string; readonly bytes: Uint8Array; readonly pinnedTo?: string };

export function certificateFingerprint(certificate: X509Certificate): string {
  return factsOf(certificate).fingerprint;
}

function isPem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 4096)).toString('latin1').includes('-----BEGIN');
}

/** Certificates in a PEM (any number) or DER file. */
export function parseCertificates(bytes: Uint8Array, name: string): X509Certificate[] {
  try {
    if (isPem(bytes)) {
      const text = Buffer.from(bytes).toString('latin1');
      return PemConverter.decodeWithHeaders(text)
        .filter((block) => block.type === 'CERTIFICATE')
        .map((block) => new X509Certificate(block.rawData));
    }
    return [new X509Certificate(bytes)];
  } catch (error) {
    throw new HubError('SIGNING_TRUST_FILE_UNREADABLE', `cannot read certificate file ${name}`, {
      cause: error,
    });
  }
}

export function parseCrls(bytes: Uint8Array, name: string): X509Crl[] {
  try {
    if (isPem(bytes)) {
      const text = Buffer.from(bytes).toString('latin1');
      return PemConverter.decodeWithHeaders(text)
        .filter((block) => block.type === 'X509 CRL' || block.type === 'CRL')
        .map((block) => new X509Crl(block.rawData));
    }
    return [new X509Crl(bytes)];
  } catch (error) {
    throw new HubError('SIGNING_TRUST_FILE_UNREADABLE', `cannot read CRL file ${name}`, { cause: error });
  }
}

export function isCrlFile(file: TrustFile): boolean {
  if (/\.crl$/i.test(file.name)) return true;
  return (
    isPem(file.bytes) &&
    /-----BEGIN (X509 )?CRL-----/.test(Buffer.from(file.bytes.subarray(0, 4096)).toString('latin1'))
  );
}

/** Sorts files into anchors (self-signed), intermediates, CRLs and pins. Pure: bytes in, material out. */
export function buildTrustMaterial(files: readonly TrustFile[]): TrustMaterial {
  const anchors = new Map<string, X509Certificate>();
  const intermediates = new Map<string, X509Certificate>();
  const crls: X509Crl[] = [];
  const pins = new Map<string, string[]>();
  for (const file of files) {
    if (isCrlFile(file)) {
      crls.push(...parseCrls(file.bytes, file.name));
      continue;
    }
    for (const certificate of parseCertificates(file.bytes, file.name)) {
      const fingerprint = certificateFingerprint(certificate);
      if (file.pinnedTo !== undefined) {
        const list = pins.get(file.pinnedTo) ?? [];
        list.push(fingerprint);
        pins.set(file.pinnedTo, list);
        continue;
      }
      // A certificate whose subject and issuer are the same name is treated as a root.
      if (certificate.subject === certificate.issuer) anchors.set(fingerprint, certificate);
      else intermediates.set(fingerprint, certificate);
    }
  }
  return { anchors: [...anchors.values()], intermediates: [...intermediates.values()], crls, pins };
}

export function mergeTrustMaterial(...parts: readonly TrustMaterial[]): TrustMaterial {
  const pins = new Map<string, string[]>();
  for (const part of parts)
    for (const [organ, list] of part.pins) pins.set(organ, [...(pins.get(organ) ?? []), ...list]);
  return {
    anchors: parts.flatMap((part) => part.anchors),
    intermediates: parts.flatMap((part) => part.intermediates),
    crls: parts.flatMap((part) => part.crls),
    pins,
  };
}

/** A store over material already in memory (tests, worker threads). */
export function memoryTrustStore(material: TrustMaterial): TrustStore {
  return { load: () => Promise.resolve(material) };
}

/** Material as plain bytes, so it can cross a worker-thread boundary. */
export type PortableTrustMaterial = {
  anchors: Uint8Array[];
  intermediates: Uint8Array[];
  crls: Uint8Array[];
  pins: [string, string[]][];
};

export function toPortable(material: TrustMaterial): PortableTrustMaterial {
  return {
    anchors: material.anchors.map((c) => new Uint8Array(c.rawData)),
    intermediates: material.intermediates.map((c) => new Uint8Array(c.rawData)),
    crls: material.crls.map((c) => new Uint8Array(c.rawData)),
    pins: [...material.pins].map(([organ, list]) => [organ, [...list]]),
  };
}

export function fromPortable(portable: PortableTrustMaterial): TrustMaterial {
  return {
    anchors: portable.anchors.map((raw) => new X509Certificate(raw)),
    intermediates: portable.intermediates.map((raw) => new X509Certificate(raw)),
    crls: portable.crls.map((raw) => new X509Crl(raw)),
    pins: new Map(portable.pins),
  };
}
