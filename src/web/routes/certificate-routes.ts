import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../shared/index.ts';
import { apiRoute, ok } from '../api-route.ts';

/** A certificate the hub holds, as the signing module lists it (trust directory, pins, TLS). */
export type HeldCertificateView = {
  kind: 'trust-anchor' | 'intermediate' | 'agency-pinned' | 'agency-key' | 'tls';
  organId: string | null;
  source: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprint: string;
};

export type CertificateRouteDeps = {
  /** Every certificate the hub holds (main.ts reads the trust directory and the TLS certificate). */
  heldCertificates?: () => Promise<HeldCertificateView[]>;
  clock: Clock;
};

const DAY_MS = 86_400_000;

const CertificateSchema = z.strictObject({
  kind: z
    .enum(['trust-anchor', 'intermediate', 'agency-pinned', 'agency-key', 'tls'])
    .describe(
      'a trust anchor, an intermediate CA, an agency’s pinned signing certificate, the hub’s TLS certificate',
    ),
  organId: z.string().nullable().describe('the agency of a pinned signing certificate'),
  source: z.string().describe('the file it was read from'),
  subject: z.string(),
  issuer: z.string(),
  serial: z.string(),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  fingerprint: z.string().describe('SHA-256 of the certificate, lowercase hex'),
  daysLeft: z.number().int().describe('whole days until notAfter; negative once expired'),
  expired: z.boolean(),
});

/** Certificates close to expiry, for admins: the soonest first, expired ones included and flagged. */
export function certificateRoutes(deps: CertificateRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'GET',
        url: '/api/v1/certificates',
        summary:
          'Certificates the hub holds (trust store, agencies’ signing certificates, TLS), soonest expiry first',
        tag: 'certificates',
        access: 'admin',
        query: z.strictObject({
          withinDays: z.coerce
            .number()
            .int()
            .min(0)
            .max(36_500)
            .optional()
            .describe(
              'only those expiring within this many days (expired ones always count); all when absent',
            ),
        }),
        responses: {
          200: z.strictObject({ checkedAt: z.iso.datetime(), certificates: z.array(CertificateSchema) }),
        },
      },
      async ({ query }) => {
        const now = deps.clock.now();
        const held = deps.heldCertificates ? await deps.heldCertificates() : [];
        const certificates = held
          .map((certificate) => {
            const left = Date.parse(certificate.notAfter) - now.getTime();
            return { ...certificate, daysLeft: Math.floor(left / DAY_MS), expired: left < 0 };
          })
          .filter(
            (c) =>
              query.withinDays === undefined ||
              Date.parse(c.notAfter) - now.getTime() <= query.withinDays * DAY_MS,
          )
          .sort(
            (a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter) || a.source.localeCompare(b.source),
          );
        return ok({ checkedAt: now.toISOString(), certificates });
      },
    );
  };
}
