/** Signed S/MIME messages for tests, made by `openssl cms -sign` (detached or opaque). */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { HubError } from '../../shared/index.ts';
import { opensslBytes } from './external-tools.ts';
import type { TestIdentity } from './test-pki.ts';

export const MIME_BODY =
  'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nKính gửi Văn phòng Tỉnh ủy: gửi kèm Quyết định số 123/QĐ-UBND.\r\n';

export function signSmime(signers: readonly TestIdentity[], extraCerts: string, opaque = false): Buffer {
  const signerArgs = signers.flatMap((s) => ['-signer', s.certPath, '-inkey', s.keyPath]);
  const headers = Buffer.from(
    'From: stc@tayninh.gov.vn\r\nTo: 000.00.01.A53@lienthong.local\r\nSubject: Van ban\r\n',
    'latin1',
  );
  const body = opensslBytes(
    [
      'cms',
      '-sign',
      '-md',
      'sha256',
      ...(opaque ? ['-nodetach'] : []),
      ...signerArgs,
      '-certfile',
      extraCerts,
    ],
    Buffer.from(MIME_BODY, 'utf8'),
  );
  return Buffer.concat([headers, body]);
}

/** Corrupts the signature value of SignerInfo `index` in a detached message and re-encodes it. */
export function breakSigner(message: Buffer, index: number): Buffer {
  const text = message.toString('latin1');
  const match = /Content-Disposition: attachment; filename="smime.p7s"\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(
    text,
  );
  if (!match?.[1]) throw new HubError('SIGNING_TEST_SMIME', 'no detached signature part');
  const der = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
  const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(der)).result });
  const signed = new pkijs.SignedData({ schema: info.content });
  const signerInfo = signed.signerInfos[index];
  if (!signerInfo) throw new HubError('SIGNING_TEST_SMIME', 'no such signer');
  const value = new Uint8Array(signerInfo.signature.valueBlock.valueHexView);
  value[10] = (value[10] ?? 0) ^ 0xff;
  signerInfo.signature = new asn1js.OctetString({ valueHex: value });
  const encoded = new pkijs.ContentInfo({
    contentType: pkijs.ContentInfo.SIGNED_DATA,
    content: signed.toSchema(true),
  })
    .toSchema()
    .toBER(false);
  const base64 = Buffer.from(encoded).toString('base64').replace(/.{64}/g, '$&\n');
  return Buffer.from(text.replace(match[1], `${base64}\n\n`), 'latin1');
}

/** The message with the signed text changed after signing. */
export function tamperBody(message: Buffer): Buffer {
  return Buffer.from(message.toString('utf8').replace('Quyết định số 123', 'Quyết định số 999'), 'utf8');
}
