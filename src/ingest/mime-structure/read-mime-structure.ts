/**
 * The second, strict reading of a message's MIME structure (RFC 2045–2049, 2183, 2231, 5322),
 * written without mailparser: which parts exist, where each starts and ends, its transfer
 * encoding, its names, and the files it carries (MIME parts, uuencode and yEnc blocks in text
 * bodies, TNEF). Wherever the message leaves the standard in a way readers resolve differently,
 * a finding says where (part, header) and what each resolution gives.
 *
 * Bounded: one pass over each part's lines, parts and depth capped; it never throws for input.
 */
import { unpackTnef } from '../tnef.ts';
import {
  assembleParameters,
  fieldValues,
  parseStructured,
  readHeaderBlock,
  stripComments,
  type Parameter,
} from './header-fields.ts';
import { findEmbeddedFiles } from './transfer-decoding.ts';
import {
  findDashLines,
  findDelimiters,
  lineBreakBefore,
  passOverCloses,
  sameSplit,
  type Delimiter,
} from './delimiters.ts';
import {
  describeIssue,
  distinctValues,
  junkFinding,
  note,
  parameterFindings,
  where,
  type Finding,
  type FindingLog,
  type FindingSeverity,
} from './findings.ts';
import { decodeBody, IDENTITY, UUENCODE } from './part-content.ts';

export type { Finding, FindingSeverity };
export const describePart = where;

export type StrictAttachment = {
  path: string;
  contentType: string;
  /** the name the standard gives (Content-Disposition filename, else Content-Type name), or none */
  name: string | null;
  /** every distinct name a reader could show, the standard one first */
  candidates: string[];
  content: Buffer;
  carrier: 'mime' | 'uuencode' | 'yenc' | 'tnef';
};

export type StrictReading = { attachments: StrictAttachment[]; findings: Finding[]; parts: number };

export const STRICT_LIMITS = { maxParts: 2_000, maxDepth: 60, maxAttachments: 400 };

/**
 * Other ways readers resolve three constructs, read through to see whether they change anything:
 * a line in the header that is no field ends the header (Python's email package), a line that
 * starts with a boundary is a delimiter (prefix matching), a closing delimiter is passed over.
 */
type Resolution = 'stray-ends-header' | 'prefix-delimiter' | 'ignore-close';

type Trigger = { resolution: Resolution; part: string; header: string | null; vi: string; en: string };

type Context = StrictReading & FindingLog & { mode: Resolution | null; triggers: Trigger[] };

const RESOLUTION_TEXT: Record<Resolution, { vi: string; en: string }> = {
  'stray-ends-header': {
    vi: 'trình đọc kết thúc tiêu đề tại dòng đó',
    en: 'a reader that ends the header at that line',
  },
  'prefix-delimiter': {
    vi: 'trình đọc so khớp boundary theo tiền tố',
    en: 'a reader that matches boundaries by prefix',
  },
  'ignore-close': {
    vi: 'trình đọc bỏ qua dòng kết thúc',
    en: 'a reader that passes over the closing delimiter',
  },
};

export function readMimeStructure(raw: Buffer): StrictReading {
  const text = raw.toString('latin1');
  const ctx = readWith(text, null);
  const done = new Set<Resolution>();
  for (const trigger of ctx.triggers) {
    if (done.has(trigger.resolution)) continue;
    done.add(trigger.resolution);
    const other = readWith(text, trigger.resolution);
    const same = sameFiles(ctx.attachments, other.attachments);
    const how = RESOLUTION_TEXT[trigger.resolution];
    const triggers = ctx.triggers.filter((t) => t.resolution === trigger.resolution);
    for (const t of triggers)
      note(
        ctx,
        same ? 'harmless' : 'conflict',
        trigger.resolution,
        t.part,
        t.header,
        same
          ? `${t.vi}; ${how.vi} vẫn thấy cùng các tệp`
          : `${t.vi}; ${how.vi} thấy các tệp khác: ${fileList(other.attachments, 'vi')}`,
        same
          ? `${t.en}; ${how.en} still finds the same files`
          : `${t.en}; ${how.en} finds other files: ${fileList(other.attachments, 'en')}`,
      );
  }
  return { attachments: ctx.attachments, findings: ctx.findings, parts: ctx.parts };
}

