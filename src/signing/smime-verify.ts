/**
 * S/MIME signed mail (RFC 8551): `multipart/signed` with an application/pkcs7-signature part, and
 * opaque `application/pkcs7-mime; smime-type=signed-data`. Only the MIME framing needed to find
 * the signed bytes is parsed here; the signature itself is CMS (cms-verify.ts).
 */
import type { TrustMaterial } from './trust-store.ts';
import {
  encapsulatedContent,
  parseSignedData,
  verifySignedData,
  type CmsVerifyOptions,
} from './cms-verify.ts';
import { makeVerdict, REASONS, type EmbeddedSignatureVerdict, type FileVerdict } from './verdict.ts';

type Entity = { readonly headers: ReadonlyMap<string, string>; readonly body: Buffer };

const MAX_HEADER_BYTES = 256 * 1024;

function splitEntity(raw: Buffer): Entity {
  const head = raw.subarray(0, MAX_HEADER_BYTES).toString('latin1');
  const match = /\r?\n\r?\n/.exec(head);
  const headerText = match ? head.slice(0, match.index) : head;
  const bodyStart = match ? match.index + match[0].length : raw.length;
  const headers = new Map<string, string>();
  for (const line of headerText.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.subarray(bodyStart) };
}

/** `type/subtype; a=b; c="d"` → type and lower-cased parameter names. */
function contentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const [type = 'text/plain', ...parts] = (value ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq > 0)
      params.set(
        part.slice(0, eq).trim().toLowerCase(),
        part
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
  }
  return { type: type.trim().toLowerCase(), params };
}

/** The raw parts of a multipart body, each without the CRLF that belongs to the next delimiter. */
function multipartParts(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const parts: Buffer[] = [];
  let start = -1;
  let position = 0;
  for (;;) {
    const found = text.indexOf(delimiter, position);
    if (found === -1) break;
    const atLineStart = found === 0 || text[found - 1] === '\n';
    if (!atLineStart) {
      position = found + delimiter.length;
      continue;
    }
    if (start !== -1) {
      const end = found >= 2 && text[found - 2] === '\r' ? found - 2 : found - 1;
      parts.push(body.subarray(start, Math.max(start, end)));
    }
    if (text.startsWith('--', found + delimiter.length)) break;
    const lineEnd = text.indexOf('\n', found);
    if (lineEnd === -1) break;
    start = lineEnd + 1;
    position = start;
  }
  return parts;
}

function canonicalCrlf(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

function decodeBody(entity: Entity): Buffer {
  const encoding = (entity.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64')
    return Buffer.from(entity.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  return entity.body;
}

function single(signatures: EmbeddedSignatureVerdict[]): FileVerdict {
  return {
    signatures,
    coversWholeFile: signatures.length > 0,
    trusted: signatures.length > 0 && signatures.every((s) => s.trusted),
  };
}

function failed(at: Date, status: 'unsigned' | 'invalid' | 'unverifiable', reason: string): FileVerdict {
  const verdict = {
    ...makeVerdict({ status, chain: 'unknown', signer: null, checkedAt: at, reasons: [reason] }),
    field: null,
    signingTime: null,
    coversWholeFile: false,
  };
  return { signatures: [verdict], coversWholeFile: false, trusted: false };
}

export async function verifySmime(
  message: Uint8Array,
  material: TrustMaterial,
  options: CmsVerifyOptions,
): Promise<FileVerdict> {
  const top = splitEntity(Buffer.from(message.buffer, message.byteOffset, message.byteLength));
  const { type, params } = contentType(top.headers.get('content-type'));
  const at = options.at;
  const embed = (results: Awaited<ReturnType<typeof verifySignedData>>): EmbeddedSignatureVerdict[] =>
    results.map((result) => ({ ...result, field: null, coversWholeFile: true }));

  if (type === 'multipart/signed') {
    const protocol = (params.get('protocol') ?? 'application/pkcs7-signature').toLowerCase();
    if (protocol !== 'application/pkcs7-signature' && protocol !== 'application/x-pkcs7-signature') {
      return failed(at, 'unverifiable', REASONS.otherSignatureProtocol(protocol));
    }
    const boundary = params.get('boundary');
    if (!boundary) return failed(at, 'invalid', REASONS.smimeUnreadable);
    const [content, signaturePart] = multipartParts(top.body, boundary);
    if (!content || !signaturePart) return failed(at, 'invalid', REASONS.smimeUnreadable);
    const signatureEntity = splitEntity(signaturePart);
    const signed = parseSignedData(decodeBody(signatureEntity));
    if (!signed) return failed(at, 'invalid', REASONS.cmsUnreadable);
    // RFC 8551 §3.1.1: the signed entity is the first part in canonical (CRLF) form; a stored
    // copy may have had its line ends converted, so try the bytes as they are if that fails.
    const canonical = await verifySignedData(signed, canonicalCrlf(content), material, options);
    if (canonical.every((r) => r.status === 'valid') || canonicalCrlf(content).equals(content))
      return single(embed(canonical));
    const asIs = await verifySignedData(signed, content, material, options);
    return single(embed(asIs.every((r) => r.status === 'valid') ? asIs : canonical));
  }
  if (
    (type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime') &&
    (params.get('smime-type') ?? 'signed-data') === 'signed-data'
  ) {
    const signed = parseSignedData(decodeBody(top));
    if (!signed) return failed(at, 'invalid', REASONS.cmsUnreadable);
    if (!encapsulatedContent(signed)) return failed(at, 'invalid', REASONS.smimeUnreadable);
    return single(embed(await verifySignedData(signed, undefined, material, options)));
  }
  return failed(at, 'unsigned', REASONS.unsigned);
}
