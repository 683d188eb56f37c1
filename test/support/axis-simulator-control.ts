import { z } from 'zod';
import type { AxisFault, AxisSimulator } from './axis-simulator.ts';

/**
 * The simulator's control API under `/_simulator/` on the axis's own port, so a hub running in
 * another process can be driven from a shell (docs/axis-simulator.md). It has no authentication:
 * it is a test tool, bound to loopback unless told otherwise. Answers are JSON, or the raw package.
 */
export const CONTROL_PREFIX = '/_simulator/';

const callName = z.enum([
  'sendEdoc',
  'getReceivedEdocList',
  'getEdoc',
  'updateStatus',
  'getSentEdocList',
  'countReceiveEdoc',
  'countReceiveStatus',
  'downloadEdoc',
]);
const times = z.number().int().positive().optional();
const probability = z.number().min(0).max(1).optional();

const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('http-500'), call: callName.optional(), times, probability }),
  z.strictObject({
    kind: z.literal('timeout'),
    call: callName.optional(),
    times,
    probability,
    afterAccept: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('slow'),
    call: callName.optional(),
    delayMs: z.number().int().nonnegative(),
    times,
    probability,
  }),
  z.strictObject({ kind: z.literal('list-twice'), times }),
  z.strictObject({ kind: z.literal('corrupt-body'), call: z.literal('getEdoc').optional(), times }),
]);

const systemSchema = z.strictObject({
  systemId: z.string().min(1),
  secret: z.string().min(1),
  organIds: z.array(z.string().min(1)),
});

/** Drops keys whose value is undefined (zod keeps them; the fault types are exact). */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;

export type ControlAnswer = { status: number; json?: unknown; file?: Buffer };

const bad = (message: string): ControlAnswer => ({ status: 400, json: { ok: false, error: message } });

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function handleControl(
  simulator: AxisSimulator,
  method: string,
  url: URL,
  body: Buffer,
): ControlAnswer {
  const route = `${method} ${url.pathname.slice(CONTROL_PREFIX.length)}`;
  switch (route) {
    case 'POST systems': {
      const parsed = systemSchema.safeParse(parseJson(body));
      if (!parsed.success) return bad(z.prettifyError(parsed.error));
      simulator.addSystem(parsed.data);
      return { status: 200, json: { ok: true } };
    }
    case 'POST enqueue': {
      const from = url.searchParams.get('from');
      const to = url.searchParams.getAll('to').flatMap((code) => code.split(','));
      const messageType = url.searchParams.get('messageType') ?? 'edoc';
      if (!from || to.length === 0) return bad('enqueue needs ?from=<OrganId>&to=<OrganId>[&to=…]');
      if (messageType !== 'edoc' && messageType !== 'status') return bad('messageType is edoc or status');
      if (body.length === 0) return bad('the request body is the edXML package');
      return {
        status: 200,
        json: { ok: true, docId: simulator.enqueue({ from, to, edxml: body, messageType }) },
      };
    }
    case 'POST faults': {
      const parsed = faultSchema.safeParse(parseJson(body));
      if (!parsed.success) return bad(z.prettifyError(parsed.error));
      simulator.inject(defined(parsed.data) as AxisFault);
      return { status: 200, json: { ok: true } };
    }
    case 'DELETE faults':
      simulator.clearFaults();
      return { status: 200, json: { ok: true } };
    case 'GET accepted':
      return {
        status: 200,
        json: simulator.accepted().map(({ body: bytes, ...entry }) => ({
          ...entry,
          size: bytes.length,
          ...(url.searchParams.get('bodies') === '1' ? { body: bytes.toString('base64') } : {}),
        })),
      };
    case 'GET receipts':
      return { status: 200, json: Object.fromEntries(simulator.receipts()) };
    case 'GET counts':
      return { status: 200, json: simulator.counts() };
    default: {
      const accepted = /^GET accepted\/([0-9a-f]{24})$/.exec(route);
      const entry = accepted ? simulator.accepted().find((item) => item.docId === accepted[1]) : undefined;
      if (entry) return { status: 200, file: entry.body };
      return { status: 404, json: { ok: false, error: `no control route ${route}` } };
    }
  }
}
