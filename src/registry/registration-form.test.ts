import { describe, expect, it } from 'vitest';
import { prefillRecord, prefillRegistrationForm, prefillSources } from './registration-form.ts';

const item = (metadata: unknown) => ({ subject: null, senderOrganId: null, metadata });
const edoc = (documentType: object, code: object = { number: '1234', notation: 'UBND-VP' }) => ({
  kind: 'edoc',
  subject: 'V/v báo cáo',
  code,
  documentType,
});

describe('prefillRegistrationForm: the document type of a received package', () => {
  it('is the NĐ 30 type its TypeName names, whatever its Type number (Type 71 "Công văn" is a Công văn)', () => {
    expect(prefillRegistrationForm(item(edoc({ type: 71, name: 'Công văn' })), {}).documentType).toBe(
      'Công văn',
    );
    expect(prefillRegistrationForm(item(edoc({ type: 1, name: 'cong van' })), {}).documentType).toBe(
      'Công văn',
    );
  });

  it('comes from the notation when there is no TypeName (12/GM-UBND is a Giấy mời)', () => {
    const form = prefillRegistrationForm(item(edoc({ type: 71 }, { number: '12', notation: 'GM-UBND' })), {});
    expect(form.documentType).toBe('Giấy mời');
  });

  it('keeps a TypeName outside NĐ 30 as written, and the clerk’s edit wins', () => {
    expect(prefillRegistrationForm(item(edoc({ name: 'Lịch làm việc' })), {}).documentType).toBe(
      'Lịch làm việc',
    );
    expect(
      prefillRegistrationForm(item(edoc({ name: 'Công văn' })), { documentType: 'Thông báo' }).documentType,
    ).toBe('Thông báo');
  });

  it('leaves what a mail reader found as it is', () => {
    expect(
      prefillRegistrationForm(item({ documentType: 'Công văn', notation: '12/GM-UBND' }), {}).documentType,
    ).toBe('Công văn');
  });
});

describe('prefillRegistrationForm: a mail', () => {
  it('takes số, ký hiệu and the type from the notation its subject carried ("Giấy mời số 12/GM-UBND …")', () => {
    // What the mail reader stores (ingest/message-analysis.ts): no kind, no documentType.
    const form = prefillRegistrationForm(
      item({
        subject: 'Về dự họp giao ban',
        code: { number: '12', notation: 'GM-UBND' },
        notation: '12/GM-UBND',
      }),
      {},
    );
    expect([form.notation, form.documentType]).toEqual(['12/GM-UBND', 'Giấy mời']);
  });

  it('names no type for a mail without a notation', () => {
    expect(prefillRegistrationForm(item({ subject: 'Thông báo' }), {}).documentType).toBeUndefined();
  });
});

describe('prefillRegistrationForm: what was read from the document’s page', () => {
  const read = {
    notation: { value: '45/QĐ-UBND', confidence: 0.95 },
    promulgatedOn: { value: '2026-03-05', confidence: 0.9 },
    signer: { value: 'Nguyễn Văn An', confidence: 0.4 },
    documentType: { value: 'Quyết định', confidence: 0.9 },
  };

  it('fills what a mail did not say, and replaces its subject line where the reader is sure', () => {
    const mail = {
      subject: 'Gửi văn bản',
      senderOrganId: null,
      source: 'smtp',
      metadata: { subject: 'Gửi văn bản', code: { number: '12', notation: 'UBND-VP' } },
      readFields: read,
    };
    const form = prefillRegistrationForm(mail, {});
    expect(form).toMatchObject({
      subject: 'Gửi văn bản',
      notation: '45/QĐ-UBND',
      promulgatedOn: '2026-03-05',
      signer: 'Nguyễn Văn An',
      documentType: 'Quyết định',
    });
    expect(prefillSources(mail)).toMatchObject({
      subject: { from: 'mail' },
      notation: { from: 'page', confidence: 0.95 },
      signer: { from: 'page', confidence: 0.4 },
    });
  });

  it('never overrides a package’s signed header; the page only fills its gaps', () => {
    const pkg = {
      subject: null,
      senderOrganId: null,
      source: 'amqp',
      metadata: edoc({ name: 'Công văn' }),
      readFields: read,
    };
    const form = prefillRegistrationForm(pkg, {});
    expect([form.notation, form.documentType, form.promulgatedOn]).toEqual([
      '1234/UBND-VP',
      'Công văn',
      '2026-03-05',
    ]);
    expect(prefillSources(pkg).notation).toEqual({ from: 'package' });
  });

  it('offers an unsure reading only where nothing else knows the field', () => {
    const mail = {
      subject: null,
      senderOrganId: null,
      source: 'imap',
      metadata: { signer: { fullName: 'Trần Thị Bình' } },
      readFields: read,
    };
    expect(prefillRegistrationForm(mail, {}).signer).toBe('Trần Thị Bình');
  });

  it('keeps what was read, what was offered and which fields the clerk changed', () => {
    const mail = {
      subject: 'Gửi văn bản',
      senderOrganId: null,
      source: 'smtp',
      metadata: {},
      readFields: read,
    };
    const record = prefillRecord(mail, {
      subject: 'Về việc phê duyệt kế hoạch',
      notation: '45/QĐ-UBND',
      promulgatedOn: '2026-03-06',
    });
    expect(record.changed.sort()).toEqual(['promulgatedOn', 'subject']);
    expect(record.read).toBe(read);
    expect(record.prefilled.promulgatedOn).toBe('2026-03-05');
  });
});
