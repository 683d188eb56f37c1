import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { axisHashFile, axisTimestamp, javaHashMapOrder, signedAxisHeaders } from './axis-signing.ts';

// The expected values below were computed outside this code: the key order and the hash-file text
// by a few lines of Java (java.util.HashMap, Integer.toHexString, SimpleDateFormat in
// Asia/Ho_Chi_Minh), the HMAC by `openssl dgst -sha256 -hmac s3cret` over the JSON text.
const AT = new Date(Date.UTC(2026, 11, 3, 9, 41, 13, 123)); // 16:41:13.123 in Vietnam

describe('signing a call to the national axis', () => {
  it("writes the timestamp as ddMMyyyy'T'HHmmss+SSSS in Vietnam time", () => {
    expect(axisTimestamp(AT)).toBe('03122026T164113+0123');
    expect(axisTimestamp(new Date(1796316073123))).toBe('03122026T234113+0123');
  });

  it('writes hash-file without zero padding per byte, as the SDK does', () => {
    const body = Buffer.from('lienthong-0');
    // this digest has bytes 0x04, 0x0a, 0x00 …: padded hex is 64 characters, the SDK's text is shorter
    expect(createHash('sha256').update(body).digest('hex')).toBe(
      '805a04ffa0c3c02f6bf00a8396a345eee484c0d9857b406f82f004aade861b46',
    );
    expect(axisHashFile(body)).toBe('805a4ffa0c3c02f6bf0a8396a345eee484c0d9857b406f82f04aade861b46');
    expect(axisHashFile(Buffer.from('a'))).toBe(
      'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb',
    );
  });

  it('orders keys as a Java HashMap iterates them', () => {
    expect(
      javaHashMapOrder([
        'XroadVnpt-systemid',
        'XroadVnpt-timestamp',
        'XroadVnpt-from',
        'XroadVnpt-servicetype',
        'XroadVnpt-messagetype',
        'XroadVnpt-hash-file',
      ]),
    ).toEqual([
      'XroadVnpt-timestamp',
      'XroadVnpt-servicetype',
      'XroadVnpt-from',
      'XroadVnpt-hash-file',
      'XroadVnpt-systemid',
      'XroadVnpt-messagetype',
    ]);
    expect(javaHashMapOrder(['XroadVnpt-systemid', 'XroadVnpt-timestamp', 'XroadVnpt-docId'])).toEqual([
      'XroadVnpt-docId',
      'XroadVnpt-timestamp',
      'XroadVnpt-systemid',
    ]);
  });

  it('signs the exact JSON text it sends, with every parameter also sent as XroadVnpt-<name>', () => {
    const headers = signedAxisHeaders(
      { systemId: 'vxp.test.01', secret: 's3cret' },
      {
        from: '000.00.00.H53',
        servicetype: 'eDoc',
        messagetype: 'edoc',
        'hash-file': axisHashFile(Buffer.from('lienthong-0')),
      },
      AT,
    );
    expect(headers['XroadVnpt-sign-header']).toBe(
      '{"XroadVnpt-timestamp":"03122026T164113+0123","XroadVnpt-servicetype":"eDoc","XroadVnpt-from":"000.00.00.H53","XroadVnpt-hash-file":"805a4ffa0c3c02f6bf0a8396a345eee484c0d9857b406f82f04aade861b46","XroadVnpt-systemid":"vxp.test.01","XroadVnpt-messagetype":"edoc"}',
    );
    expect(headers['XroadVnpt-hash-header']).toBe(
      'e3862b89c04a1e6d61e8660db4555400d09093a5733656060c0df463ede2a663',
    );
    expect(headers['XroadVnpt-sign-header-key']).toBe(
      'timestamp;servicetype;from;hash-file;systemid;messagetype',
    );
    expect(headers).toMatchObject({
      systemid: 'vxp.test.01',
      timestamp: '03122026T164113+0123',
      from: '000.00.00.H53',
      'XroadVnpt-systemid': 'vxp.test.01',
      'XroadVnpt-from': '000.00.00.H53',
      'XroadVnpt-version': '3.0.201608',
      'User-Agent': 'JAVASDKAgent/1.0.0 XRoad/VPCP',
    });
  });
});
