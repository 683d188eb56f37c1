/**
 * A throw-away PKI generated at test run time, mimicking the government CA's names: root,
 * intermediate and leaf variants (valid, expired, not yet valid, no signing usage, revoked,
 * untrusted root, weak algorithms and short keys) plus a CRL. Also written as PEM files so
 * xmlsec1 and openssl can use them.
 */
import { createPrivateKey, generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate,
  X509CertificateGenerator,
  X509CrlGenerator,
  type X509Crl,
} from '../x509.ts';
import { buildTrustMaterial, type TrustMaterial } from '../trust-store.ts';

const ALGORITHM = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const DAY = 86_400_000;

export type TestIdentity = {
  readonly certificate: X509Certificate;
  readonly certificatePem: string;
  readonly keyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
};

export type TestPki = {
  readonly dir: string;
  readonly root: TestIdentity;
  readonly intermediate: TestIdentity;
  readonly leaf: TestIdentity;
  readonly otherLeaf: TestIdentity;
  readonly expired: TestIdentity;
  readonly notYetValid: TestIdentity;
  readonly noSigningUsage: TestIdentity;
  /** A time-stamping authority (EKU timeStamping only), for PDF document timestamps. */
  readonly tsa: TestIdentity;
  readonly revoked: TestIdentity;
  readonly untrustedRoot: TestIdentity;
  readonly untrustedLeaf: TestIdentity;
  /** Issued by the intermediate with md5WithRSAEncryption (WebCrypto cannot check it; OpenSSL can). */
  readonly md5Signed: TestIdentity;
  /** Issued by the intermediate with sha1WithRSAEncryption. */
  readonly sha1Signed: TestIdentity;
  /** A 1024-bit RSA key, issued by the intermediate with SHA-256. */
  readonly shortRsa: TestIdentity;
  /** An ECDSA P-192 (prime192v1) key, issued by the intermediate with SHA-256. */
  readonly shortEc: TestIdentity;
  /** A key that belongs to no certificate: signs "wrong key" forgeries. */
  readonly attackerKeyPem: string;
  readonly crl: X509Crl;
  readonly crlPath: string;
  /** root + intermediate, no CRL. */
  readonly material: TrustMaterial;
  /** root + intermediate + CRL. */
  readonly materialWithCrl: TrustMaterial;
  /** PEM with root and intermediate, for `--trust`-style use by external tools. */
  readonly chainPath: string;
};

