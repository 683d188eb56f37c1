import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import {
  checkAuditProof,
  exportAuditProof,
  readAuditProof,
  timestampAuditHead,
  type AuditProof,
} from '../../registry/index.ts';
import { HubError } from '../../shared/index.ts';
import {
  readTrustPath,
  timestampAuthority,
  timestampWords,
  verifyTimestampToken,
  type TrustMaterial,
} from '../../signing/index.ts';
import { writeLine, type CliCommand, type CliContext } from '../cli-command.ts';
import { withHubAccess } from '../hub-session.ts';

/** `audit timestamp`, `audit proof` and `audit verify-proof` (docs/signing.md, "Audit time stamps"). */

const NOT_CONFIGURED =
  'Chưa cấu hình đơn vị cấp dấu thời gian: đặt LIENTHONG_TSA_URL và LIENTHONG_TSA_TRUST_FILE. / No time-stamping authority is configured: set LIENTHONG_TSA_URL and LIENTHONG_TSA_TRUST_FILE.';

const EMBEDDED_HELD = (what: string) =>
  `${what}: hệ thống đang chạy giữ cơ sở dữ liệu nhúng; hãy dừng nó trước (hoặc chạy trên PostgreSQL). / the running hub holds the embedded database; stop it first (or run the hub on PostgreSQL).`;

async function timestamp(context: CliContext): Promise<number> {
  const config = loadConfig(context.env);
  if (!config.tsa.url || !config.tsa.trustFile) {
    writeLine(context.stderr, NOT_CONFIGURED);
    return 1;
  }
  const authority = timestampAuthority({
    url: config.tsa.url,
    trustFile: config.tsa.trustFile,
    timeoutMs: config.tsa.timeoutSeconds * 1000,
  });
  return withHubAccess(context, 'lienthong audit timestamp', async (access) => {
    if (access.kind === 'running-hub') {
      writeLine(context.stderr, EMBEDDED_HELD('lienthong audit timestamp'));
      return 1;
    }
    const outcome = await timestampAuditHead(access.database.prisma, authority);
    switch (outcome.kind) {
      case 'empty':
        writeLine(
          context.stdout,
          'Nhật ký kiểm toán còn trống; chưa có gì để đóng dấu thời gian. / The audit trail is empty; nothing to time-stamp.',
        );
        return 0;
      case 'unchanged':
        writeLine(
          context.stdout,
          `Mục nhật ký mới nhất (số ${String(outcome.seq)}) đã được đóng dấu thời gian lúc ${outcome.genTime.toISOString()}. / The newest entry (${String(outcome.seq)}) was already time-stamped at ${outcome.genTime.toISOString()}.`,
        );
        return 0;
      case 'stamped':
        writeLine(
          context.stdout,
          `Đã đóng dấu thời gian mục nhật ký số ${String(outcome.seq)} (${outcome.hash}) lúc ${outcome.genTime.toISOString()}, do ${outcome.tsa} cấp. / Time-stamped entry ${String(outcome.seq)} (${outcome.hash}) at ${outcome.genTime.toISOString()}, by ${outcome.tsa}.`,
        );
        return 0;
      case 'failed':
        writeLine(context.stderr, `${outcome.problem.vi} / ${outcome.problem.en}`);
        return 1;
    }
  });
}

