import { XMLParser } from 'fast-xml-parser';
import { HubError } from '../shared/index.ts';
import { describeUnsafeCharacter, findUnsafeCharacter } from '../text/index.ts';
import { assertWellFormedXml, type SafeXmlLimits } from './safe-xml.ts';

/**
 * A namespace-resolved element tree built on fast-xml-parser. Names are matched by local name and
 * namespace URI, never by prefix, and children live in arrays, so an element called `__proto__` is
 * just data and cannot reach an object prototype.
 */
export type XElement = {
  readonly local: string;
  /** Namespace URI, or undefined for no namespace. */
  readonly ns: string | undefined;
  /** Attributes by qualified name (`xmlns:*` included), values entity-decoded. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XElement[];
  /** Concatenated direct text and CDATA, entity-decoded, not trimmed. */
  readonly text: string;
};

// fast-xml-parser throws on these as tag names (its own pollution guard). `!` cannot occur in an
// XML name, so the renamed tag can never collide with a real one; toTree undoes the renaming.
const RESERVED_NAMES = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);
const RENAMED = '!';
const TEXT = '#text';
const CDATA = '#cdata';
const ATTRIBUTES = ':@';
const ATTRIBUTE_PREFIX = '@';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded once, here, so CDATA stays literal and `&amp;#65;` is not decoded twice.
  processEntities: false,
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // No callbacks use the path; building it as a string for every tag is fast-xml-parser's main overhead.
  jPath: false,
  transformTagName: (name) => (RESERVED_NAMES.has(name) ? RENAMED + name : name),
});

type OrderedNode = Record<string, unknown>;

/** Guard, well-formedness check, then parse. Throws HubError (`EDXML_…`) for anything unreadable. */
export function parseXmlTree(input: Uint8Array | string, limits: Partial<SafeXmlLimits> = {}): XElement {
  const text = assertWellFormedXml(input, limits);
  let ordered: unknown;
  try {
    ordered = parser.parse(text);
  } catch (error) {
    throw new HubError(
      'EDXML_NOT_WELL_FORMED',
      `Không phân tích được XML / XML could not be parsed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const roots = Array.isArray(ordered) ? (ordered as OrderedNode[]) : [];
  for (const node of roots) {
    const element = toElement(node, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), '');
    if (element !== undefined) return element;
  }
  throw new HubError('EDXML_NOT_WELL_FORMED', 'Không có phần tử gốc / no root element');
}

function toElement(
  node: OrderedNode,
  parentScope: ReadonlyMap<string, string>,
  parentPath: string,
): XElement | undefined {
  let tag: string | undefined;
  for (const key of Object.keys(node)) {
    if (key !== ATTRIBUTES && key !== TEXT && key !== CDATA) tag = key;
  }
  if (tag === undefined) return undefined;
  const qname = tag.startsWith(RENAMED) ? tag.slice(RENAMED.length) : tag;
  const path = `${parentPath}/${qname.slice(qname.indexOf(':') + 1)}`;
  const attributes = new Map<string, string>();
  const rawAttributes = node[ATTRIBUTES];
  let scope = parentScope;
  if (rawAttributes !== null && typeof rawAttributes === 'object') {
    for (const [key, value] of Object.entries(rawAttributes)) {
      const name = key.slice(ATTRIBUTE_PREFIX.length);
      const decoded = checkedText(
        decodeEntities(normalizeLineEnds(typeof value === 'string' ? value : '')),
        `${path}/@${name}`,
      );
      attributes.set(name, decoded);
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (scope === parentScope) scope = new Map(parentScope);
        (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), decoded);
      }
    }
  }
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? '' : qname.slice(0, colon);
  const local = colon === -1 ? qname : qname.slice(colon + 1);
  const uri = scope.get(prefix);
  if (prefix !== '' && uri === undefined) {
    throw new HubError(
      'EDXML_UNDECLARED_PREFIX',
      `Tiền tố "${prefix}" chưa được khai báo (phần tử ${qname}) / namespace prefix "${prefix}" is not declared (element ${qname})`,
    );
  }
  const children: XElement[] = [];
  let text = '';
  const content = node[tag];
  if (Array.isArray(content)) {
    for (const child of content as OrderedNode[]) {
      const childText = child[TEXT];
      if (typeof childText === 'string' || typeof childText === 'number') {
        text += checkedText(decodeEntities(normalizeLineEnds(String(childText))), path);
        continue;
      }
      const cdata = child[CDATA];
      if (Array.isArray(cdata)) {
        for (const part of cdata as OrderedNode[])
          if (typeof part[TEXT] === 'string') text += checkedText(normalizeLineEnds(part[TEXT]), path);
        continue;
      }
      const element = toElement(child, scope, path);
      if (element !== undefined) children.push(element);
    }
  }
  return { local, ns: uri === '' ? undefined : uri, attributes, children, text };
}

/**
 * XML 1.0 §2.2 allows no NUL, no C0 control but tab, LF and CR, no lone surrogate and no U+FFFE/FFFF,
 * raw or as a reference (`&#0;`); the hub's text rule (src/text) also refuses the other
 * noncharacters. Such a package is refused where it is read, naming the element, before any of its
 * text can reach the database. Bidi controls are text; the validator warns about them.
 */
function checkedText(text: string, path: string): string {
  const found = findUnsafeCharacter(text, { bidi: false });
  if (!found) return text;
  const words = describeUnsafeCharacter(found);
  const name = path.slice(path.lastIndexOf('/') + 1);
  throw new HubError('EDXML_FORBIDDEN_CHARACTER', `<${name}> ${words.vi} / <${name}> ${words.en}`, {
    details: { path, codePoint: found.codePoint, position: found.position, kind: found.kind },
  });
}

/** XML 1.0 §2.11: a parser sees every CRLF or lone CR as LF, before entities are decoded. */
function normalizeLineEnds(raw: string): string {
  return raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric references; the guard has refused all others. */
export function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      // `&#0;` decodes to NUL so that checkedText refuses it like a raw one.
      return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return Object.hasOwn(PREDEFINED, name) ? (PREDEFINED[name] ?? whole) : whole;
  });
}
