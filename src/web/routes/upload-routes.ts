import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { agencyIdOf } from '../../directory/index.ts';
import { inspectZip, isZipAttachment } from '../../edxml/index.ts';
import type { PrismaClient } from '../../db/index.ts';
import { contentDedupKey, receiveIntakeItems, RegistrationFormSchema } from '../../registry/index.ts';
import { apiRoute, fail, ok } from '../api-route.ts';
import { refusal } from './registry-replies.ts';
import { agencyScope } from '../../shared/index.ts';

export type UploadRouteDeps = { prisma: PrismaClient; maxMessageBytes: number };

const FileSchema = z.strictObject({
  name: z.string().min(1).max(500),
  contentType: z.string().min(1).max(200),
  content: z.base64().describe('the file, base64'),
});

/**
 * The scan must be a PDF by its declared type and by its bytes (`%PDF-`): it is what the register
 * keeps and what the console shows inline. Other files may come along as attachments; none may be empty.
 */
function scanProblems(files: { name: string; contentType: string; content: Buffer }[]): string[] {
  const [scan, ...others] = files;
  if (!scan) return ['scan: a scanned PDF is required'];
  const problems: string[] = [];
  if (scan.content.length === 0) problems.push('scan: the file is empty (0 bytes)');
  else if (
    scan.contentType.toLowerCase().split(';')[0]?.trim() !== 'application/pdf' ||
    scan.content.subarray(0, 5).toString('latin1') !== '%PDF-'
  )
    problems.push(
      `scan: ${scan.name} is not a PDF (declared ${scan.contentType}); scan the paper to PDF, other files go in attachments`,
    );
  others.forEach((file, index) => {
    if (file.content.length === 0) problems.push(`attachments.${index}: ${file.name} is empty (0 bytes)`);
    // The one ZIP check of every door (a bomb by mail is quarantined; a clerk is told here).
    if (isZipAttachment(file.name, file.contentType, file.content)) {
      const zip = inspectZip(file.content);
      if (zip.kind === 'unsafe') problems.push(`attachments.${index}: ${file.name}: ${zip.reason}`);
    }
  });
  return problems;
}

/**
 * Paper still arrives: a clerk uploads the scan with the metadata read off the paper, and it joins
 * the intake queue like anything else (source `upload`), to be registered from there. JSON with
 * base64 keeps one schema for validation and documentation; it costs a third more bytes.
 */
export function uploadRoutes(deps: UploadRouteDeps) {
  return (app: FastifyInstance) => {
    apiRoute(
      app,
      {
        method: 'POST',
        url: '/api/v1/intake/uploads',
        summary: 'Upload a scanned paper document with its metadata into the intake queue',
        tag: 'intake',
        access: 'signed-in',
        bodyLimit: Math.ceil((deps.maxMessageBytes * 4) / 3) + 65_536,
        body: RegistrationFormSchema.omit({ departmentId: true }).extend({
          agency: z
            .string()
            .min(1)
            .max(20)
            .optional()
            .describe('OrganId; admins only, others upload for their own'),
          scan: FileSchema,
          attachments: z.array(FileSchema).max(50).optional(),
        }),
        responses: { 201: z.object({ id: z.uuid(), duplicate: z.boolean() }) },
      },
      async ({ body, actor }) => {
        if (actor.kind === 'token')
          return fail('WEB_FORBIDDEN', 'partner systems send edXML packages, not paper uploads');
        const { agency, scan, attachments, ...form } = body;
        const scope = agencyScope(actor);
        const named = agency === undefined ? undefined : await agencyIdOf(deps.prisma, agency);
        // Naming another agency is answered like naming none that exists.
        if (named === null || (scope !== null && named !== undefined && named !== scope))
          return refusal({ kind: 'not-found' }, 'agency');
        const agencyId = named ?? scope;
        if (agencyId === null)
          return fail('WEB_UNPROCESSABLE', 'name the agency the paper arrived at (agency)');
        const files = [scan, ...(attachments ?? [])].map((file) => ({
          name: file.name,
          contentType: file.contentType,
          content: Buffer.from(file.content, 'base64'),
        }));
        const problems = scanProblems(files);
        if (problems.length > 0) return fail('WEB_UNPROCESSABLE', problems.join('; '), { problems });
        const total = files.reduce((sum, file) => sum + file.content.length, 0);
        if (total > deps.maxMessageBytes)
          return fail(
            'WEB_BODY_TOO_LARGE',
            `the files exceed the hub's limit of ${deps.maxMessageBytes} bytes`,
          );
        const raw = files[0]?.content ?? Buffer.alloc(0);
        const [received] = await receiveIntakeItems(deps.prisma, actor, {
          source: 'upload',
          raw,
          agencyIds: [agencyId],
          dedupKey: contentDedupKey(`upload:${agencyId}`, raw),
          subject: form.subject,
          senderOrganId: form.senderOrganId ?? null,
          metadata: {
            ...form,
            code: { notation: form.notation },
            from: { organName: form.senderName, organId: form.senderOrganId },
            promulgation: { date: form.promulgatedOn },
            signer: { fullName: form.signer },
            dueDate: form.dueOn,
          },
          attachments: files,
        });
        if (!received) return fail('WEB_UNPROCESSABLE', 'nothing was stored');
        return ok({ id: received.itemId, duplicate: received.outcome === 'duplicate' }, 201);
      },
    );
  };
}
