import { createHash, createHmac } from 'node:crypto';

/**
 * How the national axis's SDK (SDKVXP, `com.vpcp.services`) signs a request, byte for byte
 * (docs/national-axis.md, standards NOTES §1.11). Pure: the HTTP client sends what this returns.
 *
 * Every parameter travels as a header `h` and again as `XroadVnpt-h`; `XroadVnpt-sign-header` is
 * the JSON text of `{"XroadVnpt-h": value, …}` in the iteration order of the Java `HashMap` the
 * SDK builds it in, and `XroadVnpt-hash-header` the lowercase hex HMAC-SHA256 of exactly that text.
 */
export const AXIS_USER_AGENT = 'JAVASDKAgent/1.0.0 XRoad/VPCP';
export const AXIS_VERSION = '3.0.201608';

/** `ddMMyyyy'T'HHmmss+SSSS` in Vietnam local time (UTC+7, no daylight saving): `SSSS` is milliseconds padded to four. */
export function axisTimestamp(at: Date): string {
  const local = new Date(at.getTime() + 7 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(local.getUTCDate())}${two(local.getUTCMonth() + 1)}${String(local.getUTCFullYear())}` +
    `T${two(local.getUTCHours())}${two(local.getUTCMinutes())}${two(local.getUTCSeconds())}` +
    `+${String(local.getUTCMilliseconds()).padStart(4, '0')}`
  );
}

/**
 * The SDK's `hash-file`: SHA-256 of the file as hex written with `Integer.toHexString(0xFF & b)`
 * per byte, so a byte under 0x10 is one digit (`0a` → `a`). The axis compares this text.
 */
export function axisHashFile(bytes: Uint8Array): string {
  let text = '';
  for (const byte of createHash('sha256').update(bytes).digest()) text += byte.toString(16);
  return text;
}

/** Java's `String.hashCode` (UTF-16 code units, 32-bit overflow). */
function javaStringHash(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(31, hash) + value.charCodeAt(i)) | 0;
  return hash;
}

/**
 * Keys in the order a `java.util.HashMap` filled in this order iterates them: by bucket
 * (`(h ^ h >>> 16) & (capacity - 1)`, capacity 16 doubled whenever size passes 3/4 of it), then
 * by insertion within a bucket (resizing keeps that order). Maps this small never treeify.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const bucket = (key: string) => {
    const h = javaStringHash(key);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return keys
    .map((key, index) => ({ key, index, bucket: bucket(key) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((entry) => entry.key);
}

export type AxisCredentials = { systemId: string; secret: string };

/**
 * The headers of one call: the call's parameters with `systemid` and `timestamp`, each also as
 * `XroadVnpt-<name>`, and the signature over them.
 */
export function signedAxisHeaders(
  credentials: AxisCredentials,
  parameters: Readonly<Record<string, string>>,
  at: Date,
): Record<string, string> {
  const all: Record<string, string> = {
    systemid: credentials.systemId,
    timestamp: axisTimestamp(at),
    ...parameters,
  };
  const prefixed = javaHashMapOrder(Object.keys(all).map((name) => `XroadVnpt-${name}`));
  const signed: Record<string, string> = {};
  for (const key of prefixed) signed[key] = all[key.slice('XroadVnpt-'.length)] ?? '';
  const signHeader = JSON.stringify(signed);
  const headers: Record<string, string> = { ...all };
  for (const [key, value] of Object.entries(signed)) headers[key] = value;
  headers['XroadVnpt-sign-header-key'] = prefixed.map((key) => key.slice('XroadVnpt-'.length)).join(';');
  headers['XroadVnpt-sign-header'] = signHeader;
  headers['XroadVnpt-hash-header'] = createHmac('sha256', Buffer.from(credentials.secret, 'utf8'))
    .update(Buffer.from(signHeader, 'utf8'))
    .digest('hex');
  headers['XroadVnpt-version'] = AXIS_VERSION;
  headers['User-Agent'] = AXIS_USER_AGENT;
  return headers;
}
