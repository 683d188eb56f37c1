import { HubError } from '../../shared/index.ts';
import { axisHashFile, signedAxisHeaders, type AxisCredentials } from './axis-signing.ts';

/**
 * The national axis's HTTP API (VDXP, through the calls the VPCP SDK makes): every parameter is a
 * header, every request is signed (axis-signing.ts), every answer is JSON with `status` OK or
 * FAIL. A FAIL becomes `EXCHANGE_AXIS_REFUSED` carrying the axis's own text; anything that is not
 * an answer (network, HTTP status, timeout, unreadable JSON) becomes `EXCHANGE_AXIS_UNAVAILABLE`.
 * Every call has a deadline that covers reading the answer too.
 */
export type AxisMessageType = 'edoc' | 'status';

export type AxisListedItem = {
  docId: string;
  messageType: AxisMessageType;
  from: string | null;
  to: string | null;
  status: string | null;
  createdTime: string | null;
};

export type AxisSentItem = {
  senderDocId: string | null;
  receiverDocId: string | null;
  fromCode: string | null;
  toCode: string | null;
  messageType: string | null;
  title: string | null;
  notation: string | null;
  sentTime: string | null;
};

export type AxisClient = {
  /** Hands a package to the axis; resolves with the axis's DocId once it answered OK. */
  sendEdoc(input: {
    from: string;
    /** the recipients this copy is for: the `to` header, a JSON array of OrganIds */
    to?: readonly string[];
    messageType: AxisMessageType;
    body: Uint8Array;
  }): Promise<{ docId: string }>;
  /** `status: 'initial'` lists only what this system has not acknowledged yet */
  getReceivedEdocList(input: {
    messageType: AxisMessageType;
    status?: 'initial' | 'done' | 'fail';
    pageIndex: number;
    pageSize: number;
  }): Promise<AxisListedItem[]>;
  /** The package bytes (the answer's base64 decoded); throws when `data` is not base64. */
  getEdoc(docId: string): Promise<Buffer>;
  /** Acknowledges a received item: `done` taken, `fail` never will be. */
  updateStatus(docId: string, status: 'done' | 'fail'): Promise<void>;
  getSentEdocList(input: {
    messageType: AxisMessageType;
    fromDate?: string;
    toDate?: string;
    pageIndex?: number;
    pageSize?: number;
  }): Promise<AxisSentItem[]>;
};

export type AxisClientOptions = AxisCredentials & {
  /** base URL; calls go to `<endpoint>/<call>` */
  endpoint: string;
  /** deadline of one call, answer included */
  timeoutMs: number;
  now?: () => Date;
};

type AxisAnswer = Record<string, unknown>;

const text = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

