/**
 * What each object of one PDF revision is for, found by walking from the trailer: the catalog,
 * the page tree, page contents and resources, annotations and their appearance streams, the form
 * fields and signature dictionaries, validation data (DSS), metadata. The incremental-update
 * analysis judges a changed object by these roles. The walk is iterative and bounded.
 */
import type { PdfView } from './pdf-document.ts';
import {
  isArray,
  isDict,
  isName,
  isRef,
  pdfSyntaxError,
  textOf,
  type PdfDict,
  type PdfValue,
} from './pdf-syntax.ts';

export type Role =
  | {
      readonly kind:
        | 'catalog'
        | 'pages'
        | 'acroform'
        | 'form-resources'
        | 'dss'
        | 'extensions'
        | 'info'
        | 'metadata'
        | 'structure';
    }
  | { readonly kind: 'page' | 'content' | 'resources' | 'annots'; readonly page: number }
  | { readonly kind: 'annotation' | 'appearance'; readonly page: number; readonly annot: number }
  | { readonly kind: 'field' | 'signature'; readonly field: number }
  | { readonly kind: 'document'; readonly key: string };

export type FieldInfo = {
  readonly num: number;
  readonly name: string;
  /** /FT, inherited from the parents. */
  readonly type: string | null;
  /** The signature dictionary's object number when /V is a reference (signature fields). */
  readonly value: PdfValue;
};

export type AnnotInfo = {
  readonly num: number;
  readonly page: number;
  readonly widget: boolean;
  /** The terminal field this widget belongs to (itself when merged with its field). */
  readonly field: number | null;
};

export type RevisionRoles = {
  readonly roles: ReadonlyMap<number, readonly Role[]>;
  readonly fields: ReadonlyMap<number, FieldInfo>;
  readonly annots: ReadonlyMap<number, AnnotInfo>;
  /** Field name by the object number of its signature dictionary (/V). */
  readonly signatureFields: ReadonlyMap<number, string>;
};

const MAX_VISITS = 2_000_000;
const MAX_PAGES = 100_000;
const MAX_FIELD_DEPTH = 64;

/** Roles whose first holder is enough (a font shared by many pages is "page 1 resources"). */
const FIRST_ONLY = new Set([
  'structure',
  'content',
  'resources',
  'document',
  'dss',
  'extensions',
  'info',
  'metadata',
  'form-resources',
]);

function roleKey(num: number, role: Role): string {
  if (FIRST_ONLY.has(role.kind)) return `${num}:${role.kind}`;
  if ('annot' in role) return `${num}:${role.kind}:${role.annot}`;
  if ('field' in role) return `${num}:${role.kind}:${role.field}`;
  return `${num}:${role.kind}`;
}

