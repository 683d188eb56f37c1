import { describe, expect, it } from 'vitest';
import { readDoc, readOfficeZip, wordsOfOfficeXml } from './read-office.ts';
import { zipFiles } from '../edxml/index.ts';

describe('wordsOfOfficeXml', () => {
  it('takes the words of WordprocessingML, one paragraph a line, tabs and breaks kept', () => {
    const xml =
      '<w:document><w:body><w:p><w:r><w:t>Số:</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve"> 12/QĐ </w:t></w:r></w:p>' +
      '<w:p><w:r><w:t>A &amp; B &lt;C&gt; &#273;&#x1ED3;ng</w:t><w:br/><w:t>dòng hai</w:t></w:r></w:p>' +
      '<w:p><w:r><w:instrText>PAGE</w:instrText><w:delText>đã xóa</w:delText></w:r></w:p></w:body></w:document>';
    expect(wordsOfOfficeXml(xml, 'docx')).toBe('Số:\t 12/QĐ \nA & B <C> đồng\ndòng hai\n\n');
  });

  it('takes the words of ODF text: paragraphs and headings, spaces and line breaks', () => {
    const xml =
      '<office:document-content><office:automatic-styles><style:style style:name="P1"/></office:automatic-styles>' +
      '<office:body><office:text><text:h>QUYẾT ĐỊNH</text:h><text:p>Điều<text:s/>1.<text:tab/>Phê duyệt<text:line-break/>kế hoạch</text:p><text:p/></office:text></office:body></office:document-content>';
    expect(wordsOfOfficeXml(xml, 'odt')).toBe('QUYẾT ĐỊNH\nĐiều 1.\tPhê duyệt\nkế hoạch\n\n');
  });
});

describe('readOfficeZip', () => {
  it('is a damaged file when the text part is missing or the bytes are no ZIP', () => {
    expect(
      readOfficeZip(zipFiles([{ name: 'other.xml', content: Buffer.from('<a/>') }]), 'docx'),
    ).toMatchObject({
      state: 'not_read',
      reason: 'file_damaged',
    });
    expect(readOfficeZip(Buffer.from('not a zip at all'), 'odt')).toMatchObject({ reason: 'file_damaged' });
  });

  it('refuses a member whose name climbs out of the folder', () => {
    const zip = zipFiles([{ name: '../word/document.xml', content: Buffer.from('<w:t>x</w:t>') }]);
    expect(readOfficeZip(zip, 'docx')).toMatchObject({ state: 'not_read', reason: 'file_refused' });
  });
});

describe('readDoc', () => {
  it('reads only OLE files; a damaged one is not read', async () => {
    expect(await readDoc(Buffer.from('{\\rtf1 Văn bản}'))).toMatchObject({ reason: 'format_not_supported' });
    const broken = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600, 0xff)]);
    expect(await readDoc(broken)).toMatchObject({ state: 'not_read', reason: 'file_damaged' });
  });
});
