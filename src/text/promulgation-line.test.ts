import { describe, expect, it } from 'vitest';
import { parsePromulgationLine } from './promulgation-line.ts';

describe('parsePromulgationLine', () => {
  it.each([
    ['Tây Ninh, ngày 22 tháng 10 năm 2014', 'Tây Ninh', '2014-10-22'],
    ['Hà Nội, ngày 05 tháng 3 năm 2020', 'Hà Nội', '2020-03-05'],
    ['TP. Hồ Chí Minh, ngày 1 tháng 1 năm 2021.', 'TP. Hồ Chí Minh', '2021-01-01'],
    ['  Tây  Ninh ,  Ngày 29 tháng 02 năm 2024 ', 'Tây Ninh', '2024-02-29'],
    ['ngày 31 tháng 12 năm 2019', null, '2019-12-31'],
  ])('reads %j', (line, place, date) => {
    expect(parsePromulgationLine(line)).toEqual({ kind: 'promulgation', place, date });
  });

  it('reads a line whose text is decomposed (NFD)', () => {
    expect(parsePromulgationLine('Tây Ninh, ngày 22 tháng 10 năm 2014'.normalize('NFD'))).toMatchObject({
      place: 'Tây Ninh',
      date: '2014-10-22',
    });
  });

  it.each([
    'Tây Ninh, ngày 30 tháng 2 năm 2014',
    'Hà Nội, ngày 29 tháng 2 năm 2023',
    'ngày 1 tháng 13 năm 2020',
    'ngày 0 tháng 5 năm 2020',
  ])('refuses the impossible date in %j clearly', (line) => {
    const result = parsePromulgationLine(line);
    expect(result).toMatchObject({ kind: 'not-a-date-line', reason: 'invalid-date' });
    if (result.kind === 'not-a-date-line')
      expect(result.message).toMatch(/không tồn tại.*not a calendar date/u);
  });

  it('refuses a draft line whose day and month are not filled in', () => {
    expect(parsePromulgationLine('Tây Ninh, ngày … tháng … năm 2020')).toMatchObject({ reason: 'unfilled' });
    expect(parsePromulgationLine('Hà Nội, ngày    tháng    năm 2020')).toMatchObject({ reason: 'unfilled' });
    expect(parsePromulgationLine('Hà Nội, ngày ..... tháng ..... năm 2020')).toMatchObject({
      reason: 'unfilled',
    });
  });

  it('says a line without a date is not a date line', () => {
    expect(parsePromulgationLine('Kính gửi: Sở Tài chính')).toMatchObject({
      kind: 'not-a-date-line',
      reason: 'no-date',
    });
    expect(parsePromulgationLine('')).toMatchObject({ reason: 'no-date' });
  });
});
