/**
 * A time-stamping authority (RFC 3161) over HTTP on loopback, for tests and trials: its own test
 * CA, a TSA certificate with the one critical extendedKeyUsage timeStamping, tokens signed with
 * the ESS signing-certificate-v2 attribute (what `openssl ts -verify` insists on), and faults on
 * demand — a rejection with its failInfo, a wrong nonce or imprint, a signer outside the trust, a
 * signer without the timeStamping purpose, HTTP 500, a body that is no reply, a slow or no answer.
 */
import { createHash, webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509CertificateGenerator,
  type X509Certificate,
} from '../../src/signing/x509.ts';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const DAY = 86_400_000;
const TST_INFO = '1.2.840.113549.1.9.16.1.4';
const POLICY = '1.3.6.1.4.1.99999.3161.1';

export type TsaFault =
  | { kind: 'none' }
  | { kind: 'reject'; failInfo: readonly number[]; text?: string }
  | { kind: 'waiting' }
  | { kind: 'wrong-nonce' }
  | { kind: 'wrong-imprint' }
  | { kind: 'untrusted-signer' }
  | { kind: 'no-timestamping-usage' }
  | { kind: 'http-500' }
  | { kind: 'not-a-reply' }
  | { kind: 'slow'; ms: number }
  | { kind: 'silent' };

type Signer = { keys: CryptoKeyPair; certificate: X509Certificate; chain: X509Certificate[] };

export type TsaSimulator = {
  readonly url: string;
  /** PEM of the simulator's root: what LIENTHONG_TSA_TRUST_FILE names */
  readonly trustFile: string;
  readonly rootPem: string;
  /** the TSA certificate (PEM), for `openssl ts -verify -untrusted` */
  readonly tsaCertFile: string;
  fault: TsaFault;
  /** how many requests arrived, fault or not */
  readonly requests: () => number;
  close(): Promise<void>;
};

const newKeys = (): Promise<CryptoKeyPair> =>
  webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);

async function makePki(dir: string) {
  const [rootKeys, tsaKeys, foreignKeys] = await Promise.all([newKeys(), newKeys(), newKeys()]);
  const now = Date.now();
  const caExtensions = [
    new BasicConstraintsExtension(true, undefined, true),
    new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
  ];
  const root = async (name: string, keys: CryptoKeyPair) =>
    X509CertificateGenerator.createSelfSigned({
      name,
      keys,
      notBefore: new Date(now - 365 * DAY),
      notAfter: new Date(now + 3650 * DAY),
      signingAlgorithm: ALGORITHM,
      extensions: caExtensions,
    });
  const rootName = 'CN=Test Root dấu thời gian, O=Lienthong thử nghiệm, C=VN';
  const foreignName = 'CN=Root không tin cậy, O=Giả mạo, C=VN';
  const rootCert = await root(rootName, rootKeys);
  const foreignCert = await root(foreignName, foreignKeys);
  const issue = (subject: string, issuer: string, issuerKeys: CryptoKeyPair, timeStamping: boolean) =>
    X509CertificateGenerator.create({
      subject,
      issuer,
      publicKey: tsaKeys.publicKey,
      signingKey: issuerKeys.privateKey,
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
        .toString('hex')
        .replace(/^./, '1'),
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 365 * DAY),
      signingAlgorithm: ALGORITHM,
      extensions: [
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation, true),
        ...(timeStamping ? [new ExtendedKeyUsageExtension([ExtendedKeyUsage.timeStamping], true)] : []),
      ],
    });
  const tsaName = 'CN=TSA thử nghiệm Lienthong, O=Lienthong thử nghiệm, C=VN';
  const good: Signer = {
    keys: tsaKeys,
    certificate: await issue(tsaName, rootName, rootKeys, true),
    chain: [rootCert],
  };
  const foreign: Signer = {
    keys: tsaKeys,
    certificate: await issue('CN=TSA giả mạo, O=Giả mạo, C=VN', foreignName, foreignKeys, true),
    chain: [foreignCert],
  };
  const noUsage: Signer = {
    keys: tsaKeys,
    certificate: await issue('CN=Không phải TSA, O=Lienthong thử nghiệm, C=VN', rootName, rootKeys, false),
    chain: [rootCert],
  };
  const rootPem = rootCert.toString('pem') + '\n';
  const trustFile = join(dir, 'tsa-root.pem');
  const tsaCertFile = join(dir, 'tsa.pem');
  writeFileSync(trustFile, rootPem);
  writeFileSync(tsaCertFile, good.certificate.toString('pem') + '\n');
  return { good, foreign, noUsage, rootPem, trustFile, tsaCertFile };
}

const attribute = (type: string, value: asn1js.BaseBlock) => new pkijs.Attribute({ type, values: [value] });

