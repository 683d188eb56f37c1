import { describe, expect, it } from 'vitest';
import { findConfidentialityStamp } from './confidentiality-stamp.ts';

describe('findConfidentialityStamp', () => {
  it.each([
    ['UBND TỈNH TÂY NINH\nSố: 12/QĐ-UBND\nMẬT\nQUYẾT ĐỊNH', 'Mật', 3],
    ['Số: 12/KH-UBND\n\n  TỐI MẬT  \nKẾ HOẠCH', 'Tối mật', 3],
    ['TUYỆT MẬT\nCÔNG VĂN', 'Tuyệt mật', 1],
    ['| TỐI MẬT |\nvề việc', 'Tối mật', 1],
    ['[MẬT]', 'Mật', 1],
    ['“MẬT”.', 'Mật', 1],
    ['Độ mật: TỐI MẬT', 'Tối mật', 1],
    // what OCR makes of the stamp's marks
    ['MÂT', 'Mật', 1],
    ['TOI MAT', 'Tối mật', 1],
    ['TUYÊT  MẶT', 'Tuyệt mật', 1],
    // a vowel read twice, one letter off in the long word, the space lost (seen on 200 dpi scans)
    ['TUYẾỆT MẬT:.', 'Tuyệt mật', 1],
    ['TỐỐI MẬT', 'Tối mật', 1],
    ['TUVỆT MẬT', 'Tuyệt mật', 1],
    ['TUYỆTMẬT', 'Tuyệt mật', 1],
    ['MẤT', 'Mật', 1],
    // decomposed input (NFD) is read as NFC
    ['TỐI MẬT'.normalize('NFD'), 'Tối mật', 1],
  ])('finds the stamp in %j', (text, level, line) => {
    expect(findConfidentialityStamp(text)).toEqual({ level, line });
  });

  it.each([
    'Đề nghị các đơn vị giữ bí mật thông tin về kế hoạch này.',
    'Mật khẩu đăng nhập hệ thống được cấp riêng.',
    'Đồng chí cần đổi mật khẩu\nmật\nngay',
    'BẢO VỆ BÍ MẬT NHÀ NƯỚC',
    'Mật',
    'ỦY BAN MẶT TRẬN TỔ QUỐC',
    'MẬT KHẨU',
    'KHÔNG MẬT',
    // one letter off in a short word is another word, not a stamp
    'TÔ MẬT',
    'MẬU',
    'TỐI MẬT KHẨU',
    'THUẾ MẬT',
    'Quyết định về việc ban hành danh mục bí mật nhà nước\nTỐI MẬT là độ mật cao hơn MẬT',
    '',
  ])('finds no stamp in %j', (text) => {
    expect(findConfidentialityStamp(text)).toBeNull();
  });
});
