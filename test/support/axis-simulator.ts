import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { authenticate } from './axis-simulator-auth.ts';
import { CONTROL_PREFIX, handleControl } from './axis-simulator-control.ts';
import {
  AXIS_ERROR,
  countReceiveEdoc,
  fileOfBody,
  countReceiveStatus,
  downloadEdoc,
  fail,
  getEdoc,
  getReceivedEdocList,
  getSentEdocList,
  sendEdoc,
  updateStatus,
  type Answer,
  type CallContext,
} from './axis-simulator-calls.ts';
import { FaultPlan } from './axis-simulator-faults.ts';
import { AxisStore } from './axis-simulator-store.ts';

/**
 * A simulator of the national document axis (Trục liên thông văn bản quốc gia, VDXP) on loopback
 * HTTP, speaking the SDK's wire format (docs/axis-simulator.md): calls under `<endpoint>/<call>`,
 * parameters as signed headers, JSON answers. It verifies every request's HMAC header signature
 * and `hash-file` on its own, routes what one system sends to the systems the recipients' OrganIds
 * are registered to, lists a received document until that system acknowledges it `done`, and
 * injects faults on demand (500, no answer, slow answer, a row listed twice, a corrupt body).
 */
export type AxisSystem = { systemId: string; secret: string; organIds: string[] };

export type AxisCall =
  | 'sendEdoc'
  | 'getReceivedEdocList'
  | 'getEdoc'
  | 'updateStatus'
  | 'getSentEdocList'
  | 'countReceiveEdoc'
  | 'countReceiveStatus'
  | 'downloadEdoc';

export type AxisFault =
  | { kind: 'http-500'; call?: AxisCall; times?: number; probability?: number }
  /**
   * Accepts the request and never answers (the socket stays open until the client gives up or the
   * simulator closes). With `afterAccept`, the call's effect happens first (sendEdoc: the document
   * is accepted and routed; updateStatus: the acknowledgement counts): the ambiguous case a client
   * must survive without sending twice.
   */
  | { kind: 'timeout'; call?: AxisCall; times?: number; probability?: number; afterAccept?: boolean }
  /** Waits `delayMs`, then handles the request (whether or not the client is still there). */
  | { kind: 'slow'; call?: AxisCall; delayMs: number; times?: number; probability?: number }
  /** A row appears twice in one getReceivedEdocList answer. */
  | { kind: 'list-twice'; times?: number }
  /** getEdoc's `data` is truncated base64 with a character outside the alphabet. */
  | { kind: 'corrupt-body'; call?: 'getEdoc'; times?: number };

/** One handled request, for a live log (the runnable script prints these). */
export type AxisEvent = {
  call: AxisCall | 'unknown';
  systemId: string | undefined;
  status: 'OK' | 'FAIL' | 'http-500' | 'timeout';
  message?: string;
  docId?: string;
  /** the document's sender and recipients, when the call names one */
  from?: string;
  to?: string[];
};

export interface AxisSimulator {
  /** base URL, e.g. http://127.0.0.1:PORT/vdxp */
  readonly endpoint: string;
  addSystem(system: AxisSystem): void;
  /** A document waiting for `to` (an OrganId registered to some system), as if another node sent it. */
  enqueue(input: { from: string; to: string[]; edxml: Buffer; messageType?: 'edoc' | 'status' }): string;
  inject(fault: AxisFault): void;
  clearFaults(): void;
  /**
   * What the axis accepted through sendEdoc, one entry per accepted call in order; `acceptedCount`
   * is how many times a body with the same SHA-256 was accepted in all (1 when nothing was sent twice).
   */
  accepted(): {
    docId: string;
    systemId: string;
    from: string;
    to: string[];
    messageType: string;
    body: Buffer;
    acceptedCount: number;
  }[];
  /** Per received docId: listed count, fetched count, acknowledged done/fail counts. */
  receipts(): Map<string, { listed: number; fetched: number; done: number; fail: number }>;
  counts(): { requests: number; refusedSignatures: number; byCall: Record<string, number> };
  close(): Promise<void>;
}

export type AxisSimulatorOptions = {
  /** 0 (default): a free port */
  port?: number;
  /** 127.0.0.1 unless given */
  host?: string;
  /** rows per getReceivedEdocList/getSentEdocList page when the client sends no pageSize (default 50) */
  pageSize?: number;
  systems?: AxisSystem[];
  onEvent?: (event: AxisEvent) => void;
};

/** The SDK sends most calls as POST (even count*, through its multipart helper) and downloadEdoc as
 * GET; the simulator takes either method for every call. */
const CALLS: Record<AxisCall, (context: CallContext) => Answer> = {
  sendEdoc,
  getReceivedEdocList,
  getEdoc,
  updateStatus,
  getSentEdocList,
  countReceiveEdoc,
  countReceiveStatus,
  downloadEdoc,
};

const isCall = (name: string): name is AxisCall => Object.hasOwn(CALLS, name);

