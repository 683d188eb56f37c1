import { describe, expect, it } from 'vitest';
import { readUrgencyMark } from './urgency-mark.ts';

describe('the urgency a mail subject is marked with (NĐ 30 độ khẩn)', () => {
  it.each([
    ['HỎA TỐC: Về việc phòng chống bão số 9', 3],
    ['Hoả tốc - Công văn 12/UBND-VP', 3],
    ['[Thượng khẩn] Báo cáo tình hình lũ', 2],
    ['KHẨN. Triệu tập họp', 1],
    ['Fw: Re: HỎA TỐC HẸN GIỜ Giấy mời họp 14h', 4],
    ['Giấy mời họp giao ban (KHẨN)', 1],
    ['Giấy mời họp [HOA TOC]', 3],
    ['Tổng hợp số liệu [thuong khan]', 2],
    // Decomposed tone marks (NFD) as some mail programs send them.
    ['HỎA TỐC: lịch họp'.normalize('NFD'), 3],
  ])('%s → %i', (subject, level) => {
    expect(readUrgencyMark(subject)).toBe(level);
  });

  it.each([
    'Về việc khẩn trương triển khai kế hoạch',
    'Đề nghị khẩn cấp hỗ trợ', // "khẩn cấp" inside the text is not a stamp
    'Khẩn trương báo cáo trước ngày 15',
    'Khan hiếm nguồn nước sinh hoạt',
    'Hoa tốc độ cao', // not a mark without brackets or tones
    '',
    '[Ban Tổ chức] lịch họp',
  ])('%j carries no mark', (subject) => {
    expect(readUrgencyMark(subject)).toBe(0);
  });

  it('takes the highest mark a subject carries', () => {
    expect(readUrgencyMark('KHẨN [HỎA TỐC] triệu tập')).toBe(3);
  });

  it('has no mark for a missing subject', () => {
    expect(readUrgencyMark(null)).toBe(0);
    expect(readUrgencyMark(undefined)).toBe(0);
  });
});
