import { Prisma, type Transaction } from '../../db/index.ts';
import { parseEdxml } from '../../edxml/index.ts';
import { REGISTRY_TRANSACTION } from '../../registry/index.ts';
import { isHubError } from '../../shared/index.ts';
import type { RelayDeps } from '../relay-deps.ts';
import { submitPackageAlongside, type SubmitOutcome } from '../submit-package.ts';
import type { AxisClient, AxisListedItem, AxisMessageType } from './axis-client.ts';

/**
 * What the national axis holds for this hub comes in exactly once:
 *   getReceivedEdocList (edoc, then status; paged) → getEdoc → the one submit path, as if the axis
 *   were a submitter speaking for the package's From → updateStatus done (or fail).
 * The DocId is written to `axis_received` in the transaction that submits the package, so:
 * - killed before that commit: nothing is stored, the axis lists the DocId again, it is taken then;
 * - killed after it, before the axis took our updateStatus: the row is stored and unacknowledged,
 *   and the next pass acknowledges it (first thing, and again whenever the DocId is listed);
 * - a DocId listed twice, or again after it was taken, is only acknowledged, never submitted again.
 * Nothing is acknowledged to the axis before it is committed here.
 *
 * A package the hub can never accept (refused by the submit path: unknown or wrong sender, invalid
 * signature, invalid edXML) is answered `fail` at once, with the reason kept for the admin. A body
 * that cannot be read at all (not base64, not XML) may be a transport fault: it is read again on
 * later passes and answered `fail` only after `maxUnreadable` reads, so a passing fault loses
 * nothing and a truly broken package does not stay on the axis forever.
 */
export type AxisReceiverOptions = {
  pageSize?: number;
  /** documents of one page taken at once (getEdoc, commit, updateStatus each) */
  concurrency?: number;
  /** reads of an unreadable body before it is answered `fail` */
  maxUnreadable?: number;
  /** the axis's system id, for the audit trail */
  systemId: string;
};

export type AxisPass = { listed: number; stored: number; acknowledged: number };

export type AxisReceiver = {
  /** One pass over what the axis lists; throws only when the axis cannot be listed at all. */
  pass(): Promise<AxisPass>;
};

const MESSAGE_TYPES: readonly AxisMessageType[] = ['edoc', 'status'];

type Stored = {
  docId: string;
  outcome: string;
  acknowledge: string | null;
  acknowledgedAt: Date | null;
  attempts: number;
};