function toPem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${base64.trimEnd()}\n-----END ${label}-----\n`;
}

async function newKeys(modulusLength = ALGORITHM.modulusLength): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey({ ...ALGORITHM, modulusLength }, true, ['sign', 'verify']);
}

/**
 * The certificate re-signed by `issuerKeyPem` with md5WithRSAEncryption: WebCrypto has no MD5,
 * so the TBS is re-encoded with the MD5 algorithm identifier and signed with node:crypto.
 */
function resignWithMd5(certificate: X509Certificate, issuerKeyPem: string): X509Certificate {
  const parsed = pkijs.Certificate.fromBER(certificate.rawData);
  const md5WithRsa = () =>
    new pkijs.AlgorithmIdentifier({
      algorithmId: '1.2.840.113549.1.1.4',
      algorithmParams: new asn1js.Null(),
    });
  parsed.signature = md5WithRsa();
  parsed.signatureAlgorithm = md5WithRsa();
  const tbs = parsed.encodeTBS().toBER(false);
  parsed.tbsView = new Uint8Array(tbs);
  const value = sign('md5', new Uint8Array(tbs), createPrivateKey(issuerKeyPem));
  parsed.signatureValue = new asn1js.BitString({ valueHex: new Uint8Array(value).buffer });
  return new X509Certificate(parsed.toSchema().toBER(false));
}

const now = Date.now();

export async function createTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-pki-'));
  const [rootKeys, interKeys, leafKeys, otherKeys, attackerKeys, foreignKeys] = await Promise.all([
    newKeys(),
    newKeys(),
    newKeys(),
    newKeys(),
    newKeys(),
    newKeys(),
  ]);
  const save = async (
    name: string,
    certificate: X509Certificate,
    keys: CryptoKeyPair,
  ): Promise<TestIdentity> => {
    const certificatePem = certificate.toString('pem') + '\n';
    const keyPem = toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const certPath = join(dir, `${name}.crt`);
    const keyPath = join(dir, `${name}.key`);
    writeFileSync(certPath, certificatePem);
    writeFileSync(keyPath, keyPem);
    return { certificate, certificatePem, keyPem, certPath, keyPath };
  };
  const caExtensions = [
    new BasicConstraintsExtension(true, undefined, true),
    new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
  ];
  const makeRoot = (name: string, keys: CryptoKeyPair) =>
    X509CertificateGenerator.createSelfSigned({
      name,
      keys,
      notBefore: new Date(now - 3650 * DAY),
      notAfter: new Date(now + 3650 * DAY),
      signingAlgorithm: ALGORITHM,
      extensions: caExtensions,
    });

  const rootName = 'CN=Test RootCA chuyên dùng Chính phủ G2, O=Ban Cơ yếu Chính phủ, C=VN';
  const interName = 'CN=Test CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN';
  const rootCert = await makeRoot(rootName, rootKeys);
  const interCert = await X509CertificateGenerator.create({
    subject: interName,
    issuer: rootName,
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    notBefore: new Date(now - 3000 * DAY),
    notAfter: new Date(now + 3000 * DAY),
    signingAlgorithm: ALGORITHM,
    extensions: caExtensions,
  });
  const issueLeaf = (
    subject: string,
    keys: CryptoKeyPair | { spki: ArrayBuffer },
    opts: {
      from?: number;
      to?: number;
      usage?: KeyUsageFlags;
      serial?: string;
      issuer?: string;
      issuerKey?: CryptoKey;
      timeStamping?: boolean;
    } = {},
  ) =>
    X509CertificateGenerator.create({
      subject,
      issuer: opts.issuer ?? interName,
      publicKey: 'publicKey' in keys ? keys.publicKey : keys.spki,
      signingKey: opts.issuerKey ?? interKeys.privateKey,
      serialNumber:
        opts.serial ??
        Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
          .toString('hex')
          .replace(/^./, '1'),
      notBefore: new Date(now + (opts.from ?? -1) * DAY),
      notAfter: new Date(now + (opts.to ?? 365) * DAY),
      signingAlgorithm: ALGORITHM,
      extensions: [
        opts.usage === undefined
          ? new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation, true)
          : new KeyUsagesExtension(opts.usage, true),
        ...(opts.timeStamping ? [new ExtendedKeyUsageExtension([ExtendedKeyUsage.timeStamping], true)] : []),
      ],
    });
  const agency = (cn: string) => `CN=${cn}, O=UBND tỉnh Tây Ninh, L=Tây Ninh, C=VN`;
  const root = await save('root', rootCert, rootKeys);
  const intermediate = await save('intermediate', interCert, interKeys);
  const leaf = await save('leaf', await issueLeaf(agency('Nguyễn Văn An'), leafKeys), leafKeys);
  const otherLeaf = await save('other-leaf', await issueLeaf(agency('Trần Thị Bình'), otherKeys), otherKeys);
  const expired = await save(
    'expired',
    await issueLeaf(agency('Hết Hạn'), leafKeys, { from: -400, to: -30 }),
    leafKeys,
  );
  const notYetValid = await save(
    'not-yet-valid',
    await issueLeaf(agency('Chưa Hiệu Lực'), leafKeys, { from: 30, to: 400 }),
    leafKeys,
  );
  const noSigningUsage = await save(
    'no-signing-usage',
    await issueLeaf(agency('Mã Hóa'), leafKeys, { usage: KeyUsageFlags.keyEncipherment }),
    leafKeys,
  );
  const tsa = await save(
    'tsa',
    await issueLeaf('CN=Test TSA Ban Cơ yếu Chính phủ, O=Ban Cơ yếu Chính phủ, C=VN', otherKeys, {
      timeStamping: true,
    }),
    otherKeys,
  );
  const revoked = await save(
    'revoked',
    await issueLeaf(agency('Thu Hồi'), leafKeys, { serial: '7e57ab1e01' }),
    leafKeys,
  );
  const foreignRootName = 'CN=Untrusted Root, O=Không tin cậy, C=VN';
  const foreignRootCert = await makeRoot(foreignRootName, foreignKeys);
  const untrustedRoot = await save('untrusted-root', foreignRootCert, foreignKeys);
  const untrustedLeaf = await save(
    'untrusted-leaf',
    await issueLeaf(agency('Giả Mạo'), leafKeys, {
      issuer: foreignRootName,
      issuerKey: foreignKeys.privateKey,
    }),
    leafKeys,
  );
  const interKeyPem = toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', interKeys.privateKey));
  const md5Signed = await save(
    'md5-signed',
    resignWithMd5(await issueLeaf(agency('Ký MD5'), leafKeys), interKeyPem),
    leafKeys,
  );
  // The signing hash follows the key's own algorithm (@peculiar/x509), so SHA-1 needs the key imported for it.
  const interSha1Key = await webcrypto.subtle.importKey(
    'pkcs8',
    await webcrypto.subtle.exportKey('pkcs8', interKeys.privateKey),
    { name: ALGORITHM.name, hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const sha1Signed = await save(
    'sha1-signed',
    await issueLeaf(agency('Ký SHA-1'), leafKeys, { issuerKey: interSha1Key }),
    leafKeys,
  );
  const shortRsaKeys = await newKeys(1024);
  const shortRsa = await save(
    'short-rsa',
    await issueLeaf(agency('Khóa RSA Ngắn'), shortRsaKeys),
    shortRsaKeys,
  );
  // WebCrypto has no P-192: node:crypto makes the key, the certificate takes its SPKI.
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime192v1' });
  const ecSpki = ec.publicKey.export({ type: 'spki', format: 'der' });
  const shortEcCert = await issueLeaf(agency('Khóa EC Ngắn'), {
    spki: new Uint8Array(ecSpki).buffer,
  });
  const shortEc = {
    certificate: shortEcCert,
    certificatePem: shortEcCert.toString('pem') + '\n',
    keyPem: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPath: join(dir, 'short-ec.crt'),
    keyPath: join(dir, 'short-ec.key'),
  };
  writeFileSync(shortEc.certPath, shortEc.certificatePem);
  writeFileSync(shortEc.keyPath, shortEc.keyPem);
  const attackerKeyPem = toPem(
    'PRIVATE KEY',
    await webcrypto.subtle.exportKey('pkcs8', attackerKeys.privateKey),
  );

  const crl = await X509CrlGenerator.create({
    issuer: interName,
    signingKey: interKeys.privateKey,
    signingAlgorithm: ALGORITHM,
    thisUpdate: new Date(now - DAY),
    nextUpdate: new Date(now + 30 * DAY),
    entries: [{ serialNumber: revoked.certificate.serialNumber, revocationDate: new Date(now - 2 * DAY) }],
  });
  const crlPath = join(dir, 'intermediate.crl');
  writeFileSync(crlPath, toPem('X509 CRL', crl.rawData));
  const chainPath = join(dir, 'chain.pem');
  writeFileSync(chainPath, root.certificatePem + intermediate.certificatePem);
  const files = [
    { name: 'root.crt', bytes: Buffer.from(root.certificatePem) },
    { name: 'intermediate.crt', bytes: Buffer.from(intermediate.certificatePem) },
  ];
  const material = buildTrustMaterial(files);
  const materialWithCrl = buildTrustMaterial([
    ...files,
    { name: 'intermediate.crl', bytes: Buffer.from(crl.toString('pem')) },
  ]);
  return {
    dir,
    root,
    intermediate,
    leaf,
    otherLeaf,
    expired,
    notYetValid,
    noSigningUsage,
    tsa,
    revoked,
    untrustedRoot,
    untrustedLeaf,
    md5Signed,
    sha1Signed,
    shortRsa,
    shortEc,
    attackerKeyPem,
    crl,
    crlPath,
    material,
    materialWithCrl,
    chainPath,
  };
}
