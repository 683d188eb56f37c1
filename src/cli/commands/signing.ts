import { createHash } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { HubError } from '../../shared/index.ts';
import { installAgencySigningKey } from '../../access/index.ts';
import { createPrismaAgencyDirectory, isAliasOrganId } from '../../directory/index.ts';
import {
  agencyKeyDir,
  fileKeyStore,
  fileTrustStore,
  GOVERNMENT_ROOT_PATH,
  parseOcspResponse,
  signEdxml,
  verifyEdxmlSignature,
  verifyPdf,
  verifySmime,
  validationReport,
  validationReportPdf,
  type EmbeddedSignatureVerdict,
  type OcspEvidence,
  type SignatureVerdict,
  type TrustMaterial,
} from '../../signing/index.ts';
import { readInput, writeJson, writeLine, type CliCommand, type CliContext } from '../cli-command.ts';
import { apiErrorMessage, callRunningHub, withHubAccess } from '../hub-session.ts';

const VERIFY_OPTIONS = {
  trust: { type: 'string', multiple: true },
  crl: { type: 'string', multiple: true },
  ocsp: { type: 'string', multiple: true },
  at: { type: 'string' },
  from: { type: 'string' },
  report: { type: 'string' },
  out: { type: 'string' },
} as const;

/**
 * `--report json|pdf [--out FILE]`: the validation report (Vietnamese, English beside it) instead
 * of the verdict; without --out it goes to standard output.
 */
async function writeReport(
  context: CliContext,
  values: { report?: string; out?: string },
  file: string,
  bytes: Buffer,
  verdicts: readonly (SignatureVerdict | EmbeddedSignatureVerdict)[],
): Promise<void> {
  const report = validationReport(
    { name: basename(file), sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length },
    verdicts,
  );
  let output: Buffer;
  if (values.report === 'json') output = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
  else if (values.report === 'pdf') output = await validationReportPdf(report);
  else
    throw new HubError(
      'CLI_USAGE',
      `Báo cáo (--report) chỉ có hai dạng: json hoặc pdf; đã nhận "${values.report ?? ''}" / --report is json or pdf`,
    );
  if (values.out) await writeFile(values.out, output);
  else context.stdout.write(output);
}

function onlyFile(positionals: readonly string[], usage: string): string {
  const [file, ...rest] = positionals;
  if (file === undefined || rest.length > 0) throw new HubError('CLI_USAGE', `usage: lienthong ${usage}`);
  return file;
}

