/**
 * What the incremental updates after a PDF signature changed, and whether the signature allows
 * it (ISO 32000-1 §12.8.2, ETSI EN 319 142-1 for DSS and document timestamps). The revision the
 * signature signs is the one whose %%EOF ends its byte range; it is compared object by object
 * with the file's last revision, and every object that was added, rewritten with other content
 * or freed is judged by what it is in the last revision (pdf-roles.ts):
 *
 * - always allowed: DSS/VRI data, developer extensions, document information and XMP metadata,
 *   document timestamps, a catalog change that only adds /DSS, /Extensions or form fields;
 * - allowed by the permissions: new signatures and form filling (DocMDP P=2, and documents
 *   without certification), annotations (P=3); P=1 allows nothing else; a FieldMDP lock of this
 *   signature forbids changes to the locked fields;
 * - never allowed: page contents and resources, the page tree, page dictionaries (beyond new
 *   annotations), removed annotations or fields, anything of a field that was already signed
 *   (its widget, appearance streams, signature dictionary), other catalog entries.
 */
import type { PdfFile, PdfView } from './pdf-document.ts';
import { mapRoles, type RevisionRoles, type Role } from './pdf-roles.ts';
import { canonical, isArray, isName, isRef, textOf, type PdfDict, type PdfValue } from './pdf-syntax.ts';
import { isHubError } from '../shared/index.ts';

export type AllowedKind =
  'signature' | 'timestamp' | 'validation-data' | 'form-fill' | 'annotation' | 'metadata';

export type UpdateFinding = {
  readonly object: number;
  /** What the object is, in Vietnamese and English ("nội dung trang 1" / "page 1 content"). */
  readonly vi: string;
  readonly en: string;
};

export type UpdateAnalysis =
  | {
      readonly kind: 'analysed';
      readonly refused: readonly UpdateFinding[];
      readonly allowed: readonly AllowedKind[];
      /** DocMDP level the changes were judged by (2 when the document is not certified). */
      readonly permission: 1 | 2 | 3;
      readonly certified: boolean;
    }
  | { readonly kind: 'unreadable'; readonly vi: string; readonly en: string };

type Judgement = { readonly allowed: AllowedKind | null } | { readonly refused: { vi: string; en: string } };

const CATALOG_ALLOWED = new Set(['DSS', 'Extensions', 'Metadata', 'AcroForm']);
const ACROFORM_ALLOWED = new Set(['Fields', 'SigFlags', 'DR', 'DA', 'NeedAppearances']);

/** The last revision of a file, walked once and shared by the analysis of every signature. */
export type FinalRevision = { readonly view: PdfView; readonly roles: RevisionRoles };

export function finalRevision(file: PdfFile): FinalRevision {
  const view = file.view(file.state(file.startxrefBefore(file.bytes.length)));
  return { view, roles: mapRoles(view) };
}

function endsAtEof(bytes: Buffer, end: number): boolean {
  return /%%EOF[\r\n]*$/.test(bytes.toString('latin1', Math.max(0, end - 16), end));
}

type Locks = { readonly action: 'All' | 'Include' | 'Exclude'; readonly fields: ReadonlySet<string> }[];

function locksOf(view: PdfView, ...holders: (PdfDict | null)[]): Locks {
  const locks: { action: 'All' | 'Include' | 'Exclude'; fields: Set<string> }[] = [];
  const add = (params: PdfDict | null) => {
    const action = params?.map.get('Action');
    if (!params || !isName(action) || !['All', 'Include', 'Exclude'].includes(action.name)) return;
    const list = view.resolve(params.map.get('Fields'));
    const fields = new Set(
      isArray(list) ? list.map((f) => textOf(view.resolve(f))).filter((f) => f !== null) : [],
    );
    locks.push({ action: action.name as 'All' | 'Include' | 'Exclude', fields });
  };
  for (const holder of holders) {
    if (!holder) continue;
    if (holder.map.has('Action')) add(holder);
    const references = view.resolve(holder.map.get('Reference'));
    for (const reference of isArray(references) ? references : []) {
      const ref = view.dict(reference);
      if (isName(ref?.map.get('TransformMethod'), 'FieldMDP')) add(view.dict(ref.map.get('TransformParams')));
    }
  }
  return locks;
}

function isLocked(locks: Locks, name: string): boolean {
  return locks.some((l) =>
    l.action === 'All' ? true : l.action === 'Include' ? l.fields.has(name) : !l.fields.has(name),
  );
}

