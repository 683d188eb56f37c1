import { isHubError } from '../shared/index.ts';
import { DEFAULT_ZIP_LIMITS, listZip, looksLikeZip, type ZipEntry, type ZipLimits } from './zip-listing.ts';

/**
 * The one check of an attachment that is a ZIP, for every door (mail, edXML packages by AMQP,
 * HTTP or the console, clerks' uploads). Lists it in memory only (nothing is extracted to disk): members (name, size, compressed size) within limits on entries, total
 * uncompressed size and ratio (the package limits), and nesting (a ZIP inside a ZIP is listed too,
 * up to `maxDepth`, its members counting against the same totals). An archive over a limit or with
 * a member name that climbs out of the folder is refused with a flag and a reason a clerk reads.
 * (Issue 13: packages were listed one level deep, so 10 inner ZIPs of 96 MiB each passed as a
 * package attachment while the same file by mail was quarantined.)
 */
export type ZipMemberFacts = { name: string; size: number; compressed: number; path: string };

export type ZipInspection =
  | {
      kind: 'listed';
      entries: ZipMemberFacts[];
      totalSize: number;
      truncated: boolean;
      /** the outer archive's own members, hashed (edXML's `entries`) */
      top: ZipEntry[];
    }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'unsafe'; flag: 'zip-bomb' | 'zip-path-traversal' | 'zip-nested'; reason: string };

export const ATTACHMENT_ZIP_LIMITS: ZipLimits & { maxDepth: number; maxListed: number } = {
  ...DEFAULT_ZIP_LIMITS,
  /** ZIP in ZIP: the outer archive is depth 1 */
  maxDepth: 3,
  /** members kept in the metadata (all are checked) */
  maxListed: 200,
};

const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/x-zip'];

/**
 * A `.zip` by name or type. Office files (.docx, .xlsx, .odt) are ZIPs too, but a large sheet can
 * compress beyond the bomb ratio, so PK magic alone is not enough: such files stay documents.
 */
export function isZipAttachment(name: string, contentType: string, content: Buffer): boolean {
  return (/\.zip$/i.test(name) || ZIP_TYPES.includes(contentType.toLowerCase())) && looksLikeZip(content);
}

export function inspectZip(
  content: Uint8Array,
  limits: ZipLimits & { maxDepth: number; maxListed: number } = ATTACHMENT_ZIP_LIMITS,
): ZipInspection {
  const entries: ZipMemberFacts[] = [];
  let totalSize = 0;
  const found: { unsafe: Extract<ZipInspection, { kind: 'unsafe' }> | null } = { unsafe: null };
  let top: ZipEntry[] = [];
  // the nested archive being listed, to say which one was refused
  let within = '';
  const walk = (bytes: Uint8Array, prefix: string, depth: number): string | null => {
    const remaining = { ...limits, maxTotalBytes: Math.max(limits.maxTotalBytes - totalSize, 0) };
    const listing = listZip(bytes, remaining, (member, inner) => {
      totalSize += member.size;
      const path = `${prefix}${member.name}`;
      entries.push({ name: member.name, size: member.size, compressed: member.compressed, path });
      if (found.unsafe || !/\.zip$/i.test(member.name) || !looksLikeZip(inner)) return;
      if (depth >= limits.maxDepth) {
        found.unsafe = {
          kind: 'unsafe',
          flag: 'zip-nested',
          reason: `Tệp ZIP đính kèm bị từ chối: lồng nhau quá ${limits.maxDepth} lớp / ZIP attachment refused: archives nested deeper than ${limits.maxDepth} (${path})`,
        };
        return;
      }
      // A nested archive that cannot be read stays a listed member; an unsafe one throws.
      const outer = within;
      within = path;
      walk(inner, `${path}/`, depth + 1);
      within = outer;
    });
    if ('unreadable' in listing) return listing.unreadable;
    if (depth === 1) top = listing.entries;
    return null;
  };
  try {
    const unreadable = walk(content, '', 1);
    if (found.unsafe) return found.unsafe;
    if (unreadable) return { kind: 'unreadable', reason: unreadable };
  } catch (error) {
    const where = within ? ` (${within})` : '';
    if (isHubError(error, 'EDXML_ZIP_UNSAFE_ENTRY_NAME'))
      return { kind: 'unsafe', flag: 'zip-path-traversal', reason: `${error.message}${where}` };
    if (isHubError(error, 'EDXML_ZIP_BOMB') || isHubError(error, 'EDXML_ZIP_TOO_MANY_ENTRIES'))
      return { kind: 'unsafe', flag: 'zip-bomb', reason: `${error.message}${where}` };
    return { kind: 'unreadable', reason: (error as Error).message.slice(0, 300) };
  }
  if (entries.length > limits.maxEntries)
    return {
      kind: 'unsafe',
      flag: 'zip-bomb',
      reason: `Tệp ZIP đính kèm bị từ chối: ${entries.length} mục kể cả các tệp ZIP lồng bên trong, vượt giới hạn ${limits.maxEntries} / ZIP attachment refused: ${entries.length} entries with the nested archives, over the limit of ${limits.maxEntries}`,
    };
  return {
    kind: 'listed',
    entries: entries.slice(0, limits.maxListed),
    totalSize,
    truncated: entries.length > limits.maxListed,
    top,
  };
}
