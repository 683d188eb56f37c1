/**
 * Administrative document types of Nghị định 30/2020/NĐ-CP, Điều 7, with the abbreviations of
 * Phụ lục III. Origin: shared/standards/nd30/document-types.tsv (compiled for this project from the
 * decree; NOTES.md §3.1 says which rows are verified). Copies (SY, TrS, SL) are UNVERIFIED there.
 */
export type DocumentTypeEntry = {
  /** Row number in Điều 7; copies are numbered 30–32 here. */
  readonly no: number;
  readonly name: string;
  /** Null where the notation carries no type (Công văn, Thư công). */
  readonly abbreviation: string | null;
  readonly nameEn: string;
  /** Which list the entry comes from: the 29 types of Điều 7, or the copy forms (unverified). */
  readonly kind: 'administrative' | 'copy';
};

const row = (
  no: number,
  name: string,
  abbreviation: string | null,
  nameEn: string,
  kind: DocumentTypeEntry['kind'] = 'administrative',
): DocumentTypeEntry => ({ no, name, abbreviation, nameEn, kind });

export const ND30_DOCUMENT_TYPES: readonly DocumentTypeEntry[] = [
  row(1, 'Nghị quyết (cá biệt)', 'NQ', 'Resolution (individual)'),
  row(2, 'Quyết định (cá biệt)', 'QĐ', 'Decision (individual)'),
  row(3, 'Chỉ thị', 'CT', 'Directive'),
  row(4, 'Quy chế', 'QC', 'Regulation (rules)'),
  row(5, 'Quy định', 'QyĐ', 'Regulation'),
  row(6, 'Thông cáo', 'TC', 'Communiqué'),
  row(7, 'Thông báo', 'TB', 'Notice'),
  row(8, 'Hướng dẫn', 'HD', 'Guideline'),
  row(9, 'Chương trình', 'CTr', 'Programme'),
  row(10, 'Kế hoạch', 'KH', 'Plan'),
  row(11, 'Phương án', 'PA', 'Option/Scheme'),
  row(12, 'Đề án', 'ĐA', 'Project proposal'),
  row(13, 'Dự án', 'DA', 'Project'),
  row(14, 'Báo cáo', 'BC', 'Report'),
  row(15, 'Biên bản', 'BB', 'Minutes'),
  row(16, 'Tờ trình', 'TTr', 'Submission'),
  row(17, 'Hợp đồng', 'HĐ', 'Contract'),
  row(18, 'Công văn', null, 'Official letter (no type abbreviation)'),
  row(19, 'Công điện', 'CĐ', 'Telegram'),
  row(20, 'Bản ghi nhớ', 'BGN', 'Memorandum'),
  row(21, 'Bản thỏa thuận', 'BTT', 'Agreement'),
  row(22, 'Giấy ủy quyền', 'GUQ', 'Power of attorney'),
  row(23, 'Giấy mời', 'GM', 'Invitation'),
  row(24, 'Giấy giới thiệu', 'GGT', 'Letter of introduction'),
  row(25, 'Giấy nghỉ phép', 'GNP', 'Leave permit'),
  row(26, 'Phiếu gửi', 'PG', 'Dispatch slip'),
  row(27, 'Phiếu chuyển', 'PC', 'Transfer slip'),
  row(28, 'Phiếu báo', 'PB', 'Notification slip'),
  row(29, 'Thư công', null, 'Official letter (public letter)'),
  row(30, 'Bản sao y', 'SY', 'True copy', 'copy'),
  row(31, 'Bản trích sao', 'TrS', 'Extract copy', 'copy'),
  row(32, 'Bản sao lục', 'SL', 'Reproduced copy', 'copy'),
];

/**
 * Abbreviations of legal normative documents (Luật Ban hành văn bản quy phạm pháp luật), which carry
 * the year in their notation (`15/2020/NĐ-CP`). Not part of the NĐ 30 table; listed from general
 * knowledge so that such notations are recognised — UNVERIFIED against the law's text.
 */
export const LEGAL_NORMATIVE_ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ['NĐ', 'Nghị định'],
  ['TT', 'Thông tư'],
  ['TTLT', 'Thông tư liên tịch'],
  ['NQLT', 'Nghị quyết liên tịch'],
  ['NQ', 'Nghị quyết'],
  ['QĐ', 'Quyết định'],
  ['CT', 'Chỉ thị'],
]);

const BY_ABBREVIATION = new Map(
  ND30_DOCUMENT_TYPES.flatMap((type) => (type.abbreviation ? [[type.abbreviation, type] as const] : [])),
);
const BY_ABBREVIATION_FOLDED = new Map(
  ND30_DOCUMENT_TYPES.flatMap((type) =>
    type.abbreviation ? [[type.abbreviation.toUpperCase(), type] as const] : [],
  ),
);

/** Looks an abbreviation up exactly (`QyĐ`, `CTr`), then ignoring case (`QYĐ`). */
export function documentTypeByAbbreviation(abbreviation: string): DocumentTypeEntry | undefined {
  return BY_ABBREVIATION.get(abbreviation) ?? BY_ABBREVIATION_FOLDED.get(abbreviation.toUpperCase());
}

/** Folds a type name for lookup: NFC, no diacritics (đ → d), no "(cá biệt)", lower case, single spaces. */
function foldTypeName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/gu, 'd')
    .toLowerCase()
    .replace(/\(\s*ca biet\s*\)/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

const BY_FOLDED_NAME = new Map(ND30_DOCUMENT_TYPES.map((type) => [foldTypeName(type.name), type] as const));
const LEGAL_BY_FOLDED_NAME = new Map(
  [...LEGAL_NORMATIVE_ABBREVIATIONS.values()].map((name) => [foldTypeName(name), name] as const),
);

/**
 * Looks a type name up as producers write it: "Công văn", "công văn", "Cong van", "Quyết định",
 * "Bản thoả thuận" (tone marks placed either way) all find their NĐ 30 row.
 */
export function documentTypeByName(name: string): DocumentTypeEntry | undefined {
  return BY_FOLDED_NAME.get(foldTypeName(name));
}

/** The name of a legal normative type outside NĐ 30 ("Thông tư", "Nghị định"), as spelled in our list. */
export function legalNormativeTypeByName(name: string): string | undefined {
  return LEGAL_BY_FOLDED_NAME.get(foldTypeName(name));
}
