/**
 * Which received files the hub reads the text of (src/reading), known by content type or, since
 * mail clients often say application/octet-stream, by the file name's extension.
 */
export type ReadableKind = 'pdf' | 'image' | 'docx' | 'odt' | 'doc';

const BY_TYPE: Readonly<Record<string, ReadableKind>> = {
  'application/pdf': 'pdf',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/jpg': 'image',
  'image/tiff': 'image',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/msword': 'doc',
};

const BY_EXTENSION: Readonly<Record<string, ReadableKind>> = {
  pdf: 'pdf',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  tif: 'image',
  tiff: 'image',
  docx: 'docx',
  odt: 'odt',
  doc: 'doc',
};

export function readableKindOf(name: string, contentType: string): ReadableKind | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const extension = /\.([a-z0-9]{2,5})$/i.exec(name.trim())?.[1]?.toLowerCase() ?? '';
  return BY_TYPE[type] ?? BY_EXTENSION[extension];
}

/**
 * Why a file was not read, or read only in part: catalogue keys, stored in file_text.reason and
 * put into words by the console (i18n.js `readingReasons`), never English sentences.
 */
export const READING_REASONS = [
  /** read, but only the first pages (the page budget, LIENTHONG_READING_MAX_PAGES) */
  'pages_over_budget',
  /** the reading took longer than LIENTHONG_READING_MAX_SECONDS */
  'time_budget',
  /** the PDF is protected by a password */
  'pdf_encrypted',
  /** the file is damaged or not what its name says */
  'file_damaged',
  /** a format the hub does not read */
  'format_not_supported',
  /** an office file whose ZIP is a bomb or unsafe, or whose XML is refused by the safe-XML guard */
  'file_refused',
  /** a scanned page, with OCR switched off (LIENTHONG_READING_OCR=off) */
  'ocr_off',
  /** the reader crashed on it three times */
  'reader_crashed',
  /** the file's bytes are not in the store */
  'file_missing',
  /** pdftotext, pdftoppm or tesseract is not installed */
  'tool_missing',
] as const;

export type ReadingReason = (typeof READING_REASONS)[number];
