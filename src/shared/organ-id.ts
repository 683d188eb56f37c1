/**
 * Electronic organisation identifiers (mã định danh điện tử, QĐ 20/2020) in every form real traffic
 * carries (shared/standards NOTES.md §2). The current form is four groups `NNN.NN.NN.XNN` — level 4,
 * 3, 2 digits, level 1 a letter and two digits; new entries of agencies of the state use it. The
 * others are legitimate on input and name the same kind of thing:
 *
 * - `level-one`: a bare level-1 code (`G12`), the new code of a ministry under QĐ 09/2025/QĐ-TTg; it
 *   names the same agency as `000.00.00.G12` during the change-over (both can sit in one `To` list);
 * - `enterprise`: `02` + a company's 10-digit tax code (QĐ 20/2020 Art. 5), state enterprises;
 * - `legacy`: older 2- or 3-dot codes (`02.29.W00`, `01.02.G22`) seen in 2018-era and trace data;
 * - `system-id`: a system's id on the national axis (`vxp.saas.03`), used as OrganId by test systems.
 *
 * Codes compare case-insensitively: the directory's key is the upper-case form (`codeKey`).
 */
export type OrganIdForm = 'current' | 'level-one' | 'enterprise' | 'legacy' | 'system-id';

const ORGAN_ID = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;
const LEVEL_ONE = /^[A-Z]\d{2}$/;
const ENTERPRISE = /^02\d{10}$/;
const LEGACY_ORGAN_ID = /^[0-9A-Z]+(\.[0-9A-Z]+){2,3}$/;
const SYSTEM_ID = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+){1,4}$/;

/** The longest code the directory stores (agency.organ_id, agency_alias.organ_id). */
export const MAX_CODE_LENGTH = 20;

export function isOrganId(value: string): boolean {
  return ORGAN_ID.test(value);
}

export function isAliasOrganId(value: string): boolean {
  return organIdForm(value) !== undefined;
}

/**
 * Which legitimate form a code has, or undefined when it has none (empty, the text `null`, free
 * text). Case matters only to tell a system id (lower-case, as the axis issues them) from a legacy
 * code; both are accepted.
 */
export function organIdForm(raw: string): OrganIdForm | undefined {
  const value = raw.trim();
  if (value === '' || value.length > MAX_CODE_LENGTH) return undefined;
  if (SYSTEM_ID.test(value) && /[a-z]/.test(value)) return 'system-id';
  const upper = value.toUpperCase();
  if (ORGAN_ID.test(upper)) return 'current';
  if (LEVEL_ONE.test(upper)) return 'level-one';
  if (ENTERPRISE.test(upper)) return 'enterprise';
  if (LEGACY_ORGAN_ID.test(upper)) return 'legacy';
  return undefined;
}

/** The key a code is stored and looked up by: trimmed, upper-case. */
export function codeKey(raw: string): string {
  return raw.trim().toUpperCase();
}

/**
 * Codes that name the same agency by rule alone, without the directory: a bare level-1 code and its
 * four-group form `000.00.00.X99` (QĐ 09/2025 change-over). Returns the other form, or undefined.
 */
export function equivalentCode(raw: string): string | undefined {
  const key = codeKey(raw);
  if (LEVEL_ONE.test(key)) return `000.00.00.${key}`;
  const match = /^000\.00\.00\.([A-Z]\d{2})$/.exec(key);
  return match?.[1];
}

/** True where a code is absent in all but name: empty, or the literal text `null` (seen in traces). */
export function isAbsentCode(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  const value = raw.trim();
  return value === '' || value.toLowerCase() === 'null';
}

export const ORGAN_ID_FORMAT_HINT =
  'NNN.NN.NN.XNN như 000.00.11.H53, mã cấp 1 như G12, doanh nghiệp 02 + mã số thuế như 020100107370, mã cũ 2–3 dấu chấm, mã hệ thống trên trục như vxp.saas.03';
