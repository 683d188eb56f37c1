/**
 * A throw-away PKI generated at test run time, mimicking the government CA's names: root,
 * intermediate and leaf variants (valid, expired, not yet valid, no signing usage, revoked,
 * untrusted root) plus a CRL. Also written as PEM files so xmlsec1 and openssl can use them.
 */
import { webcrypto } from 'node:crypto';

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
  X509CertificateGenerator,
  X509CrlGenerator,
  type X509Certificate,
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

async function newKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
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
    keys: CryptoKeyPair,
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
      publicKey: keys.publicKey,
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
    attackerKeyPem,
    crl,
    crlPath,
    material,
    materialWithCrl,
    chainPath,
  };
}