const BASE_PATH = '/vdxp';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startAxisSimulator(options: AxisSimulatorOptions = {}): Promise<AxisSimulator> {
  const store = new AxisStore();
  const faults = new FaultPlan();
  const counts = { requests: 0, refusedSignatures: 0, byCall: {} as Record<string, number> };
  const hanging = new Set<http.ServerResponse>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const defaultPageSize = options.pageSize ?? 50;
  for (const system of options.systems ?? [])
    store.addSystem(system.systemId, system.secret, system.organIds);

  const emit = (event: AxisEvent) => {
    if (!options.onEvent) return;
    const document = event.docId === undefined ? undefined : store.find(event.docId);
    options.onEvent(document ? { ...event, from: document.from, to: [...document.to] } : event);
  };

  const send = (response: http.ServerResponse, answer: Answer, statusCode = 200) => {
    if (answer.kind === 'file') {
      response.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="${answer.docId}.edxml"`,
        'Content-Length': answer.body.length,
      });
      response.end(answer.body);
      return;
    }
    const text = JSON.stringify(answer.body);
    response.writeHead(statusCode, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': Buffer.byteLength(text),
    });
    response.end(text);
  };

  const hang = (response: http.ServerResponse) => {
    hanging.add(response);
    response.once('close', () => hanging.delete(response));
  };

  const handle = async (call: AxisCall, request: http.IncomingMessage, response: http.ServerResponse) => {
    const body = await readBody(request);
    const slow = faults.take(call, ['slow']);
    if (slow) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, slow.delayMs);
        timers.add(timer);
      });
    }
    const fault = faults.take(call, ['http-500', 'timeout']);
    if (fault?.kind === 'http-500') {
      emit({ call, systemId: undefined, status: 'http-500' });
      response.writeHead(500, { 'Content-Type': 'text/html;charset=UTF-8' });
      response.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
      return;
    }
    if (fault?.kind === 'timeout' && fault.afterAccept !== true) {
      emit({ call, systemId: undefined, status: 'timeout' });
      hang(response);
      return;
    }

    const { answer, systemId } = answerCall(call, request, body);
    const docId = answer.docId === undefined ? {} : { docId: answer.docId };
    if (fault?.kind === 'timeout') {
      emit({ call, systemId, status: 'timeout', ...docId });
      hang(response);
      return;
    }
    if (answer.kind === 'json' && answer.body.status !== 'OK') {
      emit({ call, systemId, status: 'FAIL', message: String(answer.body.ErrorDesc), ...docId });
    } else {
      emit({ call, systemId, status: 'OK', ...docId });
    }
    send(response, answer);
  };

  const answerCall = (
    call: AxisCall,
    request: http.IncomingMessage,
    body: Buffer,
  ): { answer: Answer; systemId: string | undefined } => {
    const auth = authenticate(request.headersDistinct, (systemId) => store.systems.get(systemId)?.secret);
    if (!auth.ok) {
      counts.refusedSignatures += 1;
      return {
        answer: fail(AXIS_ERROR.SIGNATURE, auth.message, call === 'sendEdoc' ? { DocId: '' } : {}),
        systemId: undefined,
      };
    }
    const system = store.systems.get(auth.systemId);
    if (!system) throw new Error('authenticated an unknown system');
    const context: CallContext = {
      store,
      faults,
      system,
      parameters: auth.parameters,
      body: fileOfBody(request.headers['content-type'], body),
      defaultPageSize,
    };
    return { answer: CALLS[call](context), systemId: system.systemId };
  };

  let endpoint = '';
  const simulator: AxisSimulator = {
    get endpoint() {
      return endpoint;
    },
    addSystem(system) {
      store.addSystem(system.systemId, system.secret, system.organIds);
    },
    enqueue({ from, to, edxml, messageType = 'edoc' }) {
      const document = store.add({
        senderSystemId: undefined,
        from,
        to: [...new Set(to)],
        messageType,
        body: Buffer.from(edxml),
        title: undefined,
        notation: undefined,
      });
      return document.docId;
    },
    inject(fault) {
      faults.inject(fault);
    },
    clearFaults() {
      faults.clear();
    },
    accepted() {
      return store.documents.flatMap((document) =>
        document.senderSystemId === undefined
          ? []
          : [
              {
                docId: document.docId,
                systemId: document.senderSystemId,
                from: document.from,
                to: [...document.to],
                messageType: document.messageType,
                body: document.body,
                acceptedCount: store.acceptedBodies.get(document.sha256) ?? 1,
              },
            ],
      );
    },
    receipts() {
      return new Map([...store.receipts].map(([docId, receipt]) => [docId, { ...receipt }]));
    },
    counts() {
      return {
        requests: counts.requests,
        refusedSignatures: counts.refusedSignatures,
        byCall: { ...counts.byCall },
      };
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const response of hanging) response.destroy();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://axis');
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      readBody(request)
        .then((body) => {
          const answer = handleControl(simulator, request.method ?? 'GET', url, body);
          const payload = answer.file ?? Buffer.from(JSON.stringify(answer.json));
          response.writeHead(answer.status, {
            'Content-Type': answer.file ? 'application/octet-stream' : 'application/json;charset=UTF-8',
            'Content-Length': payload.length,
          });
          response.end(payload);
        })
        .catch(() => response.destroy());
      return;
    }
    counts.requests += 1;
    const name = url.pathname.startsWith(`${BASE_PATH}/`) ? url.pathname.slice(BASE_PATH.length + 1) : '';
    if (!isCall(name)) {
      emit({ call: 'unknown', systemId: undefined, status: 'FAIL', message: url.pathname });
      send(response, fail(AXIS_ERROR.PARAMETER, `Khong ho tro dich vu ${url.pathname}`), 404);
      return;
    }
    counts.byCall[name] = (counts.byCall[name] ?? 0) + 1;
    handle(name, request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(500, { 'Content-Type': 'text/plain;charset=UTF-8' });
      response.end(error instanceof Error ? error.message : String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  endpoint = `http://${host}:${address.port}${BASE_PATH}`;
  return simulator;
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.destroy();
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}
