import { LEGACY_EDOC_NAMESPACE, QCVN_NAMESPACE, type PackageWarning } from './package-model.ts';
import type { XElement } from './xml-tree.ts';

/**
 * Navigation over the element tree shared by the reader and the validator: children by local
 * name in the edXML namespace (any prefix), trimmed NFC text with empty = absent, and paths of the
 * form `/edXML/edXMLEnvelope/…/To[2]/OrganId` for messages.
 */

/** Elements of the package proper: the QCVN namespace, the legacy eDoc one, or none at all. */
export function isEdxmlElement(element: XElement): boolean {
  return element.ns === QCVN_NAMESPACE || element.ns === undefined || element.ns === LEGACY_EDOC_NAMESPACE;
}

export function childrenNamed(parent: XElement | undefined, local: string): XElement[] {
  if (parent === undefined) return [];
  return parent.children.filter((child) => child.local === local && isEdxmlElement(child));
}

export function firstChild(parent: XElement | undefined, local: string): XElement | undefined {
  return parent?.children.find((child) => child.local === local && isEdxmlElement(child));
}

/** Trimmed NFC text; an empty or whitespace-only element counts as absent. */
export function textOf(element: XElement | undefined): string | undefined {
  if (element === undefined || element.children.length > 0) return undefined;
  const value = element.text.trim();
  return value === '' ? undefined : value.normalize('NFC');
}

export function childPath(parentPath: string, local: string, index?: number): string {
  return index === undefined ? `${parentPath}/${local}` : `${parentPath}/${local}[${index + 1}]`;
}

/** Collects warnings and reads child values with their paths; one per parsed package. */
export class ReadContext {
  readonly warnings: PackageWarning[] = [];

  warn(path: string, code: string, vi: string, en: string): void {
    this.warnings.push({ path, code, message: `${vi} / ${en}` });
  }

  /** The single child `local`; a repeated one is reported and the first wins. */
  single(parent: XElement | undefined, parentPath: string, local: string): XElement | undefined {
    const found = childrenNamed(parent, local);
    if (found.length > 1) {
      this.warn(
        childPath(parentPath, local, 1),
        'EDXML_DUPLICATE_ELEMENT',
        `<${local}> xuất hiện ${found.length} lần; chỉ lấy phần tử đầu tiên`,
        `<${local}> occurs ${found.length} times; only the first is read`,
      );
    }
    return found[0];
  }

  text(parent: XElement | undefined, parentPath: string, local: string): string | undefined {
    return textOf(this.single(parent, parentPath, local));
  }

  /** A non-negative integer code (Priority, SteeringType…); anything else is reported and dropped. */
  integer(parent: XElement | undefined, parentPath: string, local: string): number | undefined {
    const raw = this.text(parent, parentPath, local);
    if (raw === undefined) return undefined;
    if (/^\d{1,9}$/.test(raw)) return Number(raw);
    this.warn(
      childPath(parentPath, local),
      'EDXML_NOT_AN_INTEGER',
      `<${local}> phải là số nguyên không âm, nhận được "${raw}"; giá trị bị bỏ qua`,
      `<${local}> must be a non-negative integer, got "${raw}"; the value is ignored`,
    );
    return undefined;
  }
}

/** Drops keys whose value is undefined so absent elements are absent keys in the JSON. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) {
    if (value[key] === undefined) Reflect.deleteProperty(value, key);
  }
  return value;
}
