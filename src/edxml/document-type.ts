import { documentTypeOf, type DerivedDocumentType } from '../text/index.ts';
import type { EdocPackage } from './package-model.ts';

/**
 * The NĐ 30 type of a document package, for registration: TypeName, then the notation
 * (`CodeNumber/CodeNotation`), never `DocumentType/Type` alone (a Type 71 "Công văn" is a Công văn).
 */
export function documentTypeOfPackage(pkg: Pick<EdocPackage, 'documentType' | 'code'>): DerivedDocumentType {
  const { number, notation } = pkg.code;
  return documentTypeOf({
    typeName: pkg.documentType.name,
    notation: notation === undefined ? undefined : `${number ?? '1'}/${notation}`,
    type: pkg.documentType.type,
  });
}
