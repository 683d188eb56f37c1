import type { Transaction } from '../db/index.ts';

/**
 * Hands the text read from one of an item's files to search, in the transaction that records it.
 * Called once per file whose text was read (recordFileText). It does nothing yet: the search work
 * (search columns of intake_item and document) fills it in.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the search work will use them
export function indexItemText(_tx: Transaction, _intakeItemId: string, _text: string): Promise<void> {
  return Promise.resolve();
}
