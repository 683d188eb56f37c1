import { isCalendarDate, LEGACY_ORGAN_ID, ORGAN_ID } from './field-formats.ts';

/**
 * QCVN 102 field rules that do not depend on where a field sits: code lists, lengths (NOTES.md
 * §1.4, the values Bkav's validator and the NĐ 30 Phụ lục VI transcription agree on), identifier
 * forms. Each check returns a problem without a path; the validator adds the path.
 */
export type Severity = 'error' | 'warning';
export type FieldProblem = { readonly code: string; readonly severity: Severity; readonly message: string };

const problem = (code: string, severity: Severity, vi: string, en: string): FieldProblem => ({
  code,
  severity,
  message: `${vi} / ${en}`,
});

/** Maximum lengths in characters. Website's 20 is kept as a warning: real sites are longer. */
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

// Limits only one source states and real traffic exceeds: reported, but not a reason to refuse.
const SOFT_LIMITS: ReadonlySet<LimitedField> = new Set(['Website']);

export function checkLength(field: LimitedField, value: string | undefined): FieldProblem | undefined {
  if (value === undefined) return undefined;
  const limit = FIELD_LIMITS[field];
  const length = codePointLength(value);
  if (length <= limit) return undefined;
  return problem(
    'EDXML_TOO_LONG',
    SOFT_LIMITS.has(field) ? 'warning' : 'error',
    `${field} dài ${length} ký tự, tối đa ${limit}; hãy rút gọn`,
    `${field} is ${length} characters long, the maximum is ${limit}; shorten it`,
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

export function checkOrganId(value: string): FieldProblem | undefined {
  if (ORGAN_ID.test(value)) return undefined;
  if (LEGACY_ORGAN_ID.test(value)) {
    return problem(
      'EDXML_ORGAN_ID_LEGACY',
      'warning',
      `Mã định danh "${value}" theo dạng cũ; dạng hiện hành là NNN.NN.NN.XNN (QĐ 20/2020/QĐ-TTg)`,
      `OrganId "${value}" uses the old form; the current form is NNN.NN.NN.XNN (QĐ 20/2020/QĐ-TTg)`,
    );
  }
  return problem(
    'EDXML_ORGAN_ID_FORMAT',
    'error',
    `Mã định danh "${value}" không đúng dạng NNN.NN.NN.XNN, ví dụ 000.00.00.H53`,
    `OrganId "${value}" is not of the form NNN.NN.NN.XNN, e.g. 000.00.00.H53`,
  );
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

export function checkCode(list: CodeList, value: string | number | undefined): FieldProblem | undefined {
  if (value === undefined) return undefined;
  const { values, meaning } = CODE_LISTS[list];
  const text = String(value);
  if (values.includes(text)) return undefined;
  const hint =
    list === 'StatusCode' && /^\d$/.test(text) ? ` (hai chữ số: "0${text}" / two digits: "0${text}")` : '';
  return problem(
    'EDXML_CODE_NOT_IN_LIST',
    'error',
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
export function checkDocumentId(value: string): { parts?: DocumentIdParts; problem?: FieldProblem } {
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
  const organProblem = checkOrganId(organId);
  if (organProblem !== undefined) return { parts, problem: { ...organProblem, severity: 'warning' } };
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
    'error',
    `${field} ${value} vượt 65535`,
    `${field} ${value} exceeds 65535`,
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
