// edXML (QCVN 102:2016) as a pure library: guard, read, validate and build packages in memory.
// It must never touch the file system or the network, and never hand unguarded bytes to a parser
// (every entry point runs the safe-xml guard first).
export {
  assertSafeXml,
  assertWellFormedXml,
  checkWellFormed,
  DEFAULT_SAFE_XML_LIMITS,
  type SafeXmlLimits,
  type WellFormedResult,
} from './safe-xml.ts';
