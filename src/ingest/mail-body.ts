import { parseMessage } from './parse-message.ts';

/**
 * The HTML part of a stored mail, read again from its raw bytes when a clerk asks to see it (it
 * is not kept beside the item: most clerks read the text part). Null when the mail has none or
 * cannot be read; the text part in the item's metadata is then all there is.
 */
export async function readMailHtml(raw: Buffer): Promise<string | null> {
  try {
    return (await parseMessage(raw)).html;
  } catch {
    return null;
  }
}
