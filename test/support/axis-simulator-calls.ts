import { parseEdxml } from '../../src/edxml/index.ts';
import { sdkHashFile } from './axis-simulator-auth.ts';
import type { FaultPlan } from './axis-simulator-faults.ts';
import type { AckStatus, AxisStore, StoredDocument, StoredSystem } from './axis-simulator-store.ts';

/**
 * The axis's calls, each turning the signed parameters of one request into the JSON the SDK
 * parses: `{status: "OK"|"FAIL", ErrorCode, ErrorDesc, …}`, ErrorCode "0" and ErrorDesc
 * "Thanh cong" on success. Only that success form and the wrong-sender text are known from the real
 * axis; the other FAIL codes and texts are this simulator's (clients must branch on `status`).
 */
export type Answer =
  | { kind: 'json'; body: Record<string, unknown>; docId?: string }
  | { kind: 'file'; body: Buffer; docId: string };

export type CallContext = {
  store: AxisStore;
  faults: FaultPlan;
  system: StoredSystem;
  parameters: Map<string, string>;
  body: Buffer;
  defaultPageSize: number;
};

/** Simulator-chosen FAIL codes; see docs/axis-simulator.md. */
export const AXIS_ERROR = {
  PARAMETER: '1',
  SIGNATURE: '2',
  SENDER: '3',
  NOT_FOUND: '4',
  PACKAGE: '5',
  HASH_FILE: '6',
} as const;

export const ok = (extra: Record<string, unknown> = {}): Answer => ({
  kind: 'json',
  body: { status: 'OK', ErrorCode: '0', ErrorDesc: 'Thanh cong', ...extra },
});

export const fail = (code: string, description: string, extra: Record<string, unknown> = {}): Answer => ({
  kind: 'json',
  body: { status: 'FAIL', ErrorCode: code, ErrorDesc: description, ...extra },
});

const STATUS_DESC: Record<AckStatus, string> = {
  initial: 'Chua nhan',
  done: 'Da nhan',
  fail: 'Nhan loi',
};

