import { describe, expect, it } from 'vitest';
import { firstPageFields } from './first-page-fields.ts';

// pdftotext of a born-digital quyết định: the header's columns one after the other.
const BORN_DIGITAL_DECISION = `UBND TỈNH BẮC NINH
SỞ Y TẾ

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 12/QĐ-SYT

Bắc Ninh, ngày 05 tháng 3 năm 2026

QUYẾT ĐỊNH
Về việc kiện toàn Ban Chỉ đạo cải cách hành chính
của Sở Y tế năm 2026
GIÁM ĐỐC SỞ Y TẾ TỈNH BẮC NINH
Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;
Xét đề nghị của Chánh Văn phòng Sở,
QUYẾT ĐỊNH:
Điều 1. Kiện toàn Ban Chỉ đạo cải cách hành chính của Sở Y tế.
Nơi nhận:
- Như Điều 3;
- Lưu: VT, VP.

KT. GIÁM ĐỐC
PHÓ GIÁM ĐỐC

Nguyễn Văn An
`;

// Tesseract of a 200 dpi scan of a công văn: the columns read row by row, OCR noise.
const NOISY_CONG_VAN = `ỦY BAN NHÂN DÂN . CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
TĨNH NGHỆ AN Độc lập - Tự do - Hạnh phúc -

S6: 1234 / UBND - VP __ Nghệ An, ngảy 09 tháng 02 năm 2026
V/v tăng cường công tác phòng,
chống dịch bệnh mùa mưa bão

| HỎA TỐC |

Kính gửi: Các sở, ban, ngành cấp tỉnh.
Thực hiện chỉ đạo của Thủ tướng Chính phủ, Ủy ban nhân dân tỉnh đề nghị các cơ quan
khẩn trương triển khai các biện pháp phòng, chống dịch bệnh.

Nơi nhận: TM. ỦY BAN NHÂN DÂN
- Như trên; KT. CHỦ TỊCH
- Lưu: VT, KGVX. PHÓ CHỦ TỊCH

Lê Thị Mai
`;

