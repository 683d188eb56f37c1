import type { PrismaClient } from '../db/index.ts';
import { appendAudit } from '../registry/index.ts';
import { actorLabel, type Actor } from '../shared/index.ts';
import { dropDirectoryCache } from './directory-cache.ts';
import { equivalentCode } from '../shared/index.ts';
import type { AxisEntry, AxisProblem } from './parse-axis-directory.ts';

/**
 * Loads the national axis's agency directory: every agency the hub does not know yet is added
 * with channel `national` (reached through the axis), with its mail address where no other agency
 * has it. An agency already known keeps its channel — a hosted, partner or e-mail agency is never
 * turned into a national one, nor renamed; a national one takes the axis's current name. A code
 * the directory holds as closed (a former code, a retired agency's) is not brought back, nor is
 * the other form of a code already there (G12 beside 000.00.00.G12). One transaction, in batches
 * of set-based SQL (unnest), audited as `agency.imported` via `axis`.
 */
export type AxisImportOutcome = {
  added: number;
  renamed: number;
  unchanged: number;
  /** known agencies of another channel, left as they are */
  keptChannel: number;
  /** codes the directory holds as closed, or the other form of a known code */
  skipped: AxisProblem[];
  /** addresses not stored because another agency has them */
  mailsTaken: number;
  elapsedMs: number;
};

const BATCH = 10_000;

export async function importAxisDirectory(
  prisma: PrismaClient,
  actor: Actor,
  entries: readonly AxisEntry[],
  source: string,
): Promise<AxisImportOutcome> {
  const started = Date.now();
  const outcome = await prisma.$transaction(
    async (tx) => {
      // Codes only, not rows: 140,000 short strings are a few MB and one round trip each.
      const [known, closed] = await Promise.all([
        tx.$queryRaw<{ organ_id: string; name: string; channel: string }[]>`
          SELECT organ_id, name, channel::text AS channel FROM agency WHERE retired_on IS NULL`,
        tx.$queryRaw<{ organ_id: string; successor: string }[]>`
          SELECT al.organ_id, a.organ_id AS successor FROM agency_alias al JOIN agency a ON a.id = al.agency_id`,
      ]);
      const byCode = new Map(known.map((k) => [k.organ_id, k]));
      const closedCodes = new Map(closed.map((c) => [c.organ_id, c.successor]));
      const skipped: AxisProblem[] = [];
      const added: AxisEntry[] = [];
      const renamed: AxisEntry[] = [];
      let unchanged = 0;
      let keptChannel = 0;
      for (const entry of entries) {
        const successor = closedCodes.get(entry.code);
        if (successor !== undefined) {
          skipped.push({
            line: entry.line,
            message: `${entry.code}: mã đã đóng, nay là của ${successor} / a closed code, now ${successor}'s`,
          });
          continue;
        }
        const held = byCode.get(entry.code);
        if (!held) {
          const other = equivalentCode(entry.code);
          if (other !== undefined && (byCode.has(other) || closedCodes.has(other))) {
            skipped.push({
              line: entry.line,
              message: `${entry.code}: cùng cơ quan với ${other} đã có / the same agency as ${other}, already in the directory`,
            });
            continue;
          }
          added.push(entry);
        } else if (held.channel !== 'national') keptChannel++;
        else if (held.name !== entry.name) renamed.push(entry);
        else unchanged++;
      }

      for (let i = 0; i < added.length; i += BATCH) {
        const batch = added.slice(i, i + BATCH);
        await tx.$executeRaw`
          INSERT INTO agency (id, organ_id, name, channel, updated_at)
          SELECT gen_random_uuid(), code, name, 'national', now()
            FROM unnest(${batch.map((e) => e.code)}::text[], ${batch.map((e) => e.name)}::text[]) AS u(code, name)
          ON CONFLICT (organ_id) DO NOTHING`;
      }
      for (let i = 0; i < renamed.length; i += BATCH) {
        const batch = renamed.slice(i, i + BATCH);
        await tx.$executeRaw`
          UPDATE agency SET name = u.name, updated_at = now()
            FROM unnest(${batch.map((e) => e.code)}::text[], ${batch.map((e) => e.name)}::text[]) AS u(code, name)
           WHERE agency.organ_id = u.code AND agency.channel = 'national'`;
      }
      // Mail addresses of the agencies added now; one an agency already has is left with it.
      const withMail = added.filter((e) => e.mail !== null);
      let mailsStored = 0;
      for (let i = 0; i < withMail.length; i += BATCH) {
        const batch = withMail.slice(i, i + BATCH);
        mailsStored += await tx.$executeRaw`
          INSERT INTO agency_email (address, agency_id)
          SELECT u.address, a.id
            FROM unnest(${batch.map((e) => e.code)}::text[], ${batch.map((e) => e.mail ?? '')}::text[]) AS u(code, address)
            JOIN agency a ON a.organ_id = u.code
          ON CONFLICT (address) DO NOTHING`;
      }
      const result = {
        added: added.length,
        renamed: renamed.length,
        unchanged,
        keptChannel,
        skipped,
        mailsTaken: withMail.length - mailsStored,
      };
      await appendAudit(tx, {
        actor: actorLabel(actor),
        action: 'agency.imported',
        data: {
          via: 'axis',
          source,
          entries: entries.length,
          created: result.added,
          updated: result.renamed,
          unchanged,
          keptChannel,
          skipped: skipped.length,
          mailsTaken: result.mailsTaken,
        },
      });
      return result;
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
  dropDirectoryCache(prisma);
  return { ...outcome, elapsedMs: Date.now() - started };
}