/** P of the certification signature named by the catalog's /Perms /DocMDP, if any. */
function docMdp(view: PdfView): 1 | 2 | 3 | null {
  const perms = view.dict(view.catalog?.map.get('Perms'));
  const signature = view.dict(perms?.map.get('DocMDP'));
  if (!signature) return null;
  const references = view.resolve(signature.map.get('Reference'));
  for (const reference of isArray(references) ? references : []) {
    const ref = view.dict(reference);
    if (!isName(ref?.map.get('TransformMethod'), 'DocMDP')) continue;
    const p = view.dict(ref.map.get('TransformParams'))?.map.get('P');
    return p === 1 || p === 3 ? p : 2;
  }
  return 2;
}

function changedKeys(before: PdfDict | null, after: PdfDict | null): string[] {
  const keys = new Set([...(before?.map.keys() ?? []), ...(after?.map.keys() ?? [])]);
  return [...keys].filter((k) => {
    const a = before?.map.get(k);
    const b = after?.map.get(k);
    if (a === undefined || b === undefined) return a !== b;
    return canonical(a) !== canonical(b);
  });
}

function refsOf(view: PdfView, value: PdfValue | undefined): string[] {
  const list = view.resolve(value);
  return isArray(list) ? list.map((v) => (isRef(v) ? `${v.num}` : canonical(v))) : [];
}

/**
 * The analysis for the signature whose byte range ends at `signedEnd` and whose signature
 * dictionary is object `signatureObject` (null when it could not be told).
 */
export function analyseUpdates(
  file: PdfFile,
  final: FinalRevision,
  signedEnd: number,
  signatureObject: number | null,
): UpdateAnalysis {
  try {
    return analyse(file, final, signedEnd, signatureObject);
  } catch (error) {
    if (!isHubError(error, 'SIGNING_PDF_UNREADABLE')) throw error;
    return {
      kind: 'unreadable',
      vi: `cấu trúc PDF không đọc được (${error.message})`,
      en: `the PDF structure is unreadable (${error.message})`,
    };
  }
}

