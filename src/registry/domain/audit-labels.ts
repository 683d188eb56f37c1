/**
 * The audit trail in words: what each recorded action, actor component and detail means, in
 * Vietnamese and English. The trail itself keeps stable codes (they are hashed into the chain); an
 * admin reads these words, in the console and in the CSV export alike.
 */
export type Words = { vi: string; en: string };

const ACTIONS: Record<string, Words> = {
  'auth.sign-in': { vi: 'Đăng nhập', en: 'Signed in' },
  'auth.sign-in-refused': { vi: 'Đăng nhập bị từ chối', en: 'Sign-in refused' },
  'auth.sign-out': { vi: 'Đăng xuất', en: 'Signed out' },
  'auth.password-changed': { vi: 'Đổi mật khẩu', en: 'Changed their password' },
  'user.created': { vi: 'Tạo người dùng', en: 'Created a user' },
  'user.updated': { vi: 'Sửa thông tin người dùng', en: 'Changed a user' },
  'user.disabled': { vi: 'Khóa tài khoản', en: 'Locked an account' },
  'user.enabled': { vi: 'Mở khóa tài khoản', en: 'Unlocked an account' },
  'user.password-reset': { vi: 'Đặt lại mật khẩu', en: 'Reset a password' },
  'token.created': { vi: 'Cấp token API', en: 'Issued an API token' },
  'token.revoked': { vi: 'Thu hồi token API', en: 'Revoked an API token' },
  'agency.added': { vi: 'Thêm cơ quan', en: 'Added an agency' },
  'agency.updated': { vi: 'Sửa thông tin cơ quan', en: 'Changed an agency' },
  'agency.imported': { vi: 'Nhập danh bạ cơ quan', en: 'Imported the agency directory' },
  'agency.retired': { vi: 'Ngừng sử dụng cơ quan', en: 'Retired an agency' },
  'agency.code-closed': { vi: 'Đóng mã cơ quan (sáp nhập)', en: 'Closed an agency code (merger)' },
  'agency.signing-key-installed': {
    vi: 'Cài khóa ký số của cơ quan',
    en: "Installed an agency's signing key",
  },
  'agency.broker-credentials-issued': {
    vi: 'Cấp tài khoản kết nối cho cơ quan',
    en: 'Issued broker credentials to an agency',
  },
  'directory.merged': { vi: 'Sáp nhập tỉnh', en: 'Merged provinces' },
  'department.created': { vi: 'Tạo phòng ban', en: 'Created a department' },
  'department.renamed': { vi: 'Đổi tên phòng ban', en: 'Renamed a department' },
  'department.retired': { vi: 'Ngừng sử dụng phòng ban', en: 'Retired a department' },
  'intake.received': { vi: 'Tiếp nhận văn bản', en: 'Received a document' },
  'intake.quarantined': { vi: 'Cách ly văn bản', en: 'Quarantined a document' },
  'intake.registered': { vi: 'Vào sổ văn bản đến', en: 'Registered an incoming document' },
  'intake.rejected': { vi: 'Từ chối văn bản', en: 'Rejected a document' },
  'intake.confidential-stamp-seen': {
    vi: 'Thấy dấu độ mật trên văn bản đã xử lý',
    en: 'Saw a confidentiality stamp on a document already decided',
  },
  'intake.released': { vi: 'Đưa văn bản ra khỏi cách ly', en: 'Released a document from quarantine' },
  'intake.duplicate': { vi: 'Đánh dấu văn bản trùng', en: 'Marked a document as a duplicate' },
  'outgoing.registered': { vi: 'Vào sổ văn bản đi', en: 'Registered an outgoing document' },
  'document.assigned': { vi: 'Giao xử lý văn bản', en: 'Assigned a document' },
  'document.versioned': { vi: 'Nhận bản cập nhật của văn bản', en: 'Received a new version of a document' },
  'relay.submitted': { vi: 'Chuyển tiếp gói tin', en: 'Relayed a package' },
  'relay.held': { vi: 'Giữ lại gói tin', en: 'Held a package' },
  'relay.closed-code': {
    vi: 'Chuyển gói tin gửi mã đã đóng sang cơ quan kế thừa',
    en: 'Redirected a package sent to a closed code',
  },
  'relay.deliveries-resent': { vi: 'Gửi lại gói tin', en: 'Resent a package' },
  'relay.dead-letter-requeued': { vi: 'Đưa lại thư lỗi vào hàng đợi', en: 'Requeued a dead letter' },
  'relay.dead-letter-discarded': { vi: 'Hủy thư lỗi', en: 'Discarded a dead letter' },
};