export function createAxisReceiver(
  deps: RelayDeps,
  client: AxisClient,
  options: AxisReceiverOptions,
): AxisReceiver {
  const pageSize = options.pageSize ?? 100;
  const maxUnreadable = options.maxUnreadable ?? 5;
  const concurrency = options.concurrency ?? 8;
  const log = deps.log.child({ component: 'axis-receiver' });

  async function acknowledge(docId: string, status: 'done' | 'fail'): Promise<boolean> {
    try {
      await client.updateStatus(docId, status);
    } catch (error) {
      log.warn(
        { err: error, docId },
        'axis did not take the acknowledgement; it is sent again on the next pass',
      );
      return false;
    }
    await deps.prisma.axisReceived.update({ where: { docId }, data: { acknowledgedAt: deps.clock.now() } });
    return true;
  }

  /** Stored rows the axis has not taken our answer for (a kill, a timeout, a refused updateStatus). */
  async function acknowledgeOwed(): Promise<number> {
    const owed = await deps.prisma.axisReceived.findMany({
      where: { acknowledgedAt: null, acknowledge: { not: null } },
      orderBy: { storedAt: 'asc' },
      take: 1000,
      select: { docId: true, acknowledge: true },
    });
    let done = 0;
    for (const row of owed)
      if (await acknowledge(row.docId, row.acknowledge === 'fail' ? 'fail' : 'done')) done++;
    return done;
  }

  function submitterFor(organId: string) {
    return { via: 'axis' as const, organId, label: `axis:${options.systemId}` };
  }

  /** The sender the package names, as the directory spells it; refused unless the axis reaches it. */
  async function senderOf(bytes: Buffer): Promise<{ organId: string } | { refused: string }> {
    const pkg = parseEdxml(bytes);
    const from = pkg.from.organId;
    if (!from) return { refused: 'From/OrganId is missing' };
    const agency = await deps.directory.find(from);
    if (!agency) return { organId: from }; // the submit path refuses it with its own words
    if (agency.channel !== 'national')
      return {
        refused: `Cơ quan gửi ${agency.organId} không liên thông qua trục quốc gia / the national axis may speak only for agencies reached through it; ${agency.organId} is ${agency.channel}`,
      };
    return { organId: agency.organId };
  }

  async function recordUnreadable(
    item: AxisListedItem,
    previous: Stored | null,
    reason: string,
  ): Promise<boolean> {
    const attempts = (previous?.attempts ?? 0) + 1;
    const givingUp = attempts >= maxUnreadable;
    const text = givingUp
      ? `Không đọc được gói tin sau ${attempts} lần / unreadable after ${attempts} reads: ${reason}`
      : reason;
    await deps.prisma.axisReceived.upsert({
      where: { docId: item.docId },
      create: {
        docId: item.docId,
        messageType: item.messageType,
        outcome: givingUp ? 'given-up' : 'unreadable',
        reason: text.slice(0, 2000),
        attempts,
        fromOrganId: item.from?.slice(0, 20) ?? null,
        acknowledge: givingUp ? 'fail' : null,
      },
      update: {
        outcome: givingUp ? 'given-up' : 'unreadable',
        reason: text.slice(0, 2000),
        attempts,
        acknowledge: givingUp ? 'fail' : null,
      },
    });
    log.warn({ docId: item.docId, attempts, givingUp, reason }, 'unreadable package from the national axis');
    return givingUp ? acknowledge(item.docId, 'fail') : false;
  }

  /** Submit and record the DocId in one transaction; the answer to give the axis. */
  async function store(item: AxisListedItem, bytes: Buffer, organId: string | null, refusal: string | null) {
    const keep = async (tx: Transaction, outcome: SubmitOutcome) => {
      const packageId = outcome.kind === 'refused' ? null : outcome.packageId;
      const reason = outcome.kind === 'refused' ? outcome.reasons.join('; ') : null;
      if (outcome.kind === 'refused') {
        await tx.relayRefusal.create({
          data: {
            submitterOrganId: (organId ?? item.from ?? 'axis').slice(0, 20),
            submittedVia: 'axis',
            documentKey: outcome.documentKey?.slice(0, 400) ?? null,
            reasons: outcome.reasons.slice(0, 8).map((r) => r.slice(0, 500)),
          },
        });
      }
      const fields = {
        outcome: outcome.kind,
        packageId,
        reason: reason?.slice(0, 2000) ?? null,
        acknowledge: outcome.kind === 'refused' ? 'fail' : 'done',
      };
      await tx.axisReceived.upsert({
        where: { docId: item.docId },
        create: {
          docId: item.docId,
          messageType: item.messageType,
          fromOrganId: (organId ?? item.from)?.slice(0, 20) ?? null,
          ...fields,
        },
        update: fields,
      });
    };
    const outcome: SubmitOutcome =
      refusal !== null
        ? await deps.prisma.$transaction(async (tx) => {
            const refused: SubmitOutcome = { kind: 'refused', reasons: [refusal], documentKey: null };
            await keep(tx, refused);
            return refused;
          }, REGISTRY_TRANSACTION)
        : await submitPackageAlongside(deps, submitterFor(organId ?? ''), bytes, keep);
    return { outcome, answer: outcome.kind === 'refused' ? ('fail' as const) : ('done' as const) };
  }

  async function take(item: AxisListedItem): Promise<{ stored: boolean; acknowledged: boolean }> {
    const previous = await deps.prisma.axisReceived.findUnique({ where: { docId: item.docId } });
    if (previous && previous.outcome !== 'unreadable') {
      // Already stored: the axis did not get (or did not keep) our answer. Answer again, nothing
      // more; an answer the axis had already taken is not progress (the pass does not hurry on).
      const answer = previous.acknowledge === 'fail' ? 'fail' : 'done';
      const taken = await acknowledge(item.docId, answer);
      return { stored: false, acknowledged: taken && previous.acknowledgedAt === null };
    }
    let bytes: Buffer;
    try {
      bytes = await client.getEdoc(item.docId);
    } catch (error) {
      if (isHubError(error) && error.details?.unreadable === true)
        return { stored: false, acknowledged: await recordUnreadable(item, previous, error.message) };
      throw error;
    }
    let sender: { organId: string } | { refused: string };
    try {
      sender = await senderOf(bytes);
    } catch (error) {
      return {
        stored: false,
        acknowledged: await recordUnreadable(
          item,
          previous,
          `không đọc được gói tin / not a readable edXML package: ${(error as Error).message}`,
        ),
      };
    }
    let answer: 'done' | 'fail';
    try {
      const stored = await store(
        item,
        bytes,
        'organId' in sender ? sender.organId : null,
        'refused' in sender ? sender.refused : null,
      );
      answer = stored.answer;
      log.info({ docId: item.docId, outcome: stored.outcome.kind }, 'package from the national axis stored');
    } catch (error) {
      // Another hub process stored the same DocId first: it is stored; answer as that row says.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const row = await deps.prisma.axisReceived.findUnique({ where: { docId: item.docId } });
        if (row?.acknowledge)
          return {
            stored: false,
            acknowledged: await acknowledge(item.docId, row.acknowledge === 'fail' ? 'fail' : 'done'),
          };
      }
      throw error;
    }
    return { stored: true, acknowledged: await acknowledge(item.docId, answer) };
  }

  return {
    async pass() {
      const totals: AxisPass = { listed: 0, stored: 0, acknowledged: await acknowledgeOwed() };
      for (const messageType of MESSAGE_TYPES) {
        // Only what this system has not acknowledged is listed, so what we acknowledge leaves the
        // list and the rows behind it move up: a page is read again until it holds nothing new,
        // and only then the next one.
        const seen = new Set<string>();
        let pageIndex = 1;
        for (let reads = 0; reads < 10_000; reads++) {
          const items = await client.getReceivedEdocList({
            messageType,
            status: 'initial',
            pageIndex,
            pageSize,
          });
          totals.listed += items.length;
          const fresh = items.filter((item) => {
            if (seen.has(item.docId)) return false; // listed twice, or once per recipient of ours: taken once
            seen.add(item.docId);
            return true;
          });
          const queue = [...fresh];
          const worker = async () => {
            for (let item = queue.shift(); item; item = queue.shift()) {
              try {
                const taken = await take(item);
                if (taken.stored) totals.stored++;
                if (taken.acknowledged) totals.acknowledged++;
              } catch (error) {
                // This item waits for the next pass (the axis lists it again); the others go on.
                log.warn(
                  { err: error, docId: item.docId },
                  'could not take a package from the national axis',
                );
              }
            }
          };
          await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
          if (items.length < pageSize) break;
          if (fresh.length === 0) pageIndex++;
        }
      }
      return totals;
    },
  };
}
