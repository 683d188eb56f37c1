// Reading the text of received files: PDFs (text layer, OCR of scanned pages), images, .docx,
// .odt and .doc, by Debian tools run as child processes with hard limits, in a bounded pool beside
// the ingest. What was read is stored by the registry (file_text); this module never decides
// about an item, and never runs on the path of an acknowledgement (SMTP 250, AMQP ack, HTTP 202).
export { readFile } from './read-file.ts';
export {
  startReading,
  type ReadingDeps,
  type ReadingService,
  type ReadingSettings,
} from './reading-service.ts';
export { ReaderCrashed, ReadingAborted, type ReadingBudget, type ReadOutcome } from './reading-outcome.ts';
export { wordsOfOfficeXml } from './read-office.ts';
