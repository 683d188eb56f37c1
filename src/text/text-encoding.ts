import { HubError } from '../shared/index.ts';

/** The legacy 8-bit (and 7-bit VIQR) Vietnamese encodings the hub converts to Unicode. */
export const LEGACY_ENCODINGS = ['tcvn3', 'vni', 'viscii', 'vps', 'viqr', 'windows-1258'] as const;
export type LegacyEncoding = (typeof LEGACY_ENCODINGS)[number];

export type TextEncoding = LegacyEncoding | 'utf-8';

/** What `--from` accepts (docs/contract.md: `text normalize [--from auto|tcvn3|…|utf-8]`). */
export type SourceEncoding = TextEncoding | 'auto';

/**
 * Encodings that auto-detection chooses between. VPS and VIQR are left out on purpose: VPS shares
 * byte values with VISCII for different letters and VIQR is plain ASCII punctuation, so guessing
 * either would corrupt ordinary text (NOTES.md §5, pitfall 4).
 */
export const DETECTABLE_ENCODINGS = ['utf-8', 'tcvn3', 'vni', 'viscii', 'windows-1258'] as const;
export type DetectableEncoding = (typeof DETECTABLE_ENCODINGS)[number];

// Names people actually type for these encodings; the canonical name comes first in each row.
const ALIASES: Readonly<Record<string, SourceEncoding>> = {
  auto: 'auto',
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  unicode: 'utf-8',
  tcvn3: 'tcvn3',
  abc: 'tcvn3',
  vn3: 'tcvn3',
  tcvn: 'tcvn3',
  vni: 'vni',
  'vni-windows': 'vni',
  viscii: 'viscii',
  vps: 'vps',
  viqr: 'viqr',
  'windows-1258': 'windows-1258',
  windows1258: 'windows-1258',
  cp1258: 'windows-1258',
};

/** Resolves a user-supplied encoding name; an unknown name is a usage error. */
export function parseSourceEncoding(name: string): SourceEncoding {
  const encoding = ALIASES[name.trim().toLowerCase()];
  if (encoding === undefined) {
    throw new HubError(
      'TEXT_UNKNOWN_ENCODING',
      `Bảng mã không hỗ trợ "${name}" / unsupported encoding "${name}" (auto, ${[...LEGACY_ENCODINGS, 'utf-8'].join(', ')})`,
      { details: { name } },
    );
  }
  return encoding;
}
