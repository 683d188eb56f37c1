/**
 * What each version of a document changed. Update (2), revoke (1) and replace (3) packages share the
 * original's edXML DocumentId and attach to it as versions (docs/contract.md, duplicates); a clerk needs
 * to see, per version, which facts differ from the version before and whether the document still
 * stands. Pure: the caller reads the versions' facts from the intake items they came from.
 */
export const VERSION_FIELDS = [
  'subject',
  'notation',
  'documentType',
  'senderName',
  'promulgatedOn',
  'signer',
  'dueOn',
  'attachments',
] as const;
export type VersionField = (typeof VERSION_FIELDS)[number];
export type VersionFacts = Partial<Record<VersionField, string>>;
export type VersionChange = { field: VersionField; before: string | null; after: string | null };

export type Standing =
  | { kind: 'current' }
  | { kind: 'updated'; at: Date; versionId: string }
  | { kind: 'revoked'; at: Date; versionId: string }
  | { kind: 'replaced'; at: Date; versionId: string };

/** Field by field, the facts that differ; a fact the later version does not carry is not a change. */
export function versionChanges(before: VersionFacts | null, after: VersionFacts | null): VersionChange[] {
  if (!after) return [];
  return VERSION_FIELDS.flatMap((field) => {
    const next = after[field];
    const previous = before?.[field] ?? null;
    return next !== undefined && next !== previous ? [{ field, before: previous, after: next }] : [];
  });
}

/**
 * Whether the document still stands: the latest revoke (1) or replace (3) wins over anything
 * before it; an update (2) after a revoke does not bring the document back.
 */
export function documentStanding(
  versions: readonly { id: string; businessType: number; receivedAt: Date }[],
): Standing {
  let standing: Standing = { kind: 'current' };
  const ordered = [...versions].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  for (const version of ordered) {
    const at = version.receivedAt;
    if (version.businessType === 1) standing = { kind: 'revoked', at, versionId: version.id };
    else if (version.businessType === 3) standing = { kind: 'replaced', at, versionId: version.id };
    else if (version.businessType === 2 && standing.kind !== 'revoked' && standing.kind !== 'replaced')
      standing = { kind: 'updated', at, versionId: version.id };
  }
  return standing;
}
