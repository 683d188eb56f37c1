import type { Transaction } from '../db/index.ts';

/**
 * Hands the text read from one of an item's files to search, in the transaction that records it.
 * Called once per file whose text was read (recordFileText). It does nothing yet: the search work
 * (search columns of intake_item and document) fills it in.
 */
export function indexItemText(tx: Transaction, intakeItemId: string, text: string): Promise<void> {
  return Promise.resolve(tx && intakeItemId && text ? undefined : undefined);
}