function readWith(text: string, mode: Resolution | null): Context {
  const ctx: Context = { attachments: [], findings: [], parts: 0, eightBitNoted: false, mode, triggers: [] };
  let start = 0;
  // A UTF-8 byte order mark or an mbox "From " line in front of the header is no part of the message.
  if (text.startsWith('\xef\xbb\xbf')) start = 3;
  if (text.startsWith('From ', start)) {
    const nl = text.indexOf('\n', start);
    start = nl < 0 ? text.length : nl + 1;
  }
  try {
    readEntity(text, start, text.length, '', 0, ctx, 'text/plain', []);
  } catch (error) {
    // A reader bug must not lose mail; it is a reason to look, not a crash.
    note(
      ctx,
      'conflict',
      'reader-error',
      '',
      null,
      `lỗi khi đọc cấu trúc: ${(error as Error).message}`,
      `the strict reading failed: ${(error as Error).message}`,
    );
  }
  return ctx;
}

const fileKey = (a: StrictAttachment) => `${a.content.length}:${hashOf(a.content)}:${a.name ?? ''}`;

function hashOf(bytes: Buffer): string {
  // FNV-1a over the bytes: enough to tell two readings' files apart, no crypto needed here
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i += 1) h = Math.imul(h ^ (bytes[i] as number), 0x01000193) >>> 0;
  return h.toString(16);
}