describe('firstPageFields on a born-digital decision', () => {
  const fields = firstPageFields(BORN_DIGITAL_DECISION);

  it('reads số and ký hiệu exactly, from the "Số:" line', () => {
    expect(fields.numberAndNotation?.value).toBe('12/QĐ-SYT');
    expect(fields.number?.value).toBe('12');
    expect(fields.notation?.value).toBe('QĐ-SYT');
    expect(fields.numberAndNotation?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(fields.numberAndNotation?.source).toEqual({ line: 'Số: 12/QĐ-SYT', lineIndex: 6, page: 'first' });
  });

  it('reads place and date from the promulgation line, not from the Căn cứ', () => {
    expect(fields.place?.value).toBe('Bắc Ninh');
    expect(fields.date?.value).toBe('2026-03-05');
    expect(fields.date?.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('takes the body under its parent and never the quốc hiệu', () => {
    expect(fields.issuingBody?.value).toBe('SỞ Y TẾ');
    expect(fields.parentBody?.value).toBe('UBND TỈNH BẮC NINH');
  });

  it('reads the type line and the trích yếu over two lines', () => {
    expect(fields.documentType?.value.name).toBe('Quyết định (cá biệt)');
    expect(fields.documentType?.confidence).toBeGreaterThanOrEqual(0.9);
    expect(fields.summary?.value).toBe(
      'Về việc kiện toàn Ban Chỉ đạo cải cách hành chính của Sở Y tế năm 2026',
    );
  });

  it('reads the signer and position from the signature block', () => {
    expect(fields.signerName?.value).toBe('Nguyễn Văn An');
    expect(fields.signerPosition?.value).toBe('PHÓ GIÁM ĐỐC');
    expect(fields.signingAuthority?.value).toBe('KT. GIÁM ĐỐC');
  });

  it('has no stamp', () => {
    expect(fields.urgency).toBeUndefined();
    expect(fields.confidentiality).toBeUndefined();
  });
});

describe('firstPageFields on a noisy OCR of a công văn', () => {
  const fields = firstPageFields(NOISY_CONG_VAN);

  it('reads "S6: 1234 / UBND - VP" as 1234/UBND-VP with less confidence', () => {
    expect(fields.numberAndNotation?.value).toBe('1234/UBND-VP');
    expect(fields.numberAndNotation?.confidence).toBeLessThan(0.9);
    expect(fields.numberAndNotation?.confidence).toBeGreaterThan(0.5);
  });

  it('reads the date out of the interleaved row, "ngảy" and all', () => {
    expect(fields.date?.value).toBe('2026-02-09');
    expect(fields.place?.value).toBe('Nghệ An');
    expect(fields.date?.confidence).toBeLessThan(0.9);
  });

  it('joins a body printed over two lines and repairs its locality word', () => {
    expect(fields.issuingBody?.value).toBe('ỦY BAN NHÂN DÂN TỈNH NGHỆ AN');
    expect(fields.parentBody).toBeUndefined();
    expect(fields.issuingBody?.confidence).toBeLessThan(0.9);
  });

  it('recognises a công văn from its "V/v" and joins the trích yếu', () => {
    expect(fields.documentType?.value.name).toBe('Công văn');
    expect(fields.summary?.value).toBe('V/v tăng cường công tác phòng, chống dịch bệnh mùa mưa bão');
  });

  it('holds the boxed urgency stamp and not "khẩn trương" in the text', () => {
    expect(fields.urgency?.value).toBe(3);
    expect(fields.confidentiality).toBeUndefined();
  });

  it('reads the signature block from the right side of rows shared with "Nơi nhận"', () => {
    expect(fields.signerName?.value).toBe('Lê Thị Mai');
    expect(fields.signerPosition?.value).toBe('PHÓ CHỦ TỊCH');
    expect(fields.signingAuthority?.value).toBe('TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH');
  });
});

describe('firstPageFields stamps', () => {
  it.each([
    ['MẬT', 'MẬT'],
    ['TỐI MẬT', 'TỐI MẬT'],
    ['[ TUYỆT MẬT ]', 'TUYỆT MẬT'],
    ['MẶT', 'MẬT'],
  ] as const)('holds the confidentiality stamp %s', (stamp, mark) => {
    const fields = firstPageFields(
      `BỘ NỘI VỤ\nSố: 7/BC-BNV\nHà Nội, ngày 01 tháng 6 năm 2025\n${stamp}\nBÁO CÁO\nTình hình công chức`,
    );
    expect(fields.confidentiality?.value).toBe(mark);
    expect(fields.documentType?.value.name).toBe('Báo cáo');
  });

  it('does not take "mật" inside a sentence or a trích yếu for a stamp', () => {
    const fields = firstPageFields(
      'BỘ CÔNG AN\nSố: 8/CV-BCA\nV/v bảo vệ bí mật nhà nước\nHà Nội, ngày 01 tháng 6 năm 2025\nCông tác bảo vệ bí mật nhà nước',
    );
    expect(fields.confidentiality).toBeUndefined();
    expect(fields.urgency).toBeUndefined();
  });

  it.each([
    ['THƯỢNG KHẨN', 2],
    ['KHẨN', 1],
    ['HOẢ TỐC', 3],
    ['HỎA TỐC HẸN GIỜ', 4],
  ] as const)('reads the urgency stamp %s', (stamp, level) => {
    const fields = firstPageFields(`SỞ TÀI CHÍNH\nSố: 45/STC-QLNS\n${stamp}\nV/v quyết toán kinh phí`);
    expect(fields.urgency?.value).toBe(level);
  });
});

describe('firstPageFields negative cases', () => {
  it('leaves out số when the page has none, and does not take one from a Căn cứ', () => {
    const fields = firstPageFields(`SỞ Y TẾ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bắc Ninh, ngày 12 tháng 4 năm 2026
THÔNG BÁO
Kết luận của Giám đốc Sở tại cuộc họp giao ban
Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ;`);
    expect(fields.numberAndNotation).toBeUndefined();
    expect(fields.number).toBeUndefined();
    expect(fields.date?.value).toBe('2026-04-12');
    expect(fields.issuingBody?.value).toBe('SỞ Y TẾ');
    expect(fields.documentType?.value.name).toBe('Thông báo');
  });

  it('never takes the quốc hiệu or the tiêu ngữ for the body', () => {
    const fields = firstPageFields(`CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 15/GM-UBND
Hà Nội, ngày 20 tháng 10 năm 2025
GIẤY MỜI`);
    expect(fields.issuingBody).toBeUndefined();
    expect(fields.parentBody).toBeUndefined();
    expect(fields.numberAndNotation?.value).toBe('15/GM-UBND');
    expect(fields.documentType?.value.name).toBe('Giấy mời');
  });

  it('rejects an impossible date (31 tháng 2) instead of prefilling it', () => {
    const fields = firstPageFields(`UBND TỈNH LÀO CAI
SỞ NỘI VỤ
Số: 3/KH-SNV
Lào Cai, ngày 31 tháng 2 năm 2026
KẾ HOẠCH`);
    expect(fields.date).toBeUndefined();
    expect(fields.place).toBeUndefined();
    expect(fields.numberAndNotation?.value).toBe('3/KH-SNV');
  });

  it('rejects a draft with the day and month left blank', () => {
    const fields = firstPageFields('SỞ XÂY DỰNG\nSố: /SXD-QLXD\nHà Nội, ngày     tháng     năm 2026');
    expect(fields.date).toBeUndefined();
    expect(fields.numberAndNotation).toBeUndefined();
  });

  it('returns nothing for an empty page and never throws on noise', () => {
    expect(firstPageFields('')).toEqual({});
    expect(() => firstPageFields('\f\u0000 ||| —— ,,, \n\n 12/ / - \n ngày tháng năm')).not.toThrow();
  });
});

describe('firstPageFields OCR repairs', () => {
  it('reads Đ misread as D in a type abbreviation, and "Sô:"', () => {
    const fields = firstPageFields(
      'UBND HUYỆN QUẾ VÕ\nPHÒNG NỘI VỤ\nSô: 07/QD-PNV\nQuế Võ, ngày 03 tháng 11 năm 2024\nQUYẾT ĐỊNH',
    );
    expect(fields.numberAndNotation?.value).toBe('07/QĐ-PNV');
    expect(fields.number?.value).toBe('07');
    expect(fields.numberAndNotation?.confidence).toBeLessThan(0.9);
  });

  it.each([
    ['Yên Phong, ngày 23 . 4 năm 2024.', '2024-04-23'],
    ['Yên Phong, ngày 29 ng 4 năm 2025.', '2025-04-29'],
    ['Nghệ An, ngày 04 thông 12 năm 2025', '2025-12-04'],
    ['Huế, ngày 05 4 năm 2023', '2023-04-05'],
  ])('reads the date of %j, "tháng" misread, with a lower confidence', (line, date) => {
    const fields = firstPageFields(
      `UBND HUYỆN YÊN PHONG\nPHÒNG NỘI VỤ\nSố: 12/PC-PNV\n${line}\nPHIẾU CHUYỂN`,
    );
    expect(fields.date?.value).toBe(date);
    expect(fields.date?.confidence).toBeLessThanOrEqual(0.6);
  });

  it('reads no date where the month is lost, and prefers the whole line over a misread one', () => {
    expect(
      firstPageFields('SỞ Y TẾ\nSố: 1/CV-SYT\nHuế, ngày 02 Hàng! năm 2025\nV/v họp').date,
    ).toBeUndefined();
    const both = firstPageFields(
      'SỞ Y TẾ\nSố: 1/CV-SYT\nHuế, ngày 02 tháng 5 năm 2025\nV/v họp ngày 3 . 6 năm 2025',
    );
    expect(both.date).toMatchObject({ value: '2025-05-02' });
    expect(both.date?.confidence).toBeGreaterThan(0.9);
  });

  it('puts a type abbreviation one letter off right by the type line', () => {
    const fields = firstPageFields(
      'SỞ Y TẾ\nSố: 99/TTIr-SYT\nBắc Ninh, ngày 16 tháng 12 năm 2023\nTỜ TRÌNH\nVề việc mua sắm thiết bị',
    );
    expect(fields.numberAndNotation?.value).toBe('99/TTr-SYT');
    expect(fields.numberAndNotation?.confidence).toBeLessThanOrEqual(0.75);
  });

  it('keeps a legal normative notation with its year', () => {
    const fields = firstPageFields(
      'CHÍNH PHỦ\nSố: 30/2020/NĐ-CP\nHà Nội, ngày 05 tháng 3 năm 2020\nNGHỊ ĐỊNH\nVề công tác văn thư',
    );
    expect(fields.numberAndNotation?.value).toBe('30/2020/NĐ-CP');
    expect(fields.notation?.value).toBe('2020/NĐ-CP');
    expect(fields.issuingBody?.value).toBe('CHÍNH PHỦ');
  });
});

describe('firstPageFields signature on the last page', () => {
  it('takes the signer from the last page when it is given', () => {
    const first = `SỞ TÀI CHÍNH\nSố: 45/BC-STC\nThanh Hóa, ngày 10 tháng 9 năm 2025\nBÁO CÁO\nKết quả thu ngân sách\nI. TÌNH HÌNH THU`;
    const last = `3. Kiến nghị các bộ, ngành.\nNơi nhận:\n- UBND tỉnh;\n- Lưu: VT.\nGIÁM ĐỐC\n\nTrần Quốc Hùng`;
    const fields = firstPageFields(first, last);
    expect(fields.signerName).toMatchObject({ value: 'Trần Quốc Hùng', source: { page: 'last' } });
    expect(fields.signerPosition?.value).toBe('GIÁM ĐỐC');
    expect(fields.summary?.value).toBe('Kết quả thu ngân sách');
  });
});

describe('firstPageFields lost hyphen', () => {
  it('splits a notation whose hyphen OCR lost after the body initials, with low confidence', () => {
    const fields = firstPageFields(
      'UBND TỈNH QUẢNG NINH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSỞ NỘI VỤ Độc lập - Tự do - Hạnh phúc\n5ố:37/SNVTCBC _ Quảng Ninh, ngày 19 tháng 7 năm 2025\nV/v cử cán bộ tham gia lớp bồi\ndưỡng quản lý nhà nước',
    );
    expect(fields.numberAndNotation?.value).toBe('37/SNV-TCBC');
    expect(fields.numberAndNotation?.confidence).toBeLessThanOrEqual(0.6);
    expect(fields.issuingBody?.value).toBe('SỞ NỘI VỤ');
    expect(fields.date?.value).toBe('2025-07-19');
  });

  it('keeps a notation without a unit as it is', () => {
    const fields = firstPageFields(
      'ỦY BAN NHÂN DÂN\nTỈNH CÀ MAU\nSố: 88/UBND\nCà Mau, ngày 02 tháng 01 năm 2026\nV/v báo cáo tình hình',
    );
    expect(fields.numberAndNotation).toMatchObject({ value: '88/UBND', confidence: 0.95 });
  });
});

describe('firstPageFields notation beside the place', () => {
  it("stops the notation before the next column's place when OCR joins them with a dash", () => {
    const fields = firstPageFields(
      'ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTHÀNH PHỐ HUẾ Độc lập - Tự do - Hạnh phúc\nSố: 3717/UBND-KT - Huế, ngày 24 tháng 8 năm 2025',
    );
    expect(fields.numberAndNotation?.value).toBe('3717/UBND-KT');
    expect(fields.place?.value).toBe('Huế');
    expect(fields.date?.value).toBe('2025-08-24');
  });
});

describe('firstPageFields split number', () => {
  it('joins the digits of a number OCR split with a space', () => {
    const fields = firstPageFields('SỞ Y TẾ\nSố: 1 172/SYT-NVY\nBắc Ninh, ngày 11 tháng 10 năm 2024');
    expect(fields.numberAndNotation?.value).toBe('1172/SYT-NVY');
    expect(fields.numberAndNotation?.confidence).toBeLessThan(0.9);
  });
});

describe('firstPageFields body and place', () => {
  it('spells the locality in the body as the date line does', () => {
    const fields = firstPageFields(
      'ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTHÀNH PHỐ HÁI PHÒNG Độc lập - Tự do - Hạnh phúc\nSố: 94/UBND-VP Hải Phòng, ngày 02 tháng 11 năm 2023',
    );
    expect(fields.issuingBody?.value).toBe('ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG');
    expect(fields.issuingBody?.confidence).toBeLessThan(0.8);
  });
});

describe('firstPageFields on a trích yếu wrapped before its year', () => {
  it('keeps the year that went to a line of its own, and stops at the body', () => {
    const fields = firstPageFields(
      [
        'SỞ TÀI CHÍNH',
        'Số: 77/QĐ-STC',
        'Tây Ninh, ngày 05 tháng 3 năm 2026',
        'QUYẾT ĐỊNH',
        'Về việc phê duyệt kế hoạch kiểm tra công tác văn thư năm',
        '2026',
        'Điều 1. Phê duyệt kế hoạch kèm theo Quyết định này.',
      ].join('\n'),
    );
    expect(fields.summary?.value).toBe('Về việc phê duyệt kế hoạch kiểm tra công tác văn thư năm 2026');
  });
});
