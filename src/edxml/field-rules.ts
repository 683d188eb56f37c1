import { isCalendarDate } from './field-formats.ts';

/**
 * QCVN 102 field rules that do not depend on where a field sits: code lists, lengths (NOTES.md
 * §1.4, the values Bkav's validator and the NĐ 30 Phụ lục VI transcription agree on), identifier
 * forms. Each check returns a problem without a path; the validator adds the path.
 */
/** `error`: the hub cannot route, register or verify; `warning`: a deviation it tolerates; `note`: worth knowing. */
export type Severity = 'error' | 'warning' | 'note';
/** `rule` is the citation the problem breaks; without one the validator cites the element in QCVN 102. */
export type FieldProblem = {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly rule?: string;
};

const problem = (code: string, severity: Severity, vi: string, en: string, rule?: string): FieldProblem => ({
  code,
  severity,
  message: `${vi} / ${en}`,
  ...(rule === undefined ? {} : { rule }),
});

export const RULE_ND30_NUMBER = 'NĐ 30/2020/NĐ-CP Điều 15';
export const RULE_ND30_TYPES = 'NĐ 30/2020/NĐ-CP Điều 7, Phụ lục III';

/**
 * Item numbers of the QCVN 102 document table as integrators number them (1.1 From … 1.14
 * DocumentId, 2 TraceHeaderList; NOTES.md §1.3 — believed to mirror the standard's table, whose text
 * was not available). Status packages have a table of their own, so their elements get no number.
 */
const QCVN_ITEMS: Readonly<Record<string, string>> = {
  From: '1.1',
  To: '1.2',
  Code: '1.3',
  PromulgationInfo: '1.4',
  DocumentType: '1.5',
  Subject: '1.6',
  Content: '1.7',
  SignerInfo: '1.8',
  DueDate: '1.9',
  ToPlaces: '1.10',
  OtherInfo: '1.11',
  ResponseFor: '1.12',
  SteeringType: '1.13',
  DocumentId: '1.14',
  TraceHeaderList: '2',
  TraceHeader: '2.1',
  Bussiness: '2.2',
};
const FRAME = new Set(['edXML', 'EdXML', 'edXMLEnvelope', 'edXMLHeader', 'MessageHeader', 'edXMLBody']);

/** `…/MessageHeader/To[2]/OrganId` → `QCVN 102:2016 §1.2 To/OrganId`. */
export function qcvnRule(path: string, kind: 'edoc' | 'status'): string {
  const names = path
    .split('/')
    .filter((name) => name !== '')
    .map((name) => name.replace(/\[\d+\]$/, ''))
    .filter((name) => !FRAME.has(name));
  if (names.length === 0) return 'QCVN 102:2016';
  if (kind === 'status') return `QCVN 102:2016 (gói tin trạng thái) ${names.join('/')}`;
  let at = names.findIndex((name) => QCVN_ITEMS[name] !== undefined);
  if (at === -1) return `QCVN 102:2016 ${names.join('/')}`;
  if (names[at] === 'TraceHeaderList' && QCVN_ITEMS[names[at + 1] ?? ''] !== undefined) at += 1;
  return `QCVN 102:2016 §${QCVN_ITEMS[names[at] ?? ''] ?? ''} ${names.slice(at).join('/')}`;
}

/** Maximum lengths in characters: what receivers built on these limits store or refuse (warnings here). */
export const FIELD_LIMITS = {
  OrganName: 200,
  OrganizationInCharge: 500,
  OrganAdd: 500,
  Email: 100,
  Telephone: 20,
  Fax: 20,
  Website: 20,
  CodeNumber: 11,
  CodeNotation: 30,
  Place: 50,
  TypeName: 100,
  Subject: 500,
  Content: 500,
  SphereOfPromulgation: 100,
  TyperNotation: 10,
  ToPlace: 150,
  AttachmentName: 500,
  Position: 100,
  FullName: 50,
} as const;

export type LimitedField = keyof typeof FIELD_LIMITS;

/**
 * What the hub itself stores (the register's columns and the registration form, docs/database.md):
 * beyond it a package cannot be registered, so that is an error. CodeNotation leaves room for the
 * number and "/" in the register's 100-character số, ký hiệu. Fields without a column of their own
 * are capped at 4000 characters: longer is not a name, an address or a file name.
 */
const HUB_LIMITS: Partial<Record<LimitedField, number>> = {
  Subject: 2000,
  CodeNotation: 88,
  TypeName: 100,
  OrganName: 500,
  FullName: 200,
};
const HUB_DEFAULT_LIMIT = 4000;

export function checkLength(field: LimitedField, value: string | undefined): FieldProblem | undefined {
  if (value === undefined) return undefined;
  const limit = FIELD_LIMITS[field];
  const length = codePointLength(value);
  if (length <= limit) return undefined;
  const stored = HUB_LIMITS[field] ?? HUB_DEFAULT_LIMIT;
  if (length > stored) {
    return problem(
      'EDXML_TOO_LONG',
      'error',
      `${field} dài ${length} ký tự; hub lưu tối đa ${stored} (chuẩn: ${limit}); hãy rút gọn`,
      `${field} is ${length} characters long; the hub stores at most ${stored} (the standard's limit is ${limit}); shorten it`,
    );
  }
  // The hub stores it; receivers with columns of this size (Bkav's validator) refuse it.
  return problem(
    'EDXML_TOO_LONG',
    'warning',
    `${field} dài ${length} ký tự, tối đa ${limit}; nơi nhận dùng giới hạn này sẽ từ chối, hãy rút gọn`,
    `${field} is ${length} characters long, the maximum is ${limit}; receivers holding to it refuse the package, shorten it`,
  );
}

