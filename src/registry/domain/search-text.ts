/**
 * Accent-insensitive search: "quyet dinh" must find "Quyết định". Text is folded to lower case
 * without diacritics (đ → d), punctuation kept where it matters for notations (59/2014/QĐ-UBND →
 * 59/2014/qd-ubnd), whitespace collapsed. Stored folded; queries are folded the same way.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The words of a query, folded; words shorter than 2 letters say nothing useful and are dropped. */
export function searchWords(query: string): string[] {
  return [...new Set(foldForSearch(query).split(' '))].filter((word) => word.length >= 2).slice(0, 8);
}

/** A LIKE pattern matching `text` literally anywhere. */
export function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
