/**
 * Small edXML packages for signing tests and the bench: a realistic header (From/To/Subject) and
 * a base64 attachment padded to the wanted size; optionally the reference SDK's placeholder
 * Signature (edXML namespace, copy-pasted values that can never verify).
 */
import { randomBytes } from 'node:crypto';

export type PackageOptions = {
  readonly organId?: string;
  readonly subject?: string;
  /** Approximate total size in bytes. */
  readonly size?: number;
  readonly sdkPlaceholder?: boolean;
  /** Makes otherwise equal packages differ (the bench needs a different package each iteration). */
  readonly documentId?: string;
};

const SDK_PLACEHOLDER = `<Signature>
        <SignedInfo>
          <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315" />
          <SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1" />
          <Reference URI="">
            <Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" /></Transforms>
            <DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1" />
            <DigestValue>x9rF8fSRt9k4WQ8b+Zb1pj2Kq1c=</DigestValue>
          </Reference>
        </SignedInfo>
        <SignatureValue>GbVb8n9+qFxz466Ag0sbpVdLPs2R0+9JBekp12UyarAZjoG0W/kPZZJ1auRZDcNcrSwzgkQMpqrjwxcy3ejzbY==</SignatureValue>
        <KeyInfo><X509Data><X509SubjectName>CN=user05</X509SubjectName></X509Data></KeyInfo>
      </Signature>`;

export function makeEdxmlPackage(options: PackageOptions = {}): string {
  const organId = options.organId ?? '000.00.11.H53';
  const subject = options.subject ?? 'V/v kết nối, liên thông phần mềm quản lý văn bản';
  const documentId = options.documentId ?? `${organId},2026/11/25,${randomBytes(4).toString('hex')}`;
  const head = `<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
    <edXML:MessageHeader>
      <edXML:From><edXML:OrganId>${organId}</edXML:OrganId><edXML:OrganName>Sở Tài chính tỉnh Tây Ninh</edXML:OrganName></edXML:From>
      <edXML:To><edXML:OrganId>000.00.01.A53</edXML:OrganId><edXML:OrganName>Văn phòng Tỉnh ủy Tây Ninh</edXML:OrganName></edXML:To>
      <edXML:DocumentId>${documentId}</edXML:DocumentId>
      <edXML:Code><edXML:CodeNumber>123</edXML:CodeNumber><edXML:CodeNotation>STC-VP</edXML:CodeNotation></edXML:Code>
      <edXML:PromulgationInfo><edXML:Place>Tây Ninh</edXML:Place><edXML:PromulgationDate>2026-11-25</edXML:PromulgationDate></edXML:PromulgationInfo>
      <edXML:Subject>${subject}</edXML:Subject>
      <edXML:SignerInfo><edXML:Competence>KT. GIÁM ĐỐC</edXML:Competence><edXML:FullName>Nguyễn Văn An</edXML:FullName></edXML:SignerInfo>
    </edXML:MessageHeader>
    ${options.sdkPlaceholder ? SDK_PLACEHOLDER.replace('<Signature>', '<Signature xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">') : ''}
  </edXML:edXMLHeader>
  <edXML:edXMLBody>
    <edXML:edXMLManifest version="1.0"><edXML:Reference><edXML:AttachmentName>vanban.pdf</edXML:AttachmentName></edXML:Reference></edXML:edXMLManifest>
  </edXML:edXMLBody>
  <edXML:AttachmentEncoded>
    <edXML:Attachment><edXML:ContentId>vanban.pdf</edXML:ContentId><edXML:ContentType>application/pdf</edXML:ContentType><edXML:ContentTransferEncoded>`;
  const tail = `</edXML:ContentTransferEncoded></edXML:Attachment>
  </edXML:AttachmentEncoded>
</edXML:edXMLEnvelope>
`;
  const room = Math.max(0, (options.size ?? 4000) - Buffer.byteLength(head) - Buffer.byteLength(tail) - 2200);
  const base64 = randomBytes(Math.floor((room * 3) / 4))
    .toString('base64')
    .replace(/.{76}/g, '$&\n');
  return head + base64 + tail;
}