const STATUS: Record<string, Words> = {
  '01': { vi: 'đã đến', en: 'received' },
  '02': { vi: 'từ chối tiếp nhận', en: 'refused' },
  '03': { vi: 'đã tiếp nhận', en: 'accepted' },
  '04': { vi: 'phân công xử lý', en: 'assigned' },
  '05': { vi: 'đang xử lý', en: 'processing' },
  '06': { vi: 'hoàn thành', en: 'finished' },
  '13': { vi: 'thu hồi', en: 'recalled' },
  '15': { vi: 'cập nhật', en: 'updated' },
  '16': { vi: 'thay thế', en: 'replaced' },
};

/** An action code in words; a code this table does not know yet is named by its area. */
export function actionWords(action: string): Words {
  const known = ACTIONS[action];
  if (known) return known;
  const status = /^document\.status\.(\d{2})$/.exec(action)?.[1];
  if (status) {
    const s = STATUS[status];
    return {
      vi: `Trạng thái văn bản: ${s?.vi ?? `mã ${status}`}`,
      en: `Document status: ${s?.en ?? `code ${status}`}`,
    };
  }
  const area = AREAS[action.split('.')[0] ?? ''];
  return area
    ? { vi: `${area.vi} (khác)`, en: `${area.en} (other)` }
    : { vi: 'Thao tác khác', en: 'Other action' };
}

const AREAS: Record<string, Words> = {
  auth: { vi: 'Đăng nhập', en: 'Sign-in' },
  user: { vi: 'Người dùng', en: 'Users' },
  token: { vi: 'Token API', en: 'API tokens' },
  agency: { vi: 'Cơ quan', en: 'Agencies' },
  directory: { vi: 'Danh bạ', en: 'Directory' },
  department: { vi: 'Phòng ban', en: 'Departments' },
  intake: { vi: 'Văn bản đến', en: 'Incoming documents' },
  outgoing: { vi: 'Văn bản đi', en: 'Outgoing documents' },
  document: { vi: 'Văn bản', en: 'Documents' },
  relay: { vi: 'Chuyển tiếp gói tin', en: 'Relay' },
};

/** The areas an admin filters the trail by: the first part of every action. */
export const AUDIT_AREAS: { code: string; words: Words }[] = Object.entries(AREAS).map(([code, words]) => ({
  code,
  words,
}));

const COMPONENTS: Record<string, Words> = {
  cli: { vi: 'Lệnh quản trị trên máy chủ', en: 'Admin command on the server' },
  'local-cli': { vi: 'Lệnh quản trị trên máy chủ', en: 'Admin command on the server' },
  axis: { vi: 'Trục liên thông quốc gia', en: 'National document axis' },
  'axis-receiver': { vi: 'Trục liên thông quốc gia (nhận)', en: 'National document axis (receiving)' },
  'axis-sender': { vi: 'Trục liên thông quốc gia (gửi)', en: 'National document axis (sending)' },
  'hosted-inbox': { vi: 'Hộp thư đặt tại trục', en: 'Hosted inbox' },
  'exchange.hosted-inbox': { vi: 'Hộp thư đặt tại trục', en: 'Hosted inbox' },
  'relay-worker': { vi: 'Bộ chuyển tiếp gói tin', en: 'Package relay' },
  'submit-consumer': { vi: 'Bộ tiếp nhận gói tin', en: 'Package intake' },
  'ingest.smtp': { vi: 'Máy chủ nhận thư', en: 'Mail server' },
  'ingest.imap': { vi: 'Hộp thư được đọc định kỳ', en: 'Polled mailbox' },
  'ingest.spool': { vi: 'Bộ đọc thư', en: 'Mail reader' },
  reading: { vi: 'Bộ đọc nội dung tệp', en: 'File reader' },
};

/** A component of the hub (actor `system:<component>`) in words. */
export function componentWords(component: string): Words {
  return COMPONENTS[component] ?? { vi: 'Hệ thống', en: 'The hub' };
}

