// Seeds a register of realistic Vietnamese documents for bench:registry, in one INSERT … SELECT over
// generate_series (no per-row round trips). Subjects, notations and senders are assembled in SQL from
// the fragments below; each fragment's folded form is computed here with the registry's own
// foldForSearch, and folding works character by character, so fold(a + ' ' + b) = fold(a) + ' ' + fold(b):
// the stored search_text is exactly what registration would have written (checked on a sample).
import type pg from 'pg';
import { foldForSearch } from '../src/registry/index.ts';

export const DOC_TYPES: [string, string][] = [
  ['Quyết định', 'QĐ'],
  ['Công văn', ''],
  ['Kế hoạch', 'KH'],
  ['Thông báo', 'TB'],
  ['Báo cáo', 'BC'],
  ['Tờ trình', 'TTr'],
  ['Chỉ thị', 'CT'],
  ['Giấy mời', 'GM'],
  ['Hướng dẫn', 'HD'],
  ['Nghị quyết', 'NQ'],
];

export const TOPICS = [
  'phê duyệt dự toán ngân sách nhà nước',
  'triển khai chuyển đổi số trong cơ quan nhà nước',
  'tổ chức hội nghị tổng kết công tác',
  'kiểm tra an toàn vệ sinh thực phẩm',
  'phòng, chống thiên tai và tìm kiếm cứu nạn',
  'bồi thường, hỗ trợ giải phóng mặt bằng',
  'cấp giấy chứng nhận quyền sử dụng đất',
  'tuyển dụng viên chức sự nghiệp giáo dục',
  'khen thưởng tập thể, cá nhân có thành tích xuất sắc',
  'cải cách thủ tục hành chính',
  'điều chỉnh quy hoạch sử dụng đất',
  'phòng, chống dịch bệnh trên gia súc, gia cầm',
  'quản lý trật tự xây dựng đô thị',
  'thực hiện chương trình mục tiêu quốc gia xây dựng nông thôn mới',
  'giao chỉ tiêu kế hoạch phát triển kinh tế – xã hội',
  'đảm bảo an ninh trật tự dịp Tết Nguyên đán',
  'tăng cường công tác phòng cháy, chữa cháy',
  'thanh tra việc chấp hành pháp luật về đất đai',
  'hỗ trợ hộ nghèo, hộ cận nghèo',
  'sắp xếp đơn vị hành chính cấp xã',
  'bổ nhiệm cán bộ lãnh đạo, quản lý',
  'thu hồi đất để thực hiện dự án',
  'công khai tài chính ngân sách',
  'tổ chức kỳ thi tốt nghiệp trung học phổ thông',
  'quyết toán vốn đầu tư dự án hoàn thành',
  'phân bổ kinh phí sự nghiệp môi trường',
  'bảo vệ và phát triển rừng',
  'nâng cấp tuyến đường giao thông nông thôn',
  'tiếp công dân định kỳ',
  'giải quyết đơn khiếu nại, tố cáo',
];

export const PLACES = [
  'thành phố Tây Ninh',
  'thị xã Hòa Thành',
  'thị xã Trảng Bàng',
  'huyện Châu Thành',
  'huyện Dương Minh Châu',
  'huyện Tân Biên',
  'huyện Tân Châu',
  'huyện Gò Dầu',
  'huyện Bến Cầu',
  'xã Long Thành Bắc',
  'phường Ninh Sơn',
  'xã Thạnh Đức',
  'xã Phước Vinh',
  'khu kinh tế cửa khẩu Mộc Bài',
  'khu công nghiệp Phước Đông',
  'địa bàn tỉnh',
];

export const PERIODS = [
  'năm 2022',
  'năm 2023',
  'năm 2024',
  'năm 2025',
  'năm 2026',
  'quý I',
  'quý II',
  'quý III',
  '6 tháng đầu năm',
  'giai đoạn 2021–2025',
];

/** Uncommon details: each appears in about one document in 8,000. */
export const RARE = [
  'nuôi chim yến',
  'trồng nấm bào ngư',
  'cầu Gò Chai',
  'kênh Tân Hưng',
  'lễ hội Núi Bà Đen',
  'di tích Tòa Thánh Cao Đài',
  'hồ Dầu Tiếng',
  'vườn quốc gia Lò Gò – Xa Mát',
  'bánh tráng phơi sương',
  'muối tôm Tây Ninh',
  'cao su tiểu điền',
  'mãng cầu Bà Đen',
];

export type BenchAgency = { organId: string; name: string; abbr: string };

export const AGENCIES: BenchAgency[] = [
  { organId: '000.00.00.H53', name: 'UBND tỉnh Tây Ninh', abbr: 'UBND' },
  ...[
    'Sở Tài chính',
    'Sở Y tế',
    'Sở Giáo dục và Đào tạo',
    'Sở Nội vụ',
    'Sở Tư pháp',
    'Sở Xây dựng',
    'Sở Công Thương',
    'Sở Nông nghiệp và Môi trường',
    'Sở Văn hóa, Thể thao và Du lịch',
  ].map((name, i) => ({
    organId: `000.00.${String(11 + i).padStart(2, '0')}.H53`,
    name,
    abbr: `S${name
      .split(' ')
      .slice(1)
      .filter((w) => w[0] === w[0]?.toUpperCase())
      .map((w) => w[0])
      .join('')}`,
  })),
];