async function proof(context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...context.argv],
    options: { out: { type: 'string' } },
    allowPositionals: true,
  });
  const [documentId, ...rest] = positionals;
  if (documentId === undefined || rest.length > 0)
    throw new HubError('CLI_USAGE', 'usage: lienthong audit proof DOCUMENT_ID [--out FILE]');
  return withHubAccess(context, 'lienthong audit proof', async (access) => {
    if (access.kind === 'running-hub') {
      writeLine(context.stderr, EMBEDDED_HELD('lienthong audit proof'));
      return 1;
    }
    const outcome = await exportAuditProof(access.database.prisma, documentId);
    switch (outcome.kind) {
      case 'not-found':
        writeLine(
          context.stderr,
          `Không có văn bản nào mang mã ${documentId} trong sổ. / No registered document has the id ${documentId}.`,
        );
        return 1;
      case 'no-entries':
        writeLine(
          context.stderr,
          `Văn bản ${documentId} không có mục nhật ký kiểm toán nào. / Document ${documentId} has no audit entries.`,
        );
        return 1;
      case 'not-yet-stamped':
        writeLine(context.stderr, `${outcome.message.vi} / ${outcome.message.en}`);
        return 1;
      case 'exported': {
        const json = `${JSON.stringify(outcome.proof, null, 2)}\n`;
        if (values.out === undefined) {
          context.stdout.write(json);
          return 0;
        }
        try {
          await writeFile(values.out, json, { mode: 0o600 });
        } catch (error) {
          writeLine(
            context.stderr,
            `Không ghi được tệp ${values.out} (${(error as Error).message}); kiểm tra thư mục và quyền ghi. / Cannot write ${values.out} (${(error as Error).message}); check the folder and its permissions.`,
          );
          return 1;
        }
        writeLine(
          context.stdout,
          `Đã ghi bằng chứng của văn bản vào ${values.out}: ${outcome.proof.documentEntries.length} mục nhật ký, chuỗi ${outcome.proof.chain.length} mục tới mốc số ${outcome.proof.anchor.seq}. / Proof written to ${values.out}: ${outcome.proof.documentEntries.length} entries, a chain of ${outcome.proof.chain.length} up to anchor ${outcome.proof.anchor.seq}.`,
        );
        return 0;
      }
    }
  });
}

type Lang = 'vi' | 'en';

function documentWords(proof: AuditProof, lang: Lang): string {
  const d = proof.document as {
    direction?: string;
    number?: number;
    year?: number;
    agency?: { organId?: string; name?: string };
  };
  const agency = `${d.agency?.name ?? ''} (${d.agency?.organId ?? ''})`;
  if (lang === 'en')
    return `${d.direction === 'outgoing' ? 'outgoing' : 'incoming'} document no. ${d.number ?? '?'}/${d.year ?? '?'} of ${agency}`;
  return `văn bản ${d.direction === 'outgoing' ? 'đi' : 'đến'} số ${d.number ?? '?'}/${d.year ?? '?'} của ${agency}`;
}