export function createAxisClient(options: AxisClientOptions): AxisClient {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());

  async function call(
    name: string,
    parameters: Record<string, string>,
    body?: { bytes: Uint8Array; contentType: string },
  ): Promise<AxisAnswer> {
    const headers = signedAxisHeaders(options, parameters, now());
    headers['Content-Type'] = body?.contentType ?? 'application/json';
    let response: Response;
    let raw: string;
    try {
      response = await fetch(`${endpoint}/${name}`, {
        method: 'POST',
        headers,
        body: body ? Buffer.from(body.bytes) : '',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      raw = await response.text();
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new HubError(
        'EXCHANGE_AXIS_UNAVAILABLE',
        timedOut
          ? `trục liên thông quốc gia không trả lời trong ${options.timeoutMs} ms (${name}) / the national axis did not answer within ${options.timeoutMs} ms`
          : `không kết nối được trục liên thông quốc gia (${name}) / the national axis is unreachable: ${(error as Error).message}`,
        { cause: error, details: { call: name, timedOut } },
      );
    }
    if (!response.ok) {
      throw new HubError(
        'EXCHANGE_AXIS_UNAVAILABLE',
        `trục liên thông quốc gia trả lời lỗi HTTP ${response.status} (${name}) / the national axis answered HTTP ${response.status}: ${raw.slice(0, 200)}`,
        { details: { call: name, httpStatus: response.status } },
      );
    }
    let answer: unknown;
    try {
      answer = JSON.parse(raw);
    } catch (error) {
      throw new HubError(
        'EXCHANGE_AXIS_UNAVAILABLE',
        `câu trả lời của trục không đọc được (${name}) / the national axis's answer is not JSON: ${raw.slice(0, 200)}`,
        { cause: error, details: { call: name } },
      );
    }
    if (!answer || typeof answer !== 'object') {
      throw new HubError(
        'EXCHANGE_AXIS_UNAVAILABLE',
        `the national axis's answer to ${name} is not an object`,
        {
          details: { call: name },
        },
      );
    }
    const fields = answer as AxisAnswer;
    const status = text(fields.status)?.toUpperCase();
    if (status !== 'OK') {
      const desc = text(fields.ErrorDesc) ?? text(fields.errorDesc) ?? '';
      const code = text(fields.ErrorCode) ?? text(fields.errorCode) ?? '';
      throw new HubError(
        'EXCHANGE_AXIS_REFUSED',
        desc || `the national axis answered ${status ?? '(no status)'} to ${name}${code ? ` (${code})` : ''}`,
        { details: { call: name, errorCode: code } },
      );
    }
    return fields;
  }

  const listed = (value: unknown): Record<string, unknown>[] =>
    Array.isArray(value)
      ? value.filter((v): v is Record<string, unknown> => !!v && typeof v === 'object')
      : [];

  return {
    async sendEdoc({ from, to, messageType, body }) {
      const answer = await call(
        'sendEdoc',
        {
          from,
          ...(to && to.length > 0 ? { to: JSON.stringify(to) } : {}),
          servicetype: 'eDoc',
          messagetype: messageType,
          'hash-file': axisHashFile(body),
        },
        { bytes: body, contentType: 'application/octet-stream' },
      );
      const docId = text(answer.DocId) ?? text(answer.docId);
      if (!docId)
        throw new HubError(
          'EXCHANGE_AXIS_UNAVAILABLE',
          'the national axis answered OK to sendEdoc without a DocId',
          {
            details: { call: 'sendEdoc' },
          },
        );
      return { docId };
    },
    async getReceivedEdocList({ messageType, status, pageIndex, pageSize }) {
      const answer = await call('getReceivedEdocList', {
        servicetype: 'eDoc',
        messagetype: messageType,
        ...(status ? { status } : {}),
        pageIndex: String(pageIndex),
        pageSize: String(pageSize),
      });
      return listed(answer.data).flatMap((item) => {
        const docId = text(item.docId);
        if (!docId) return [];
        const type = text(item.messageType)?.toLowerCase();
        return [
          {
            docId,
            messageType: type === 'status' ? 'status' : type === 'edoc' ? 'edoc' : messageType,
            from: text(item.from),
            to: text(item.to),
            status: text(item.status),
            createdTime: text(item.created_time),
          },
        ];
      });
    },
    async getEdoc(docId) {
      const answer = await call('getEdoc', { docId });
      const data = text(answer.data);
      if (data === null || !BASE64.test(data))
        throw new HubError(
          'EXCHANGE_AXIS_UNAVAILABLE',
          `nội dung văn bản ${docId} từ trục không phải base64 / the axis's getEdoc data for ${docId} is not base64`,
          { details: { call: 'getEdoc', docId, unreadable: true } },
        );
      return Buffer.from(data, 'base64');
    },
    async updateStatus(docId, status) {
      await call('updateStatus', { docid: docId, status });
    },
    async getSentEdocList({ messageType, fromDate, toDate, pageIndex, pageSize }) {
      const answer = await call('getSentEdocList', {
        servicetype: 'eDoc',
        messagetype: messageType,
        ...(fromDate ? { fromDate } : {}),
        ...(toDate ? { toDate } : {}),
        ...(pageIndex !== undefined ? { pageIndex: String(pageIndex) } : {}),
        ...(pageSize !== undefined ? { pageSize: String(pageSize) } : {}),
      });
      return listed(answer.data).map((item) => ({
        senderDocId: text(item.senderDocId),
        receiverDocId: text(item.receiverDocId),
        fromCode: text(item.fromCode),
        toCode: text(item.toCode),
        messageType: text(item.messageType),
        title: text(item.title),
        notation: text(item.notation),
        sentTime: text(item.sentTime),
      }));
    },
  };
}