/** Senders: the hub's agencies plus districts and ministries, 60 in all. */
export const SENDERS: BenchAgency[] = [
  ...AGENCIES,
  ...PLACES.slice(0, 9).map((p, i) => ({
    organId: `000.${String(21 + i).padStart(2, '0')}.31.H53`,
    name: `UBND ${p}`,
    abbr: 'UBND',
  })),
  ...Array.from({ length: 41 }, (_, i) => ({
    organId: `G${String(10 + i).padStart(2, '0')}.01.00.00`,
    name: `Bộ ${['Tài chính', 'Y tế', 'Nội vụ', 'Tư pháp', 'Xây dựng', 'Công Thương', 'Giáo dục và Đào tạo'][i % 7] ?? ''} – Cục ${i + 1}`,
    abbr: ['BTC', 'BYT', 'BNV', 'BTP', 'BXD', 'BCT', 'BGDĐT'][i % 7] ?? 'B',
  })),
];

const fold = (values: string[]) => values.map(foldForSearch);

/**
 * Inserts `count` documents spread over the agencies (the provincial People's Committee holds 40%),
 * 2022 → today, 70% incoming; numbers are gapless per agency, direction and Vietnam year, and the
 * register counters are set to match so registrations continue the books.
 */
export async function seedDocuments(client: pg.Client, agencyIds: string[], count: number): Promise<void> {
  await client.query('SELECT setseed(0.42)');
  await client.query(
    `INSERT INTO document (id, agency_id, direction, year, number, registered_at, registered_by, notation, document_type,
                           subject, sender_organ_id, sender_name, promulgated_on, signer, priority, due_on, status_code, search_text)
     SELECT gen_random_uuid(), s.agency_id, s.direction,
            s.vn_year,
            row_number() OVER (PARTITION BY s.agency_id, s.direction, s.vn_year ORDER BY s.registered_at, s.i),
            s.registered_at, 'user:vanthu', s.notation, s.doc_type, s.subject, s.sender_organ_id, s.sender_name,
            (s.registered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - (s.i % 9),
            'Nguyễn Văn An', (s.i % 5)::int, NULL, CASE WHEN s.i % 3 = 0 THEN '03' END,
            s.subject_f || ' ' || s.notation_f || ' ' || s.sender_name_f || ' ' || lower(s.sender_organ_id)
       FROM (
         SELECT g.i, g.registered_at,
                extract(year FROM g.registered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int AS vn_year,
                ($1::uuid[])[CASE WHEN g.r_agency < 0.4 THEN 1 ELSE 2 + floor(g.r_agency * 1000)::int % (array_length($1::uuid[], 1) - 1) END] AS agency_id,
                CASE WHEN g.r_dir < 0.7 THEN 'incoming' ELSE 'outgoing' END::"Direction" AS direction,
                ($2::text[])[g.t] AS doc_type,
                ($2::text[])[g.t] || ' về việc ' || ($5::text[])[g.tp] || ' tại ' || ($7::text[])[g.pl] || ' ' || ($9::text[])[g.pe]
                  || CASE WHEN g.rare > 0 THEN ' (' || ($11::text[])[g.rare] || ')' ELSE '' END AS subject,
                ($3::text[])[g.t] || ' ve viec ' || ($6::text[])[g.tp] || ' tai ' || ($8::text[])[g.pl] || ' ' || ($10::text[])[g.pe]
                  || CASE WHEN g.rare > 0 THEN ' (' || ($12::text[])[g.rare] || ')' ELSE '' END AS subject_f,
                g.num || '/' || CASE WHEN ($4::text[])[g.t] = '' THEN '' ELSE ($4::text[])[g.t] || '-' END || ($15::text[])[g.snd] AS notation,
                g.num || '/' || CASE WHEN ($4::text[])[g.t] = '' THEN '' ELSE ($19::text[])[g.t] || '-' END || ($16::text[])[g.snd] AS notation_f,
                ($13::text[])[g.snd] AS sender_organ_id,
                ($14::text[])[g.snd] AS sender_name,
                ($17::text[])[g.snd] AS sender_name_f
           FROM (
             SELECT i,
                    timestamptz '2022-01-01 00:00:00+07' + (random() * (now() - timestamptz '2022-01-01 00:00:00+07')) AS registered_at,
                    random() AS r_agency, random() AS r_dir,
                    1 + floor(random() * array_length($2::text[], 1))::int AS t,
                    1 + floor(random() * array_length($5::text[], 1))::int AS tp,
                    1 + floor(random() * array_length($7::text[], 1))::int AS pl,
                    1 + floor(random() * array_length($9::text[], 1))::int AS pe,
                    CASE WHEN random() < 0.0015 THEN 1 + floor(random() * array_length($11::text[], 1))::int ELSE 0 END AS rare,
                    1 + floor(power(random(), 2) * 2000)::int AS num,
                    1 + floor(random() * array_length($13::text[], 1))::int AS snd
               FROM generate_series(1, $18::int) AS i
           ) g
       ) s`,
    [
      agencyIds,
      DOC_TYPES.map(([name]) => name),
      fold(DOC_TYPES.map(([name]) => name)),
      DOC_TYPES.map(([, abbr]) => abbr),
      TOPICS,
      fold(TOPICS),
      PLACES,
      fold(PLACES),
      PERIODS,
      fold(PERIODS),
      RARE,
      fold(RARE),
      SENDERS.map((s) => s.organId),
      SENDERS.map((s) => s.name),
      SENDERS.map((s) => s.abbr),
      fold(SENDERS.map((s) => s.abbr)),
      fold(SENDERS.map((s) => s.name)),
      count,
      fold(DOC_TYPES.map(([, abbr]) => abbr)),
    ],
  );
  await client.query(
    `INSERT INTO register_counter (agency_id, direction, year, last_number)
     SELECT agency_id, direction, year, max(number) FROM document GROUP BY 1, 2, 3`,
  );
}
