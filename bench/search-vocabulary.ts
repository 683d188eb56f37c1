// Realistic Vietnamese text for bench:search: a vocabulary of syllables ranked by a Zipf-like
// frequency (the words of administrative prose first, then generated syllables the spelling rules
// accept), and a pool of paragraphs drawn from it with a seeded generator, so every run builds the
// same corpus. Each seeded document's text is a handful of paragraphs from the pool.
import { isVietnameseSyllable } from '../src/text/index.ts';

const COMMON = `của và các có được trong cho theo về với là tại này những không đã người một để đến
  công tác quản lý nhà nước cơ quan đơn vị thực hiện ban hành quy định kế hoạch tỉnh huyện xã ủy ban
  nhân dân sở ngành báo cáo triển khai chỉ đạo đề nghị kinh phí ngân sách dự án đầu tư xây dựng đất
  đai thủ tục hành chính văn bản số ngày tháng năm điều khoản thông tư nghị định quyết định luật giao
  nhiệm vụ phối hợp kiểm tra giám sát chịu trách nhiệm tổ chức cá nhân doanh nghiệp hộ gia đình phát
  triển kinh tế xã hội an ninh trật tự môi trường giáo dục y tế văn hóa thể thao du lịch nông nghiệp
  thôn đường giao thông điện nước sinh hoạt cán bộ công chức viên chức lao động việc làm chính sách
  hỗ trợ bảo hiểm thuế phí lệ tài chính tài sản đấu giá mua sắm hợp đồng thanh toán quyết toán vốn
  chương trình mục tiêu quốc gia chuyển đổi số hệ thống phần mềm dữ liệu thông tin truyền tiếp nhận
  xử lý hồ sơ giải quyết khiếu nại tố cáo phòng chống thiên tai dịch bệnh cháy nổ cứu hộ cứu nạn`
  .split(/\s+/)
  .filter(Boolean);

const ONSETS = [
  'b',
  'c',
  'ch',
  'd',
  'đ',
  'g',
  'gi',
  'h',
  'kh',
  'l',
  'm',
  'n',
  'ng',
  'nh',
  'ph',
  'qu',
  's',
  't',
  'th',
  'tr',
  'v',
  'x',
  '',
];
const RHYMES = ['a', 'ac', 'ai', 'am', 'an', 'ang', 'anh', 'ao', 'at', 'ay', 'ăn', 'ăng', 'âm', 'ân', 'âu', 'ây', 'em', 'en', 'eo', 'êm', 'ên', 'ênh', 'êu', 'inh', 'iêu', 'iên', 'oa', 'oan', 'oang', 'oi', 'om', 'on', 'ong', 'ô', 'ôi', 'ông', 'ơ', 'ơi', 'ơn', 'u', 'ua', 'ui', 'un', 'ung', 'uôi', 'uông', 'ư', 'ưa', 'ưng', 'ương', 'ươi', 'uy', 'uyên']; // prettier-ignore
const TONES = ['', '\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
const HATTED = /[ăâêôơư]/u;

/** The tone mark goes on a hatted vowel, else before a final consonant on the last vowel, else on the first of two. */
function withTone(onset: string, rhyme: string, tone: string): string {
  // rhymes are NFC letters of the BMP: a code unit is a letter
  const letters = rhyme.split(/(?:)/u);
  const vowels = letters.map((c, i) => ({ c, i })).filter(({ c }) => /[aăâeêioôơuưy]/u.test(c));
  const hatted = vowels.filter(({ c }) => HATTED.test(c)).at(-1);
  const closed = !/[aăâeêioôơuưy]$/u.test(rhyme);
  const at = hatted ?? (closed || vowels.length === 1 ? vowels.at(-1) : vowels[0]);
  if (!at) return onset + rhyme;
  const chars = [...letters];
  chars[at.i] = `${chars[at.i] ?? ''}${tone}`;
  return (onset + chars.join('')).normalize('NFC');
}

/** The vocabulary, most frequent first: COMMON, then ~5,000 generated syllables in a shuffled order. */
export function vocabulary(random: () => number): string[] {
  const seen = new Set(COMMON);
  const generated: string[] = [];
  for (const onset of ONSETS)
    for (const rhyme of RHYMES)
      for (const tone of TONES) {
        const word = withTone(onset, rhyme, tone);
        if (!seen.has(word) && isVietnameseSyllable(word)) {
          seen.add(word);
          generated.push(word);
        }
      }
  for (let i = generated.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [generated[i], generated[j]] = [generated[j] as string, generated[i] as string];
  }
  return [...COMMON, ...generated];
}

/** Paragraphs of `words` words, each word drawn with probability ∝ 1 / rank (Zipf, s = 1). */
export function paragraphPool(words: readonly string[], count: number, length: number, random: () => number) {
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= words.length; r += 1) cumulative.push((total += 1 / r));
  const draw = () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo] ?? '';
  };
  return Array.from({ length: count }, () => {
    const sentence = Array.from({ length }, draw);
    sentence[0] = `${sentence[0]?.[0]?.toUpperCase() ?? ''}${sentence[0]?.slice(1) ?? ''}`;
    return `${sentence.join(' ')}.`;
  });
}
