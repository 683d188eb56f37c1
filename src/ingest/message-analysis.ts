import { inspectZip, isZipAttachment, parseEdxml } from '../edxml/index.ts';
import type { TrustStore } from '../signing/index.ts';
import { verifyEdxmlSignature, verifyPdf, verifySmime } from '../signing/index.ts';
import type { IncomingAttachment } from '../registry/index.ts';
import type { MalwareScanner } from './clamd-scanner.ts';
import { parseMessage, type ExtractedAttachment, type IncomingMessage } from './parse-message.ts';
import { readSubjectLine } from './subject-line.ts';
import { readUrgencyMark } from '../text/index.ts';
import { compareReadings, type MimeVerdict } from './mime-structure/compare-readings.ts';
import { readMimeStructure, type StrictAttachment } from './mime-structure/read-mime-structure.ts';

export type MimeGap = { reason: string | null; flags: string[] };

/**
 * Reads one stored-to-be message: MIME, subject line, edXML attachments, signatures, malware.
 * Each step is fenced: a failing step becomes a problem or a verdict, never an exception, so
 * the raw message is always stored (quarantined when it could not be understood).
 */
export type AnalysisPorts = {
  trust?: TrustStore;
  scanner?: MalwareScanner;
  /** time budget for MIME parsing; a message that takes longer is stored unread */
  parseTimeoutMs: number;
  /** the strict second reading of the MIME structure (mime-structure/), on unless false */
  secondReading?: boolean;
};

export type MessageAnalysis = {
  message: IncomingMessage | null;
  parseProblem: string | null;
  attachments: IncomingAttachment[];
  verdicts: unknown[];
  infected: string[];
  /** ZIP attachments refused (bomb, path traversal, nesting): flag and reason */
  unsafeArchives: { flag: string; reason: string }[];
  /** the second reading's verdict: quarantine reason (readings disagree) and flags; null when off or unread */
  mimeGap: MimeGap | null;
  metadata: Record<string, unknown>;
};

