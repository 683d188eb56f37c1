import { parseDocumentNotation } from './document-notation.ts';
import {
  documentTypeByName,
  LEGAL_NORMATIVE_ABBREVIATIONS,
  legalNormativeTypeByName,
  type DocumentTypeEntry,
} from './document-types.ts';

/**
 * The NĐ 30 type of a received document from what its package says (NOTES.md §1.5, §3.1): the type
 * name first, then the notation's type abbreviation (`12/GM-UBND` → Giấy mời), then an untyped
 * notation (`123/UBND-VP` → Công văn), and the numeric `DocumentType/Type` never on its own: its
 * values are producer-specific (`1` with "Công văn" and with "Thông tư" in the SDK samples, `18`,
 * `71` in axis traffic), so it names no type and is only reported as the last clue.
 */
export type DocumentTypeClues = {
  readonly typeName?: string | undefined;
  /** `<number>/<notation>` or the notation alone (CodeNotation); with the number it parses best. */
  readonly notation?: string | undefined;
  readonly type?: number | undefined;
};

export type DocumentTypeSource = 'type-name' | 'notation' | 'type-code' | 'none';

export type DerivedDocumentType = {
  /** The NĐ 30 row, when the clues name one. */
  readonly entry: DocumentTypeEntry | undefined;
  /** What to register: the NĐ 30 name ("(cá biệt)" only if the producer wrote it), a legal normative type's name, or the TypeName as sent. */
  readonly name: string | undefined;
  readonly source: DocumentTypeSource;
  /** The NĐ 30 type the notation names when it is not the one the type name names. */
  readonly notationDisagrees: DocumentTypeEntry | undefined;
};

type NotationReading = {
  entry: DocumentTypeEntry | undefined;
  legalName: string | undefined;
  typed: boolean;
};

function readNotation(notation: string | undefined): NotationReading | undefined {
  if (notation === undefined || notation.trim() === '') return undefined;
  const text = /^\s*\d+\s*\//u.test(notation) ? notation : `1/${notation}`;
  const parsed = parseDocumentNotation(text);
  if (parsed.kind !== 'notation') return undefined;
  const { documentType, typeAbbreviation, year } = parsed.notation;
  const legalName =
    year !== null && typeAbbreviation !== null
      ? LEGAL_NORMATIVE_ABBREVIATIONS.get(typeAbbreviation.toUpperCase())
      : undefined;
  return { entry: documentType ?? undefined, legalName, typed: typeAbbreviation !== null };
}

/** "Quyết định (cá biệt)" is named "Quyết định" unless the producer said "cá biệt": a notation or a bare name does not tell. */
function plainName(entry: DocumentTypeEntry, typeName: string | undefined): string {
  return typeName?.includes('cá biệt') ? entry.name : entry.name.replace(/\s*\(cá biệt\)$/u, '');
}

export function documentTypeOf(clues: DocumentTypeClues): DerivedDocumentType {
  const typeName = clues.typeName?.trim() === '' ? undefined : clues.typeName?.trim().normalize('NFC');
  const notation = readNotation(clues.notation);
  const byName = typeName === undefined ? undefined : documentTypeByName(typeName);
  if (byName !== undefined) {
    const disagrees = notation?.typed && notation.entry !== undefined && notation.entry.no !== byName.no;
    return {
      entry: byName,
      name: plainName(byName, typeName),
      source: 'type-name',
      notationDisagrees: disagrees ? notation.entry : undefined,
    };
  }
  const legalName = typeName === undefined ? undefined : legalNormativeTypeByName(typeName);
  if (legalName !== undefined)
    return { entry: undefined, name: legalName, source: 'type-name', notationDisagrees: undefined };
  if (notation?.typed) {
    return {
      entry: notation.entry,
      name:
        notation.legalName ??
        (notation.entry === undefined ? typeName : plainName(notation.entry, undefined)),
      source: 'notation',
      notationDisagrees: undefined,
    };
  }
  // A name outside our lists ("Lịch làm việc") says more than an untyped notation does.
  if (typeName !== undefined)
    return { entry: undefined, name: typeName, source: 'type-name', notationDisagrees: undefined };
  if (notation?.entry !== undefined)
    return {
      entry: notation.entry,
      name: notation.entry.name,
      source: 'notation',
      notationDisagrees: undefined,
    };
  return {
    entry: undefined,
    name: undefined,
    source: clues.type === undefined ? 'none' : 'type-code',
    notationDisagrees: undefined,
  };
}