/** The token: TSTInfo in a SignedData signed over contentType, messageDigest and signingCertificateV2. */
async function signToken(
  signer: Signer,
  request: pkijs.TimeStampReq,
  serial: number,
  fault: TsaFault,
): Promise<pkijs.ContentInfo> {
  let imprint = request.messageImprint;
  if (fault.kind === 'wrong-imprint') {
    const other = createHash('sha256').update('something else').digest();
    imprint = new pkijs.MessageImprint({
      hashAlgorithm: request.messageImprint.hashAlgorithm,
      hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(other).buffer }),
    });
  }
  let nonce = request.nonce;
  if (fault.kind === 'wrong-nonce') nonce = new asn1js.Integer({ value: 424242 });
  const info = new pkijs.TSTInfo({
    version: 1,
    policy: request.reqPolicy ?? POLICY,
    messageImprint: imprint,
    serialNumber: new asn1js.Integer({ value: serial }),
    genTime: new Date(Math.floor(Date.now() / 1000) * 1000),
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    ...(nonce ? { nonce } : {}),
  });
  const content = info.toSchema().toBER(false);
  const certificate = pkijs.Certificate.fromBER(signer.certificate.rawData);
  const certHash = createHash('sha256').update(Buffer.from(signer.certificate.rawData)).digest();
  const signingCertificateV2 = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [new asn1js.OctetString({ valueHex: new Uint8Array(certHash).buffer })],
          }),
        ],
      }),
    ],
  });
  const signed = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: TST_INFO,
      eContent: new asn1js.OctetString({ valueHex: content }),
    }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: certificate.issuer,
          serialNumber: certificate.serialNumber,
        }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            attribute('1.2.840.113549.1.9.3', new asn1js.ObjectIdentifier({ value: TST_INFO })),
            attribute(
              '1.2.840.113549.1.9.4',
              new asn1js.OctetString({
                valueHex: new Uint8Array(createHash('sha256').update(Buffer.from(content)).digest()).buffer,
              }),
            ),
            attribute('1.2.840.113549.1.9.16.2.47', signingCertificateV2),
          ],
        }),
      }),
    ],
    certificates: request.certReq
      ? [certificate, ...signer.chain.map((c) => pkijs.Certificate.fromBER(c.rawData))]
      : [],
  });
  await signed.sign(signer.keys.privateKey, 0, 'SHA-256');
  return new pkijs.ContentInfo({
    contentType: pkijs.ContentInfo.SIGNED_DATA,
    content: signed.toSchema(true),
  });
}

function failInfoBits(bits: readonly number[]): asn1js.BitString {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  return new asn1js.BitString({ valueHex: bytes.buffer, unusedBits: 7 - (highest & 7) });
}

function replyDer(status: pkijs.PKIStatusInfo, token?: pkijs.ContentInfo): Buffer {
  const reply = new pkijs.TimeStampResp({ status, ...(token ? { timeStampToken: token } : {}) });
  return Buffer.from(reply.toSchema().toBER(false));
}

export async function startTsaSimulator(dir: string): Promise<TsaSimulator> {
  const pki = await makePki(dir);
  let serial = 1;
  let requests = 0;
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void answer(Buffer.concat(chunks), req, res).catch(() => {
        res.writeHead(500).end();
      });
    });
  });
  const simulator: TsaSimulator = {
    url: '',
    trustFile: pki.trustFile,
    rootPem: pki.rootPem,
    tsaCertFile: pki.tsaCertFile,
    fault: { kind: 'none' },
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
  async function answer(body: Buffer, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const fault = simulator.fault;
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
      res.writeHead(415, { 'content-type': 'text/plain' }).end('expected application/timestamp-query');
      return;
    }
    if (fault.kind === 'silent') {
      held.add(res);
      return;
    }
    if (fault.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault.kind === 'http-500') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      return;
    }
    if (fault.kind === 'not-a-reply') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Đăng nhập</html>');
      return;
    }
    const send = (der: Buffer) => {
      res
        .writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': der.length })
        .end(der);
    };
    let request: pkijs.TimeStampReq;
    try {
      request = pkijs.TimeStampReq.fromBER(body);
    } catch {
      send(
        replyDer(new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.rejection, failInfo: failInfoBits([5]) })),
      );
      return;
    }
    if (fault.kind === 'reject') {
      send(
        replyDer(
          new pkijs.PKIStatusInfo({
            status: pkijs.PKIStatus.rejection,
            failInfo: failInfoBits(fault.failInfo),
            ...(fault.text ? { statusStrings: [new asn1js.Utf8String({ value: fault.text })] } : {}),
          }),
        ),
      );
      return;
    }
    if (fault.kind === 'waiting') {
      send(replyDer(new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.waiting })));
      return;
    }
    if (request.messageImprint.hashAlgorithm.algorithmId !== '2.16.840.1.101.3.4.2.1') {
      send(
        replyDer(new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.rejection, failInfo: failInfoBits([0]) })),
      );
      return;
    }
    const signer =
      fault.kind === 'untrusted-signer'
        ? pki.foreign
        : fault.kind === 'no-timestamping-usage'
          ? pki.noUsage
          : pki.good;
    const token = await signToken(signer, request, serial++, fault);
    send(replyDer(new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }), token));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(simulator, { url: `http://127.0.0.1:${port}/tsa` });
}
