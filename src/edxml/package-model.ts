import { z } from 'zod';

/**
 * The normalized JSON of docs/contract.md ("Normalized JSON"), as a zod schema so the builder can check
 * what it is given. Absent elements are absent keys (never empty strings); dates are `YYYY-MM-DD`,
 * timestamps ISO 8601 with `+07:00`; `contentId` is stored without the `cid:` prefix.
 */
export const QCVN_NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
/** Pre-QCVN eDoc namespace still seen in the wild; read with a warning. */
export const LEGACY_EDOC_NAMESPACE = 'http://www.e-doc.vn/Schema/';

const text = z.string().min(1);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const timestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/, 'ISO 8601');
const code = z.number().int().nonnegative();

export const organizationSchema = z.strictObject({
  organId: text.optional(),
  organName: text.optional(),
  organizationInCharge: text.optional(),
  organAdd: text.optional(),
  email: text.optional(),
  telephone: text.optional(),
  fax: text.optional(),
  website: text.optional(),
});

export const staffSchema = z.strictObject({
  department: text.optional(),
  departmentId: text.optional(),
  staff: text.optional(),
  staffId: text.optional(),
  email: text.optional(),
  mobile: text.optional(),
});

export const warningSchema = z.strictObject({ path: z.string(), code: z.string(), message: z.string() });

export const attachmentSchema = z.strictObject({
  contentId: text,
  name: text.optional(),
  description: text.optional(),
  contentType: text.optional(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  entries: z
    .array(z.strictObject({ name: z.string(), size: z.number().int().nonnegative(), sha256: z.string() }))
    .optional(),
  /** Base64 of the decoded attachment; present with `--with-content`, required by the builder. */
  content: z.string().optional(),
});

export const responseForSchema = z.strictObject({
  organId: text.optional(),
  code: text.optional(),
  promulgationDate: date.optional(),
  documentId: text.optional(),
});

export const businessSchema = z.strictObject({
  documentId: text.optional(),
  reason: text.optional(),
  paper: code.optional(),
  documentInfo: z
    .array(
      z.strictObject({
        documentInfo: code.optional(),
        documentReceiver: code.optional(),
        receivers: z
          .array(z.strictObject({ organId: text.optional(), receiverType: code.optional() }))
          .default([]),
      }),
    )
    .default([]),
  replacements: z
    .array(z.strictObject({ documentId: text.optional(), organIds: z.array(text).default([]) }))
    .default([]),
  staff: z.array(staffSchema).default([]),
});

export const edocPackageSchema = z.strictObject({
  kind: z.literal('edoc'),
  documentId: text.optional(),
  from: organizationSchema.prefault({}),
  to: z.array(organizationSchema).default([]),
  code: z.strictObject({ number: text.optional(), notation: text.optional() }).prefault({}),
  promulgation: z.strictObject({ place: text.optional(), date: date.optional() }).prefault({}),
  documentType: z
    .strictObject({ type: code.optional(), typeDetail: code.optional(), name: text.optional() })
    .prefault({}),
  subject: text.optional(),
  content: text.optional(),
  signer: z
    .strictObject({
      competence: text.optional(),
      position: text.optional(),
      fullName: text.optional(),
    })
    .prefault({}),
  dueDate: date.optional(),
  priority: code.optional(),
  steeringType: code.optional(),
  businessDocType: code.optional(),
  toPlaces: z.array(text).default([]),
  otherInfo: z
    .strictObject({
      sphereOfPromulgation: text.optional(),
      typerNotation: text.optional(),
      promulgationAmount: code.optional(),
      pageAmount: code.optional(),
      direction: z.boolean().optional(),
      appendixes: z.array(text).default([]),
    })
    .prefault({}),
  responseFor: z.array(responseForSchema).default([]),
  business: businessSchema.optional(),
  attachments: z.array(attachmentSchema).default([]),
  trace: z.array(z.strictObject({ organId: text.optional(), timestamp: timestamp.optional() })).default([]),
  warnings: z.array(warningSchema).default([]),
});

export const statusPackageSchema = z.strictObject({
  kind: z.literal('status'),
  responseFor: responseForSchema.prefault({}),
  from: organizationSchema.prefault({}),
  statusCode: text.optional(),
  description: text.optional(),
  timestamp: timestamp.optional(),
  staff: staffSchema.prefault({}),
  warnings: z.array(warningSchema).default([]),
});

export const edxmlPackageSchema = z.discriminatedUnion('kind', [edocPackageSchema, statusPackageSchema]);

export type Organization = z.infer<typeof organizationSchema>;
export type Staff = z.infer<typeof staffSchema>;
export type PackageWarning = z.infer<typeof warningSchema>;
export type Attachment = z.infer<typeof attachmentSchema>;
export type ResponseFor = z.infer<typeof responseForSchema>;
export type Business = z.infer<typeof businessSchema>;
export type EdocPackage = z.infer<typeof edocPackageSchema>;
export type StatusPackage = z.infer<typeof statusPackageSchema>;
export type EdxmlPackage = z.infer<typeof edxmlPackageSchema>;
