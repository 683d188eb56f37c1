// The directory's agency-code rules, as the hub's callers pass them to validateEdxml/inspectEdxml.
import { equivalentCode, isAbsentCode, organIdForm } from '../../directory/organ-id.ts';
import type { OrganCodeRules } from '../organ-codes.ts';

export const DIRECTORY_CODES: OrganCodeRules = { organIdForm, isAbsentCode, equivalentCode };
