import { equivalentCode, isAbsentCode, organIdForm, type OrganIdForm } from '../shared/index.ts';
import type { FieldProblem, Severity } from './field-rules.ts';

/**
 * What the validator must know about agency codes (mã định danh, QĐ 20/2020/QĐ-TTg): the hub's one
 * set of code rules (src/shared/organ-id.ts), which the directory resolves codes by too.
 */
export type { OrganIdForm };

export type OrganCodeRules = {
  /** Which legitimate form a code has; undefined for free text, `null`, empty. */
  readonly organIdForm: (raw: string) => OrganIdForm | undefined;
  /** Empty or the literal text `null` (Java's null serialised by some producers). */
  readonly isAbsentCode: (raw: string | undefined) => boolean;
  /** The other code naming the same agency by rule alone (`G12` ↔ `000.00.00.G12`). */
  readonly equivalentCode: (raw: string) => string | undefined;
};

export const AGENCY_CODE_RULES: OrganCodeRules = { organIdForm, isAbsentCode, equivalentCode };

/** Where a code sits decides what a bad one costs: a sender or recipient is routing, a trace hop is history. */
export type CodeRole = 'sender' | 'recipient' | 'status-target' | 'trace' | 'answered';

export const RULE_ORGAN_ID = 'QĐ 20/2020/QĐ-TTg Điều 4–6';
const RULE_CURRENT_FORM = 'QĐ 20/2020/QĐ-TTg Điều 4';

const CONSEQUENCE: Readonly<Record<CodeRole, { vi: string; en: string }>> = {
  sender: { vi: 'hub không biết ai gửi gói tin', en: 'the hub cannot tell who sends the package' },
  recipient: {
    vi: 'không chuyển được gói tin tới nơi nhận này',
    en: 'the package cannot be routed to this recipient',
  },
  'status-target': {
    vi: 'hub không biết trạng thái trả lời văn bản của ai',
    en: 'the hub cannot tell whose document the status answers',
  },
  trace: {
    vi: 'chỉ là lịch sử chuyển, không ảnh hưởng việc chuyển',
    en: 'it is hop history only and does not affect routing',
  },
  answered: {
    vi: 'không liên kết được với văn bản được trả lời',
    en: 'the answered document cannot be linked',
  },
};

/** Roles whose code the hub routes or registers by: an unusable one is an error there. */
const ROUTING_ROLES: ReadonlySet<CodeRole> = new Set(['sender', 'recipient', 'status-target']);

export function severityFor(role: CodeRole): Severity {
  return ROUTING_ROLES.has(role) ? 'error' : 'warning';
}

/** The problem with a present, non-absent code in its role, if any. */
export function checkOrganCode(
  rules: OrganCodeRules,
  element: string,
  value: string,
  role: CodeRole,
): FieldProblem | undefined {
  const form = rules.organIdForm(value);
  const then = CONSEQUENCE[role];
  switch (form) {
    case 'current':
    case 'level-one':
    case 'enterprise':
      return undefined;
    case 'legacy':
      return {
        code: 'EDXML_ORGAN_ID_LEGACY',
        severity: 'warning',
        message: `${element} "${value}" theo dạng cũ 2–3 nhóm; dạng hiện hành là NNN.NN.NN.XNN, ví dụ 000.00.11.H53 / ${element} "${value}" uses the old 2–3 group form; the current form is NNN.NN.NN.XNN, e.g. 000.00.11.H53`,
        rule: RULE_CURRENT_FORM,
      };
    case 'system-id':
      return {
        code: 'EDXML_ORGAN_ID_SYSTEM',
        severity: 'warning',
        message: `${element} "${value}" là mã hệ thống trên trục liên thông, không phải mã định danh cơ quan; chỉ hệ thống thử nghiệm gửi mã này, hãy dùng mã định danh của cơ quan / ${element} "${value}" is a system id on the national axis, not an agency code; only test systems send it, use the agency's code`,
        rule: RULE_ORGAN_ID,
      };
    case undefined:
      return {
        code: 'EDXML_ORGAN_ID_FORMAT',
        severity: severityFor(role),
        message: `${element} "${value}" không phải mã định danh cơ quan, tổ chức (NNN.NN.NN.XNN như 000.00.11.H53, mã cấp 1 như G12, doanh nghiệp 02 + mã số thuế); ${then.vi} / ${element} "${value}" is not an agency code (NNN.NN.NN.XNN such as 000.00.11.H53, a level-1 code such as G12, an enterprise's 02 + tax code); ${then.en}`,
        rule: RULE_ORGAN_ID,
      };
  }
}

/** The problem with an absent code (missing, empty or `null`) in its role. */
export function absentOrganCode(
  element: string,
  raw: string | undefined,
  role: CodeRole,
  severity: Severity = severityFor(role),
): FieldProblem {
  const then = CONSEQUENCE[role];
  const what =
    raw === undefined
      ? { vi: `Thiếu ${element} (hoặc để trống)`, en: `${element} is missing or empty` }
      : {
          vi: `${element} là chữ "${raw}", không phải mã`,
          en: `${element} is the text "${raw}", not a code`,
        };
  return {
    code: raw === undefined ? 'EDXML_REQUIRED_MISSING' : 'EDXML_ORGAN_ID_ABSENT',
    severity,
    message: `${what.vi}; ${then.vi} / ${what.en}; ${then.en}`,
  };
}