/** Length in characters (code points), as a partner's database column counts them. */
function codePointLength(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0xdc00 || code > 0xdfff) length += 1;
  }
  return length;
}

export type CodeList = 'Priority' | 'SteeringType' | 'BussinessDocType' | 'StatusCode';

const CODE_LISTS: Readonly<Record<CodeList, { values: readonly string[]; meaning: string }>> = {
  Priority: {
    values: ['0', '1', '2', '3', '4'],
    meaning: '0 thường/normal, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ',
  },
  SteeringType: {
    values: ['0', '1', '2'],
    meaning: '0 không chỉ đạo/none, 1 chỉ đạo/steering, 2 báo cáo chỉ đạo/steering report',
  },
  BussinessDocType: {
    values: ['0', '1', '2', '3'],
    meaning: '0 mới/new, 1 thu hồi/revoke, 2 cập nhật/update, 3 thay thế/replace',
  },
  StatusCode: {
    values: ['01', '02', '03', '04', '05', '06', '13', '15', '16'],
    meaning: '01–06, 13, 15, 16',
  },
};

/** BussinessDocType and StatusCode decide what the hub does with a package: errors. Priority and SteeringType only inform. */
const CODE_LIST_SEVERITY: Readonly<Record<CodeList, Severity>> = {
  Priority: 'warning',
  SteeringType: 'warning',
  BussinessDocType: 'error',
  StatusCode: 'error',
};

export function checkCode(list: CodeList, value: string | number | undefined): FieldProblem | undefined {
  if (value === undefined) return undefined;
  const { values, meaning } = CODE_LISTS[list];
  const text = String(value);
  if (values.includes(text)) return undefined;
  const hint =
    list === 'StatusCode' && /^\d$/.test(text) ? ` (hai chữ số: "0${text}" / two digits: "0${text}")` : '';
  return problem(
    'EDXML_CODE_NOT_IN_LIST',
    CODE_LIST_SEVERITY[list],
    `${list} "${text}" không thuộc danh mục (${meaning})${hint}`,
    `${list} "${text}" is not in the code list (${meaning})${hint}`,
  );
}

const DOCUMENT_ID = /^([^,]+),(\d{4})\/(\d{2})\/(\d{2}),([^/]+)\/(.+)$/;

export type DocumentIdParts = { organId: string; date: string; number: string; notation: string };

/**
 * DocumentId `<OrganId>,<yyyy/MM/dd>,<number>/<notation>`. Senders also use UUIDs; the hub treats
 * the value as an opaque key, so a different form is a warning, not a refusal.
 */
export function checkDocumentId(
  value: string,
  isCode: (organId: string) => boolean,
): { parts?: DocumentIdParts; problem?: FieldProblem } {
  const match = DOCUMENT_ID.exec(value);
  if (match === null) {
    return {
      problem: problem(
        'EDXML_DOCUMENT_ID_FORM',
        'warning',
        `DocumentId "${value}" không theo dạng <OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>`,
        `DocumentId "${value}" is not of the form <OrganId>,<yyyy/MM/dd>,<number>/<notation>`,
      ),
    };
  }
  const [, organId = '', y = '', m = '', d = '', number = '', notation = ''] = match;
  const parts = { organId, date: `${y}-${m}-${d}`, number, notation };
  if (!isCalendarDate(Number(y), Number(m), Number(d))) {
    return {
      parts,
      problem: problem(
        'EDXML_DOCUMENT_ID_DATE',
        'warning',
        `DocumentId "${value}" chứa ngày không có thật ${y}/${m}/${d}`,
        `DocumentId "${value}" contains the impossible date ${y}/${m}/${d}`,
      ),
    };
  }
  if (!isCode(organId)) {
    return {
      parts,
      problem: problem(
        'EDXML_DOCUMENT_ID_ORGAN',
        'warning',
        `DocumentId "${value}" bắt đầu bằng "${organId}", không phải mã định danh`,
        `DocumentId "${value}" starts with "${organId}", which is not an agency code`,
      ),
    };
  }
  return { parts };
}

export function checkEmail(value: string | undefined): FieldProblem | undefined {
  if (value === undefined) return undefined;
  // Over-long values are reported by the length rule; the pattern backtracks on long inputs.
  if (value.length > 254 || /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/.test(value)) return undefined;
  return problem(
    'EDXML_EMAIL_FORMAT',
    'warning',
    `Email "${value}" không hợp lệ`,
    `email "${value}" is not a valid address`,
  );
}

export function checkUnsignedShort(field: string, value: number | undefined): FieldProblem | undefined {
  if (value === undefined || value <= 65_535) return undefined;
  return problem(
    'EDXML_OUT_OF_RANGE',
    'warning',
    `${field} ${value} vượt 65535 (unsigned short); nơi nhận có thể từ chối`,
    `${field} ${value} exceeds 65535 (unsigned short); receivers may refuse it`,
  );
}

export function missing(element: string, severity: Severity = 'error'): FieldProblem {
  return problem(
    'EDXML_REQUIRED_MISSING',
    severity,
    `Thiếu phần tử bắt buộc <${element}> (hoặc để trống)`,
    `required element <${element}> is missing or empty`,
  );
}