/** `--trust` paths, else $LIENTHONG_TRUST_DIR when it exists, else the government root shipped with the hub. */
async function loadTrust(
  context: CliContext,
  trust: readonly string[] | undefined,
  crls: readonly string[] | undefined,
): Promise<TrustMaterial> {
  let paths = trust ?? [];
  if (paths.length === 0) {
    const { trustDir } = loadConfig(context.env);
    const exists = await stat(trustDir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    paths = [exists ? trustDir : GOVERNMENT_ROOT_PATH];
  }
  return fileTrustStore(paths, crls ?? []).load();
}

async function readFileArgument(context: CliContext, file: string): Promise<Buffer> {
  try {
    return await readInput(context, file);
  } catch (error) {
    throw new HubError('SIGNING_INPUT_UNREADABLE', `cannot read ${file}`, { cause: error });
  }
}

function checkTime(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new HubError(
      'CLI_USAGE',
      `Thời điểm kiểm tra (--at) phải viết theo ISO 8601, ví dụ 2026-12-01T08:00:00+07:00; đã nhận "${value}" / --at must be an ISO 8601 time, got "${value}"`,
    );
  return at;
}

/**
 * `--ocsp` files: OCSP responses (DER, or PEM as openssl writes them) kept from earlier, so that
 * revocation is judged offline as of `--at` from the evidence alone.
 */
async function loadOcsp(context: CliContext, files: readonly string[] | undefined): Promise<OcspEvidence[]> {
  const found: OcspEvidence[] = [];
  for (const file of files ?? []) {
    const bytes = await readFileArgument(context, file);
    const text = bytes.toString('latin1');
    const der = text.includes('-----BEGIN')
      ? Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64')
      : bytes;
    const evidence = parseOcspResponse(der);
    if (!evidence)
      throw new HubError(
        'CLI_USAGE',
        `Tệp ${file} không phải là phản hồi OCSP dùng được (cần phản hồi "successful", dạng DER hoặc PEM) / ${file} is not a usable OCSP response (a successful response, DER or PEM)`,
      );
    found.push(evidence);
  }
  return found;
}

export const commands: readonly CliCommand[] = [
  {
    words: ['agency', 'signing-key'],
    usage:
      'agency signing-key ORGANID --key K.pem --cert C.pem   the key the agency’s outgoing documents are signed with',
    async run(context) {
      const { values, positionals } = parseArgs({
        args: [...context.argv],
        options: { key: { type: 'string' }, cert: { type: 'string' } },
        allowPositionals: true,
      });
      const organId = onlyFile(positionals, 'agency signing-key ORGANID --key K.pem --cert C.pem');
      if (!isAliasOrganId(organId))
        throw new HubError(
          'CLI_USAGE',
          `Mã định danh không đúng dạng / not an agency code (OrganId): ${organId}`,
        );
      if (values.key === undefined || values.cert === undefined)
        throw new HubError('CLI_USAGE', 'agency signing-key needs --key K.pem and --cert C.pem');
      const [keyPem, certificatePem] = await Promise.all([
        readFileArgument(context, values.key),
        readFileArgument(context, values.cert),
      ]);
      // Checked (readable RSA key that belongs to the certificate) before anything is written, and
      // audited: on the database, or through the running hub that holds the embedded one.
      const dir = agencyKeyDir(loadConfig(context.env).dataDir);
      return withHubAccess(context, 'lienthong agency signing-key', async (access) => {
        if (access.kind === 'running-hub') {
          const response = await callRunningHub(
            access.control,
            'POST',
            `/api/v1/agencies/${encodeURIComponent(organId)}/signing-key`,
            { keyPem: keyPem.toString('utf8'), certificatePem: certificatePem.toString('utf8') },
          );
          if (response.status !== 201) {
            writeLine(context.stderr, `lienthong agency signing-key: ${apiErrorMessage(response)}`);
            return 1;
          }
          writeLine(context.stdout, `signing key of ${organId} installed in ${dir}`);
          return 0;
        }
        const outcome = await installAgencySigningKey(
          {
            prisma: access.database.prisma,
            directory: createPrismaAgencyDirectory(access.database.prisma),
            keyDir: dir,
          },
          { kind: 'system', component: 'cli' },
          organId,
          keyPem,
          certificatePem,
        );
        if (outcome.kind !== 'installed') {
          writeLine(context.stderr, `lienthong agency signing-key: ${outcome.message}`);
          return 1;
        }
        writeLine(context.stdout, `signing key of ${organId} installed in ${dir}`);
        return 0;
      });
    },
  },
  {
    words: ['edxml', 'sign'],
    usage: 'edxml sign FILE --key K.pem --cert C.pem   enveloped XMLDSig (RSA-SHA256), prints signed XML',
    async run(context) {
      const { values, positionals } = parseArgs({
        args: [...context.argv],
        options: { key: { type: 'string' }, cert: { type: 'string' } },
        allowPositionals: true,
      });
      const file = onlyFile(positionals, 'edxml sign FILE --key K.pem --cert C.pem');
      if (values.key === undefined || values.cert === undefined)
        throw new HubError('CLI_USAGE', 'edxml sign needs --key K.pem and --cert C.pem');
      const key = await fileKeyStore({ keyPath: values.key, certificatePath: values.cert }).signingKey();
      context.stdout.write(signEdxml(await readFileArgument(context, file), key));
      return 0;
    },
  },
  {
    words: ['edxml', 'verify'],
    usage:
      'edxml verify FILE [--trust PEM_OR_DIR]… [--crl FILE]… [--ocsp FILE]… [--at ISO] [--report json|pdf [--out FILE]]   signature verdict (or the validation report) as of --at; exit 0 only when trusted',
    async run(context) {
      const { values, positionals } = parseArgs({
        args: [...context.argv],
        options: VERIFY_OPTIONS,
        allowPositionals: true,
      });
      const file = onlyFile(positionals, 'edxml verify FILE [--trust PEM_OR_DIR]… [--crl FILE]…');
      const material = await loadTrust(context, values.trust, values.crl);
      const bytes = await readFileArgument(context, file);
      const { verdict } = await verifyEdxmlSignature(bytes, material, {
        at: checkTime(values.at),
        ocsp: await loadOcsp(context, values.ocsp),
      });
      if (values.report !== undefined) await writeReport(context, values, file, bytes, [verdict]);
      else writeJson(context.stdout, verdict);
      return verdict.trusted ? 0 : 1;
    },
  },
  {
    words: ['verify'],
    usage:
      'verify FILE.pdf|FILE.eml [--trust PEM_OR_DIR]… [--crl FILE]… [--ocsp FILE]… [--at ISO] [--from ORGANID] [--report json|pdf [--out FILE]]   verdicts of every signature (or the validation report) as of --at; the CRLs and OCSP responses in the file count too',
    async run(context) {
      const { values, positionals } = parseArgs({
        args: [...context.argv],
        options: VERIFY_OPTIONS,
        allowPositionals: true,
      });
      const file = onlyFile(positionals, 'verify FILE.pdf|FILE.eml [--trust PEM_OR_DIR]… [--crl FILE]…');
      const material = await loadTrust(context, values.trust, values.crl);
      const bytes = await readFileArgument(context, file);
      const options = {
        at: checkTime(values.at),
        ocsp: await loadOcsp(context, values.ocsp),
        ...(values.from === undefined ? {} : { organId: values.from }),
      };
      const isPdf = bytes.subarray(0, 1024).toString('latin1').includes('%PDF-');
      const verdict = isPdf
        ? await verifyPdf(bytes, material, options)
        : await verifySmime(bytes, material, options);
      if (values.report !== undefined) await writeReport(context, values, file, bytes, verdict.signatures);
      else writeJson(context.stdout, verdict);
      return verdict.trusted ? 0 : 1;
    },
  },
];