/** `yyyy-MM-dd HH:mm:ss` in Vietnam time (UTC+7), the axis's own clock. */
export function axisTime(date: Date): string {
  const local = new Date(date.getTime() + 7 * 3600_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 19)}`;
}

/** fromDate/toDate as `dd/MM/yyyy` or `yyyy-MM-dd`, optionally with ` HH:mm:ss` (Vietnam time). */
function parseAxisDate(text: string, endOfDay: boolean): Date | undefined {
  const match =
    /^(\d{2})\/(\d{2})\/(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text) ??
    /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = text.includes('/')
    ? [match[3], match[2], match[1]]
    : [match[1], match[2], match[3]];
  const hasTime = match[4] !== undefined;
  const time = hasTime
    ? `${match[4] ?? '00'}:${match[5] ?? '00'}:${match[6] ?? '00'}`
    : endOfDay
      ? '23:59:59'
      : '00:00:00';
  const date = new Date(`${year ?? ''}-${month ?? ''}-${day ?? ''}T${time}+07:00`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The recipients named by the optional `to` header: the SDK forwards its raw JSON text. */
function parseToHeader(text: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  const pick = (item: unknown): string | undefined => {
    if (typeof item === 'string') return item.trim() || undefined;
    if (typeof item === 'object' && item !== null) {
      for (const key of ['code', 'organId', 'OrganId', 'organ_id', 'id']) {
        const field = (item as Record<string, unknown>)[key];
        if (typeof field === 'string' && field.trim() !== '') return field.trim();
      }
    }
    return undefined;
  };
  if (Array.isArray(value)) {
    const codes = value.map(pick);
    return codes.every((code) => code !== undefined) ? codes : undefined;
  }
  if (typeof value === 'string') {
    const codes = value
      .split(/[,;]/)
      .map((code) => code.trim())
      .filter((code) => code !== '');
    return codes.length > 0 ? codes : undefined;
  }
  const single = pick(value);
  return single === undefined ? undefined : [single];
}

export function sendEdoc(context: CallContext): Answer {
  const { parameters, body, system, store } = context;
  const from = parameters.get('from');
  const serviceType = parameters.get('servicetype');
  const messageType = parameters.get('messagetype');
  const hashFile = parameters.get('hash-file');
  if (from === undefined || from === '')
    return fail(AXIS_ERROR.PARAMETER, 'Thieu tham so from', { DocId: '' });
  if (serviceType !== 'eDoc') {
    return fail(AXIS_ERROR.PARAMETER, `servicetype khong hop le: ${serviceType ?? ''}`, { DocId: '' });
  }
  if (messageType !== 'edoc' && messageType !== 'status') {
    return fail(AXIS_ERROR.PARAMETER, `messagetype khong hop le: ${messageType ?? ''}`, { DocId: '' });
  }
  if (hashFile === undefined) return fail(AXIS_ERROR.PARAMETER, 'Thieu tham so hash-file', { DocId: '' });
  if (!system.organIds.has(from)) {
    return fail(AXIS_ERROR.SENDER, `Don vi gui ${from} khong dung voi ma da dang ky: ${system.systemId}`, {
      DocId: '',
    });
  }
  if (body.length === 0) return fail(AXIS_ERROR.PACKAGE, 'Khong co noi dung goi tin', { DocId: '' });
  if (hashFile !== sdkHashFile(body)) {
    return fail(AXIS_ERROR.HASH_FILE, 'Ma bam hash-file khong khop voi noi dung goi tin', { DocId: '' });
  }

  let parsed: ReturnType<typeof parseEdxml>;
  try {
    parsed = parseEdxml(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(AXIS_ERROR.PACKAGE, `Goi tin edXML khong hop le: ${reason}`, { DocId: '' });
  }
  if (parsed.kind !== messageType) {
    return fail(AXIS_ERROR.PACKAGE, `Goi tin la ${parsed.kind}, messagetype la ${messageType}`, {
      DocId: '',
    });
  }
  const toHeader = parameters.get('to');
  let to: string[] | undefined;
  if (toHeader !== undefined && toHeader !== '') {
    to = parseToHeader(toHeader);
    if (to === undefined)
      return fail(AXIS_ERROR.PARAMETER, `Tham so to khong hop le: ${toHeader}`, { DocId: '' });
  } else if (parsed.kind === 'edoc') {
    to = parsed.to.flatMap((organization) => (organization.organId ? [organization.organId] : []));
  } else {
    to = parsed.responseFor.organId ? [parsed.responseFor.organId] : [];
  }
  if (to.length === 0) return fail(AXIS_ERROR.PACKAGE, 'Goi tin khong co don vi nhan', { DocId: '' });

  const document = store.add({
    senderSystemId: system.systemId,
    from,
    to: [...new Set(to)],
    messageType,
    body,
    title: parsed.kind === 'edoc' ? parsed.subject : parsed.description,
    notation:
      parsed.kind === 'edoc'
        ? [parsed.code.number, parsed.code.notation].filter(Boolean).join('/') || undefined
        : parsed.responseFor.code,
  });
  store.acceptedBodies.set(document.sha256, (store.acceptedBodies.get(document.sha256) ?? 0) + 1);
  return { ...ok({ DocId: document.docId }), docId: document.docId };
}

type ListFilter = { messageType?: string; from?: string; status?: string; fromDate?: Date; toDate?: Date };

function listFilter(parameters: Map<string, string>): ListFilter | Answer {
  const filter: ListFilter = {};
  const messageType = parameters.get('messagetype');
  if (messageType !== undefined && messageType !== '') {
    if (messageType !== 'edoc' && messageType !== 'status') {
      return fail(AXIS_ERROR.PARAMETER, `messagetype khong hop le: ${messageType}`);
    }
    filter.messageType = messageType;
  }
  const from = parameters.get('from');
  if (from !== undefined && from !== '') filter.from = from;
  const status = parameters.get('status');
  if (status !== undefined && status !== '') {
    if (!(status in STATUS_DESC)) return fail(AXIS_ERROR.PARAMETER, `status khong hop le: ${status}`);
    filter.status = status;
  }
  for (const [name, endOfDay] of [
    ['fromdate', false],
    ['todate', true],
  ] as const) {
    const text = parameters.get(name);
    if (text === undefined || text === '') continue;
    const date = parseAxisDate(text, endOfDay);
    if (!date) return fail(AXIS_ERROR.PARAMETER, `${name} khong dung dinh dang dd/MM/yyyy: ${text}`);
    if (endOfDay) filter.toDate = date;
    else filter.fromDate = date;
  }
  return filter;
}

function matches(document: StoredDocument, filter: ListFilter, status: AckStatus): boolean {
  if (filter.messageType !== undefined && document.messageType !== filter.messageType) return false;
  if (filter.from !== undefined && document.from !== filter.from) return false;
  // Without a status filter a document is listed until its receiver acknowledged it `done`.
  if (filter.status !== undefined ? status !== filter.status : status === 'done') return false;
  if (filter.fromDate && document.created < filter.fromDate) return false;
  if (filter.toDate && document.created > filter.toDate) return false;
  return true;
}

/** pageSize/pageIndex: pageIndex counts from 1; pageSize defaults to the simulator's option. */
function page(
  parameters: Map<string, string>,
  defaultPageSize: number,
): { size: number; index: number } | Answer {
  const sizeText = parameters.get('pagesize');
  const indexText = parameters.get('pageindex');
  const size = sizeText === undefined || sizeText === '' ? defaultPageSize : Number(sizeText);
  const index = indexText === undefined || indexText === '' ? 1 : Number(indexText);
  if (!Number.isInteger(size) || size < 1)
    return fail(AXIS_ERROR.PARAMETER, `pageSize khong hop le: ${sizeText ?? ''}`);
  if (!Number.isInteger(index) || index < 1) {
    return fail(AXIS_ERROR.PARAMETER, `pageIndex khong hop le (bat dau tu 1): ${indexText ?? ''}`);
  }
  return { size, index };
}

const isAnswer = (value: object): value is Answer => 'kind' in value;

export function getReceivedEdocList(context: CallContext): Answer {
  const { store, system, parameters } = context;
  const filter = listFilter(parameters);
  if (isAnswer(filter)) return filter;
  const paging = page(parameters, context.defaultPageSize);
  if (isAnswer(paging)) return paging;
  const rows: { document: StoredDocument; to: string; status: AckStatus; updated: Date }[] = [];
  const start = filter.status === undefined ? store.pendingStart(system) : 0;
  for (const document of store.documents.slice(start)) {
    const { status, updated } = store.ackOf(document, system);
    if (!matches(document, filter, status)) continue;
    for (const to of document.to) if (system.organIds.has(to)) rows.push({ document, to, status, updated });
  }
  const pageRows = rows.slice((paging.index - 1) * paging.size, paging.index * paging.size);
  if (pageRows.length > 0 && context.faults.take('getReceivedEdocList', ['list-twice'])) {
    const first = pageRows[0];
    if (first) pageRows.splice(Math.min(1, pageRows.length), 0, first);
  }
  const data = pageRows.map(({ document, to, status, updated }) => {
    store.receipt(document.docId).listed += 1;
    return {
      docId: document.docId,
      serviceType: 'eDoc',
      messageType: document.messageType,
      created_time: axisTime(document.created),
      updated_time: axisTime(updated),
      from: document.from,
      to,
      status,
      status_desc: STATUS_DESC[status],
    };
  });
  return ok({ data });
}

function receivedDocument(context: CallContext): StoredDocument | Answer {
  const docId = context.parameters.get('docid');
  if (docId === undefined || docId === '') return fail(AXIS_ERROR.PARAMETER, 'Thieu tham so docId');
  const document = context.store.find(docId);
  if (!document || !context.store.receives(document, context.system)) {
    return fail(AXIS_ERROR.NOT_FOUND, `Khong tim thay van ban ${docId}`);
  }
  return document;
}

export function getEdoc(context: CallContext): Answer {
  const document = receivedDocument(context);
  if (isAnswer(document)) return document;
  context.store.receipt(document.docId).fetched += 1;
  let data = document.body.toString('base64');
  if (context.faults.take('getEdoc', ['corrupt-body'])) {
    // half of it, cut at an odd length (mid-quantum), and a character outside the alphabet: lenient
    // decoders (commons-codec, Node's Buffer) skip it and hand over a truncated package; strict ones refuse it
    const oddHalf = Math.floor(data.length / 2) | 1;
    data = `${data.slice(0, oddHalf)}*`;
  }
  return { ...ok({ data }), docId: document.docId };
}

export function downloadEdoc(context: CallContext): Answer {
  const document = receivedDocument(context);
  if (isAnswer(document)) return document;
  context.store.receipt(document.docId).fetched += 1;
  return { kind: 'file', body: document.body, docId: document.docId };
}

export function updateStatus(context: CallContext): Answer {
  const document = receivedDocument(context);
  if (isAnswer(document)) return document;
  const status = context.parameters.get('status');
  if (status !== 'done' && status !== 'fail') {
    return fail(AXIS_ERROR.PARAMETER, `status khong hop le (done|fail): ${status ?? ''}`);
  }
  document.acks.set(context.system.systemId, { status, updated: new Date() });
  context.store.receipt(document.docId)[status] += 1;
  return { ...ok(), docId: document.docId };
}

export function getSentEdocList(context: CallContext): Answer {
  const { store, system, parameters } = context;
  const filter = listFilter(parameters);
  if (isAnswer(filter)) return filter;
  const paging = page(parameters, context.defaultPageSize);
  if (isAnswer(paging)) return paging;
  const rows = store.documents
    .filter((document) => document.senderSystemId === system.systemId)
    .filter((document) => filter.messageType === undefined || document.messageType === filter.messageType)
    .filter((document) => !filter.fromDate || document.created >= filter.fromDate)
    .filter((document) => !filter.toDate || document.created <= filter.toDate)
    .flatMap((document) =>
      document.to.map((to) => {
        const receiver = store.systemOfOrgan(to);
        const ack = receiver ? store.ackOf(document, receiver) : undefined;
        return {
          serviceType: 'eDoc',
          senderDocId: document.docId,
          receiverDocId: document.docId,
          fromCode: document.from,
          toCode: to,
          title: document.title ?? '',
          notation: document.notation ?? '',
          messageType: document.messageType,
          sentTime: axisTime(document.created),
          receivedTime: !ack || ack.status === 'initial' ? '' : axisTime(ack.updated),
          sendStatus: 'done',
          sendStatusDesc: 'Da gui',
          receiveStatus: ack?.status ?? 'initial',
          receiveStatusDesc: STATUS_DESC[ack?.status ?? 'initial'],
        };
      }),
    );
  return ok({ data: rows.slice((paging.index - 1) * paging.size, paging.index * paging.size) });
}

function countPending(context: CallContext, messageType: 'edoc' | 'status'): Answer {
  const { store, system } = context;
  const count = store.documents
    .slice(store.pendingStart(system))
    .filter(
      (document) =>
        document.messageType === messageType &&
        store.receives(document, system) &&
        store.ackOf(document, system).status !== 'done',
    ).length;
  return ok({ count });
}

export const countReceiveEdoc = (context: CallContext): Answer => countPending(context, 'edoc');
export const countReceiveStatus = (context: CallContext): Answer => countPending(context, 'status');

/**
 * sendEdoc's package: the raw body (application/octet-stream), or the `file_doc` part of a
 * multipart/form-data body, which is how the Java SDK's upload helper sends it.
 */
export function fileOfBody(contentType: string | undefined, body: Buffer): Buffer {
  const boundary = /^multipart\/form-data;.*\bboundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (boundary === undefined) return body;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: string; content: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(at + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const content = part.subarray(headerEnd + 4);
      parts.push({
        headers: part.subarray(0, headerEnd).toString('latin1'),
        // the CRLF before the next delimiter belongs to the delimiter
        content: content.subarray(0, content.length >= 2 ? content.length - 2 : content.length),
      });
    }
    at = next;
  }
  const chosen =
    parts.find((part) => /\bname="file_doc"/i.test(part.headers)) ??
    parts.find((part) => /\bfilename=/i.test(part.headers)) ??
    parts[0];
  return chosen ? chosen.content : body;
}