function analyse(
  file: PdfFile,
  final: FinalRevision,
  signedEnd: number,
  signatureObject: number | null,
): UpdateAnalysis {
  const bytes = file.bytes;
  if (!endsAtEof(bytes, signedEnd))
    return {
      kind: 'unreadable',
      vi: 'vùng ký không kết thúc ở cuối một phiên bản (%%EOF)',
      en: "the signed range does not end at a revision's %%EOF",
    };
  const lastEof = bytes.lastIndexOf('%%EOF', bytes.length, 'latin1');
  const lastStartxref = bytes.lastIndexOf('startxref', bytes.length, 'latin1');
  if (lastStartxref < signedEnd || !/^[\s\0]*$/.test(bytes.toString('latin1', lastEof + 5)))
    return {
      kind: 'unreadable',
      vi: 'dữ liệu thêm vào sau chữ ký không phải là một bản cập nhật PDF hợp lệ',
      en: 'the bytes added after the signature are not a readable incremental update',
    };
  const base = file.view(file.state(file.startxrefBefore(signedEnd)));
  const baseRoles = mapRoles(base);
  const after = final.view;
  const roles = final.roles;
  const mdp = docMdp(base);
  const level = mdp ?? 2;
  const signatureDict =
    signatureObject === null ? null : base.dict({ kind: 'ref', num: signatureObject, gen: 0 });
  const ownField = [...baseRoles.fields.values()].find(
    (f) => isRef(f.value) && f.value.num === signatureObject,
  );
  const ownFieldDict = ownField ? base.dict({ kind: 'ref', num: ownField.num, gen: 0 }) : null;
  const locks = locksOf(base, signatureDict, base.dict(ownFieldDict?.map.get('Lock')));

  const isDocTimestamp = (value: PdfValue): boolean => {
    const dict = after.dict(value);
    return (
      isName(dict?.map.get('Type'), 'DocTimeStamp') || isName(dict?.map.get('SubFilter'), 'ETSI.RFC3161')
    );
  };
  const fieldName = (num: number) =>
    roles.fields.get(num)?.name ?? baseRoles.fields.get(num)?.name ?? `${num}`;

  const judgeField = (num: number, what: 'field' | 'widget' | 'appearance'): Judgement => {
    const now = roles.fields.get(num);
    const before = baseRoles.fields.get(num);
    const name = fieldName(num);
    const type = now?.type ?? before?.type ?? null;
    const part = {
      field: { vi: '', en: '' },
      widget: { vi: 'ô hiển thị của ', en: 'widget of ' },
      appearance: { vi: 'hình hiển thị của ', en: 'appearance of ' },
    }[what];
    const refuse = (vi: string, en: string): Judgement => ({
      refused: { vi: part.vi + vi, en: part.en + en },
    });
    if (type === 'Sig') {
      const signedBefore = before !== undefined && base.dict(before.value) !== null;
      if (signedBefore) return refuse(`trường chữ ký đã ký "${name}"`, `the signed field "${name}"`);
      if (isLocked(locks, name))
        return refuse(`trường "${name}" bị chữ ký này khóa`, `the field "${name}", locked by this signature`);
      const stamp = now !== undefined && isDocTimestamp(now.value);
      if (level >= 2) return { allowed: stamp ? 'timestamp' : 'signature' };
      if (stamp) return { allowed: 'timestamp' };
      return refuse(
        `chữ ký mới "${name}" (văn bản chứng thực không cho phép thay đổi, P=1)`,
        `the new signature "${name}" (certified with no changes allowed, P=1)`,
      );
    }
    if (before === undefined) return refuse(`trường biểu mẫu mới "${name}"`, `the new form field "${name}"`);
    if (isLocked(locks, name))
      return refuse(`trường "${name}" bị chữ ký này khóa`, `the field "${name}", locked by this signature`);
    if (level >= 2) return { allowed: 'form-fill' };
    return refuse(
      `trường "${name}" (văn bản chứng thực không cho phép thay đổi, P=1)`,
      `the field "${name}" (certified with no changes allowed, P=1)`,
    );
  };

  const judgeAnnotation = (annot: number, page: number, appearance: boolean): Judgement => {
    const info = roles.annots.get(annot) ?? baseRoles.annots.get(annot);
    if (info?.widget && info.field !== null)
      return judgeField(info.field, appearance ? 'appearance' : 'widget');
    if (level >= 3) return { allowed: 'annotation' };
    const fresh = !base.has(annot);
    const p = appearance ? { vi: 'hình hiển thị của ', en: 'appearance of ' } : { vi: '', en: '' };
    return fresh
      ? {
          refused: {
            vi: `${p.vi}chú thích mới trên trang ${page}`,
            en: `${p.en}a new annotation on page ${page}`,
          },
        }
      : {
          refused: { vi: `${p.vi}chú thích trên trang ${page}`, en: `${p.en}an annotation on page ${page}` },
        };
  };

  const annotsRemoved = (before: PdfValue | undefined, now: PdfValue | undefined) => {
    const left = new Set(refsOf(after, now));
    return refsOf(base, before).some((r) => !left.has(r));
  };

  const judgeDictionaryOf = (
    keys: string[],
    allowedKeys: ReadonlySet<string>,
    vi: string,
    en: string,
  ): Judgement | null => {
    const bad = keys.filter((k) => !allowedKeys.has(k));
    return bad.length === 0
      ? null
      : {
          refused: {
            vi: `${vi} (${bad.map((k) => `/${k}`).join(', ')})`,
            en: `${en} (${bad.map((k) => `/${k}`).join(', ')})`,
          },
        };
  };

  const judgeAcroForm = (before: PdfDict | null, now: PdfDict | null): Judgement => {
    const keys = changedKeys(before, now);
    const bad = judgeDictionaryOf(keys, ACROFORM_ALLOWED, 'biểu mẫu AcroForm', 'the AcroForm dictionary');
    if (bad) return bad;
    const left = new Set(refsOf(after, now?.map.get('Fields')));
    if (refsOf(base, before?.map.get('Fields')).some((r) => !left.has(r)))
      return {
        refused: { vi: 'biểu mẫu AcroForm (trường bị xóa)', en: 'the AcroForm dictionary (a field removed)' },
      };
    return { allowed: null };
  };

  const judge = (num: number, role: Role): Judgement => {
    switch (role.kind) {
      case 'dss':
      case 'extensions':
        return { allowed: 'validation-data' };
      case 'info':
      case 'metadata':
        return { allowed: 'metadata' };
      case 'catalog': {
        const before = base.catalog;
        const now = after.catalog;
        const keys = changedKeys(before, now);
        const bad = judgeDictionaryOf(keys, CATALOG_ALLOWED, 'danh mục tài liệu', 'the document catalog');
        if (bad) return bad;
        if (keys.includes('AcroForm'))
          return judgeAcroForm(base.dict(before?.map.get('AcroForm')), after.dict(now?.map.get('AcroForm')));
        return { allowed: keys.includes('DSS') ? 'validation-data' : 'metadata' };
      }
      case 'acroform':
        return judgeAcroForm(
          base.dict(base.catalog?.map.get('AcroForm')),
          after.dict(after.catalog?.map.get('AcroForm')),
        );
      case 'form-resources':
      case 'structure':
        // Fonts for fields and the tagged-PDF structure: what is shown is in the appearance streams.
        return { allowed: null };
      case 'pages':
        return { refused: { vi: 'cây trang', en: 'the page tree' } };
      case 'page': {
        if (!base.has(num))
          return { refused: { vi: `trang ${role.page} (mới)`, en: `page ${role.page} (new)` } };
        const before = base.dict({ kind: 'ref', num, gen: 0 });
        const now = after.dict({ kind: 'ref', num, gen: 0 });
        const keys = changedKeys(before, now);
        const bad = judgeDictionaryOf(keys, new Set(['Annots']), `trang ${role.page}`, `page ${role.page}`);
        if (bad) return bad;
        if (level < 3 && annotsRemoved(before?.map.get('Annots'), now?.map.get('Annots')))
          return {
            refused: {
              vi: `chú thích bị xóa khỏi trang ${role.page}`,
              en: `an annotation removed from page ${role.page}`,
            },
          };
        return { allowed: null };
      }
      case 'annots': {
        const ref = { kind: 'ref', num, gen: 0 } as const;
        if (level < 3 && base.has(num) && annotsRemoved(ref, ref))
          return {
            refused: {
              vi: `chú thích bị xóa khỏi trang ${role.page}`,
              en: `an annotation removed from page ${role.page}`,
            },
          };
        return { allowed: null };
      }
      case 'content':
        return { refused: { vi: `nội dung trang ${role.page}`, en: `page ${role.page} content` } };
      case 'resources':
        return { refused: { vi: `tài nguyên trang ${role.page}`, en: `page ${role.page} resources` } };
      case 'annotation':
        return judgeAnnotation(role.annot, role.page, false);
      case 'appearance':
        return judgeAnnotation(role.annot, role.page, true);
      case 'field':
        return judgeField(role.field, 'field');
      case 'signature':
        if (base.has(num)) return refusedSignature(role.field);
        return judgeField(role.field, 'field');
      case 'document':
        return { refused: { vi: `danh mục tài liệu /${role.key}`, en: `the document catalog /${role.key}` } };
    }
  };
  // A signature dictionary that existed when this signature was made may never change.
  const refusedSignature = (field: number): Judgement => {
    const name = fieldName(field);
    return {
      refused: {
        vi: `từ điển chữ ký của trường "${name}"`,
        en: `the signature dictionary of the field "${name}"`,
      },
    };
  };

  const refused: UpdateFinding[] = [];
  const allowed = new Set<AllowedKind>();
  const numbers = new Set([...after.state.entries.keys(), ...base.state.entries.keys()]);
  for (const num of [...numbers].sort((a, b) => a - b)) {
    if (after.entryKey(num) === base.entryKey(num)) continue;
    const rolesNow = roles.roles.get(num) ?? (after.has(num) ? [] : (baseRoles.roles.get(num) ?? []));
    if (rolesNow.length === 0) continue; // not used by the document as it is now: shows nothing
    if (base.has(num) && after.has(num) && sameObject(base, after, num)) continue;
    for (const role of rolesNow) {
      const verdict = judge(num, role);
      if ('refused' in verdict) {
        refused.push({ object: num, ...verdict.refused });
        break;
      }
      if (verdict.allowed) allowed.add(verdict.allowed);
    }
  }
  if (refused.length > 0) for (const kind of [...allowed]) allowed.delete(kind);
  return { kind: 'analysed', refused, allowed: [...allowed], permission: level, certified: mdp !== null };
}

function sameObject(base: PdfView, after: PdfView, num: number): boolean {
  try {
    return base.fingerprint(num) === after.fingerprint(num);
  } catch (error) {
    if (isHubError(error, 'SIGNING_PDF_UNREADABLE')) return false;
    throw error;
  }
}
