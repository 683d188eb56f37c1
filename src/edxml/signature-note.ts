import { childPath, type ReadContext } from './element-reading.ts';
import { XMLDSIG_NAMESPACE } from './package-model.ts';
import type { EnvelopeParts } from './reader.ts';
import type { XElement } from './xml-tree.ts';

// The DigestValue every VNPT SDK sample carries: a copy-pasted placeholder, not a signature.
const PLACEHOLDER_DIGEST = 'FwgIqsSYJshUS2+wlOM61L+q7Aw=';

/** Notes what the signature looks like; the signing module, not this reader, gives verdicts. */
export function noteSignature(context: ReadContext, parts: EnvelopeParts): void {
  const signature = parts.header?.children.find((child) => child.local === 'Signature');
  if (signature === undefined) return;
  const path = childPath(parts.headerPath, 'Signature');
  if (signature.ns !== XMLDSIG_NAMESPACE) {
    context.warn(
      path,
      'EDXML_SIGNATURE_NOT_XMLDSIG',
      'Chữ ký không thuộc namespace XMLDSig nên không kiểm tra được',
      'the Signature is not in the XMLDSig namespace, so it cannot be verified',
    );
  }
  const descendants: XElement[] = [];
  const collect = (element: XElement): void => {
    for (const child of element.children) {
      descendants.push(child);
      collect(child);
    }
  };
  collect(signature);
  const digest = descendants.find((element) => element.local === 'DigestValue')?.text.trim();
  const certificate = descendants.find((element) => element.local === 'X509Certificate')?.text.trim() ?? '';
  if (digest === PLACEHOLDER_DIGEST || (certificate !== '' && certificate.length < 100)) {
    context.warn(
      path,
      'EDXML_SIGNATURE_PLACEHOLDER',
      'Chữ ký là giá trị mẫu (placeholder) của SDK (chứng thư bị cắt), không kiểm tra được; việc nhận hay không do chính sách chữ ký của cơ quan nhận quyết định',
      "the signature is the SDK sample placeholder (truncated certificate), so it is unverifiable; whether that is accepted is the receiving agency's signature policy",
    );
  }
}
