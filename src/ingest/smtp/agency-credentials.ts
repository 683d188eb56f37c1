import { authenticateApiToken, LoginThrottle } from '../../access/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import { resolveAgency } from '../../directory/index.ts';
import { HubError } from '../../shared/index.ts';

/**
 * SMTP AUTH for agencies that send with credentials: the user name is the agency's OrganId and
 * the password is one of that agency's API tokens (`lienthong token create --agency <OrganId>`),
 * the same credential its partner system uses for HTTP. No second password store to keep, and
 * revoking the token ends both. The listener offers AUTH only over TLS.
 *
 * Resolves the authenticated OrganId, undefined for wrong credentials; throws INGEST_AUTH_THROTTLED
 * (454, temporary) while a user name or client address has failed too often.
 */
export type SmtpAuthenticator = (
  username: string,
  password: string,
  remoteAddress: string,
) => Promise<string | undefined>;

export function agencyTokenAuthenticator(
  prisma: PrismaClient,
  throttle: LoginThrottle = new LoginThrottle(),
): SmtpAuthenticator {
  return async (username, password, remoteAddress) => {
    const organId = username.trim().toUpperCase();
    const verdict = throttle.check(organId, remoteAddress);
    if (verdict.kind === 'blocked')
      throw new HubError(
        'INGEST_AUTH_THROTTLED',
        `Too many failed logins, try again in ${verdict.retryAfterSeconds} s`,
      );
    const [agency, actor] = await Promise.all([
      resolveAgency(prisma, organId),
      authenticateApiToken(prisma, password, new Date()),
    ]);
    if (agency && actor?.kind === 'token' && actor.agencyId === agency.id) {
      throttle.succeeded(organId);
      return agency.organId;
    }
    throttle.failed(organId, remoteAddress);
    return undefined;
  };
}
