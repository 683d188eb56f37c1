import type { z } from 'zod';
import { said, splitSaid, type Said } from './said.ts';

/**
 * A request's fields by the names people know them by, Vietnamese and English: a refusal names
 * the field in words ("Trích yếu"), never as `body.subject`.
 */
const FIELDS: Record<string, [string, string]> = {
  name: ['Tên', 'Name'],
  username: ['Tên đăng nhập', 'Username'],
  password: ['Mật khẩu', 'Password'],
  currentPassword: ['Mật khẩu hiện tại', 'Current password'],
  newPassword: ['Mật khẩu mới', 'New password'],
  displayName: ['Họ tên', 'Full name'],
  role: ['Vai trò', 'Role'],
  agency: ['Cơ quan', 'Agency'],
  organId: ['Mã định danh cơ quan', 'Agency code'],
  department: ['Phòng ban', 'Department'],
  departmentId: ['Phòng ban', 'Department'],
  assigneeId: ['Người xử lý', 'Assignee'],
  subject: ['Trích yếu', 'Subject'],
  notation: ['Số, ký hiệu', 'Number and notation'],
  documentType: ['Loại văn bản', 'Document type'],
  senderName: ['Cơ quan ban hành', 'Issuing body'],
  senderOrganId: ['Mã cơ quan ban hành', 'Issuing body code'],
  promulgatedOn: ['Ngày ban hành', 'Date issued'],
  signer: ['Người ký', 'Signer'],
  priority: ['Độ khẩn', 'Urgency'],
  dueOn: ['Hạn xử lý', 'Due date'],
  reason: ['Lý do', 'Reason'],
  note: ['Ghi chú', 'Note'],
  instruction: ['Ý kiến chỉ đạo', 'Instruction'],
  year: ['Năm', 'Year'],
  from: ['Từ ngày', 'From'],
  to: ['Đến ngày', 'To'],
  q: ['Từ khóa', 'Search words'],
  state: ['Trạng thái', 'State'],
  direction: ['Sổ (đến hoặc đi)', 'Register (incoming or outgoing)'],
  limit: ['Số dòng mỗi trang', 'Rows per page'],
  cursor: ['Trang tiếp theo', 'Next page'],
  sender: ['Nơi gửi', 'Sender'],
  recipients: ['Nơi nhận', 'Recipients'],
  email: ['Thư điện tử', 'E-mail'],
  emails: ['Địa chỉ thư điện tử', 'E-mail addresses'],
  aliases: ['Mã cũ', 'Former codes'],
  signaturePolicy: ['Yêu cầu chữ ký', 'Signature policy'],
  address: ['Địa chỉ thư điện tử', 'E-mail address'],
  channel: ['Kênh nhận', 'Channel'],
  duplicateOf: ['Văn bản gốc', 'Original document'],
  action: ['Loại thao tác', 'Kind of action'],
  statusCode: ['Trạng thái xử lý', 'Processing status'],
  sort: ['Sắp xếp', 'Sort order'],
  code: ['Mã', 'Code'],
  description: ['Mô tả', 'Description'],
};

function fieldWords(path: readonly PropertyKey[]): [string, string] {
  const named = [...path].reverse().find((key): key is string => typeof key === 'string');
  if (named === undefined) return ['Nội dung gửi lên', 'The request'];
  return FIELDS[named] ?? [`Trường “${named}”`, `Field “${named}”`];
}

const FORMATS: Record<string, [string, string]> = {
  date: [
    'phải là một ngày (năm-tháng-ngày, ví dụ 2026-03-05)',
    'must be a date (year-month-day, e.g. 2026-03-05)',
  ],
  datetime: ['phải là một thời điểm', 'must be a date and time'],
  email: ['phải là một địa chỉ thư điện tử', 'must be an e-mail address'],
  uuid: ['không phải mã mà hệ thống đã cấp', 'is not an identifier the hub gave out'],
  url: ['phải là một địa chỉ web', 'must be a web address'],
};

type Issue = z.core.$ZodIssue;

function problem(issue: Issue): [string, string] {
  switch (issue.code) {
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string')
        return min <= 1
          ? ['không được để trống', 'is required']
          : [`cần ít nhất ${min} ký tự`, `needs at least ${min} characters`];
      if (issue.origin === 'array') return [`cần ít nhất ${min} mục`, `needs at least ${min} entries`];
      return [`phải từ ${min} trở lên`, `must be ${min} or more`];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string')
        return [`dài quá ${max} ký tự: hãy rút gọn`, `is longer than ${max} characters: shorten it`];
      if (issue.origin === 'array') return [`có quá ${max} mục`, `has more than ${max} entries`];
      return [`phải từ ${max} trở xuống`, `must be ${max} or less`];
    }
    case 'invalid_type':
      return /received undefined/.test(issue.message)
        ? ['không được để trống', 'is required']
        : issue.expected === 'number' || issue.expected === 'int' || issue.expected === 'bigint'
          ? ['phải là một số', 'must be a number']
          : ['có kiểu giá trị không đúng', 'has the wrong kind of value'];
    case 'invalid_format': {
      const known = FORMATS[issue.format];
      if (known) return known;
      return ['không đúng định dạng', 'is not in the expected form'];
    }
    case 'invalid_value':
      return [
        `phải là một trong: ${issue.values.map(String).join(', ')}`,
        `must be one of: ${issue.values.map(String).join(', ')}`,
      ];
    case 'unrecognized_keys':
      return [
        `không được có: ${issue.keys.join(', ')}`,
        `has fields this request does not take: ${issue.keys.join(', ')}`,
      ];
    case 'not_multiple_of':
      return ['không phải bội số cho phép', 'is not an allowed step'];
    case 'custom': {
      // Our own checks write "Vietnamese / English" (the unsafe-character guard, the directory).
      const words = splitSaid(issue.message);
      return words ? [words.vi, words.en] : ['không hợp lệ', `is not valid (${issue.message})`];
    }
    case 'invalid_element':
    case 'invalid_key':
    case 'invalid_union':
      return ['không hợp lệ', 'is not valid'];
  }
}

/**
 * One validation issue in words: the field by its name, what is wrong, what to do. The field is
 * the request's first path element, the console's form field of the same name.
 */
export function issueInWords(issue: Issue): Said {
  const [fieldVi, fieldEn] = issue.code === 'unrecognized_keys' ? fieldWords([]) : fieldWords(issue.path);
  const [vi, en] = problem(issue);
  const field = issue.path.find((key): key is string => typeof key === 'string');
  return said(`${fieldVi}: ${vi}`, `${fieldEn}: ${en}`, field);
}
