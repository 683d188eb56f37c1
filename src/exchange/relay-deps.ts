import type { PrismaClient } from '../db/index.ts';
import type { AgencyDirectory } from '../directory/index.ts';
import type { Clock, Logger } from '../shared/index.ts';
import type { SignatureVerdict, TrustMaterial } from '../signing/index.ts';

/** What the relay's use cases need; built once in main.ts. */
export type RelayDeps = {
  readonly prisma: PrismaClient;
  readonly directory: AgencyDirectory;
  /** Trust anchors, intermediates, CRLs and pins, refreshed by the caller (files may change). */
  readonly trust: () => Promise<TrustMaterial>;
  /**
   * The verdict of a submitted package's signature at `at`, against `trust()`'s material: the
   * hub's worker pool (main.ts, LIENTHONG_VERIFY_WORKERS). Without it the package is verified
   * inline, on the calling thread (tests, the embedded mode, one-shot commands).
   */
  readonly verifyEdxml?: (bytes: Uint8Array, at: Date) => Promise<SignatureVerdict>;
  readonly clock: Clock;
  readonly log: Logger;
  /** The hub's own agency. */
  readonly ownOrganId: string;
  readonly maxMessageBytes: number;
  /** Called after outbox rows were committed, so the publisher need not wait for its next poll. */
  readonly outboxChanged?: () => void;
};
