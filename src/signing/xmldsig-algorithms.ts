/** Algorithm URIs of XMLDSig and the hub's allow-list for the edXML profile. */

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA512 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const SHA512 = 'http://www.w3.org/2001/04/xmlenc#sha512';
export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

/** Both exclusive and inclusive C14N, with and without comments: NOTES.md §1.9 (SDKs use inclusive). */
export const CANONICALIZATIONS: ReadonlySet<string> = new Set([
  EXC_C14N,
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
]);

export type AlgorithmJudgement =
  | { readonly ok: true; readonly legacy: boolean }
  | { readonly ok: false; readonly kind: 'hmac' | 'md5' | 'unknown' };

export function judgeSignatureMethod(uri: string): AlgorithmJudgement {
  if (uri === RSA_SHA256 || uri === RSA_SHA512) return { ok: true, legacy: false };
  // Legacy SDK packages are signed with RSA-SHA1: verifiable, with a warning, never produced.
  if (uri === RSA_SHA1) return { ok: true, legacy: true };
  if (/hmac/i.test(uri)) return { ok: false, kind: 'hmac' };
  if (/md5/i.test(uri)) return { ok: false, kind: 'md5' };
  return { ok: false, kind: 'unknown' };
}

export function judgeDigestMethod(uri: string): AlgorithmJudgement {
  if (uri === SHA256 || uri === SHA512) return { ok: true, legacy: false };
  if (uri === SHA1) return { ok: true, legacy: true };
  if (/md5/i.test(uri)) return { ok: false, kind: 'md5' };
  return { ok: false, kind: 'unknown' };
}
