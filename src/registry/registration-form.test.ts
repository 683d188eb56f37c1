import { describe, expect, it } from 'vitest';
import { prefillRegistrationForm } from './registration-form.ts';

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
