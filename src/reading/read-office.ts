import WordExtractor from 'word-extractor';
import { assertSafeXml, listZip, type ZipLimits } from '../edxml/index.ts';
import { isHubError } from '../shared/index.ts';
import { normalizeText } from '../text/index.ts';
import { notRead, type ReadOutcome } from './reading-outcome.ts';

/**
 * Word processors' files. A .docx or .odt is a ZIP of XML: it is listed in memory by the hub's own
 * guarded ZIP reader (edxml/zip-listing.ts: a ZIP bomb, an escaping name or too many members is
 * refused before anything is inflated past its declared size), and its one text part goes through
 * the safe-XML guard (no DTD, so no entity bomb; bounded depth) before its words are taken out.
 * A .doc (the old binary format) is read by word-extractor.
 */
const OFFICE_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxTotalBytes: 200 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

const TEXT_PART = { docx: 'word/document.xml', odt: 'content.xml' } as const;

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** The words of WordprocessingML (w:t in w:p) or ODF (text:p, text:h), one paragraph a line. */
export function wordsOfOfficeXml(xml: string, kind: 'docx' | 'odt'): string {
  const out: string[] = [];
  const token = /<(\/?)([\w:.-]+)[^>]*?(\/?)>|([^<]+)/g;
  let inText = 0;
  for (const match of xml.matchAll(token)) {
    const [, closing, tag, selfClosing, chars] = match;
    if (chars !== undefined) {
      if (inText > 0) out.push(decodeEntities(chars));
      continue;
    }
    if (kind === 'docx') {
      if (tag === 'w:t') inText += closing ? -1 : selfClosing ? 0 : 1;
      else if (tag === 'w:p' && closing) out.push('\n');
      else if (tag === 'w:tab' && !closing) out.push('\t');
      else if ((tag === 'w:br' || tag === 'w:cr') && !closing) out.push('\n');
    } else {
      if (tag === 'text:p' || tag === 'text:h') {
        if (closing) {
          inText -= 1;
          out.push('\n');
        } else if (selfClosing) out.push('\n');
        else inText += 1;
      } else if (inText > 0 && !closing) {
        if (tag === 'text:tab') out.push('\t');
        else if (tag === 'text:line-break') out.push('\n');
        else if (tag === 'text:s') out.push(' ');
      }
    }
    inText = Math.max(inText, 0);
  }
  return out.join('');
}

const tidy = (text: string) =>
  normalizeText(Buffer.from(text, 'utf8'), 'utf-8')
    .text.replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

const office = (text: string): ReadOutcome => ({
  state: 'read',
  method: 'office',
  pagesTotal: null,
  pagesRead: null,
  text,
  // the first page of a flowing document is not known: its first 3,000 characters stand in
  firstPageText: text.slice(0, 3000),
  // No pages in a word-processor file: its end holds the signature block.
  lastPageText: text.slice(-3000),
  reason: null,
});

export function readOfficeZip(bytes: Uint8Array, kind: 'docx' | 'odt'): ReadOutcome {
  const wanted = TEXT_PART[kind];
  let xml: Buffer | undefined;
  try {
    const listing = listZip(bytes, OFFICE_ZIP_LIMITS, (member, content) => {
      if (member.name === wanted) xml = content;
    });
    if ('unreadable' in listing || !xml) return notRead('file_damaged');
    return office(tidy(wordsOfOfficeXml(assertSafeXml(xml), kind)));
  } catch (error) {
    // the ZIP guard (bomb, unsafe name, too many members) or the XML guard (DTD, depth) said no
    if (isHubError(error)) return notRead('file_refused');
    throw error;
  }
}

export async function readDoc(bytes: Uint8Array): Promise<ReadOutcome> {
  // An OLE compound file starts with D0 CF 11 E0; anything else (an RTF renamed .doc) is not read.
  if (Buffer.from(bytes.subarray(0, 4)).toString('hex') !== 'd0cf11e0')
    return notRead('format_not_supported');
  try {
    const document = await new WordExtractor().extract(Buffer.from(bytes));
    return office(tidy(document.getBody()));
  } catch {
    return notRead('file_damaged');
  }
}
