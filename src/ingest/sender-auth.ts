import { authenticate, type DNSResolver } from 'mailauth';

/**
 * SPF, DKIM and DMARC results for one message (mailauth). DNS goes through an injectable
 * resolver so tests answer from a table; production uses the system resolver.
 */
export type SenderAuthResult = {
  spf: string;
  dkim: string;
  dmarc: string;
  /** the sending domain's DMARC policy (none, quarantine, reject) when DMARC failed */
  dmarcPolicy: string | null;
  /** mailauth's Authentication-Results value, kept for admins */
  header: string;
};

export type SenderAuthInput = {
  raw: Buffer;
  ip: string;
  helo: string;
  mailFrom: string | null;
  mta: string;
};

export interface SenderAuthenticator {
  check(input: SenderAuthInput): Promise<SenderAuthResult>;
}

export function mailauthAuthenticator(
  options: { resolver?: DNSResolver; timeoutMs?: number } = {},
): SenderAuthenticator {
  return {
    async check(input) {
      const result = await authenticate(input.raw, {
        ip: input.ip,
        helo: input.helo,
        sender: input.mailFrom ?? '',
        mta: input.mta,
        ...(options.resolver ? { resolver: options.resolver } : {}),
        disableArc: true,
        disableBimi: true,
      });
      // mailauth's typings promise more than it returns (no DMARC result without a From domain, …)
      const loose = result as unknown as LooseResult;
      const dkim = loose.dkim?.results?.[0]?.status?.result ?? 'none';
      const dmarc = loose.dmarc ? (loose.dmarc.status?.result ?? 'none') : 'none';
      const policy = loose.dmarc ? (loose.dmarc.policy ?? null) : null;
      return {
        spf: loose.spf ? (loose.spf.status?.result ?? 'none') : 'none',
        dkim,
        dmarc,
        dmarcPolicy: dmarc === 'fail' ? policy : null,
        header: (loose.headers ?? '').slice(0, 4000),
      };
    },
  };
}

type LooseStatus = { status?: { result?: string } };
type LooseResult = {
  dkim?: { results?: LooseStatus[] };
  spf?: LooseStatus | false;
  dmarc?: (LooseStatus & { policy?: string }) | false;
  headers?: string;
};
