import { z } from 'zod';
import { codeKey, isAliasOrganId, ORGAN_ID_FORMAT_HINT } from '../shared/index.ts';

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
    // Any legitimate form: a ministry's bare level-1 code (G12) or a state enterprise (02 + tax
    // code) is an agency as much as 000.00.11.H53 is (organ-id.ts).
    organId: z
      .string()
      .trim()
      .refine(isAliasOrganId, {
        error: (issue) =>
          `Mã định danh của cơ quan "${String(issue.input)}" không đúng dạng nào (${ORGAN_ID_FORMAT_HINT}) / the agency code (OrganId) "${String(issue.input)}" has none of the accepted forms`,
      })
      .transform(codeKey),
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
          .refine(isAliasOrganId, {
            error: (issue) =>
              `Mã cũ "${String(issue.input)}" không phải mã định danh / the former code (alias) "${String(issue.input)}" is not an agency code`,
          })
          .transform(codeKey),
      )
      .default([]),
  })
  .superRefine((agency, context) => {
    if (agency.aliases.includes(agency.organId)) {
      context.addIssue({
        code: 'custom',
        path: ['aliases'],
        message:
          'Mã cũ không được trùng mã hiện tại / a former code (alias) cannot equal the agency code itself',
      });
    }
    if (agency.channel === 'email' && agency.emails.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['emails'],
        message:
          'cơ quan chỉ nhận bằng thư điện tử cần ít nhất một địa chỉ / an e-mail-only agency needs at least one address',
      });
    }
  });

export type AgencyInput = z.input<typeof AgencyInputSchema>;