export async function analyzeMessage(
  raw: Buffer,
  receivedAt: Date,
  ports: AnalysisPorts,
): Promise<MessageAnalysis> {
  let message: IncomingMessage | null = null;
  let parseProblem: string | null = null;
  try {
    message = await withTimeout(parseMessage(raw), ports.parseTimeoutMs, 'MIME parsing');
  } catch (error) {
    parseProblem = (error as Error).message.slice(0, 500);
  }
  // The strict reading runs even when mailparser failed: its files are scanned all the same.
  let strictFiles: StrictAttachment[] = [];
  let mimeVerdict: MimeVerdict | null = null;
  if (ports.secondReading !== false) {
    const strict = readMimeStructure(raw);
    strictFiles = strict.attachments;
    if (message) {
      const { unseen, ...verdict } = compareReadings(strict, message.attachments);
      strictFiles = unseen;
      mimeVerdict = verdict;
    }
  }
  const verdicts: unknown[] = [];
  const infected: string[] = [];
  const unsafeArchives: MessageAnalysis['unsafeArchives'] = [];
  const attachments: IncomingAttachment[] = [];
  const edxml: Record<string, unknown>[] = [];
  const material = ports.trust ? await ports.trust.load().catch(() => undefined) : undefined;
  if (message && material && /^multipart\/signed|^application\/(x-)?pkcs7-mime/i.test(message.contentType))
    verdicts.push({
      file: 'message',
      ...(await fenced(() => verifySmime(raw, material, { at: receivedAt }))),
    });
  for (const file of message?.attachments ?? []) {
    const fileVerdicts: unknown[] = [];
    if (material && isPdf(file))
      fileVerdicts.push(await fenced(() => verifyPdf(file.content, material, { at: receivedAt })));
    if (isXml(file)) {
      const facts = readEdxml(file);
      if (facts) {
        edxml.push({ path: file.path, ...facts });
        if (material)
          fileVerdicts.push(
            await fenced(
              async () => (await verifyEdxmlSignature(file.content, material, { at: receivedAt })).verdict,
            ),
          );
      }
    }
    if (isZipAttachment(file.name, file.contentType, file.content)) {
      const zip = inspectZip(file.content);
      // The member listing is what the console shows; the outer members' hashes are edXML's.
      fileVerdicts.push(
        zip.kind === 'listed'
          ? {
              check: 'zip',
              kind: zip.kind,
              entries: zip.entries,
              totalSize: zip.totalSize,
              truncated: zip.truncated,
            }
          : { check: 'zip', ...zip },
      );
      if (zip.kind === 'unsafe')
        unsafeArchives.push({ flag: zip.flag, reason: `${file.name}: ${zip.reason}` });
    }
    if (ports.scanner) {
      const found = await ports.scanner
        .scan(file.content)
        .catch((error: unknown) => [`not scanned: ${(error as Error).message}`]);
      for (const name of found) infected.push(`${file.name}: ${name}`);
    }
    attachments.push({
      name: file.name,
      contentType: file.contentType,
      content: file.content,
      verdicts: fileVerdicts,
    });
  }
  if (ports.scanner && ports.secondReading !== false) {
    // What a clerk's mail program could open beyond mailparser's attachments; then, when nothing
    // was found in either reading, the raw message (clamd reads MIME its own way, a third reading).
    for (const file of strictFiles) {
      const found = await ports.scanner
        .scan(file.content)
        .catch((error: unknown) => [`not scanned: ${(error as Error).message}`]);
      for (const name of found)
        infected.push(`${file.name ?? file.path} (second reading, ${file.path}): ${name}`);
    }
    if (infected.length === 0) {
      const found = await ports.scanner
        .scan(raw)
        .catch((error: unknown) => [`not scanned: ${(error as Error).message}`]);
      for (const name of found) infected.push(`message: ${name}`);
    }
  }
  const subject = readSubjectLine(message?.subject ?? null);
  const urgency = readUrgencyMark(message?.subject);
  return {
    message,
    parseProblem,
    attachments,
    verdicts,
    infected,
    unsafeArchives,
    mimeGap: mimeVerdict ? { reason: mimeVerdict.reason, flags: mimeVerdict.flags } : null,
    metadata: {
      subject: subject.summary ?? message?.subject ?? null,
      ...(urgency > 0 ? { priority: urgency } : {}),
      ...(subject.notation
        ? {
            code: { number: subject.notation.number, notation: subject.notation.codeNotation },
            notation: subject.notation.raw,
          }
        : {}),
      mail: message
        ? {
            from: message.fromAddress,
            date: message.date,
            kind: message.kind,
            answers: message.answers,
            text: message.text.slice(0, 20_000),
            hasHtml: message.html !== null,
            textEncoding: message.textEncoding,
            problems: message.problems,
            attachmentPaths: message.attachments.map((a) => ({ name: a.name, path: a.path })),
            ...(mimeVerdict
              ? {
                  secondReading: {
                    verdict: mimeVerdict.verdict,
                    reason: mimeVerdict.reason,
                    flagReason: mimeVerdict.flagReason,
                    ambiguousNames: mimeVerdict.ambiguousNames,
                    findings: mimeVerdict.findings.slice(0, 50),
                    readings: mimeVerdict.readings,
                  },
                }
              : {}),
          }
        : null,
      ...(edxml.length > 0 ? { edxml } : {}),
    },
  };
}

function readEdxml(file: ExtractedAttachment): Record<string, unknown> | null {
  try {
    const pkg = parseEdxml(file.content);
    return pkg.kind === 'edoc'
      ? {
          kind: 'edoc',
          documentId: pkg.documentId ?? null,
          subject: pkg.subject ?? null,
          code: pkg.code,
          from: pkg.from,
        }
      : { kind: pkg.kind };
  } catch {
    return null;
  }
}

const isPdf = (file: ExtractedAttachment) =>
  file.contentType === 'application/pdf' || file.content.subarray(0, 5).toString('latin1') === '%PDF-';
const isXml = (file: ExtractedAttachment) =>
  /xml/.test(file.contentType) || /\.(edxml|xml)$/i.test(file.name);

async function fenced<T>(work: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await work();
  } catch (error) {
    return { error: (error as Error).message.slice(0, 500) };
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  // A budget of 0 is spent before the work starts: deterministic, not a race with a 1 ms timer.
  if (ms <= 0) {
    work.catch(() => undefined);
    return Promise.reject(new Error(`${what} took longer than ${ms} ms`));
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} took longer than ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
