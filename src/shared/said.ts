/**
 * Words a person reads, in Vietnamese (the console's first language) and English. `field` names the
 * form field they are about (the request's own name for it), so the console can show them next to
 * that field. Meaning stays in codes and fields; these are only the words.
 */
export type Said = { vi: string; en: string; field?: string };

export function said(vi: string, en: string, field?: string): Said {
  return field === undefined ? { vi, en } : { vi, en, field };
}

/**
 * A message written as one string, "Vietnamese / English" (the form of the hub's reasons and
 * refusals), as its two languages; null when it is not in that form.
 */
export function splitSaid(text: string): Said | null {
  const at = text.indexOf(' / ');
  return at > 0 ? { vi: text.slice(0, at), en: text.slice(at + 3) } : null;
}

/** Several problems as one sentence each, joined the way a person reads a list. */
export function joinSaid(items: readonly Said[]): Said {
  return { vi: items.map((s) => s.vi).join('; '), en: items.map((s) => s.en).join('; ') };
}