/** The words of a detail's key; a key not listed here is technical and shown only on request. */
const DETAIL_KEYS: Record<string, Words> = {
  reason: { vi: 'Lý do', en: 'Reason' },
  level: { vi: 'Độ mật', en: 'Confidentiality' },
  file: { vi: 'Tệp', en: 'File' },
  note: { vi: 'Ghi chú', en: 'Note' },
  number: { vi: 'Số', en: 'Number' },
  year: { vi: 'Năm', en: 'Year' },
  username: { vi: 'Tên đăng nhập', en: 'Username' },
  role: { vi: 'Vai trò', en: 'Role' },
  name: { vi: 'Tên', en: 'Name' },
  displayName: { vi: 'Họ tên', en: 'Name' },
  address: { vi: 'Địa chỉ máy', en: 'Address' },
  recipients: { vi: 'Nơi nhận', en: 'Recipients' },
  description: { vi: 'Mô tả', en: 'Description' },
  departmentId: { vi: 'Phòng ban', en: 'Department' },
  assigneeId: { vi: 'Người xử lý', en: 'Assignee' },
  dueOn: { vi: 'Hạn xử lý', en: 'Due' },
  instruction: { vi: 'Ý kiến chỉ đạo', en: 'Instruction' },
  intakeItemId: { vi: 'Văn bản đến', en: 'Incoming document' },
  oldCode: { vi: 'Mã cũ', en: 'Former code' },
  newCode: { vi: 'Mã mới', en: 'New code' },
  oldName: { vi: 'Tên cũ', en: 'Former name' },
  newName: { vi: 'Tên mới', en: 'New name' },
  successor: { vi: 'Cơ quan kế thừa', en: 'Successor' },
  successorName: { vi: 'Tên cơ quan kế thừa', en: 'Successor name' },
  effectiveOn: { vi: 'Có hiệu lực từ', en: 'Effective on' },
  absorbed: { vi: 'Tỉnh được sáp nhập', en: 'Absorbed province' },
  absorbing: { vi: 'Tỉnh tiếp nhận', en: 'Absorbing province' },
  recoded: { vi: 'Số cơ quan đổi mã', en: 'Agencies recoded' },
  folded: { vi: 'Số cơ quan gộp', en: 'Agencies folded' },
  entries: { vi: 'Số dòng', en: 'Entries' },
  created: { vi: 'Thêm mới', en: 'Added' },
  updated: { vi: 'Cập nhật', en: 'Updated' },
  unchanged: { vi: 'Không đổi', en: 'Unchanged' },
  skipped: { vi: 'Bỏ qua', en: 'Skipped' },
  from: { vi: 'Từ', en: 'From' },
  to: { vi: 'Đến', en: 'To' },
  subject: { vi: 'Trích yếu', en: 'Subject' },
  documentKey: { vi: 'Mã định danh văn bản', en: 'Document ID' },
  inbox: { vi: 'Hộp thư', en: 'Inbox' },
  channel: { vi: 'Kênh nhận', en: 'Channel' },
  closedOn: { vi: 'Đóng mã ngày', en: 'Closed on' },
  given: { vi: 'Mã đã ghi', en: 'Code given' },
  agency: { vi: 'Cơ quan', en: 'Agency' },
  sha256: { vi: 'Mã băm SHA-256 của nội dung', en: 'SHA-256 of the content' },
  size: { vi: 'Dung lượng (byte)', en: 'Size (bytes)' },
  deadReason: { vi: 'Vì sao không chuyển được', en: 'Why it was dead-lettered' },
  before: { vi: 'Trước', en: 'Before' },
  after: { vi: 'Sau', en: 'After' },
};

const VALUES: Record<string, Words> = {
  clerk: { vi: 'Văn thư', en: 'Clerk' },
  leader: { vi: 'Lãnh đạo', en: 'Leader' },
  admin: { vi: 'Quản trị', en: 'Administrator' },
  recode: { vi: 'đổi mã', en: 'recoded' },
  fold: { vi: 'gộp vào cơ quan kế thừa', en: 'folded into its successor' },
};

export function detailKeyWords(path: string[]): Words | undefined {
  const words = path.map((key) => DETAIL_KEYS[key]);
  if (words.some((w) => w === undefined)) return undefined;
  return {
    vi: words.map((w) => w?.vi).join(' — '),
    en: words.map((w) => w?.en).join(' — '),
  };
}

/** A detail value that is a code of ours (a role, a merger outcome) in words; other values as they are. */
export function detailValueWords(value: string): Words {
  return VALUES[value] ?? { vi: value, en: value };
}
