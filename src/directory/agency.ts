import { z } from 'zod';
import { isAliasOrganId, isOrganId, ORGAN_ID_FORMAT_HINT } from '../shared/index.ts';

export const AGENCY_CHANNELS = ['hosted', 'partner', 'email', 'national'] as const;
export const SIGNATURE_POLICIES = ['record_only', 'require_trusted'] as const;

export type AgencyChannel = (typeof AGENCY_CHANNELS)[number];
export type SignaturePolicy = (typeof SIGNATURE_POLICIES)[number];

export type Agency = {
  organId: string;
  name: string;
  channel: AgencyChannel;
  signaturePolicy: SignaturePolicy;
  emails: string[];
  aliases: string[];
};

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: (issue) => `"${String(issue.input)}" is not a mail address` }));

/** What a caller must give to add or replace an agency; one schema for the CLI, CSV import and the API. */
export const AgencyInputSchema = z
  .strictObject({
    organId: z
      .string()
      .trim()
      .refine(isOrganId, {
        error: (issue) => `OrganId "${String(issue.input)}" must have the form ${ORGAN_ID_FORMAT_HINT}`,
      }),
    name: z
      .string()
      .trim()
      .min(1, 'name is required')
      .max(500, 'name is longer than 500 characters')
      .transform((s) => s.normalize('NFC')),
    channel: z.enum(AGENCY_CHANNELS, { error: `channel must be one of: ${AGENCY_CHANNELS.join(', ')}` }),
    signaturePolicy: z
      .enum(SIGNATURE_POLICIES, {
        error: `signature policy must be one of: ${SIGNATURE_POLICIES.join(', ')}`,
      })
      .default('record_only'),
    emails: z.array(email).default([]),
    aliases: z
      .array(
        z
          .string()
          .trim()
          .refine(isAliasOrganId, { error: (issue) => `alias "${String(issue.input)}" is not an OrganId` }),
      )
      .default([]),
  })
  .superRefine((agency, context) => {
    if (agency.aliases.includes(agency.organId)) {
      context.addIssue({
        code: 'custom',
        path: ['aliases'],
        message: 'an alias cannot equal the OrganId itself',
      });
    }
    if (agency.channel === 'email' && agency.emails.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['emails'],
        message: 'an e-mail-only agency needs at least one address',
      });
    }
  });

export type AgencyInput = z.input<typeof AgencyInputSchema>;
