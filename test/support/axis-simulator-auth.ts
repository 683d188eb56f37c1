import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How the national axis authenticates a request, checked as its gateway would, written from the
 * SDK's wire format and not from any client of ours (a second, independent implementation is what
 * catches a wrong signature). The SDK puts every parameter in a Java HashMap, sends each entry `h`
 * as header `XroadVnpt-h`, lists the names in `XroadVnpt-sign-header-key` (`;`-joined), sends the
 * Gson text of `{"XroadVnpt-h": value, …}` in `XroadVnpt-sign-header` and HMAC-SHA256(secret, that
 * text) as lowercase hex in `XroadVnpt-hash-header`. The key order is HashMap order, so only the
 * transmitted text can be hashed, never a re-serialisation.
 */

/** The parameters the axis reads; a request carrying one of them unsigned is refused. */
export const AXIS_PARAMETERS = [
  'systemid',
  'timestamp',
  'from',
  'to',
  'servicetype',
  'messagetype',
  'hash-file',
  'docid',
  'status',
  'fromdate',
  'todate',
  'pagesize',
  'pageindex',
] as const;

const TIMESTAMP = /^\d{8}T\d{6}\+\d{4}$/;

export type AuthOutcome =
  | { ok: true; systemId: string; parameters: Map<string, string> }
  | { ok: false; reason: 'unsigned' | 'signature' | 'unknown-system'; message: string };

/** Each header line as received (Node's `request.headersDistinct`: lower-case names, one entry per line). */
export type DistinctHeaders = NodeJS.Dict<string[]>;

/** A header's values as the bytes sent (Node hands them over as latin1), read as UTF-8. */
function headerValues(headers: DistinctHeaders, name: string): string[] | undefined {
  return headers[name.toLowerCase()]?.map((raw) => Buffer.from(raw, 'latin1').toString('utf8'));
}

/** The value of a header that must be sent once (or several times, always the same). */
function headerText(headers: DistinctHeaders, name: string): string | undefined {
  const values = headerValues(headers, name);
  return values && new Set(values).size === 1 ? values[0] : values?.join(', ');
}

const refuse = (reason: 'unsigned' | 'signature' | 'unknown-system', message: string): AuthOutcome => ({
  ok: false,
  reason,
  message,
});

/**
 * Verifies a request's signature headers against the secret of the system it names. `secretOf`
 * answers undefined for a system id the axis does not know.
 */
export function authenticate(
  headers: DistinctHeaders,
  secretOf: (systemId: string) => string | undefined,
): AuthOutcome {
  const keyList = headerText(headers, 'XroadVnpt-sign-header-key');
  // the bytes as transmitted: the HMAC is over them, not over any decoding of them
  const signedLines = headers['xroadvnpt-sign-header'];
  const signedBytes = signedLines?.length === 1 ? Buffer.from(signedLines[0] ?? '', 'latin1') : undefined;
  const hash = headerText(headers, 'XroadVnpt-hash-header');
  if (keyList === undefined || signedBytes === undefined || hash === undefined) {
    return refuse(
      'unsigned',
      'Thieu thong tin xac thuc (XroadVnpt-sign-header-key, sign-header, hash-header)',
    );
  }

  let signed: unknown;
  try {
    signed = JSON.parse(signedBytes.toString('utf8'));
  } catch {
    return refuse('signature', 'XroadVnpt-sign-header khong phai JSON hop le');
  }
  if (typeof signed !== 'object' || signed === null || Array.isArray(signed)) {
    return refuse('signature', 'XroadVnpt-sign-header khong phai doi tuong JSON');
  }
  // Header names are case-insensitive, Java's HashMap keys are not: an SDK service object that is
  // reused keeps the keys of earlier calls (getEdoc's `docId` beside updateStatus's `docid`). Such
  // twins are one parameter when they agree, and refused when they do not.
  const signedValues = new Map<string, string>();
  for (const [key, value] of Object.entries(signed)) {
    if (!key.toLowerCase().startsWith('xroadvnpt-') || typeof value !== 'string') {
      return refuse('signature', `Truong ky khong hop le: ${key}`);
    }
    const name = key.slice('xroadvnpt-'.length).toLowerCase();
    const twin = signedValues.get(name);
    if (twin !== undefined && twin !== value) {
      return refuse('signature', `Tham so ${name} duoc ky hai lan voi hai gia tri khac nhau`);
    }
    signedValues.set(name, value);
  }

  const names = keyList.split(';').map((name) => name.trim().toLowerCase());
  if (names.some((name) => name === '')) return refuse('signature', 'XroadVnpt-sign-header-key khong hop le');
  const listed = new Set(names);
  if (listed.size !== signedValues.size || [...signedValues.keys()].some((name) => !listed.has(name))) {
    return refuse('signature', 'XroadVnpt-sign-header-key khong khop voi XroadVnpt-sign-header');
  }

  const systemId = signedValues.get('systemid');
  const timestamp = signedValues.get('timestamp');
  if (systemId === undefined || timestamp === undefined) {
    return refuse('signature', 'Thieu systemid hoac timestamp trong chu ky');
  }
  if (!TIMESTAMP.test(timestamp)) {
    return refuse('signature', `timestamp khong dung dinh dang ddMMyyyy'T'HHmmss+SSSS: ${timestamp}`);
  }

  const secret = secretOf(systemId);
  if (secret === undefined) return refuse('unknown-system', `He thong ${systemId} chua duoc dang ky`);
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signedBytes).digest('hex');
  const given = Buffer.from(hash, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) {
    return refuse('signature', 'Chu ky khong hop le (XroadVnpt-hash-header)');
  }

  // The signature covers the JSON; each header sent beside it must say the same.
  for (const [name, value] of signedValues) {
    const copies = headerValues(headers, `XroadVnpt-${name}`);
    if (!copies?.every((copy) => copy === value)) {
      return refuse('signature', `Header XroadVnpt-${name} khac gia tri da ky`);
    }
    const plain = headerValues(headers, name);
    if (name !== 'content-type' && plain && !plain.every((copy) => copy === value)) {
      return refuse('signature', `Header ${name} khac gia tri da ky`);
    }
  }
  for (const name of AXIS_PARAMETERS) {
    const sent = headerText(headers, name) ?? headerText(headers, `XroadVnpt-${name}`);
    if (sent !== undefined && !signedValues.has(name)) {
      return refuse('signature', `Header ${name} khong nam trong chu ky`);
    }
  }
  return { ok: true, systemId, parameters: signedValues };
}

/**
 * The SDK's `hash-file`: SHA-256 of the file as hex, each byte through `Integer.toHexString(0xFF & b)`,
 * so without zero padding (0x0a gives `a`). A client that pads differs whenever a byte is below 0x10.
 */
export function sdkHashFile(body: Buffer): string {
  return [...createHash('sha256').update(body).digest()].map((byte) => byte.toString(16)).join('');
}
