import { describe, expect, it } from 'vitest';
import { codeOfDocumentId } from './outbound-message.ts';

describe('the code of the document a status answers', () => {
  it('is read from a canonical DocumentId', () => {
    expect(codeOfDocumentId('000.00.00.G22,2015/09/30,7816/VPCP-TTĐT')).toEqual({
      code: '7816/VPCP-TTĐT',
      promulgationDate: '2015-09-30',
    });
  });

  it('is left out for a DocumentId of another form (a UUID, no code)', () => {
    expect(codeOfDocumentId('9fbfbad2-f1f8-4256-a2eb-50fb1061cddb')).toEqual({});
    expect(codeOfDocumentId('000.00.00.G22,2015/09/30,7816')).toEqual({});
  });
});