function sameFiles(a: readonly StrictAttachment[], b: readonly StrictAttachment[]): boolean {
  const left = a.map(fileKey).sort();
  const right = b.map(fileKey).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

function fileList(list: readonly StrictAttachment[], lang: 'vi' | 'en'): string {
  if (list.length === 0) return lang === 'vi' ? 'không có tệp nào' : 'no file';
  return list
    .slice(0, 5)
    .map(
      (a) =>
        `${a.name === null ? '?' : `"${a.name}"`} (${a.content.length} ${lang === 'vi' ? 'byte' : 'bytes'})`,
    )
    .join(', ');
}

const childPath = (parent: string, index: number) =>
  parent === '' ? `${index}` : parent.endsWith('/forwarded') ? `${parent}/${index}` : `${parent}.${index}`;

const TEXT_TYPES = ['text/plain', 'text/html', 'message/delivery-status'];
const TYPE = /^[a-z0-9!#$&^_.+-]{1,127}\/[a-z0-9!#$&^_.+-]{1,127}$/;

function readEntity(
  s: string,
  start: number,
  end: number,
  path: string,
  depth: number,
  ctx: Context,
  defaultType: string,
  ancestors: string[],
): void {
  ctx.parts += 1;
  const at = where(path);
  if (ctx.parts > STRICT_LIMITS.maxParts || depth > STRICT_LIMITS.maxDepth) {
    if (ctx.parts === STRICT_LIMITS.maxParts + 1 || depth === STRICT_LIMITS.maxDepth + 1)
      note(
        ctx,
        'harmless',
        'limit',
        path,
        null,
        `không đọc sâu hơn ${at.vi} (giới hạn ${STRICT_LIMITS.maxParts} phần, ${STRICT_LIMITS.maxDepth} lớp)`,
        `not read beyond ${at.en} (limits: ${STRICT_LIMITS.maxParts} parts, ${STRICT_LIMITS.maxDepth} levels)`,
      );
    return;
  }
  const block = readHeaderBlock(s, start, end, ctx.mode === 'stray-ends-header');
  for (const stray of block.strayLines) {
    const mimeAfter = stray.beforeFields.filter((f) => f.startsWith('content-'));
    const line = JSON.stringify(stray.text.slice(0, 60));
    if (mimeAfter.length > 0)
      ctx.triggers.push({
        resolution: 'stray-ends-header',
        part: path,
        header: mimeAfter[0] ?? null,
        vi: `${at.vi}: dòng ${line} giữa các trường tiêu đề không phải là trường, trước ${mimeAfter.join(', ')}`,
        en: `${at.en}: the line ${line} among the header fields is no field, and ${mimeAfter.join(', ')} follow it`,
      });
    else
      note(
        ctx,
        'harmless',
        'stray-header-line',
        path,
        null,
        `${at.vi}: dòng ${line} trong tiêu đề không phải là trường`,
        `${at.en}: the line ${line} in the header is no field`,
      );
  }
  const contentTypes = distinctValues(
    ctx,
    block.fields.length ? fieldValues(block, 'content-type') : [],
    'Content-Type',
    path,
  );
  const encodings = distinctValues(
    ctx,
    fieldValues(block, 'content-transfer-encoding'),
    'Content-Transfer-Encoding',
    path,
  );
  const dispositions = distinctValues(
    ctx,
    fieldValues(block, 'content-disposition'),
    'Content-Disposition',
    path,
  );

  const ct = contentTypes[0] === undefined ? null : parseStructured(contentTypes[0]);
  let type = ct?.value ?? defaultType;
  if (ct && !TYPE.test(type)) {
    const fallback = 'application/octet-stream';
    note(
      ctx,
      'harmless',
      'invalid-type',
      path,
      'Content-Type',
      `${at.vi}: kiểu nội dung "${type.slice(0, 60)}" không hợp lệ, đọc như ${fallback}`,
      `${at.en}: the content type "${type.slice(0, 60)}" is not valid; read as ${fallback}`,
    );
    type = fallback;
  }
  const typeParams = assembleParameters(ct?.parameters ?? []);
  if (ct?.junk.length)
    junkFinding(
      ctx,
      path,
      'Content-Type',
      ct.junk,
      type.startsWith('multipart/') ? 'conflict' : typeParams.has('name') ? 'ambiguous' : 'harmless',
    );
  const cd = dispositions[0] === undefined ? null : parseStructured(dispositions[0]);
  const dispositionParams = assembleParameters(cd?.parameters ?? []);
  if (cd?.junk.length)
    junkFinding(
      ctx,
      path,
      'Content-Disposition',
      cd.junk,
      dispositionParams.has('filename') ? 'ambiguous' : 'harmless',
    );
  const disposition = cd?.value ?? '';
  const cteRaw = encodings[0] ?? '';
  const cte = stripComments(cteRaw).trim().toLowerCase();
  parameterFindings(ctx, path, 'Content-Type', typeParams);
  parameterFindings(ctx, path, 'Content-Disposition', dispositionParams);

  const body = { start: block.bodyStart, end };
  if (type.startsWith('multipart/')) {
    if (!IDENTITY.includes(cte))
      note(
        ctx,
        'conflict',
        'multipart-encoded',
        path,
        'Content-Transfer-Encoding',
        `${at.vi}: phần nhiều phần (multipart) lại khai báo mã truyền "${cte.slice(0, 40)}"; có trình đọc giải mã trước khi tách, có trình đọc không`,
        `${at.en}: a multipart declares the transfer encoding "${cte.slice(0, 40)}"; some readers decode it before splitting, others do not`,
      );
    readMultipart(s, body, path, depth, ctx, type, typeParams.get('boundary') ?? null, ancestors);
    return;
  }
  if (type === 'message/rfc822' || type === 'message/global') {
    const inner = decodeBody(s, body, cte, ctx, path, true);
    const text = inner.toString('latin1');
    readEntity(
      text,
      0,
      text.length,
      `${path === '' ? '1' : path}/forwarded`,
      depth + 1,
      ctx,
      'text/plain',
      [],
    );
    return;
  }
  const names = nameReadings(typeParams, dispositionParams);
  const knownDisposition = disposition === '' || disposition === 'inline' || disposition === 'attachment';
  const isBody =
    TEXT_TYPES.includes(type) && (disposition === '' || disposition === 'inline') && knownDisposition;
  if (names.candidates.length > 1)
    note(
      ctx,
      'ambiguous',
      'ambiguous-name',
      path,
      names.headers.join(', '),
      `${at.vi}: tệp đính kèm có nhiều tên có thể hiển thị: ${names.candidates.map((c) => `"${c}"`).join(', ')}`,
      `${at.en}: the attachment has more than one name a reader could show: ${names.candidates.map((c) => `"${c}"`).join(', ')}`,
    );
  const content = decodeBody(s, body, cte, ctx, path, !isBody);
  if (UUENCODE.includes(cte) || isBody) {
    const files = findEmbeddedFiles(content.toString('latin1'));
    files.forEach((file, index) => {
      addAttachment(ctx, {
        path: `${path === '' ? '1' : path}/${file.carrier}/${index + 1}`,
        contentType: 'application/octet-stream',
        name: file.name,
        candidates: [file.name],
        content: file.content,
        carrier: file.carrier,
      });
      if (file.unterminated)
        note(
          ctx,
          'harmless',
          'embedded-unterminated',
          path,
          null,
          `${at.vi}: khối ${file.carrier} "${file.name}" không có dòng kết thúc`,
          `${at.en}: the ${file.carrier} block "${file.name}" has no end line`,
        );
    });
    if (isBody || files.length > 0) return;
  }
  const contentType = type;
  if (
    contentType === 'application/ms-tnef' ||
    contentType === 'application/vnd.ms-tnef' ||
    (names.name ?? '').toLowerCase() === 'winmail.dat'
  ) {
    const unpacked = unpackTnef(content);
    unpacked.files.forEach((file, index) => {
      addAttachment(ctx, {
        path: `${path}/winmail.dat/${index + 1}`,
        contentType: 'application/octet-stream',
        name: file.name,
        candidates: [file.name],
        content: file.content,
        carrier: 'tnef',
      });
    });
    if (unpacked.files.length > 0) return;
  }
  addAttachment(ctx, {
    path: path === '' ? '1' : path,
    contentType,
    name: names.name,
    candidates: names.candidates,
    content,
    carrier: 'mime',
  });
}

function addAttachment(ctx: Context, attachment: StrictAttachment): void {
  if (ctx.attachments.length < STRICT_LIMITS.maxAttachments) ctx.attachments.push(attachment);
}

/** The standard name (RFC 2183: the disposition's filename first) and every other name readers show. */
function nameReadings(
  typeParams: Map<string, Parameter>,
  dispositionParams: Map<string, Parameter>,
): { name: string | null; candidates: string[]; headers: string[] } {
  const filename = dispositionParams.get('filename');
  const name = typeParams.get('name');
  const clean = (v: string) => v.normalize('NFC').trim();
  const candidates: string[] = [];
  const headers: string[] = [];
  for (const [param, header] of [
    [filename, 'Content-Disposition filename'],
    [name, 'Content-Type name'],
  ] as const) {
    if (!param) continue;
    headers.push(header);
    for (const reading of param.readings.map(clean))
      if (reading !== '' && !candidates.includes(reading)) candidates.push(reading);
  }
  const chosen = [filename?.value, name?.value]
    .map((v) => (v === undefined ? '' : clean(v)))
    .find((v) => v !== '');
  return { name: chosen ?? null, candidates, headers };
}

function readMultipart(
  s: string,
  body: { start: number; end: number },
  path: string,
  depth: number,
  ctx: Context,
  type: string,
  boundaryParam: Parameter | null,
  ancestors: string[],
): void {
  const at = where(path);
  const boundary = boundaryParam?.value ?? '';
  if (boundary === '') {
    const looks = findDashLines(s, body, 1).length > 0;
    note(
      ctx,
      looks ? 'conflict' : 'harmless',
      'multipart-no-boundary',
      path,
      'Content-Type',
      `${at.vi}: ${type} không có tham số boundary${looks ? ', nhưng nội dung có dòng bắt đầu bằng "--"; trình đọc đoán ranh giới sẽ thấy các phần mà chuẩn không có' : ''}`,
      `${at.en}: ${type} without a boundary parameter${looks ? ', yet the body has lines starting with "--"; a reader that guesses the boundary finds parts the standard does not' : ''}`,
    );
    return;
  }
  if (boundary.length > 70 || /[^0-9A-Za-z'()+_,\-./:=? ]/.test(boundary) || boundary.endsWith(' '))
    note(
      ctx,
      /[^\x20-\x7e]/.test(boundary) ? 'conflict' : 'harmless',
      'boundary-invalid',
      path,
      'Content-Type',
      `${at.vi}: boundary ${JSON.stringify(boundary.slice(0, 80))} không theo RFC 2046 (1–70 ký tự cho phép, không kết thúc bằng dấu cách)`,
      `${at.en}: the boundary ${JSON.stringify(boundary.slice(0, 80))} breaks RFC 2046 (1–70 allowed characters, no final space)`,
    );
  if (ancestors.includes(boundary))
    note(
      ctx,
      'conflict',
      'boundary-reused',
      path,
      'Content-Type',
      `${at.vi}: dùng lại boundary ${JSON.stringify(boundary)} của phần chứa nó`,
      `${at.en}: reuses the boundary ${JSON.stringify(boundary)} of the part that holds it`,
    );
  const delimiters = findDelimiters(s, body, boundary, ctx.mode === 'prefix-delimiter');
  // The other readings of the boundary parameter (a duplicate, RFC 2231 against plain, comments
  // kept, a reader without RFC 2231): each one that matches delimiter lines splits otherwise.
  const alternatives = new Set(boundaryParam?.readings.filter((r) => r !== boundary) ?? []);
  if (boundary.trim() !== boundary) alternatives.add(boundary.trim());
  if (boundaryParam?.form === 'extended')
    note(
      ctx,
      'conflict',
      'boundary-extended',
      path,
      'Content-Type',
      `${at.vi}: boundary chỉ được khai báo dạng RFC 2231 (boundary*); trình đọc không hỗ trợ RFC 2231 không thấy ranh giới nào và không thấy các phần`,
      `${at.en}: the boundary is given only in RFC 2231 form (boundary*); a reader without RFC 2231 finds no boundary and none of the parts`,
    );
  for (const alternative of alternatives) {
    if (alternative === '') continue;
    const other = findDelimiters(s, body, alternative);
    if (other.all.length > 0 && !sameSplit(other.all, delimiters.all))
      note(
        ctx,
        'conflict',
        'boundary-readings',
        path,
        'Content-Type',
        `${at.vi}: tham số boundary đọc được hai cách, ${JSON.stringify(boundary)} (theo chuẩn, ${delimiters.all.length} dòng ranh giới) và ${JSON.stringify(alternative)} (${other.all.length} dòng ranh giới); hai cách cho các phần khác nhau`,
        `${at.en}: the boundary parameter reads two ways, ${JSON.stringify(boundary)} (the standard's, ${delimiters.all.length} delimiter lines) and ${JSON.stringify(alternative)} (${other.all.length} delimiter lines), which split the body differently`,
      );
  }
  if (boundaryParam?.issues.length)
    note(
      ctx,
      'harmless',
      'boundary-parameter',
      path,
      'Content-Type',
      `${at.vi}: tham số boundary khai báo không chuẩn (${boundaryParam.issues.map((i) => describeIssue(i).vi).join('; ')})`,
      `${at.en}: the boundary parameter is given off-standard (${boundaryParam.issues.map((i) => describeIssue(i).en).join('; ')})`,
    );
  if (delimiters.nearMiss.length > 0)
    ctx.triggers.push({
      resolution: 'prefix-delimiter',
      part: path,
      header: 'Content-Type',
      vi: `${at.vi}: dòng ${JSON.stringify(delimiters.nearMiss[0])} bắt đầu bằng boundary ${JSON.stringify(boundary)} nhưng không phải dòng ranh giới`,
      en: `${at.en}: the line ${JSON.stringify(delimiters.nearMiss[0])} starts with the boundary ${JSON.stringify(boundary)} but is no delimiter`,
    });
  const all = ctx.mode === 'ignore-close' ? passOverCloses(delimiters.all) : delimiters.all;
  if (all.length === 0) {
    note(
      ctx,
      'harmless',
      'multipart-empty',
      path,
      null,
      `${at.vi}: không có dòng ranh giới nào của ${JSON.stringify(boundary)}`,
      `${at.en}: no delimiter line of ${JSON.stringify(boundary)}`,
    );
    return;
  }
  const closeIndex = all.findIndex((d) => d.close);
  if (closeIndex < 0)
    note(
      ctx,
      'harmless',
      'missing-final-boundary',
      path,
      null,
      `${at.vi}: thiếu dòng ranh giới kết thúc "--${boundary}--"`,
      `${at.en}: the closing delimiter "--${boundary}--" is missing`,
    );
  else if (all.slice(closeIndex + 1).some((d) => !d.close))
    ctx.triggers.push({
      resolution: 'ignore-close',
      part: path,
      header: null,
      vi: `${at.vi}: sau dòng kết thúc "--${boundary}--" còn ${all.slice(closeIndex + 1).filter((d) => !d.close).length} dòng ranh giới mở phần mới`,
      en: `${at.en}: ${plural(all.slice(closeIndex + 1).filter((d) => !d.close).length, 'delimiter line')} that open parts follow the closing "--${boundary}--"`,
    });
  const opens = closeIndex < 0 ? all : all.slice(0, closeIndex + 1);
  const childDefault = type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
  for (let k = 0; k < opens.length; k += 1) {
    const d = opens[k] as Delimiter;
    if (d.close) break;
    const next = opens[k + 1];
    const partEnd = next ? lineBreakBefore(s, next.lineStart, d.next) : body.end;
    readEntity(s, d.next, partEnd, childPath(path, k + 1), depth + 1, ctx, childDefault, [
      ...ancestors,
      boundary,
    ]);
  }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