export function mapRoles(view: PdfView): RevisionRoles {
  const roles = new Map<number, Role[]>();
  const seen = new Set<string>();
  const fields = new Map<number, FieldInfo>();
  const annots = new Map<number, AnnotInfo>();
  const signatureFields = new Map<number, string>();
  let visits = 0;
  const tick = () => {
    if (++visits > MAX_VISITS) throw pdfSyntaxError('document too large to analyse', 0);
  };
  /** Records the role of a referenced object; true the first time this role reaches it. */
  const mark = (num: number, role: Role): boolean => {
    const key = roleKey(num, role);
    if (seen.has(key)) return false;
    seen.add(key);
    const list = roles.get(num);
    if (list) list.push(role);
    else roles.set(num, [role]);
    return true;
  };
  const structural = structuralObjects(view, tick);
  /**
   * Everything reachable from a value gets the role (fonts, images, forms inside a stream's
   * resources). Pages, page-tree nodes, annotations and the catalog are boundaries: a link's or an
   * outline's destination names a page without being part of it.
   */
  const all = (start: PdfValue | undefined, role: Role) => {
    const work: PdfValue[] = start === undefined ? [] : [start];
    while (work.length > 0) {
      tick();
      const v = work.pop() as PdfValue;
      if (isRef(v)) {
        if (structural.has(v.num)) continue;
        if (mark(v.num, role)) {
          const object = view.object(v.num);
          if (object) work.push(object.value);
        }
      } else if (isArray(v)) work.push(...v);
      else if (isDict(v))
        for (const [key, item] of v.map) if (key !== 'Parent' && key !== 'P') work.push(item);
    }
  };
  const markRef = (v: PdfValue | undefined, role: Role) => {
    if (isRef(v)) mark(v.num, role);
  };

  all(view.state.trailer.map.get('Info'), { kind: 'info' });
  const rootRef = view.state.trailer.map.get('Root');
  markRef(rootRef, { kind: 'catalog' });
  const catalog = view.dict(rootRef);
  if (!catalog) throw pdfSyntaxError('the trailer has no catalog', view.state.startxref);

  const annotation = (v: PdfValue, page: number) => {
    tick();
    const num = isRef(v) ? v.num : -1;
    if (isRef(v) && !mark(v.num, { kind: 'annotation', page, annot: num })) return;
    const dict = view.dict(v);
    if (!dict) return;
    const widget = isName(dict.map.get('Subtype'), 'Widget');
    const parent = dict.map.get('Parent');
    const field = dict.map.has('T') || dict.map.has('FT') ? num : isRef(parent) ? parent.num : null;
    if (num >= 0) annots.set(num, { num, page, widget, field: field === -1 ? null : field });
    for (const [key, item] of dict.map) {
      if (key === 'AP') all(item, { kind: 'appearance', page, annot: num });
      else if (key === 'Popup') annotation(item, page);
      else if (key !== 'Parent' && key !== 'P' && key !== 'V' && key !== 'Kids')
        all(item, { kind: 'annotation', page, annot: num });
    }
  };

  const pages = (root: PdfValue | undefined) => {
    const work: PdfValue[] = root === undefined ? [] : [root];
    const nodes = new Set<number>();
    let page = 0;
    while (work.length > 0) {
      tick();
      const v = work.shift() as PdfValue;
      if (isRef(v)) {
        if (nodes.has(v.num)) continue;
        nodes.add(v.num);
      }
      const node = view.dict(v);
      if (!node) continue;
      const kids = node.map.get('Kids');
      if (
        isName(node.map.get('Type'), 'Pages') ||
        (!isName(node.map.get('Type'), 'Page') && kids !== undefined)
      ) {
        markRef(v, { kind: 'pages' });
        const list = view.resolve(kids);
        markRef(kids, { kind: 'pages' });
        if (isArray(list)) work.unshift(...list);
        // Inherited attributes (Resources, MediaBox …) shape every page below this node.
        for (const [key, item] of node.map)
          if (key !== 'Kids' && key !== 'Parent') all(item, { kind: 'resources', page: page + 1 });
        continue;
      }
      if (++page > MAX_PAGES) throw pdfSyntaxError('too many pages to analyse', 0);
      markRef(v, { kind: 'page', page });
      for (const [key, item] of node.map) {
        if (key === 'Parent') continue;
        if (key === 'Contents') all(item, { kind: 'content', page });
        else if (key === 'Annots') {
          markRef(item, { kind: 'annots', page });
          const list = view.resolve(item);
          if (isArray(list)) for (const a of list) annotation(a, page);
        } else all(item, { kind: key === 'Resources' ? 'resources' : 'content', page });
      }
    }
  };

  const fieldTree = (list: PdfValue | undefined) => {
    type Item = { v: PdfValue; parentName: string | null; type: string | null; depth: number };
    const top = view.resolve(list);
    const work: Item[] = isArray(top) ? top.map((v) => ({ v, parentName: null, type: null, depth: 0 })) : [];
    const visited = new Set<number>();
    while (work.length > 0) {
      tick();
      const { v, parentName, type: inherited, depth } = work.pop() as Item;
      if (depth > MAX_FIELD_DEPTH) throw pdfSyntaxError('form fields nested too deep', 0);
      if (!isRef(v) || visited.has(v.num)) continue;
      visited.add(v.num);
      const node = view.dict(v);
      if (!node) continue;
      const partial = textOf(node.map.get('T'));
      const name = partial === null ? (parentName ?? '') : parentName ? `${parentName}.${partial}` : partial;
      const ft = node.map.get('FT');
      const type = isName(ft) ? ft.name : inherited;
      const value = node.map.get('V') ?? null;
      const isField = partial !== null || node.map.has('FT') || !isName(node.map.get('Subtype'), 'Widget');
      if (isField) {
        mark(v.num, { kind: 'field', field: v.num });
        fields.set(v.num, { num: v.num, name, type, value });
      }
      const owner = isField ? v.num : parentField(node);
      for (const [key, item] of node.map) {
        if (key === 'Kids') {
          const kids = view.resolve(item);
          if (isArray(kids))
            for (const kid of kids) work.push({ v: kid, parentName: name, type, depth: depth + 1 });
        } else if (key === 'V' && type === 'Sig' && isRef(item)) {
          signatureFields.set(item.num, name);
          all(item, { kind: 'signature', field: owner });
        } else if (key === 'Lock' || key === 'SV') all(item, { kind: 'signature', field: owner });
        else if (key === 'AP') all(item, { kind: 'appearance', page: 0, annot: v.num });
        else if (key !== 'Parent' && key !== 'P') all(item, { kind: 'field', field: owner });
      }
    }
  };
  const parentField = (node: PdfDict): number => {
    const parent = node.map.get('Parent');
    return isRef(parent) ? parent.num : -1;
  };

  // The page tree first, then the form, then the rest: the first role an object gets is its own.
  const order = (key: string) => (key === 'Pages' ? 0 : key === 'AcroForm' ? 1 : 2);
  for (const [key, item] of [...catalog.map].sort((a, b) => order(a[0]) - order(b[0]))) {
    if (key === 'Type') continue;
    if (key === 'Pages') pages(item);
    else if (key === 'AcroForm') {
      markRef(item, { kind: 'acroform' });
      const form = view.dict(item);
      for (const [formKey, formItem] of form?.map ?? []) {
        if (formKey === 'Fields') {
          markRef(formItem, { kind: 'acroform' });
          fieldTree(formItem);
        } else if (formKey === 'DR') all(formItem, { kind: 'form-resources' });
        else all(formItem, { kind: 'document', key: `AcroForm /${formKey}` });
      }
    } else if (key === 'DSS') all(item, { kind: 'dss' });
    else if (key === 'StructTreeRoot' || key === 'MarkInfo') all(item, { kind: 'structure' });
    else if (key === 'Extensions') all(item, { kind: 'extensions' });
    else if (key === 'Metadata') all(item, { kind: 'metadata' });
    else all(item, { kind: 'document', key });
  }
  return { roles, fields, annots, signatureFields };
}

/** The catalog, page-tree nodes, pages and annotations: the objects generic walks stop at. */
function structuralObjects(view: PdfView, tick: () => void): Set<number> {
  const found = new Set<number>();
  const root = view.state.trailer.map.get('Root');
  if (isRef(root)) found.add(root.num);
  const work: PdfValue[] = [view.catalog?.map.get('Pages') ?? null];
  while (work.length > 0) {
    tick();
    const v = work.pop() as PdfValue;
    if (isRef(v)) {
      if (found.has(v.num)) continue;
      found.add(v.num);
    }
    const node = view.dict(v);
    if (!node) continue;
    const kids = view.resolve(node.map.get('Kids'));
    if (isArray(kids)) work.push(...kids);
    const annots = view.resolve(node.map.get('Annots'));
    if (isArray(annots)) for (const a of annots) if (isRef(a)) found.add(a.num);
  }
  return found;
}
