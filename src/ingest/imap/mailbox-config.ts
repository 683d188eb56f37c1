import { z } from 'zod';
import { HubError } from '../../shared/index.ts';

/** One mailbox the hub collects mail from (LIENTHONG_IMAP_MAILBOXES, a JSON array). */
const MailboxSchema = z.strictObject({
  name: z.string().min(1).describe('label in logs and metrics'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(993),
  secure: z.boolean().default(true),
  user: z.string().min(1),
  /** the secret stays in a file, never in the environment dump of `config print` */
  passwordFile: z.string().min(1),
  folder: z.string().min(1).default('INBOX'),
  /** OrganId of the hosted agency whose queue receives this mailbox */
  agency: z.string().min(1),
  afterCommit: z.enum(['seen', 'move']).default('seen'),
  processedFolder: z.string().min(1).default('Lienthong/Processed'),
});

export type MailboxDefinition = z.infer<typeof MailboxSchema>;

export function parseMailboxes(json: string | undefined): MailboxDefinition[] {
  if (!json) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new HubError('CONFIG_INVALID', 'LIENTHONG_IMAP_MAILBOXES is not valid JSON', { cause: error });
  }
  const parsed = z.array(MailboxSchema).safeParse(value);
  if (!parsed.success)
    throw new HubError(
      'CONFIG_INVALID',
      `LIENTHONG_IMAP_MAILBOXES: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
