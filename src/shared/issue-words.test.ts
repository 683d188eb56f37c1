import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issueInWords } from './issue-words.ts';

const wordsOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a refusal');
  return result.error.issues.map(issueInWords);
};

const Form = z.strictObject({
  name: z.string().trim().min(1).max(10),
  year: z.coerce.number().int().min(2000),
  promulgatedOn: z.iso.date().optional(),
  role: z.enum(['clerk', 'leader']).optional(),
});

describe('a validation issue in words', () => {
  it('names the field as people know it, says what is wrong, and keeps the request field', () => {
    expect(wordsOf(Form, { name: '', year: 2026 })).toEqual([
      { vi: 'Tên: không được để trống', en: 'Name: is required', field: 'name' },
    ]);
    expect(wordsOf(Form, { name: 'x'.repeat(11), year: 2026 })[0]).toMatchObject({
      vi: 'Tên: dài quá 10 ký tự: hãy rút gọn',
      field: 'name',
    });
    expect(wordsOf(Form, { name: 'a', year: 'abc' })[0]).toMatchObject({ vi: 'Năm: phải là một số' });
    expect(wordsOf(Form, { name: 'a', year: 1999 })[0]).toMatchObject({ vi: 'Năm: phải từ 2000 trở lên' });
    expect(wordsOf(Form, { name: 'a', year: 2026, promulgatedOn: '05/03/2026' })[0]).toMatchObject({
      vi: 'Ngày ban hành: phải là một ngày (năm-tháng-ngày, ví dụ 2026-03-05)',
      field: 'promulgatedOn',
    });
    expect(wordsOf(Form, { name: 'a', year: 2026, role: 'boss' })[0]?.vi).toBe(
      'Vai trò: phải là một trong: clerk, leader',
    );
  });

  it('says a missing field is required, and an unknown one is not taken', () => {
    expect(wordsOf(Form, { year: 2026 })[0]).toMatchObject({ vi: 'Tên: không được để trống', field: 'name' });
    expect(wordsOf(Form, { name: 'a', year: 2026, colour: 'red' })[0]?.vi).toBe(
      'Nội dung gửi lên: không được có: colour',
    );
  });

  it('keeps our own two-language messages, and names a field it has no words for by its name', () => {
    const Checked = z.object({
      code: z.string().refine(() => false, 'Mã không đúng dạng / the code has none of the accepted forms'),
      widget: z.string(),
    });
    const [custom, unknown] = wordsOf(Checked, { code: 'x', widget: 1 });
    expect(custom).toMatchObject({
      vi: 'Mã: Mã không đúng dạng',
      en: 'Code: the code has none of the accepted forms',
    });
    expect(unknown?.vi).toBe('Trường “widget”: có kiểu giá trị không đúng');
  });
});
