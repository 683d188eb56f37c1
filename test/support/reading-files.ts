import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import PDFDocument from 'pdfkit';
import { zipFiles } from '../../src/edxml/index.ts';

/**
 * Files for the reading tests, made here rather than kept as binaries: PDFs by pdfkit with
 * DejaVu Serif embedded (Vietnamese text in a real text layer), a scan made the way scanners make
 * them (a page rasterised by pdftoppm, put back into a PDF as an image, no text layer), office
 * files zipped by the hub's own ZIP writer.
 */
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf';
const run = promisify(execFile);

export function pdfOf(
  pages: readonly string[],
  options: { userPassword?: string; fontSize?: number } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 72,
      ...(options.userPassword ? { userPassword: options.userPassword, ownerPassword: 'owner' } : {}),
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
    doc.registerFont('serif', FONT);
    doc.font('serif').fontSize(options.fontSize ?? 14);
    pages.forEach((text, index) => {
      if (index > 0) doc.addPage();
      doc.text(text);
    });
    doc.end();
  });
}

/** One page image (PNG, greyscale, 200 dpi) of the first page of a PDF. */
export async function pageImage(pdf: Buffer): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reading-fixture-'));
  try {
    await writeFile(path.join(dir, 'in.pdf'), pdf);
    await run(
      'pdftoppm',
      ['-f', '1', '-l', '1', '-r', '200', '-gray', '-png', '-singlefile', 'in.pdf', 'page'],
      {
        cwd: dir,
      },
    );
    return await readFile(path.join(dir, 'page.png'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A scanned document: each page an image, no text layer; with `signature`, the visible text a
 * digital signature puts over the first page ("Ký bởi: …"), as signed scans carry.
 */
export function scanOf(images: readonly Buffer[], signature?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, bufferPages: true });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
    for (const image of images) {
      doc.addPage();
      doc.image(image, 0, 0, { width: doc.page.width, height: doc.page.height });
    }
    if (signature) {
      doc.switchToPage(0);
      doc.registerFont('serif', FONT);
      doc.font('serif').fontSize(7).text(signature, 380, 760, { width: 200 });
    }
    doc.end();
  });
}

const xml = (body: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${body}`);

/** A .docx whose paragraphs are the given lines (WordprocessingML, as Word writes the essentials). */
export function docxOf(paragraphs: readonly string[]): Buffer {
  const body = paragraphs
    .map(
      (p) =>
        `<w:p><w:r><w:t xml:space="preserve">${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</w:t></w:r></w:p>`,
    )
    .join('');
  return zipFiles([
    {
      name: '[Content_Types].xml',
      content: xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      ),
    },
    {
      name: 'word/document.xml',
      content: xml(
        `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
      ),
    },
  ]);
}

/** A .odt with the given paragraphs. */
export function odtOf(paragraphs: readonly string[]): Buffer {
  const body = paragraphs.map((p) => `<text:p>${p}</text:p>`).join('');
  return zipFiles([
    { name: 'mimetype', content: Buffer.from('application/vnd.oasis.opendocument.text') },
    {
      name: 'content.xml',
      content: xml(
        `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>${body}</office:text></office:body></office:document-content>`,
      ),
    },
  ]);
}

/** A .docx whose text part inflates from a few KB to 60 MB. */
export function zipBombDocx(): Buffer {
  return zipFiles([{ name: 'word/document.xml', content: Buffer.alloc(60 * 1024 * 1024, 0x41) }]);
}

/** A .docx whose XML declares entities (the "billion laughs"). */
export function entityBombDocx(): Buffer {
  return zipFiles([
    {
      name: 'word/document.xml',
      content: xml(
        '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>',
      ),
    },
  ]);
}
