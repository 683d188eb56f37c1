import {
  fileAnchorSigner,
  readExportedAnchors,
  verifyAudit,
  writeAuditAnchor,
} from '../../registry/index.ts';
import { writeJson, writeLine, type CliCommand, type CliContext } from '../cli-command.ts';
import { withHubAccess } from '../hub-session.ts';
import { proofCommands } from './audit-proof.ts';

async function verify(context: CliContext): Promise<number> {
  return withHubAccess(context, 'lienthong audit verify', async (access) => {
    if (access.kind === 'running-hub') {
      writeLine(
        context.stderr,
        'lienthong audit verify: the hub holds the embedded database; stop it first (or run the hub on PostgreSQL)',
      );
      return 1;
    }
    const dataDir = access.config.dataDir;
    const verdict = await verifyAudit(
      access.database.prisma,
      fileAnchorSigner(dataDir),
      readExportedAnchors(dataDir),
    );
    writeJson(context.stdout, verdict);
    if (!verdict.intact) {
      writeLine(
        context.stderr,
        `audit trail NOT intact${verdict.firstBadSeq ? ` from entry ${verdict.firstBadSeq}` : ''}: ${verdict.problem}`,
      );
      return 1;
    }
    if (!verdict.anchor)
      writeLine(
        context.stderr,
        'warning: no exported anchor yet; only the chain itself was checked (run lienthong audit anchor)',
      );
    return 0;
  });
}

async function anchor(context: CliContext): Promise<number> {
  return withHubAccess(context, 'lienthong audit anchor', async (access) => {
    if (access.kind === 'running-hub') {
      writeLine(
        context.stderr,
        'lienthong audit anchor: the running hub anchors the chain itself every few minutes',
      );
      return 1;
    }
    const written = await writeAuditAnchor(
      access.database.prisma,
      fileAnchorSigner(access.config.dataDir),
      access.config.dataDir,
    );
    writeLine(
      context.stdout,
      written
        ? `anchored entry ${written.seq} (${written.hash})`
        : 'the audit trail is empty; nothing to anchor',
    );
    return 0;
  });
}

export const commands: readonly CliCommand[] = [
  {
    words: ['audit', 'verify'],
    usage: 'audit verify                 checks the audit chain against its last exported anchor',
    run: verify,
  },
  {
    words: ['audit', 'anchor'],
    usage: 'audit anchor                 signs and exports the audit chain head now',
    run: anchor,
  },
  ...proofCommands,
];