/** Offline: the proof file and the TSA's root are all it reads. */
async function verifyProof(context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...context.argv],
    options: { trust: { type: 'string' }, lang: { type: 'string' } },
    allowPositionals: true,
  });
  const [file, ...rest] = positionals;
  const lang = values.lang ?? 'vi';
  if (file === undefined || rest.length > 0 || (lang !== 'vi' && lang !== 'en'))
    throw new HubError('CLI_USAGE', 'usage: lienthong audit verify-proof FILE [--trust FILE] [--lang vi|en]');
  const say = (words: { vi: string; en: string }) => words[lang];
  const trustPath = values.trust ?? loadConfig(context.env).tsa.trustFile;
  if (trustPath === undefined) {
    writeLine(
      context.stderr,
      say({
        vi: 'Cần tệp chứng thư gốc của đơn vị cấp dấu thời gian: --trust FILE (hoặc LIENTHONG_TSA_TRUST_FILE).',
        en: 'The time-stamping authority’s root certificate is needed: --trust FILE (or LIENTHONG_TSA_TRUST_FILE).',
      }),
    );
    return 2;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    writeLine(
      context.stdout,
      say({
        vi: `Bằng chứng KHÔNG kiểm tra được: không đọc được tệp ${file} như JSON (${(error as Error).message}).`,
        en: `The proof CANNOT be checked: ${file} is not readable as JSON (${(error as Error).message}).`,
      }),
    );
    return 1;
  }
  const read = readAuditProof(parsed);
  if (!read.ok) {
    writeLine(
      context.stdout,
      say({
        vi: `Bằng chứng KHÔNG hợp lệ: ${read.problem.vi}`,
        en: `The proof is NOT valid: ${read.problem.en}`,
      }),
    );
    return 1;
  }
  let trust: TrustMaterial;
  try {
    trust = await readTrustPath(trustPath);
  } catch (error) {
    writeLine(
      context.stderr,
      say({
        vi: `Không đọc được tệp chứng thư gốc của đơn vị cấp dấu thời gian ${trustPath} (${(error as Error).message}).`,
        en: `The time-stamping authority's root certificate file ${trustPath} cannot be read (${(error as Error).message}).`,
      }),
    );
    return 2;
  }
  const check = checkAuditProof(read.proof);
  const problems: { vi: string; en: string }[] = check.ok ? [] : [...check.problems];
  let stamped: { genTime: Date; tsa: string } | null = null;
  if (check.digest) {
    const token = await verifyTimestampToken(
      Buffer.from(read.proof.anchor.token, 'base64'),
      check.digest,
      trust,
    );
    if (token.ok) stamped = token;
    else problems.push(timestampWords(token.problem));
  }
  if (problems.length > 0 || !check.ok || !stamped) {
    writeLine(
      context.stdout,
      say({
        vi: `Bằng chứng KHÔNG hợp lệ (${documentWords(read.proof, 'vi')}):`,
        en: `The proof is NOT valid (${documentWords(read.proof, 'en')}):`,
      }),
    );
    for (const problem of problems) writeLine(context.stdout, `  - ${say(problem)}`);
    writeLine(
      context.stdout,
      say({
        vi: 'Không dùng bằng chứng này; xuất lại từ hệ thống (lienthong audit proof) và kiểm tra nhật ký tại hệ thống (lienthong audit verify).',
        en: 'Do not rely on this proof; export it again from the hub (lienthong audit proof) and check the trail there (lienthong audit verify).',
      }),
    );
    return 1;
  }
  const { seq } = read.proof.anchor;
  const at = stamped.genTime.toISOString();
  writeLine(
    context.stdout,
    say({
      vi: `Bằng chứng HỢP LỆ: ${documentWords(read.proof, 'vi')}; ${check.entries} mục nhật ký của văn bản nằm trong chuỗi ${check.chainLength} mục nối liền, dẫn tới mục số ${seq} được "${stamped.tsa}" đóng dấu thời gian lúc ${at}.`,
      en: `The proof is VALID: ${documentWords(read.proof, 'en')}; its ${check.entries} audit entries are in an unbroken chain of ${check.chainLength}, up to entry ${seq}, time-stamped by "${stamped.tsa}" at ${at}.`,
    }),
  );
  if (check.hashOnly > 0)
    writeLine(
      context.stdout,
      say({
        vi: `${check.hashOnly} mục khác trong chuỗi chỉ có giá trị băm (không lộ nội dung của cơ quan khác); các giá trị băm đó được dấu thời gian bảo đảm qua giá trị tích lũy của chuỗi.`,
        en: `${check.hashOnly} other entries of the chain are there by their hashes only (nothing of other agencies is shown); those hashes are bound by the time stamp through the chain's accumulator.`,
      }),
    );
  return 0;
}

export const proofCommands: readonly CliCommand[] = [
  {
    words: ['audit', 'timestamp'],
    usage: 'audit timestamp              has the time-stamping authority stamp the audit chain head now',
    run: timestamp,
  },
  {
    words: ['audit', 'proof'],
    usage:
      'audit proof DOCUMENT_ID [--out FILE]   one file proving a document’s audit trail up to a time stamp',
    run: proof,
  },
  {
    words: ['audit', 'verify-proof'],
    usage: 'audit verify-proof FILE [--trust FILE] [--lang vi|en]   checks such a proof offline',
    run: verifyProof,
  },
];
