import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

/** Where the line is kept for `.ci/run`, which prints it again as its own last line. */
export const SUMMARY_FILE = path.resolve(import.meta.dirname, '../../test-results/summary.txt');

/**
 * Ends every test run with the plain line CI reads: `N passed, N failed` (`, N skipped` when any
 * were). A file that failed outside any test (it did not load, a hook threw) or an unhandled error
 * counts as a failure too, so a broken run never reads "0 failed".
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: readonly TestModule[],
    unhandledErrors: readonly unknown[],
    reason: TestRunEndReason,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules)
      for (const test of module.children.allTests()) {
        const { state } = test.result();
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    const failedModules = testModules.filter((m) => m.state() === 'failed').length;
    if (failed === 0 && (failedModules > 0 || unhandledErrors.length > 0 || reason !== 'passed'))
      failed = Math.max(1, failedModules);
    const line = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    fs.mkdirSync(path.dirname(SUMMARY_FILE), { recursive: true });
    fs.writeFileSync(SUMMARY_FILE, `${line}\n`);
    process.stdout.write(`\n${line}\n`);
  }
}
