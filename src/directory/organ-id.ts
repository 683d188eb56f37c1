/**
 * Electronic organisation identifiers (mã định danh điện tử, QĐ 20/2020): four groups
 * `NNN.NN.NN.XNN` — level 4, 3, 2 digits, level 1 a letter and two digits. New entries must use
 * this form. Former codes kept as aliases may be older 3-group codes seen in 2018-era traffic.
 */
const ORGAN_ID = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;
const LEGACY_ORGAN_ID = /^[0-9A-Z]+(\.[0-9A-Z]+){2,3}$/;

export function isOrganId(value: string): boolean {
  return ORGAN_ID.test(value);
}

export function isAliasOrganId(value: string): boolean {
  return value.length <= 20 && LEGACY_ORGAN_ID.test(value);
}

export const ORGAN_ID_FORMAT_HINT = 'NNN.NN.NN.XNN, e.g. 000.00.11.H53 (mã định danh theo QĐ 20/2020)';
